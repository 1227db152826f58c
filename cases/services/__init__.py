"""Every write to a case goes through these functions: they check the actor's permission,
validate, save and append the history entry in one transaction."""
from .cases import (
    advocacy_link_record, assignment_create, assignment_delete, assignments_end_for_member, case_close, case_create,
    case_mark_reunified, case_reopen, case_update, consent_record,
    note_create, share_create, share_revoke,
)
from .documents import document_add, document_read, document_remove
from .errors import StaleVersion
from .intake import NewPerson, PersonRefused, family_open, reference_suggestion
from .once import parse_key, replayed_as, run_once
from .people import (
    custody_episode_create, custody_episode_update, custody_transfer, person_create, person_update,
    release_to_sponsor,
)
from .process import (
    fear_process_create, fear_process_update, hearing_schedule, hearing_update, ij_review_decline, ij_review_record,
    ij_review_request, interview_outcome_record, proceeding_create, proceeding_update, sponsor_create,
    sponsor_update,
)
from .stories import story_save
from .reference import (
    can_add_facilities, can_edit_reference_data, field_office_request, reference_create, reference_update,
)

__all__ = [
    "NewPerson", "PersonRefused", "StaleVersion", "advocacy_link_record", "assignment_create", "assignment_delete", "assignments_end_for_member", "can_add_facilities", "can_edit_reference_data", "case_close", "case_create",
    "case_mark_reunified", "case_reopen", "case_update", "consent_record", "custody_episode_create", "custody_episode_update",
    "custody_transfer", "document_add", "document_read", "document_remove", "family_open", "fear_process_create", "field_office_request", "fear_process_update", "hearing_schedule", "hearing_update",
    "ij_review_decline", "ij_review_record", "ij_review_request", "interview_outcome_record", "note_create", "parse_key", "person_create",
    "person_update", "proceeding_create", "proceeding_update", "reference_create", "reference_suggestion", "reference_update",
    "release_to_sponsor", "replayed_as", "run_once", "share_create", "share_revoke", "sponsor_create", "sponsor_update",
    "story_save",
]
