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


def family_summary(case: Case, *, people: list | None = None, episodes: list | None = None) -> FamilySummary:
    """people and their current episodes (anything with .kind and .days_detained), when the
    caller has them already: the API's list reads them as plain values (selectors.ListMember)."""
    people = list(case.people.all()) if people is None else people
    episodes = [current_episode(p) for p in people] if episodes is None else episodes
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


# --- Facts for advocacy letters -------------------------------------------------------------
# What an advocacy letter may say about a group of families. Only families whose consent allows
# it contribute: "anonymous" consent lets a family be counted; "story" consent also lets its
# adults' first names be used. Children's names never leave the record. A value that no
# consenting family supports is None ("unavailable"), never a guess.

ANONYMOUS, STORY = "anonymous", "story"  # the consent a family must have given (ConsentLevel)


@dataclass(frozen=True)
class Fact:
    """One fact a letter, an action's title or its intro may state. `kind` says how a letter
    writes it: a count, a number of days, a span of days in words ("more than a month"), a list
    ("Ana, Rosa and Marta"), or text."""

    name: str
    help: str
    consent: str = ANONYMOUS
    kind: str = "count"


# The one list of facts: advocacy_facts computes exactly these, the merge engine accepts exactly
# these, the builder's reference table and the API's preview list them, docs/letters.md documents
# them (tests/advocacy/test_fact_registry.py holds all four to it).
FACTS: dict[str, Fact] = {f.name: f for f in [
    Fact("families.count", "Families in this action whose consent allows them to be counted"),
    Fact("families.in_ice_custody", "...of them with a member in ICE detention now"),
    Fact("families.with_secured_sponsor", "...of them with a sponsor secured (approved by ORR, or the child "
                                          "released to them)"),
    Fact("families.with_vetted_sponsor", "...of them with a sponsor approved by ORR"),
    Fact("families.with_positive_credible_fear", "...of them who passed a credible-fear interview (or whose "
                                                 "negative finding a judge vacated)"),
    Fact("families.released_or_reunited", "...of them entirely released, with a sponsor or reunified"),
    Fact("families.port_of_entry", "Where they presented (ports of entry, joined)", kind="list"),
    Fact("families.first_names", "Adults' first names, only of families who consented to share their story",
         STORY, kind="list"),
    Fact("families.stories", "The approved story paragraphs of families who consented to share their story, in "
                             "the letter's language (one paragraph each)", STORY, kind="stories"),
    Fact("detained.with_secured_sponsor", "Families in ICE custody with a secured sponsor"),
    Fact("detained.with_vetted_sponsor", "Families in ICE custody with an approved sponsor"),
    Fact("detained.with_positive_credible_fear", "Families in ICE custody who passed a credible-fear interview"),
    Fact("detained.longest_days", "Longest time in detention of a family in ICE custody, in days", kind="days"),
    Fact("detained.shortest_days", "Shortest time in detention of a family in ICE custody, in days", kind="days"),
    Fact("detained.longest_time", 'The same longest time in words, never rounded up: "more than six weeks"',
         kind="duration"),
    Fact("detained.shortest_time", 'The shortest time in words, never rounded up: "more than a month" (every '
                                   "family in ICE custody has been held at least this long)", kind="duration"),
]}

POSITIVE_REVIEWS = frozenset({"vacated"})
NAMED_ROLES = frozenset({"parent", "legal_guardian"})


@dataclass(frozen=True)
class AdvocacyFacts:
    consenting: int  # families that may be counted
    story: int  # families that may also be named
    values: dict[str, object]


def _family_record(case: Case) -> dict:
    people = list(case.people.all())
    episodes = [(p, current_episode(p)) for p in people]
    in_ice = [(p, e) for p, e in episodes if e and e.kind == CustodianKind.ICE_DETENTION]
    return {
        "in_ice": bool(in_ice),
        # A family's time in detention is its longest-held member's (CBP then ICE counts as one).
        "days": max((e.days_detained or 0 for _, e in in_ice), default=None),
        "secured": any(s.is_secured for s in case.sponsors.all()),
        "vetted": any(s.is_vetted for s in case.sponsors.all()),
        "positive_fear": any(
            fp.outcome == "positive" or fp.review in POSITIVE_REVIEWS for p in people for fp in p.fear_processes.all()
        ),
        "out": bool(people) and all(
            e and e.kind in (CustodianKind.RELEASED, CustodianKind.REUNIFIED, CustodianKind.WITH_SPONSOR)
            for _, e in episodes
        ),
        "port": case.port_of_entry.name if case.port_of_entry_id else None,
        "names": [p.first_name for p in people if p.role in NAMED_ROLES and p.first_name],
        "story": _approved_story(case),
    }


def _approved_story(case: Case) -> dict[str, str] | None:
    story = getattr(case, "story", None)  # the reverse one-to-one: absent raises, getattr's default does not
    if story is None or not story.approved:
        return None
    return {"en": story.in_language("en"), "es": story.in_language("es")}


