"""Who a supporter writes to: their two senators and their representative, from their ZIP, and
the decision makers an action adds.

These are reads of slowly changing reference data on the public form's hot path, so each answer
is reused in-process for up to DIRECTORY_TTL seconds: an import, a staff edit, or a family moved to
a facility under another field office reaches new submissions within a minute. (What a letter
*says* is never cached this way: facts are read at render time, see letters.render.)
"""
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import DecisionMaker, DecisionMakerKind, ZipDistrict

DIRECTORY_TTL = 60.0
F = TypeVar("F", bound=Callable[..., Any])
_MEMOS: list[Callable[[], None]] = []


def _memo(fn: F) -> F:
    """Reuse fn's answer for the same arguments for DIRECTORY_TTL seconds (thread-safe, bounded)."""
    store: dict[tuple, tuple[float, Any]] = {}
    lock = threading.Lock()

    @wraps(fn)
    def wrapper(*args: Any) -> Any:
        now = time.monotonic()
        with lock:
            hit = store.get(args)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = fn(*args)
        with lock:
            if len(store) > 20_000:
                store.clear()
            store[args] = (now + DIRECTORY_TTL, value)
        return value

    def clear() -> None:
        with lock:
            store.clear()

    _MEMOS.append(clear)
    return wrapper  # type: ignore[return-value]


def clear_directory_caches() -> None:
    """Forget every reused answer (after an import in this process, and between tests)."""
    for clear in _MEMOS:
        clear()


@dataclass(frozen=True)
class District:
    state: str
    district: int

    def __str__(self) -> str:
        return f"{self.state}-{'AL' if self.district == 0 else self.district}"


@dataclass
class Targets:
    districts: list[District]
    senators: list[DecisionMaker] = field(default_factory=list)
    representative: DecisionMaker | None = None

    @property
    def needs_district_choice(self) -> bool:
        """The ZIP spans districts and none was chosen: ask, never guess."""
        return self.representative is None and len(self.districts) > 1

    @property
    def all(self) -> list[DecisionMaker]:
        return [*self.senators, *([self.representative] if self.representative else [])]


@_memo
def _zip_districts(zcta: str) -> tuple[District, ...]:
    rows = ZipDistrict.objects.filter(zcta=zcta).order_by("state", "district").values_list("state", "district")
    return tuple(District(s, d) for s, d in rows)


@_memo
def _senators(state: str) -> tuple[DecisionMaker, ...]:
    return tuple(DecisionMaker.objects.filter(kind=DecisionMakerKind.US_SENATOR, state=state, active=True)
                 .order_by("senate_class"))


@_memo
def _representative(state: str, district: int) -> DecisionMaker | None:
    return DecisionMaker.objects.filter(kind=DecisionMakerKind.US_REPRESENTATIVE, state=state, district=district,
                                        active=True).first()


def districts_for_zip(zip_code: str) -> list[District]:
    zcta = (zip_code or "").strip()[:5]
    if not (len(zcta) == 5 and zcta.isdigit()):
        raise ValidationError({"zip": _("Enter a 5-digit ZIP code.")}, code="invalid")
    districts = list(_zip_districts(zcta))
    if not districts:
        raise ValidationError({"zip": _("We do not know this ZIP code. Please check it.")}, code="unknown_zip")
    return districts


def targets_for_zip(zip_code: str, *, state: str | None = None, district: int | None = None) -> Targets:
    """Senators of the ZIP's state and, when the ZIP lies in one district (or the supporter chose
    one of its districts), that district's representative."""
    districts = districts_for_zip(zip_code)
    if state:
        districts = [d for d in districts if d.state == state.upper()] or []
        if not districts:
            raise ValidationError({"state": _("This ZIP code is not in that state.")}, code="zip_state_mismatch")
    chosen: District | None = districts[0] if len(districts) == 1 else None
    if district is not None:
        matches = [d for d in districts if d.district == district]
        if not matches:
            raise ValidationError({"district": _("Choose one of this ZIP code's districts.")}, code="invalid_choice")
        chosen = matches[0]
    states = {d.state for d in districts}
    result = Targets(districts=districts)
    if len(states) == 1:
        result.senators = list(_senators(next(iter(states))))
    if chosen is not None:
        result.representative = _representative(chosen.state, chosen.district)
    return result


@_memo
def _fixed_targets(action_id: int, version: int) -> tuple[DecisionMaker, ...]:
    from .models import Action

    return tuple(Action(pk=action_id).fixed_targets.filter(active=True).order_by("pk"))


@_memo
def _case_officials(action_id: int, version: int, organization_id: int) -> tuple[DecisionMaker, ...]:
    from .letters.render import action_case_ids
    from .models import Action

    return tuple(case_officials(action_case_ids(Action(pk=action_id)), organization_id=organization_id))


def case_officials(case_ids: list[int], *, organization_id: int) -> list[DecisionMaker]:
    """The officials responsible for where the families are held now: the directors of the ICE
    field offices over the ICE detention facilities holding them (only consenting families count),
    from the shared directory or the action's own organisation's entries."""
    from cases.facts import detention_field_offices

    offices = detention_field_offices(case_ids=case_ids)
    if not offices:
        return []
    return list(DecisionMaker.objects.filter(
        Q(organization__isnull=True) | Q(organization_id=organization_id),
        kind=DecisionMakerKind.AGENCY_OFFICIAL, field_office_id__in=offices, active=True).order_by("name"))


def action_targets(action, *, zip_code: str, state: str | None = None,  # noqa: ANN001
                   district: int | None = None) -> tuple[Targets | None, list[DecisionMaker]]:
    """Everyone a supporter of `action` writes to, in order: senators, representative, the fixed
    decision makers, the case-derived officials. A ZIP that spans districts raises a `district`
    error until the supporter chooses one of them."""
    congress: Targets | None = None
    recipients: list[DecisionMaker] = []
    if action.target_senators or action.target_representative:
        congress = targets_for_zip(zip_code, state=state, district=district)
        if action.target_senators:
            recipients += congress.senators
        if action.target_representative:
            if congress.needs_district_choice:
                raise ValidationError(
                    {"district": _("Your ZIP code is in more than one congressional district: choose yours.")},
                    code="choose_district",
                )
            if congress.representative:
                recipients.append(congress.representative)
    recipients += _fixed_targets(action.pk, action.version)
    if action.target_case_officials:
        recipients += _case_officials(action.pk, action.version, action.organization_id)
    seen: set[int] = set()
    return congress, [dm for dm in recipients if not (dm.pk in seen or seen.add(dm.pk))]
