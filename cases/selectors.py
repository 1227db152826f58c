"""Reads scoped to the caller. Every queryset of case data starts from visible_cases()."""
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case as Case_
from django.db.models import (
    Count, DateField, DateTimeField, Exists, Expression, F, Field, Func, OuterRef, Prefetch, Q, QuerySet, Subquery,
    Value, When, Window,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, LessThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User
from accounts.objperms import AnyOf
from accounts.roles import VIEW, VIEW_PII

from .fields import blind_index, normalise_a_number
from .models import (
    Case, CaseEvent, CaseShare, CredibleFearProcess, CustodyEpisode, Hearing, Note, Person, Proceeding, Sponsor,
)
from .permissions import case_ids_with_perm, cases_with_perm


def visible_cases(*, user: User) -> QuerySet[Case]:
    return cases_with_perm(user, VIEW)


def _open_episodes() -> Prefetch:
    return Prefetch(
        "custody_episodes",
        queryset=CustodyEpisode.objects.filter(ended_on__isnull=True).select_related("facility__field_office"),
        to_attr="open_episodes",
    )


def case_list(*, user: User) -> QuerySet[Case]:
    """The case list: the page, its organisations, its people, their current custody.

    Organisations are prefetched, not joined: with the join PostgreSQL hashes the organisation
    table and sorts every visible case before the LIMIT; without it the primary-key scan comes
    out in page order and stops after one page (docs/performance.md, the "dense" user).
    """
    return visible_cases(user=user).prefetch_related(
        "organization", Prefetch("people", queryset=Person.objects.prefetch_related(_open_episodes()))
    )


# What a row of the API's list shows (cases.api.serializers.CaseListRowSerializer), and nothing
# more: the case's summary, each person's name, birth date and encrypted A-number (decrypted on
# load) and the episodes' other columns stay in the database.
LIST_ROW_FIELDS = ("id", "version", "updated_at", "organization_id", "reference", "separated_on", "separation_place",
                   "consent_level", "status")


def case_list_rows(*, user: User) -> QuerySet[Case]:
    """The API's list: the visible cases, reading only the columns a row shows, with their
    organisation's name. The members come after the page is cut (list_members)."""
    return visible_cases(user=user).only(*LIST_ROW_FIELDS).prefetch_related(
        Prefetch("organization", queryset=Organization.objects.only("id", "name")))


@dataclass(frozen=True)
class ListMember:
    """A family member as the API's list shows them: their current (open) custody, if any."""

    id: int
    case_id: int
    role: str
    kind: str | None
    detained_since: dt.date | None
    facility: str | None
    field_office: str | None
    today: dt.date  # the reader's today, read once per page (timezone.localdate() costs 10 µs)

    @property
    def days_detained(self) -> int | None:
        # CustodyEpisode.days_detained for an open episode: up to today.
        return None if self.detained_since is None else (self.today - self.detained_since).days


# The API list's members: plain SQL, because the ORM spent longer building and compiling this fixed
# query (a FilteredRelation join) than PostgreSQL spent running it (docs/performance.md).
_LIST_MEMBERS_SQL = """
    SELECT p.id, p.case_id, p.role, e.kind, e.detained_since, f.name, o.code
    FROM cases_person p
    LEFT JOIN cases_custodyepisode e ON e.person_id = p.id AND e.ended_on IS NULL
    LEFT JOIN cases_facility f ON f.id = e.facility_id
    LEFT JOIN cases_fieldoffice o ON o.id = f.field_office_id
    WHERE p.case_id IN ({marks})
    ORDER BY p.case_id, p.id
"""


def list_members(*, page: Iterable[Case]) -> dict[int, list[ListMember]]:
    """The people of a page of cases (rows the caller read through visible_cases) with their open
    custody episode (one at most: the database refuses two), its facility and field office: one
    query of plain values, in Person's order."""
    ids = [case.pk for case in page]
    out: dict[int, list[ListMember]] = {}
    if not ids:
        return out
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(_LIST_MEMBERS_SQL.format(marks=", ".join(["%s"] * len(ids))), ids)
        for row in cursor.fetchall():
            out.setdefault(row[1], []).append(ListMember(*row, today))
    return out


def case_list_page(*, user: User) -> QuerySet[Case]:
    """The staff list: case_list, plus per family its sponsor's standing, its fear screening and
    its next hearing. Each is a subquery in the page's own SELECT, so PostgreSQL evaluates it for
    the page's rows only (after the LIMIT) and the page costs no query more."""
    now = timezone.now()
    secured = Sponsor.objects.filter(case=OuterRef("pk"), status__in=Sponsor.SECURED)
    vetting = Sponsor.objects.filter(case=OuterRef("pk"), status__in=Sponsor.IN_VETTING)
    fear = CredibleFearProcess.objects.filter(person__case=OuterRef("pk"))
    return case_list(user=user).annotate(
        sponsor_secured=Exists(secured), sponsor_in_vetting=Exists(vetting),
        fear_positive=Exists(fear.filter(Q(outcome=CredibleFearProcess.Outcome.POSITIVE) | Q(review="vacated"))),
        fear_negative=Exists(fear.filter(outcome=CredibleFearProcess.Outcome.NEGATIVE).exclude(review="vacated")),
        fear_pending=Exists(fear.filter(outcome=CredibleFearProcess.Outcome.PENDING)),
        next_hearing=Subquery(Hearing.objects.filter(
            proceeding__case=OuterRef("pk"), status=Hearing.Status.SCHEDULED, scheduled_at__gte=now,
        ).order_by("scheduled_at").values("scheduled_at")[:1]),
    )


# The families list's orders: name -> (label, its sort key, whether the key ascends). Families
# without the key (nobody detained now, no hearing ahead) sort last; ties fall to the newest, so
# every order is total and a page boundary is never ambiguous.
LAST_DAY = dt.date.max
LAST_MOMENT = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
CASE_SORTS: dict[str, tuple[str, str, bool]] = {
    "newest": (_("Newest first"), "", False),
    "detained": (_("Longest detained first"), "detained", True),
    "hearing": (_("Next hearing first"), "hearing", True),
    "changed": (_("Recently changed first"), "updated_at", False),
    "reference": (_("Reference, A to Z"), "reference", True),
}


def _sort_key(key: str) -> Expression:
    if key == "detained":
        # The earliest start of any member's current detention: the detained_since of an open
        # episode, which dates the whole chain (CBP then ICE is one detention).
        since = Subquery(CustodyEpisode.objects.filter(
            person__case=OuterRef("pk"), ended_on__isnull=True, detained_since__isnull=False,
        ).order_by("detained_since").values("detained_since")[:1], output_field=DateField())
        return Coalesce(since, Value(LAST_DAY), output_field=DateField())
    if key == "hearing":  # case_list_page's next_hearing
        return Coalesce(F("next_hearing"), Value(LAST_MOMENT), output_field=DateTimeField())
    return F(key)


class _Row(Func):
    """A row value, `(a, b)`: compared as a whole, so a keyset condition names its key once."""
    template = "(%(expressions)s)"
    output_field = Field()


def sorted_page(rows: QuerySet[Case], *, sort: str, after: int | None, size: int) -> tuple[list[Case], bool]:
    """One page of `rows` in the order `sort` names (CASE_SORTS), starting after the family `after`.
    Keyset: no page counts or skips rows, and the cursor is only a case id - never a name, a date
    or a hearing time - so the URL holds nothing from the record; its key is read back (one query).
    A cursor the reader may no longer see starts the list again from the top. Returns the page and
    whether more follow."""
    _label, key, ascending = CASE_SORTS[sort]
    if not key:
        rows = rows.order_by("-pk")
        if after is not None:
            rows = rows.filter(pk__lt=after)
    else:
        rows = rows.annotate(sort_key=_sort_key(key))
        rows = rows.order_by(F("sort_key").asc() if ascending else F("sort_key").desc(), "-pk")
        found = list(rows.filter(pk=after).values_list("sort_key", flat=True)[:1]) if after is not None else []
        if found:
            # ascending: key > v, or key = v and older; descending: key < v, or key = v and older.
            if ascending:
                rows = rows.filter(GreaterThan(_Row(F("sort_key"), -F("pk")), _Row(Value(found[0]), Value(-after))))
            else:
                rows = rows.filter(LessThan(_Row(F("sort_key"), F("pk")), _Row(Value(found[0]), Value(after))))
    page = list(rows[: size + 1])
    return page[:size], len(page) > size


def case_detail(*, user: User, history: bool = False) -> QuerySet[Case]:
    """A family with everything its page or detail shows; with `history`, every member's custody
    episodes too, oldest first (the staff page lists them, each with a link to correct it)."""
    return _with_family(visible_cases(user=user), user=user, history=history)


def family_checked(*, user: User, pk: int, history: bool = False) -> QuerySet[Case]:
    """case_detail for one family whose view right the caller has just read for this user
    (permissions.case_perms, one query, which the family page needs anyway): the family by its id,
    without building the visibility query a second time."""
    return _with_family(Case.objects.filter(pk=pk), user=user, history=history)


def _with_family(cases: QuerySet[Case], *, user: User, history: bool) -> QuerySet[Case]:
    lookups: list = [_open_episodes(), Prefetch("fear_processes", queryset=CredibleFearProcess.objects.all())]
    if history:
        lookups.append(Prefetch("custody_episodes", queryset=CustodyEpisode.objects.select_related("facility")
                                .order_by("started_on", "pk"), to_attr="episodes"))
    people = _with_duplicate_flag(Person.objects.prefetch_related(*lookups), user=user)
    return cases.select_related("organization", "port_of_entry", "story__approved_by").prefetch_related(
        Prefetch("people", queryset=people),
        Prefetch("sponsors", queryset=Sponsor.objects.all()),
        Prefetch("proceedings", queryset=Proceeding.objects.select_related("court").prefetch_related(
            Prefetch("hearings", queryset=Hearing.objects.all()))),
    )


def pii_case_ids(*, user: User, case_ids: Iterable[int]) -> set[int]:
    """Which of these cases the user may see PII on: one query for a whole page."""
    ids = set(case_ids)
    if not ids:
        return set()
    return case_ids_with_perm(user, VIEW_PII, ids)


def _with_duplicate_flag(people: QuerySet[Person], *, user: User) -> QuerySet[Person]:
    """Flag a person whose A-number is also on another case of the same organisation - among the
    cases whose PII the reader may see, so the flag can never probe a hidden case's A-number."""
    duplicate = Person.objects.filter(
        a_number_index=OuterRef("a_number_index"), case__organization_id=OuterRef("case__organization_id"),
        case__in=cases_with_perm(user, VIEW_PII).values("pk"),
    ).exclude(case_id=OuterRef("case_id")).exclude(a_number_index="")
    return people.annotate(a_number_duplicate=Exists(duplicate))


def person_list(*, user: User) -> QuerySet[Person]:
    return _with_duplicate_flag(
        Person.objects.filter(case__in=visible_cases(user=user))
        .select_related("case")
        .prefetch_related(_open_episodes()),
        user=user,
    ).order_by("-id")


def episode_list(*, user: User) -> QuerySet[CustodyEpisode]:
    return CustodyEpisode.objects.filter(person__case__in=visible_cases(user=user)).select_related(
        "person", "facility__field_office"
    )


def sponsor_list(*, user: User) -> QuerySet[Sponsor]:
    return Sponsor.objects.filter(case__in=visible_cases(user=user))


def fear_process_list(*, user: User) -> QuerySet[CredibleFearProcess]:
    return CredibleFearProcess.objects.filter(person__case__in=visible_cases(user=user)).select_related("person")


def proceeding_list(*, user: User) -> QuerySet[Proceeding]:
    return Proceeding.objects.filter(case__in=visible_cases(user=user)).prefetch_related("hearings")


def hearing_list(*, user: User) -> QuerySet[Hearing]:
    return Hearing.objects.filter(proceeding__case__in=visible_cases(user=user)).select_related("proceeding")


def note_list(*, user: User) -> QuerySet[Note]:
    # Notes are PII: only cases where the user holds view_case_pii.
    return Note.objects.filter(case__in=cases_with_perm(user, VIEW_PII)).select_related("author")


def share_list(*, user: User) -> QuerySet[CaseShare]:
    # Who represents a family is sensitive: only readers with PII rights see the shares.
    return CaseShare.objects.filter(case__in=cases_with_perm(user, VIEW_PII)).select_related("user", "organization")


def case_history(*, case: Case) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(case=case).select_related("actor")


def a_number_index_for(raw: str) -> str | None:
    """The blind index for a typed A-number, or None when it is not a valid A-number."""
    try:
        return blind_index(normalise_a_number(raw))
    except Exception:  # noqa: BLE001 - any malformed input simply matches nothing
        return None


def a_number_duplicates(*, user: User, organization: Organization, a_numbers: Iterable[str]) -> dict[str, tuple[int, str]]:
    """For each typed A-number (any formatting) already on a family of `organization` whose PII
    the user may see: that family's id and reference. Only that organisation is searched, so the
    answer never tells anyone about another organisation's families."""
    indexes = {raw: a_number_index_for(raw) for raw in a_numbers if raw}
    wanted = {index for index in indexes.values() if index}
    if not wanted:
        return {}
    rows = Person.objects.filter(
        a_number_index__in=wanted, case__organization=organization,
        case__in=cases_with_perm(user, VIEW_PII).values("pk"),
    ).order_by("case_id").values_list("a_number_index", "case_id", "case__reference")
    found = {index: (case_id, reference) for index, case_id, reference in rows}
    return {raw: found[index] for raw, index in indexes.items() if index in found}


def upcoming_cutoff(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


# --- The staff dashboard: families needing attention -------------------------------------------

ATTENTION_ROWS = 25


def open_files(*, user: User) -> QuerySet[Case]:
    """The dashboard asks about open files only: a closed family needs no attention. The dashboard
    builds this once and hands it to each panel below (`files`): building the permission query is a
    few milliseconds of Python each time."""
    return visible_cases(user=user).filter(status=Case.Status.OPEN)


def detained_over(*, files: QuerySet[Case], days: int = 30) -> QuerySet[CustodyEpisode]:
    """People in detention now for more than `days` days, longest first.

    The open episodes are found by their people's ids (`person_id = ANY(ARRAY(...))`): joined to
    the visible families instead, PostgreSQL probed the custody exclusion constraint's GiST index
    once per person (60 ms for an advocate of 2,000 families at 100,000; docs/performance.md),
    where an array goes to the B-tree of open episodes."""
    people = Person.objects.filter(case__in=files).order_by().values("pk")
    return CustodyEpisode.objects.filter(
        AnyOf(F("person_id"), people),
        ended_on__isnull=True, detained_since__lt=timezone.localdate() - dt.timedelta(days=days),
    ).order_by(*DETAINED_ORDER)


DETAINED_ORDER = ("detained_since", "pk")


def detained_shown(ids: list[int]) -> QuerySet[CustodyEpisode]:
    """The dashboard's long detentions (found by detained_over), with the person, family and
    facility each row names."""
    return CustodyEpisode.objects.filter(pk__in=ids).select_related(
        "person__case", "facility__field_office").order_by(*DETAINED_ORDER)


def hearings_within(*, files: QuerySet[Case], days: int = 14) -> QuerySet[Hearing]:
    now = timezone.now()
    return Hearing.objects.filter(
        status=Hearing.Status.SCHEDULED, scheduled_at__gte=now, scheduled_at__lte=now + dt.timedelta(days=days),
        proceeding__case__in=files,
    ).select_related("proceeding__case", "proceeding__person").order_by("scheduled_at", "pk")


def review_deadlines_within(*, files: QuerySet[Case], days: int = 14) -> QuerySet[CredibleFearProcess]:
    """Requested immigration-judge reviews not yet decided whose deadline falls within `days` days
    (credible fear 7 days from the negative finding, reasonable fear 10 days from the referral)."""
    today = timezone.localdate()
    return CredibleFearProcess.objects.filter(
        CredibleFearProcess.review_due_between(today, today + dt.timedelta(days=days)),
        person__case__in=files,
    ).select_related("person__case").annotate(due=Case_(
        When(kind=CredibleFearProcess.Kind.CREDIBLE, then=F("decided_on") + _days(CredibleFearProcess.Kind.CREDIBLE)),
        default=F("referred_on") + _days(CredibleFearProcess.Kind.REASONABLE), output_field=DateField(),
    )).order_by("due", "pk")


def _days(kind: str) -> dt.timedelta:
    return dt.timedelta(days=CredibleFearProcess.REVIEW_DAYS[kind])


def sponsors_pending(*, files: QuerySet[Case]) -> QuerySet[Sponsor]:
    return Sponsor.objects.filter(
        status__in=Sponsor.IN_VETTING, case__in=files,
    ).select_related("case", "person").order_by("case_id", "pk")


def attention(rows: QuerySet, *, shown: Callable[[list[int]], QuerySet] | None = None) -> tuple[list, int]:
    """A dashboard panel: its first ATTENTION_ROWS rows and how many there are in all, in one
    query (`COUNT(*) OVER ()` is counted before the LIMIT; the rows are found once, not twice).

    With `shown`, the first rows are found as ids, and `shown(ids)` reads them with what the panel
    shows of them (two queries): joined in the search, PostgreSQL would join every matching row
    before sorting, which for a panel of thousands (a large organisation's long detentions) cost
    more than the search itself."""
    counted = rows.annotate(attention_total=Window(Count("pk")))
    if shown is None:
        first = list(counted[:ATTENTION_ROWS])
        return first, first[0].attention_total if first else 0
    found = list(counted.values_list("pk", "attention_total")[:ATTENTION_ROWS])
    return (list(shown([pk for pk, _total in found])), found[0][1]) if found else ([], 0)


def recently_changed(*, user: User) -> QuerySet[Case]:
    return visible_cases(user=user).order_by("-updated_at", "-pk")[:10]
