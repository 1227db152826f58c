"""The demo data set in one place, apart from the product: fictional families (`families`) and the
two campaigns the product grew from (`campaigns`), every date counted from the day it is loaded.
`load()` is what `manage.py load_demo` and `make run` call; loading twice changes nothing."""
import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Loaded:
    families_created: bool
    campaigns_created: bool
    cases: int


def load(*, today: dt.date | None = None) -> Loaded:
    from .campaigns import load_campaigns
    from .families import load_families

    families = load_families(today=today)
    campaigns = load_campaigns(today=today)
    return Loaded(families.created, campaigns, families.cases)
