"""Fixtures for the API permission matrix: one family with a record of every kind, and a
client per member of the cast (see tests/conftest.py for who is who)."""
import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, CustodyEpisode

from .. import factories as f

ANONYMOUS = "anonymous"


def signed_in(request: pytest.FixtureRequest, client_class: type[Client]) -> Callable[[str], Client]:
    """A maker of fresh clients signed in as a cast member named by fixture ("alice"), or anonymous."""

    def make(who: str) -> Client:
        client = client_class()
        if who != ANONYMOUS:
            client.force_login(request.getfixturevalue(who))
        return client

    return make


@pytest.fixture
def client_for(request: pytest.FixtureRequest) -> Callable[[str], APIClient]:
    """A fresh signed-in API client for a cast member named by fixture, or an anonymous one."""
    return signed_in(request, APIClient)


@pytest.fixture
def family(case, alice, adam, olga, victor, vera, bob, shared_with_bob, charlie, facility):  # noqa: ANN001, ANN201
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


@pytest.fixture
def gamma_case(charlie, gamma):  # noqa: ANN001, ANN201
    """Charlie's own family, so that "not in the list" is never true merely because a list is empty."""
    case = f.make_case(charlie, gamma, reference="GAM-001")
    f.make_person(charlie, case, role="parent", first_name="Rosa")
    services.note_create(actor=charlie, case=case, body="Gamma's own note.")
    return case
