from .actions import (
    Action, ActionCase, ActionGroupObjectPermission, ActionShare, ActionStatus, ActionUserObjectPermission, Language,
    SupporterEditing, Tally, TallyKind,
)
from .decision_makers import DecisionMaker, DecisionMakerKind, ZipDistrict
from .letters import PENDING_STATUSES, BatchStatus, Channel, Letter, LetterStatus, PdfBatch, Submission
from .notices import Notice, NoticeKind

__all__ = [
    "PENDING_STATUSES", "Action", "ActionCase", "ActionGroupObjectPermission", "ActionShare", "ActionStatus",
    "ActionUserObjectPermission", "BatchStatus", "Channel", "DecisionMaker", "DecisionMakerKind", "Language", "Letter",
    "LetterStatus", "Notice", "NoticeKind", "PdfBatch", "Submission", "SupporterEditing", "Tally", "TallyKind", "ZipDistrict",
]
