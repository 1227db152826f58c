from .calendar import CalendarFeed
from .case import Assignment, Case, CaseGroupObjectPermission, CaseShare, CaseUserObjectPermission, ConsentLevel
from .documents import Document
from .exports import CaseSummary
from .facilities import Facility, FieldOffice, ReferenceChange
from .history import CaseEvent, UsedFormToken
from .imports import ImportJob
from .people import DETAINED_KINDS, CustodianKind, CustodyEpisode, Person, ReleaseType, detained_since_cutoff
from .process import CredibleFearProcess, Hearing, Note, Proceeding, Sponsor
from .reminders import Reminder
from .story import Story

__all__ = [
    "DETAINED_KINDS", "Assignment", "CalendarFeed", "Case", "CaseEvent", "CaseGroupObjectPermission", "CaseShare", "CaseSummary",
    "CaseUserObjectPermission", "ConsentLevel", "CredibleFearProcess", "CustodianKind",
    "CustodyEpisode", "Document", "Facility", "FieldOffice", "Hearing", "ImportJob", "Note", "Person", "Proceeding",
    "ReferenceChange", "ReleaseType", "Reminder", "Sponsor", "Story", "UsedFormToken", "detained_since_cutoff",
]
