"""Facts derived from the records, never typed in: current custody, days detained, the family
summary. They read prefetched rows (see selectors) and issue no queries of their own."""
from dataclasses import dataclass

from .models import DETAINED_KINDS, Case, CustodianKind, CustodyEpisode, Person

DETAINED_ALERT_DAYS = 30


def current_episode(person: Person) -> CustodyEpisode | None:
    episodes = getattr(person, "open_episodes", None)
    if episodes is None:  # not prefetched: one query, only on single-object paths
        episodes = list(person.custody_episodes.filter(ended_on__isnull=True).select_related("facility__field_office"))
    return episodes[0] if episodes else None


def days_detained(person: Person) -> int | None:
    ep = current_episode(person)
    return ep.days_detained if ep else None


def detained_over(person: Person, days: int = DETAINED_ALERT_DAYS) -> bool:
    d = days_detained(person)
    return d is not None and d > days


@dataclass(frozen=True)
class FamilySummary:
    members: int
    detained: int
    longest_detention_days: int | None
    detained_over_30_days: bool
    removed: int
    reunified: bool


def family_summary(case: Case) -> FamilySummary:
    people = list(case.people.all())
    episodes = [current_episode(p) for p in people]
    detained = [e for e in episodes if e and e.kind in DETAINED_KINDS]
    longest = max((e.days_detained or 0 for e in detained), default=None)
    return FamilySummary(
        members=len(people),
        detained=len(detained),
        longest_detention_days=longest,
        detained_over_30_days=longest is not None and longest > DETAINED_ALERT_DAYS,
        removed=sum(1 for e in episodes if e and e.kind == CustodianKind.REMOVED),
        reunified=bool(people) and all(e and e.kind == CustodianKind.REUNIFIED for e in episodes),
    )
