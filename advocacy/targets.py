"""Who a supporter writes to: their two senators and their representative, from their ZIP."""
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import DecisionMaker, DecisionMakerKind, ZipDistrict


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


def districts_for_zip(zip_code: str) -> list[District]:
    zcta = (zip_code or "").strip()[:5]
    if not (len(zcta) == 5 and zcta.isdigit()):
        raise ValidationError({"zip": _("Enter a 5-digit ZIP code.")}, code="invalid")
    rows = ZipDistrict.objects.filter(zcta=zcta).order_by("state", "district").values_list("state", "district")
    districts = [District(s, d) for s, d in rows]
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
        result.senators = list(DecisionMaker.objects.filter(
            kind=DecisionMakerKind.US_SENATOR, state=next(iter(states)), active=True).order_by("senate_class"))
    if chosen is not None:
        result.representative = DecisionMaker.objects.filter(
            kind=DecisionMakerKind.US_REPRESENTATIVE, state=chosen.state, district=chosen.district, active=True,
        ).first()
    return result


def case_officials(case_ids: list[int]) -> list[DecisionMaker]:
    """The officials responsible for where the families are held now: the directors of the ICE
    field offices over the facilities holding them (only consenting families count)."""
    from cases.facts import detention_field_offices

    offices = detention_field_offices(case_ids=case_ids)
    if not offices:
        return []
    return list(DecisionMaker.objects.filter(
        kind=DecisionMakerKind.AGENCY_OFFICIAL, field_office_id__in=offices, active=True).order_by("name"))


def action_targets(action, *, zip_code: str, state: str | None = None, district: int | None = None,  # noqa: ANN001
                   case_ids: list[int] | None = None) -> tuple[Targets | None, list[DecisionMaker]]:
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
    recipients += list(action.fixed_targets.filter(active=True))
    if action.target_case_officials:
        from .letters.render import action_case_ids

        recipients += case_officials(action_case_ids(action) if case_ids is None else case_ids)
    seen: set[int] = set()
    return congress, [dm for dm in recipients if not (dm.pk in seen or seen.add(dm.pk))]
