"""Who a supporter writes to: their two senators and their representative, from their ZIP."""
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

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
        raise ValidationError({"zip": "Enter a 5-digit ZIP code."}, code="invalid")
    rows = ZipDistrict.objects.filter(zcta=zcta).order_by("state", "district").values_list("state", "district")
    districts = [District(s, d) for s, d in rows]
    if not districts:
        raise ValidationError({"zip": "We do not know this ZIP code. Check it, or choose your state and district."},
                              code="unknown_zip")
    return districts


def targets_for_zip(zip_code: str, *, state: str | None = None, district: int | None = None) -> Targets:
    """Senators of the ZIP's state and, when the ZIP lies in one district (or the supporter chose
    one of its districts), that district's representative."""
    districts = districts_for_zip(zip_code)
    if state:
        districts = [d for d in districts if d.state == state.upper()] or []
        if not districts:
            raise ValidationError({"state": "This ZIP code is not in that state."}, code="zip_state_mismatch")
    chosen: District | None = districts[0] if len(districts) == 1 else None
    if district is not None:
        matches = [d for d in districts if d.district == district]
        if not matches:
            raise ValidationError({"district": "Choose one of this ZIP code's districts."}, code="invalid_choice")
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
