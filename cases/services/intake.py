"""Opening a new family in one step: the case, its people and each one's current custody, all or
nothing, through the same services (and rules, and history) as every later change."""
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User

from ..models import Case, Facility
from .cases import case_create
from .people import custody_transfer, person_create

# The custody services name their fields after a transfer; the intake form after the person.
CUSTODY_FIELDS = {"kind": "custody_kind", "on": "custody_since", "facility": "facility"}


@dataclass
class NewPerson:
    """One member of a new family, with where they are held now (no custody_kind: not known yet)."""

    role: str
    first_name: str
    last_name: str = ""
    date_of_birth: dt.date | None = None
    country_of_birth: str = ""
    languages: str = ""
    a_number: str = ""
    custody_kind: str = ""
    facility: Facility | None = None
    custody_since: dt.date | None = None


class PersonRefused(ValidationError):
    """A service refused the `index`-th person of the intake; the message names the field."""

    def __init__(self, index: int, error: ValidationError) -> None:
        errors = error.error_dict if hasattr(error, "error_dict") else {"__all__": error.error_list}
        super().__init__({CUSTODY_FIELDS.get(k, k): v for k, v in errors.items()})
        self.index = index


def family_open(*, actor: User, organization: Organization, people: list[NewPerson], **case_fields: Any) -> Case:
    """Create the case, then each person and their current custody. Any refusal rolls the whole
    family back: a half-entered family is never on record."""
    with transaction.atomic():
        case = case_create(actor=actor, organization=organization, **case_fields)
        for index, new in enumerate(people):
            try:
                person = person_create(
                    actor=actor, case=case, role=new.role, first_name=new.first_name, last_name=new.last_name,
                    date_of_birth=new.date_of_birth, country_of_birth=new.country_of_birth,
                    languages=new.languages, a_number=new.a_number,
                )
                if new.custody_kind:
                    if new.custody_since is None:
                        raise ValidationError({"on": "Since when? Give the first day of this custody."})
                    custody_transfer(actor=actor, person=person, kind=new.custody_kind, on=new.custody_since,
                                     facility=new.facility)
                elif new.facility is not None or new.custody_since is not None:
                    raise ValidationError({"kind": "Say which custody this is."})
            except ValidationError as exc:
                raise PersonRefused(index, exc) from exc
    return case


def reference_suggestion(organization: Organization, *, today: dt.date | None = None) -> str:
    """The organisation's next free reference of the form INITIALS-YEAR-NNN (e.g. FLA-2026-004),
    a suggestion the advocate may change."""
    year = (today or timezone.localdate()).year
    words = re.findall(r"[A-Za-z]+", organization.name)
    prefix = "".join(w[0] for w in words if w[0].isupper())[:4] or "CASE"
    stem = f"{prefix.upper()}-{year}-"
    taken = set(Case.objects.filter(organization=organization, reference__startswith=stem)
                .values_list("reference", flat=True))
    n = len(taken) + 1
    while f"{stem}{n:03d}" in taken:
        n += 1
    return f"{stem}{n:03d}"
