"""The benchmark's set-based grower (bench/grow.py) writes what the services write.

The million-case benchmark world is grown in SQL, not through the services, so that it takes
minutes instead of hours. Its figures only mean something if the rows have the product's shapes:
the permission rows of an owned, a shared and an assigned case must be exactly those that
case_create, share_create and assignment_create write, and the custody timelines must obey the
record's rules (docs/domain-rules.md), which this test states on its own. The grower also drops and
rebuilds indexes and constraints to load faster: afterwards the schema must be as it was.
"""
import datetime as dt
from collections import defaultdict

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import User
from bench import generate, grow
from cases import services
from cases.models import (
    Assignment, Case, CaseGroupObjectPermission, CaseShare, CaseUserObjectPermission, CustodyEpisode, Person,
)
from cases.selectors import visible_cases

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="bench/grow.py writes PostgreSQL SQL"),
]

GROWN = 1_500
# docs/domain-rules.md: CBP holding, ICE detention, ORR shelter and ORR foster care are detention.
DETENTION = {"cbp", "ice_detention", "orr_shelter", "orr_foster_care"}


def schema() -> set[tuple[str, str]]:
    """Every index and constraint of the tables the grower loads, by table and definition."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT tablename, indexdef FROM pg_indexes
            WHERE tablename IN ('cases_case', 'cases_person', 'cases_custodyepisode',
                                'cases_casegroupobjectpermission')
            UNION ALL
            SELECT conrelid::regclass::text, conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid::regclass::text IN ('cases_case', 'cases_person', 'cases_custodyepisode',
                                               'cases_casegroupobjectpermission')
        """)
        return set(cursor.fetchall())


def rights(case_id: int) -> set[tuple[str, int, str]]:
    """Who holds which right on the case: ("group"|"user", id, codename)."""
    groups = CaseGroupObjectPermission.objects.filter(content_object_id=case_id)
    users = CaseUserObjectPermission.objects.filter(content_object_id=case_id)
    return ({("group", gid, code) for gid, code in groups.values_list("group_id", "permission__codename")}
            | {("user", uid, code) for uid, code in users.values_list("user_id", "permission__codename")})


@pytest.fixture
def world():  # noqa: ANN201
    return generate.build_world(organizations=6)


@pytest.fixture
def grown(world):  # noqa: ANN001, ANN201
    before = schema()
    seen_before = {who: set(visible_cases(user=u).values_list("pk", flat=True)) for who, u in world.measured.items()}
    grow.grow(world, GROWN, chunk=600, log=lambda _: None)
    return world, before, seen_before


def test_grows_exactly_n_cases_and_leaves_the_schema_as_it_was(grown):  # noqa: ANN001
    world, before, _ = grown
    assert Case.objects.count() == GROWN
    assert schema() == before
    # The rebuilt constraints hold: a second open episode for a grown person is refused.
    person = Person.objects.order_by("pk").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        CustodyEpisode.objects.create(person=person, kind="unknown", started_on=dt.date.today())


def test_every_grown_person_has_a_true_custody_timeline(grown):  # noqa: ANN001
    episodes = defaultdict(list)
    for ep in CustodyEpisode.objects.order_by("person_id", "started_on", "pk").values(
            "person_id", "kind", "started_on", "ended_on", "detained_since", "facility__kind",
            "release_type", "removed_to"):
        episodes[ep["person_id"]].append(ep)
    people = {p.pk: p for p in Person.objects.select_related("case")}
    assert set(episodes) == set(people)
    per_case = defaultdict(list)
    for p in people.values():
        per_case[p.case_id].append(p)
    for members in per_case.values():
        roles = sorted(p.role for p in members)
        assert 2 <= len(members) <= 4 and roles.count("parent") == 1 and roles.count("child") == len(members) - 1
    # Families differ in size (1-3 children, each as likely): about a third of 1,500 each.
    sizes = [len(members) for members in per_case.values()]
    assert all(350 < sizes.count(n) < 650 for n in (2, 3, 4)), {n: sizes.count(n) for n in (2, 3, 4)}
    for pid, timeline in episodes.items():
        person = people[pid]
        assert timeline[0]["started_on"] == person.case.separated_on
        assert person.date_of_birth < person.case.separated_on
        assert [e["ended_on"] is None for e in timeline] == [False] * (len(timeline) - 1) + [True]
        run_start = None
        for prev, ep in zip([None, *timeline], timeline):
            if prev is not None:
                assert ep["started_on"] == prev["ended_on"], "back to back"
                assert ep["kind"] != prev["kind"]
            # The run of detention starts at the first detained episode after liberty.
            if ep["kind"] in DETENTION:
                run_start = run_start if prev is not None and prev["kind"] in DETENTION else ep["started_on"]
                assert ep["detained_since"] == run_start
            else:
                run_start = None
                assert ep["detained_since"] is None
            if ep["kind"] in ("orr_shelter", "orr_foster_care"):
                age = (ep["started_on"] - person.date_of_birth).days / 365.25
                assert person.role == "child" and age < 18
            assert (ep["facility__kind"] is not None) == (ep["kind"] in DETENTION)
            assert bool(ep["release_type"]) == (ep["kind"] == "released")
            assert bool(ep["removed_to"]) == (ep["kind"] == "removed")
            assert ep["kind"] != "with_sponsor"  # no grown family has an approved sponsor row


def test_rights_are_those_the_services_write(grown):  # noqa: ANN001
    """Each grown case's rights equal those of a twin made through the services: case_create,
    then the same share (share_create) or assignment (assignment_create)."""
    world, _, _ = grown
    shares = {s.case_id: s for s in CaseShare.objects.all()}
    assigned = {a.case_id: a for a in Assignment.objects.all()}
    assert any(s.organization_id for s in shares.values()) and any(s.user_id for s in shares.values())
    assert assigned
    admins = {org.pk: User.objects.get(pk=world.admin_of(org.pk)) for org in world.orgs}
    twins: dict[tuple, int] = {}
    for case in Case.objects.order_by("pk"):
        share, assignment = shares.get(case.pk), assigned.get(case.pk)
        key = (case.organization_id, share and (share.organization_id, share.user_id, share.access),
               assignment and assignment.user_id)
        if key not in twins:
            admin = admins[case.organization_id]
            twin = services.case_create(actor=admin, organization=case.organization, reference=f"T-{len(twins)}")
            if share:
                services.share_create(actor=admin, case=twin, access=share.access, user=share.user,
                                      organization=share.organization)
                assert share.created_by_id == admin.pk
            if assignment:
                services.assignment_create(actor=admin, case=twin, user=assignment.user)
            twins[key] = twin.pk
        assert rights(case.pk) == rights(twins[key]), case.reference


def test_the_measured_users_see_what_they_saw(grown):  # noqa: ANN001
    """The benchmark compares sizes for the same users: growth must not change what they see."""
    world, _, seen_before = grown
    for who, user in world.measured.items():
        assert set(visible_cases(user=user).values_list("pk", flat=True)) == seen_before[who], who
    # ... while the organisations that do take cases grow.
    sizes = sorted(Case.objects.values_list("organization_id", flat=True))
    assert len(set(sizes)) == 4  # 6 organisations less the measured large and small ones
