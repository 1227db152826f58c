"""The cast of tests/conftest.py as plain functions, so that a module can build it once
(tests/world.py) and the per-test fixtures build exactly the same people and family."""
import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from accounts.roles import Role
from cases import services
from cases.models import Case, CustodyEpisode

from . import factories as f

ORGANIZATIONS = {"alpha": "Alpha Legal", "beta": "Beta Law", "gamma": "Gamma Justice"}
# who: (organisation, role), in the order the fixtures build them
MEMBERS = {
    "alice": ("alpha", Role.ADVOCATE), "adam": ("alpha", Role.ADMIN), "olga": ("alpha", Role.ORGANIZER),
    "vera": ("alpha", Role.VOLUNTEER), "bob": ("beta", Role.ADVOCATE), "charlie": ("gamma", Role.ADVOCATE),
}


def organization(name: str):  # noqa: ANN201
    return f.organization(ORGANIZATIONS[name])


def member(who: str, org):  # noqa: ANN001, ANN201
    return f.member(org, MEMBERS[who][1], f"{who}@example.test")


def facility():  # noqa: ANN201
    return f.FacilityFactory(name="Imperial Regional Detention Facility")


def family_case(alice, alpha, facility, reference: str = "ALP-001", a_number: str = "A-201-555-019"):  # noqa: ANN001, ANN201
    """A family: a detained mother with an A-number and a child in an ORR shelter."""
    c = f.make_case(alice, alpha, reference=reference)
    mother = f.make_person(alice, c, role="parent", first_name="Ana", a_number=a_number)
    f.detain(alice, mother, facility=facility, days_ago=40)
    child = f.make_person(alice, c, role="child", first_name="Lucía")
    f.detain(alice, child, days_ago=35, kind="orr_shelter")
    return c


def assigned_volunteer(alpha, alice, case):  # noqa: ANN001, ANN201
    user = f.member(alpha, Role.VOLUNTEER, "victor@example.test")
    services.assignment_create(actor=alice, case=case, user=user)
    return user


def share_with_bob(alice, case, bob):  # noqa: ANN001, ANN201
    return services.share_create(actor=alice, case=case, access="view", user=bob)


def family_records(case, alice, shared_with_bob):  # noqa: ANN001, ANN201
    """`case` with one record behind every endpoint, all written by alice through the services.

    The mother (parent, A-number, in ICE detention) has three credible-fear processes, one per
    state a transition starts from; the child (ORR shelter) has an approved sponsor.
    """
    today = timezone.localdate()
    case = services.case_update(actor=alice, case=case, version=Case.objects.get(pk=case.pk).version,
                                summary="Mother asks about her daughter at every call.")
    mother, child = case.people.order_by("id")
    services.person_update(actor=alice, person=mother, version=mother.version,
                           date_of_birth=dt.date(1990, 3, 14), address="Calle Ejemplo 12, Mexicali")
    sponsor = services.sponsor_create(actor=alice, case=case, person=child, name="Marta Ejemplo",
                                      relationship="aunt", category="2B", status="approved",
                                      contact="marta@example.test")
    fear_pending = services.fear_process_create(actor=alice, person=mother, kind="credible",
                                                interview_on=today - dt.timedelta(days=5))
    fear_negative = services.fear_process_create(actor=alice, person=mother, kind="credible",
                                                 interview_on=today - dt.timedelta(days=5))
    fear_negative = services.interview_outcome_record(actor=alice, process=fear_negative, outcome="negative",
                                                      decided_on=today - dt.timedelta(days=2))
    fear_requested = services.fear_process_create(actor=alice, person=mother, kind="credible",
                                                  interview_on=today - dt.timedelta(days=5))
    fear_requested = services.interview_outcome_record(actor=alice, process=fear_requested, outcome="negative",
                                                       decided_on=today - dt.timedelta(days=2))
    fear_requested = services.ij_review_request(actor=alice, process=fear_requested,
                                                requested_on=today - dt.timedelta(days=1))
    proceeding = services.proceeding_create(actor=alice, case=case, person=mother, kind="immigration_court",
                                            docket="SND-2019-0417")
    hearing = services.hearing_schedule(actor=alice, proceeding=proceeding,
                                        scheduled_at=timezone.now() + dt.timedelta(days=10),
                                        purpose="Master calendar", location="San Diego Immigration Court")
    note = services.note_create(actor=alice, case=case, body="Mother says her daughter has asthma.")
    return SimpleNamespace(
        case=case, mother=mother, child=child, sponsor=sponsor,
        episode=CustodyEpisode.objects.get(person=mother, ended_on__isnull=True),
        fear_pending=fear_pending, fear_negative=fear_negative, fear_requested=fear_requested,
        proceeding=proceeding, hearing=hearing, note=note, share=shared_with_bob,
        other_facility=f.FacilityFactory(name="Otay Mesa Detention Center"), today=today,
    )


def gamma_family(charlie, gamma):  # noqa: ANN001, ANN201
    """Charlie's own family, so that "not in the list" is never true merely because a list is empty."""
    case = f.make_case(charlie, gamma, reference="GAM-001")
    f.make_person(charlie, case, role="parent", first_name="Rosa")
    services.note_create(actor=charlie, case=case, body="Gamma's own note.")
    return case


def people_and_case(*, with_victor: bool = True) -> SimpleNamespace:
    """The organisations, their members, `facility` and `case`, with victor assigned to it."""
    w = SimpleNamespace()
    for name in ORGANIZATIONS:
        setattr(w, name, organization(name))
    for who, (org, _role) in MEMBERS.items():
        setattr(w, who, member(who, getattr(w, org)))
    w.facility = facility()
    w.case = family_case(w.alice, w.alpha, w.facility)
    if with_victor:
        w.victor = assigned_volunteer(w.alpha, w.alice, w.case)
    return w


def everyone() -> SimpleNamespace:
    """The whole cast, the family with a record of every kind shared with bob, and gamma's
    family: what the `family` and `gamma_case` fixtures give a test, built in one go."""
    w = people_and_case()
    w.shared_with_bob = share_with_bob(w.alice, w.case, w.bob)
    w.family = family_records(w.case, w.alice, w.shared_with_bob)
    w.gamma_case = gamma_family(w.charlie, w.gamma)
    return w
