from .case import Assignment, Case, CaseGroupObjectPermission, CaseShare, CaseUserObjectPermission, ConsentLevel
from .facilities import Facility, FieldOffice
from .history import CaseEvent, UsedFormToken
from .people import DETAINED_KINDS, CustodianKind, CustodyEpisode, Person, ReleaseType, detained_since_cutoff
from .process import CredibleFearProcess, Hearing, Note, Proceeding, Sponsor

__all__ = [
    "DETAINED_KINDS", "Assignment", "Case", "CaseEvent", "CaseGroupObjectPermission", "CaseShare",
    "CaseUserObjectPermission", "ConsentLevel", "CredibleFearProcess", "CustodianKind",
    "CustodyEpisode", "Facility", "FieldOffice", "Hearing", "Note", "Person", "Proceeding",
    "ReleaseType", "Sponsor", "UsedFormToken", "detained_since_cutoff",
]
