"""Synthetic data for the case-list benchmark: 200 organisations, cases with families, custody
timelines and the guardian permission rows the product writes.

Speed: creating 100,000 cases through the services (one transaction, one history entry and
several permission queries per row) would take hours, so rows are bulk-created in batches.
The permission rows still come from the product's own functions: organisations from
accounts.services.organization_create, memberships from membership_add, owner rows from
cases.permissions.grant_owner_perms(batch), shares and assignments from set_user_perms /
set_group_perms. History entries (CaseEvent) are not written: the case list never reads them.

Measured users (their visible count is fixed when the first 10,000 cases are built and does not
change when the table grows, so the second measurement isolates table size):
- large: an advocate of the "large" organisation (1,940 own cases) that also received 40 cases
  shared with the organisation and 20 cases shared with the advocate personally: 2,000 cases.
- volunteer: a volunteer with 60 assignments (direct user rows only): 60 cases.
- small: an advocate of a small organisation that owns 60 cases: 60 cases (group rows only).
(60 rather than 50 so that both have a second page to measure: 50 + 10.)
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from accounts.models import Organization, OrganizationGroup, User
from accounts.roles import ASSIGNED_CASE_PERMS, SHARE_PERMS, SHARE_RECIPIENT_ROLES, Role
from accounts.services import membership_add, organization_create
from cases.models import (
    DETAINED_KINDS, Assignment, Case, CaseShare, ConsentLevel, CustodianKind, CustodyEpisode, Facility, FieldOffice,
    Person, ReleaseType,
)
from cases.models.people import ORR_KINDS
from cases.permissions import grant_owner_perms, set_group_perms, set_user_perms

ORGANIZATIONS = 200
LARGE_OWN_CASES = 1_940
LARGE_ORG_SHARES = 40
LARGE_USER_SHARES = 20
VOLUNTEER_ASSIGNMENTS = 60
SMALL_ORG_CASES = 60
VOLUNTEER_ORG_CASES = 300  # cases of the measured volunteer's organisation in the first build
SHARE_RATE = 0.03  # share of new cases shared with another organisation or user
ASSIGN_RATE = 0.01  # share of new cases assigned to their organisation's (unmeasured) volunteer
BATCH = 5_000

# Organisation indexes with a fixed role in the measurement.
LARGE, VOLUNTEER_ORG, SMALL = 0, 1, 2

FIELD_OFFICES = [
    ("SND", "San Diego", "CA"), ("LOS", "Los Angeles", "CA"), ("PHO", "Phoenix", "AZ"),
    ("ELP", "El Paso", "TX"), ("SNA", "San Antonio", "TX"), ("HOU", "Houston", "TX"),
    ("NOL", "New Orleans", "LA"), ("MIA", "Miami", "FL"), ("NYC", "New York", "NY"), ("CHI", "Chicago", "IL"),
]
FIRST_NAMES = ["Ana", "Luis", "María", "José", "Sofía", "Carlos", "Lucía", "Diego", "Valeria", "Mateo", "Camila",
               "Jorge", "Daniela", "Andrés", "Gabriela", "Héctor", "Isabel", "Samuel", "Paola", "Óscar"]
LAST_NAMES = ["Ejemplo", "Muestra", "Prueba", "Ficticio", "Modelo", "Ensayo", "Patrón", "Borrador"]
COUNTRIES = ["Guatemala", "Honduras", "El Salvador", "Mexico", "Venezuela", "Nicaragua", "Ecuador"]
PLACES = ["Calexico-Mexicali", "San Ysidro-Tijuana", "El Paso-Ciudad Juárez", "Nogales", "Brownsville-Matamoros"]
# Where a family's current custody ends up (open episode), weighted.
OPEN_KINDS = [
    (CustodianKind.ICE_DETENTION, 25), (CustodianKind.ORR_SHELTER, 15), (CustodianKind.ORR_FOSTER_CARE, 5),
    (CustodianKind.STATE_CHILD_WELFARE, 5), (CustodianKind.WITH_SPONSOR, 15), (CustodianKind.RELEASED, 15),
    (CustodianKind.REMOVED, 8), (CustodianKind.REUNIFIED, 7), (CustodianKind.CBP, 3), (CustodianKind.UNKNOWN, 2),
]
FACILITY_KIND = {
    CustodianKind.CBP: Facility.Kind.CBP_STATION, CustodianKind.ICE_DETENTION: Facility.Kind.ICE_DETENTION,
    CustodianKind.ORR_SHELTER: Facility.Kind.ORR_SHELTER, CustodianKind.ORR_FOSTER_CARE: Facility.Kind.ORR_SHELTER,
}


MEASURED_EMAILS = {"large": "large-advocate@bench.example", "volunteer": "volunteer-60@bench.example",
                   "small": "small-advocate@bench.example"}


@dataclass
class Member:
    user_id: int
    role: str


@dataclass
class World:
    """What the generator keeps between the first build and the growth phase."""

    rng: random.Random
    orgs: list[Organization] = field(default_factory=list)
    members: dict[int, list[Member]] = field(default_factory=dict)  # org id -> members
    share_groups: dict[int, list[int]] = field(default_factory=dict)  # org id -> admin+advocate group ids
    weights: list[float] = field(default_factory=list)
    facilities: dict[str, list[int]] = field(default_factory=dict)  # facility kind -> ids
    ports: list[int] = field(default_factory=list)
    measured: dict[str, User] = field(default_factory=dict)
    case_count: int = 0

    def admin_of(self, org_id: int) -> int:
        return next(m.user_id for m in self.members[org_id] if m.role == Role.ADMIN)

    def volunteer_of(self, org_id: int) -> int:
        return next(m.user_id for m in self.members[org_id] if m.role == Role.VOLUNTEER)

    def advocates(self, org_id: int) -> list[int]:
        return [m.user_id for m in self.members[org_id] if m.role == Role.ADVOCATE]


def _users(emails: list[str]) -> list[User]:
    # Unusable passwords: hashing 800 real passwords would cost a minute; the benchmark logs in with force_login.
    unusable = make_password(None)
    return User.objects.bulk_create([User(email=e, password=unusable) for e in emails])


def build_world(seed: int = 20190601, organizations: int = ORGANIZATIONS) -> World:
    """Reference data, 200 organisations with their role groups, and their members."""
    world = World(rng=random.Random(seed))
    offices = FieldOffice.objects.bulk_create(
        [FieldOffice(code=c, name=f"{city} Field Office", city=city, state=st) for c, city, st in FIELD_OFFICES]
    )
    facilities = []
    for office in offices:
        for kind in (Facility.Kind.ICE_DETENTION, Facility.Kind.ICE_DETENTION, Facility.Kind.CBP_STATION,
                     Facility.Kind.ORR_SHELTER, Facility.Kind.PORT_OF_ENTRY):
            n = len(facilities)
            facilities.append(Facility(name=f"Bench {kind} {n}", kind=kind, city=office.city, state=office.state,
                                       field_office=office if kind != Facility.Kind.ORR_SHELTER else None))
    for f in Facility.objects.bulk_create(facilities):
        world.facilities.setdefault(f.kind, []).append(f.pk)
    world.ports = world.facilities[Facility.Kind.PORT_OF_ENTRY]

    for i in range(organizations):
        world.orgs.append(organization_create(name=f"Bench Org {i:03d}", slug=f"bench-org-{i:03d}"))
    # One admin, two advocates, an organizer and a volunteer per organisation, through the service.
    roster = [Role.ADMIN, Role.ADVOCATE, Role.ADVOCATE, Role.ORGANIZER, Role.VOLUNTEER]
    emails = [f"{role}{k}.org{i:03d}@bench.example" for i in range(organizations) for k, role in enumerate(roster)]
    users = iter(_users(emails))
    for org in world.orgs:
        world.members[org.pk] = []
        for role in roster:
            user = next(users)
            membership_add(organization=org, user=user, role=role, actor=None)
            world.members[org.pk].append(Member(user.pk, role))
    for og in OrganizationGroup.objects.filter(role__in=SHARE_RECIPIENT_ROLES):
        world.share_groups.setdefault(og.organization_id, []).append(og.group_id)

    large, volunteer, small = _users(list(MEASURED_EMAILS.values()))
    membership_add(organization=world.orgs[LARGE], user=large, role=Role.ADVOCATE, actor=None)
    membership_add(organization=world.orgs[VOLUNTEER_ORG], user=volunteer, role=Role.VOLUNTEER, actor=None)
    membership_add(organization=world.orgs[SMALL], user=small, role=Role.ADVOCATE, actor=None)
    world.measured = {"large": large, "volunteer": volunteer, "small": small}

    # Skewed organisation sizes (a few large legal organisations, a long tail of small ones).
    world.weights = [1 / (rank + 1) ** 0.7 for rank in range(organizations)]
    world.rng.shuffle(world.weights)
    return world


def _owners(world: World, n: int, fixed: dict[int, int]) -> list[int]:
    """Owning organisation index of each of n new cases, shuffled so organisations interleave in id order."""
    owners = [idx for idx, count in fixed.items() for _ in range(count)]
    open_orgs = [i for i in range(len(world.orgs)) if i not in (LARGE, SMALL, VOLUNTEER_ORG)]
    weights = [world.weights[i] for i in open_orgs]
    owners += world.rng.choices(open_orgs, weights=weights, k=n - len(owners))
    world.rng.shuffle(owners)
    return owners


def _episodes(rng: random.Random, world: World, person: Person, child: bool, separated: dt.date) -> list[CustodyEpisode]:
    """A closed history (CBP, then ICE or ORR) and one open episode, with detained_since as the
    custody services derive it (back-to-back detention is one run)."""
    today = dt.date.today()
    path = [CustodianKind.CBP]
    if rng.random() < 0.8:
        path.append(CustodianKind.ORR_SHELTER if child else CustodianKind.ICE_DETENTION)
    open_kind = rng.choices([k for k, _ in OPEN_KINDS], weights=[w for _, w in OPEN_KINDS])[0]
    # The record refuses what cannot happen (docs/domain-rules.md), and so does the database these
    # rows go into directly: ORR holds children only, and "with sponsor" needs an approved sponsor
    # row, which these families do not have - such a family is released instead.
    if not child and open_kind in ORR_KINDS:
        open_kind = CustodianKind.ICE_DETENTION
    if open_kind == CustodianKind.WITH_SPONSOR:
        open_kind = CustodianKind.RELEASED
    if open_kind == path[-1]:
        path.pop()
    path.append(open_kind)
    out: list[CustodyEpisode] = []
    start = separated
    prev: CustodyEpisode | None = None
    for pos, kind in enumerate(path):
        last = pos == len(path) - 1
        end = None if last else min(start + dt.timedelta(days=rng.randint(1, 90)), today)
        facility = None
        if kind in FACILITY_KIND:
            facility = rng.choice(world.facilities[FACILITY_KIND[kind]])
        since = None
        if kind in DETAINED_KINDS:
            continuous = prev is not None and prev.detained_since is not None and prev.ended_on is not None \
                and (start - prev.ended_on).days <= 1
            since = prev.detained_since if continuous else start
        ep = CustodyEpisode(
            person=person, kind=kind, facility_id=facility, started_on=start, ended_on=end, detained_since=since,
            release_type=rng.choice(ReleaseType.values) if kind == CustodianKind.RELEASED else "",
            removed_to=rng.choice(COUNTRIES) if kind == CustodianKind.REMOVED else "",
        )
        out.append(ep)
        prev = ep
        if end is not None:
            start = min(end, today)
    return out


def _case_batches(world: World, owners: list[int]) -> Iterator[list[Case]]:
    rng = world.rng
    today = dt.date.today()
    for offset in range(0, len(owners), BATCH):
        with transaction.atomic():
            cases = []
            for idx in owners[offset:offset + BATCH]:
                world.case_count += 1
                org = world.orgs[idx]
                cases.append(Case(
                    organization_id=org.pk, reference=f"B{idx:03d}-{world.case_count:06d}",
                    separated_on=today - dt.timedelta(days=rng.randint(20, 2_400)),
                    separation_place=rng.choice(PLACES), port_of_entry_id=rng.choice(world.ports),
                    summary="Synthetic benchmark family.",
                    consent_level=rng.choice(ConsentLevel.values),
                ))
            cases = Case.objects.bulk_create(cases)
            grant_owner_perms(cases)
            people: list[Person] = []
            for case in cases:
                for k in range(rng.randint(2, 4)):
                    child = k > 0
                    age = rng.randint(1, 17) if child else rng.randint(20, 55)
                    people.append(Person(
                        case=case, role=Person.Role.CHILD if child else Person.Role.PARENT,
                        first_name=rng.choice(FIRST_NAMES), last_name=rng.choice(LAST_NAMES),
                        date_of_birth=today - dt.timedelta(days=age * 365 + rng.randint(0, 364)),
                        country_of_birth=rng.choice(COUNTRIES), languages="es",
                    ))
            people = Person.objects.bulk_create(people, batch_size=2_000)
            by_case = {c.pk: c for c in cases}
            episodes = [
                ep for p in people
                for ep in _episodes(rng, world, p, p.role == Person.Role.CHILD, by_case[p.case_id].separated_on)
            ]
            CustodyEpisode.objects.bulk_create(episodes, batch_size=2_000)
            yield cases


def _share(world: World, case: Case, *, org_id: int | None = None, user_id: int | None = None,
           access: str = "view") -> None:
    """The rows share_create writes, without its history entry."""
    CaseShare.objects.create(case=case, organization_id=org_id, user_id=user_id, access=access,
                             created_by_id=world.admin_of(case.organization_id))
    if user_id is not None:
        set_user_perms(case, User(pk=user_id), SHARE_PERMS[access])
    else:
        set_group_perms(case, world.share_groups[org_id], SHARE_PERMS[access])


def _assign(case: Case, user_id: int) -> None:
    """The rows assignment_create writes, without its history entry."""
    Assignment.objects.create(case=case, user_id=user_id)
    set_user_perms(case, User(pk=user_id), ASSIGNED_CASE_PERMS)


def _random_shares_and_assignments(world: World, cases: list[Case]) -> None:
    rng = world.rng
    measured_orgs = {world.orgs[LARGE].pk, world.orgs[SMALL].pk}
    grantees = [o.pk for o in world.orgs if o.pk not in measured_orgs]
    with transaction.atomic():
        for case in cases:
            if rng.random() < SHARE_RATE:
                other = rng.choice([g for g in rng.sample(grantees, 2) if g != case.organization_id])
                access = rng.choice(["view", "change"])
                if rng.random() < 0.6:
                    _share(world, case, org_id=other, access=access)
                else:
                    _share(world, case, user_id=rng.choice(world.advocates(other)), access=access)
            if rng.random() < ASSIGN_RATE:
                _assign(case, world.volunteer_of(case.organization_id))


def _measured_grants(world: World, cases: list[Case]) -> None:
    """The shares and assignments that make the measured users' counts exact."""
    rng = world.rng
    large, volunteer_org = world.orgs[LARGE].pk, world.orgs[VOLUNTEER_ORG].pk
    others = [c for c in cases if c.organization_id not in (large, volunteer_org, world.orgs[SMALL].pk)]
    picked = rng.sample(others, LARGE_ORG_SHARES + LARGE_USER_SHARES)
    with transaction.atomic():
        for case in picked[:LARGE_ORG_SHARES]:
            _share(world, case, org_id=large, access=rng.choice(["view", "change"]))
        for case in picked[LARGE_ORG_SHARES:]:
            _share(world, case, user_id=world.measured["large"].pk, access="view")
        for case in rng.sample([c for c in cases if c.organization_id == volunteer_org], VOLUNTEER_ASSIGNMENTS):
            _assign(case, world.measured["volunteer"].pk)


