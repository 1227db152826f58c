"""Which values are PII. Without view_case_pii on the case they are never sent: not in the API,
not in the history, not in exports."""
from typing import Any

PII_FIELDS: dict[str, frozenset[str]] = {
    # Reasons for a correction or for closing a file are free text about the family.
    "case": frozenset({"summary", "closed_reason", "reason"}),
    "custodyepisode": frozenset({"reason"}),
    "person": frozenset({"first_name", "last_name", "date_of_birth", "a_number", "address"}),
    "sponsor": frozenset({"name", "contact"}),
    "note": frozenset({"body"}),
    "document": frozenset({"name"}),
    "proceeding": frozenset({"docket"}),
    # Who represents the family (co-counsel) is as sensitive as the family's own details.
    "caseshare": frozenset({"user", "organization"}),
}


def redact(subject_type: str, values: dict[str, Any]) -> dict[str, Any]:
    hidden = PII_FIELDS.get(subject_type, frozenset())
    return {k: (None if k in hidden else v) for k, v in values.items()}
