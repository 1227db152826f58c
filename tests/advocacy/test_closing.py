"""Actions end: at their deadline (the beat closes them), and with a win the organizer confirms
when every family is out."""
import datetime as dt

import pytest
from django.utils import timezone

from advocacy.models import Action
from advocacy.tasks import close_due_actions, suggest_won_actions
from cases import services
from tests.cases.helpers import client_for

pytestmark = pytest.mark.django_db


def test_the_beat_closes_actions_whose_deadline_passed(olga, action):  # noqa: ANN001
    a = Action.objects.get(pk=action.pk)
    from advocacy.services import actions as action_services

    action_services.action_update(actor=olga, action=a, version=a.version,
                                  deadline=timezone.now() + dt.timedelta(hours=1))
    assert close_due_actions.apply().get() == 0
    Action.objects.filter(pk=action.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    assert close_due_actions.apply().get() == 1
    closed = Action.objects.get(pk=action.pk)
    assert closed.status == "closed" and closed.closed_at


def test_when_every_family_is_out_the_organizer_is_offered_the_win_once(olga, alice, action, consented_case, smtp):  # noqa: ANN001
    assert suggest_won_actions.apply().get() == 0  # Ana is detained, Lucía in a shelter
    services.case_mark_reunified(actor=alice, case=consented_case, on=timezone.localdate())
    assert suggest_won_actions.apply().get() == 1
    assert suggest_won_actions.apply().get() == 0  # offered once
    action = Action.objects.get(pk=action.pk)
    assert action.status == "published" and action.won_suggested_at  # offered, not decided for her
    (told,) = smtp.to("olga@example.test")
    assert told.message["Subject"] == "Every family is out: Reunite Ana's family"
    assert "Ana" not in told.text.replace("Reunite Ana's family", "")  # no family detail in the email
    r = client_for(olga).post(f"/api/v1/actions/{action.pk}/mark-won/")
    assert r.status_code == 200 and r.json()["status"] == "won"


def test_released_with_a_sponsor_counts_as_out_but_removed_does_not(olga, alice, action, consented_case):  # noqa: ANN001
    mother, child = consented_case.people.order_by("id")
    today = timezone.localdate()
    aunt = services.sponsor_create(actor=alice, case=consented_case, person=child, name="Marta Ejemplo",
                                   category="2B", status="approved")
    services.release_to_sponsor(actor=alice, person=child, sponsor=aunt, on=today)
    services.custody_transfer(actor=alice, person=mother, kind="removed", removed_to="Honduras", on=today)
    assert suggest_won_actions.apply().get() == 0
    services.custody_transfer(actor=alice, person=mother, kind="released", release_type="humanitarian_parole",
                              on=today)
    assert suggest_won_actions.apply().get() == 1