def add_cases(world: World, n: int, *, first: bool, log=print) -> None:  # noqa: ANN001
    """Add n cases. The first build also creates every case the measured users will ever see."""
    if first:
        fixed = {LARGE: LARGE_OWN_CASES, SMALL: SMALL_ORG_CASES, VOLUNTEER_ORG: VOLUNTEER_ORG_CASES}
        if n < sum(fixed.values()) + 1_000:
            raise ValueError(f"The first build needs at least {sum(fixed.values()) + 1_000:,} cases.")
    else:
        # The volunteer's organisation keeps taking cases (they stay invisible to the volunteer).
        fixed = {VOLUNTEER_ORG: n * VOLUNTEER_ORG_CASES // 10_000}
    owners = _owners(world, n, fixed)
    created: list[Case] = []
    for cases in _case_batches(world, owners):
        _random_shares_and_assignments(world, cases)
        if first:
            created.extend(cases)
        log(f"  {world.case_count:,} cases")
    if first:
        _measured_grants(world, created)


def vacuum_analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def table_sizes() -> dict[str, int]:
    tables = ["cases_case", "cases_person", "cases_custodyepisode", "cases_casegroupobjectpermission",
              "cases_caseuserobjectpermission", "cases_caseshare", "cases_assignment"]
    with connection.cursor() as cursor:
        out = {}
        for t in tables:
            cursor.execute(f"SELECT count(*) FROM {t}")  # noqa: S608 - fixed table names
            out[t] = cursor.fetchone()[0]
    return out
