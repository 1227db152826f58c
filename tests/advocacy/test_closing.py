"""Actions end: at their deadline (the beat closes them), and with a win the organizer confirms
when every family is out."""
import datetime as dt

import pytest
from django.utils import timezone

from advocacy.models import Action
from advocacy.tasks import close_due_actions, send_notices, suggest_won_actions
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
    assert send_notices.apply().get() == 1  # the notice written with the offer goes out
    assert send_notices.apply().get() == 0
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


# --- Closing asks first; a closed action can be reopened before its deadline ----------------------

def test_closing_from_the_page_asks_for_confirmation_and_without_it_changes_nothing(olga, action):  # noqa: ANN001
    from django.test import Client

    page = Client()
    page.force_login(olga)
    version = Action.objects.get(pk=action.pk).version
    r = page.post(f"/actions/{action.pk}/do/close/", follow=True)
    assert "Tick “Yes, close it” to close the action" in r.content.decode()
    assert (Action.objects.get(pk=action.pk).status, Action.objects.get(pk=action.pk).version) == ("published", version)
    body = page.get(f"/actions/{action.pk}/").content.decode()
    assert 'name="confirm" value="yes" required' in body
    page.post(f"/actions/{action.pk}/do/close/", {"confirm": "yes"})
    assert Action.objects.get(pk=action.pk).status == "closed"


@pytest.mark.parametrize(("who", "status"), [("olga", 200), ("bob", 403), ("charlie", 404)])
def test_reopening_through_the_api_by_owner_partner_and_outsider(request, olga, bob, charlie, action, who, status):  # noqa: ANN001
    from advocacy.services import actions as action_services

    action_services.action_share_create(actor=olga, action=action, access="view", user=bob)
    closed = action_services.action_close(actor=olga, action=action)
    r = client_for(request.getfixturevalue(who)).post(f"/api/v1/actions/{closed.pk}/reopen/")
    assert r.status_code == status
    after = Action.objects.get(pk=action.pk)
    if status == 200:
        assert (after.status, after.closed_at) == ("published", None) and r.json()["status"] == "published"
    else:
        assert (after.status, after.version) == ("closed", closed.version)


def test_an_action_is_not_reopened_after_its_deadline_once_won_or_without_consent(olga, alice, action,  # noqa: ANN001
                                                                                  consented_case):
    from django.core.exceptions import ValidationError

    from advocacy.services import actions as action_services

    a = Action.objects.get(pk=action.pk)
    a = action_services.action_update(actor=olga, action=a, version=a.version,
                                      deadline=timezone.now() + dt.timedelta(hours=1))
    closed = action_services.action_close(actor=olga, action=a)
    Action.objects.filter(pk=a.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ValidationError) as refused:
        action_services.action_reopen(actor=olga, action=closed)
    assert "deadline" in refused.value.message_dict
    Action.objects.filter(pk=a.pk).update(deadline=None)
    services.consent_record(actor=alice, case=consented_case, level="none")
    with pytest.raises(ValidationError) as refused:
        action_services.action_reopen(actor=olga, action=closed)
    assert "cases" in refused.value.message_dict
    services.consent_record(actor=alice, case=consented_case, level="story")
    won = action_services.action_mark_won(actor=olga, action=Action.objects.get(pk=a.pk))
    with pytest.raises(ValidationError):
        action_services.action_reopen(actor=olga, action=won)
    assert Action.objects.get(pk=a.pk).status == "won"


# --- The deadline says when, where and how soon ----------------------------------------------------

@pytest.mark.parametrize(("days", "english", "spanish"), [
    (0, "(today)", "(hoy)"), (1, "(tomorrow)", "(mañana)"), (3, "(in 3 days)", "(en 3 días)")])
def test_the_deadline_shows_its_time_zone_and_how_soon(olga, action, days, english, spanish):  # noqa: ANN001
    import re
    from zoneinfo import ZoneInfo

    import time_machine
    from django.test import Client

    zone = ZoneInfo("America/Los_Angeles")
    now = dt.datetime(2026, 11, 27, 9, 0, tzinfo=zone)  # a Friday morning in California
    with time_machine.travel(now, tick=False):
        deadline = dt.datetime.combine(now.date() + dt.timedelta(days=days), dt.time(23, 59), tzinfo=zone)
        Action.objects.filter(pk=action.pk).update(deadline=deadline)
        for language, words in (("en", english), ("es", spanish)):
            Action.objects.filter(pk=action.pk).update(languages=["en", "es"], title_es="Reúnan a la familia")
            body = Client().get(f"/act/{action.slug}/?lang={language}").content.decode()
            shown = re.search(r'<p class="deadline">(.*?)</p>', body, re.S).group(1)
            assert "PST" in shown and words in shown, shown
            assert "11:59" in shown or "23:59" in shown