def advocacy_facts(*, case_ids: list[int]) -> AdvocacyFacts:
    """Consent-filtered aggregate facts about these families, from the live records.

    Five queries whatever the number of families: the consenting cases with their port of entry,
    their people, those people's open custody episodes and credible-fear processes, their sponsors.
    """
    from django.db.models import Prefetch

    from .models import ConsentLevel, CredibleFearProcess

    cases = list(
        Case.objects.filter(pk__in=case_ids).exclude(consent_level=ConsentLevel.NONE)
        .select_related("port_of_entry", "story").order_by("pk")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.prefetch_related(
                Prefetch("custody_episodes", queryset=CustodyEpisode.objects.filter(ended_on__isnull=True),
                         to_attr="open_episodes"),
                Prefetch("fear_processes", queryset=CredibleFearProcess.objects.all()),
            )),
            "sponsors",
        )
    )
    families = [(_family_record(c), c.consent_level == ConsentLevel.STORY) for c in cases]
    detained = [f for f, _ in families if f["in_ice"]]
    days = [f["days"] for f in detained if f["days"] is not None]
    ports = sorted({f["port"] for f, _ in families if f["port"]})
    names = [n for f, story in families if story for n in f["names"]]
    stories = [f["story"] for f, story in families if story and f["story"]]
    story = sum(1 for _, s in families if s)
    n = len(families)
    values: dict[str, object] = {
        "families.count": n,
        "families.in_ice_custody": len(detained),
        "families.with_secured_sponsor": sum(1 for f, _ in families if f["secured"]),
        "families.with_vetted_sponsor": sum(1 for f, _ in families if f["vetted"]),
        "families.with_positive_credible_fear": sum(1 for f, _ in families if f["positive_fear"]),
        "families.released_or_reunited": sum(1 for f, _ in families if f["out"]),
        "families.port_of_entry": ports or None,
        "families.first_names": list(dict.fromkeys(names)) or None,
        "families.stories": stories or None,
        "detained.with_secured_sponsor": sum(1 for f in detained if f["secured"]),
        "detained.with_vetted_sponsor": sum(1 for f in detained if f["vetted"]),
        "detained.with_positive_credible_fear": sum(1 for f in detained if f["positive_fear"]),
        "detained.longest_days": max(days) if days else None,
        "detained.shortest_days": min(days) if days else None,
        "detained.longest_time": max(days) if days else None,
        "detained.shortest_time": min(days) if days else None,
    }
    if n == 0:  # nobody consents: nothing at all may be said
        values = dict.fromkeys(values)
    return AdvocacyFacts(consenting=n, story=story, values=values)


def all_out_of_custody(*, case_ids: list[int]) -> bool:
    """Every member of every one of these families is released, with a sponsor or reunified.
    Consent does not matter here: the answer goes to the organizer, who already reads the cases."""
    from django.db.models import Exists, OuterRef

    from .models import CustodianKind as K

    people = Person.objects.filter(case_id__in=case_ids)
    if not case_ids or not people.exists():
        return False
    out_now = CustodyEpisode.objects.filter(
        person_id=OuterRef("pk"), ended_on__isnull=True, kind__in=(K.RELEASED, K.REUNIFIED, K.WITH_SPONSOR)
    )
    return not people.filter(~Exists(out_now)).exists()


def detention_field_offices(*, case_ids: list[int]) -> list[int]:
    """The ICE field offices responsible for the ICE detention facilities where these (consenting)
    families' members are held now: whom an action can address about them."""
    from .models import ConsentLevel

    return sorted(set(
        CustodyEpisode.objects.filter(
            person__case_id__in=case_ids, ended_on__isnull=True, kind=CustodianKind.ICE_DETENTION,
            facility__field_office__isnull=False,
        ).exclude(person__case__consent_level=ConsentLevel.NONE)
        .values_list("facility__field_office_id", flat=True)
    ))


def facts_fingerprint(*, case_ids: list[int]) -> tuple:
    """Changes whenever anything advocacy_facts reads changes, or the day does (days in detention):
    the key under which they may be reused. The families' records (every service write bumps its
    case's updated_at, consent included) and the facilities they name - the port of entry, and
    where each member is held now - which are shared rows edited on their own (a renamed port must
    not stay in letters). Every case's own stamp counts, not just the latest one: a change committed
    after a later-stamped one is still seen; every facility edit bumps its version, so the sum of
    the versions a family's facilities carry moves with any of them. One query."""
    import hashlib

    from django.db.models import OuterRef, Subquery, Sum
    from django.utils import timezone

    held_at = (CustodyEpisode.objects.filter(person__case=OuterRef("pk"), ended_on__isnull=True)
               .values("person__case").annotate(v=Sum("facility__version")).values("v"))
    stamps = (Case.objects.filter(pk__in=case_ids).order_by("pk")
              .values_list("pk", "updated_at", "port_of_entry__version", Subquery(held_at)))
    digest = hashlib.blake2b(repr(list(stamps)).encode(), digest_size=16).hexdigest()
    return (digest, timezone.localdate())
