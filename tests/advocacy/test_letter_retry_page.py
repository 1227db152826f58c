"""Sending letters again from the action's page: the delivery report told the organizer to "check
this office's address, then retry them", and now offers the button. Failed letters to one
decision maker are sent again through the real mail server once it takes them; unconfirmed ones
only when the organizer ticks that the office did not get them. Tried by the owners (olga, alice,
adam), the read-only (volunteers victor and vera; bob, with whom the action is shared to read) and
an outsider (charlie): only owners send, and a refused request changes nothing."""
from collections.abc import Callable

import pytest
from django.test import Client

from advocacy.models import Action, DecisionMaker, Letter
from advocacy.services import actions as action_services
from advocacy.services import delivery
from tests.api.conftest import signed_in

from .conftest import make_action, sign

pytestmark = pytest.mark.django_db

DIRECTOR = "director.snd@ice.example"  # the `director` fixture's address
DEPUTY = "deputy.snd@ice.example"
OWNERS, READ_ONLY, OUTSIDERS = ["olga", "alice", "adam"], ["victor", "vera", "bob"], ["charlie"]


@pytest.fixture
def page_as(request: pytest.FixtureRequest) -> Callable[[str], Client]:
    return signed_in(request, Client)


@pytest.fixture
def deputy(director):  # noqa: ANN001, ANN201
    """A second official of the same field office, with an address of their own."""
    return DecisionMaker.objects.create(
        kind="agency_official", name="Deputy Field Office Director, ICE San Diego", salutation="Deputy Director",
        state="CA", email=DEPUTY, field_office=director.field_office, postal_address=director.postal_address,
        organization=director.organization)


@pytest.fixture
def refused(olga, alice, adam, victor, vera, bob, charlie, consented_case, congress, director, deputy, smtp):  # noqa: ANN001, ANN201
    """Two supporters' letters to the director and to the deputy, refused by their mail server (a
    wrong address); then the director's address is fixed: the server takes the director's mail."""
    action = action_services.action_publish(actor=olga, action=make_action(
        olga, [consented_case], fixed_targets=[director, deputy], goal=100))
    action_services.action_share_create(actor=olga, action=action, access="view", user=bob)
    smtp.refuse[DIRECTOR] = smtp.refuse[DEPUTY] = "550 5.1.1 No such user"
    for email in ("ana.supporter@example.org", "ben.supporter@example.org"):
        submission = sign(action, email=email)
        for official in (director, deputy):
            letter = Letter.objects.get(submission=submission, decision_maker=official)
            assert delivery.deliver(letter.pk).state == "failed"
    del smtp.refuse[DIRECTOR]
    return Action.objects.get(pk=action.pk)


def statuses(action: Action) -> list[tuple[int, str, int]]:
    return list(Letter.objects.filter(action=action).order_by("pk").values_list("pk", "status", "attempts"))


def retry(client: Client, action: Action, decision_maker, status: str = "failed", **extra):  # noqa: ANN001, ANN201
    return client.post(f"/actions/{action.pk}/letters/retry/",
                       {"decision_maker": str(decision_maker.pk), "status": status, **extra}, follow=True)


def test_the_organizer_retries_one_offices_failed_letters_and_each_is_delivered_once(
        refused, director, page_as, smtp, django_capture_on_commit_callbacks):  # noqa: ANN001
    client = page_as("olga")
    page = client.get(f"/actions/{refused.pk}/").content.decode()
    assert page.count("2 letters could not be delivered") == 2 and page.count("Retry 2 letters") == 2
    others = [row for row in statuses(refused) if row[0] not in set(
        Letter.objects.filter(decision_maker=director).values_list("pk", flat=True))]
    assert [status for _pk, status, _n in others].count("failed") == 2  # the deputy's
    with django_capture_on_commit_callbacks(execute=True):
        r = retry(client, refused, director)
    assert r.status_code == 200 and "2 letters are being sent again." in r.content.decode()
    assert set(Letter.objects.filter(decision_maker=director).values_list("status", flat=True)) == {"sent"}
    assert len(smtp.to(DIRECTOR)) == 2
    # The other officials' letters (the deputy's still refused) are as they were.
    assert [row for row in statuses(refused) if row[0] in {o[0] for o in others}] == others
    # The same form sent again (a double click, or a colleague's page): nothing more goes out.
    with django_capture_on_commit_callbacks(execute=True):
        again = retry(client, refused, director)
    assert "No letters were left to send again: nothing was changed." in again.content.decode()
    assert len(smtp.to(DIRECTOR)) == 2


@pytest.mark.parametrize("who", OWNERS + READ_ONLY + OUTSIDERS)
def test_only_those_who_run_the_action_send_letters_again(refused, director, page_as, who,
                                                          django_capture_on_commit_callbacks):  # noqa: ANN001
    before = statuses(refused)
    page = page_as(who).get(f"/actions/{refused.pk}/")
    assert page.status_code == (404 if who in OUTSIDERS else 200)
    assert ("Retry 2 letters" in page.content.decode()) is (who in OWNERS)
    deputy_letters = [row for row in before if row[0] in set(Letter.objects.filter(
        decision_maker__salutation="Deputy Director").values_list("pk", flat=True))]
    with django_capture_on_commit_callbacks(execute=False):
        r = page_as(who).post(f"/actions/{refused.pk}/letters/retry/",
                              {"decision_maker": str(director.pk), "status": "failed"})
    if who in OWNERS:
        assert r.status_code == 302
        assert set(Letter.objects.filter(decision_maker=director).values_list("status", flat=True)) == {"queued"}
        assert [row for row in statuses(refused) if row in deputy_letters] == deputy_letters
    else:
        assert r.status_code == (403 if who in READ_ONLY else 404)
        assert statuses(refused) == before


def test_unconfirmed_letters_go_again_only_on_the_organizers_word(refused, director, page_as, smtp,
                                                                  django_capture_on_commit_callbacks):  # noqa: ANN001
    # As delivery leaves a letter whose server took the message and never confirmed it.
    letters = Letter.objects.filter(decision_maker=director)
    letters.update(status="unconfirmed")
    client = page_as("alice")
    page = client.get(f"/actions/{refused.pk}/").content.decode()
    assert "The office did not get them" in page and "Send 2 letters again" in page
    before = statuses(refused)
    refusal = retry(client, refused, director, status="unconfirmed")
    assert "to send unconfirmed letters again" in refusal.content.decode()
    assert statuses(refused) == before and smtp.to(DIRECTOR) == []
    with django_capture_on_commit_callbacks(execute=True):
        done = retry(client, refused, director, status="unconfirmed", confirm="yes")
    assert "2 letters are being sent again." in done.content.decode()
    assert set(letters.values_list("status", flat=True)) == {"sent"} and len(smtp.to(DIRECTOR)) == 2


@pytest.mark.parametrize(("status", "message"), [("sent", "Only failed or unconfirmed letters can be sent again."),
                                                 ("", "Only failed or unconfirmed letters can be sent again.")])
def test_letters_in_any_other_state_are_never_sent_again(refused, director, page_as, smtp, status, message):  # noqa: ANN001
    before = statuses(refused)
    r = retry(page_as("olga"), refused, director, status=status)
    assert message in r.content.decode()
    assert statuses(refused) == before and smtp.to(DIRECTOR) == []


def test_retrying_is_a_post(refused, page_as):  # noqa: ANN001
    assert page_as("olga").get(f"/actions/{refused.pk}/letters/retry/").status_code == 405


def test_the_buttons_read_in_spanish(refused, page_as):  # noqa: ANN001
    client = page_as("olga")
    client.post("/accounts/language/", {"language": "es", "next": "/"})
    page = client.get(f"/actions/{refused.pk}/").content.decode()
    assert "Reintentar 2 cartas" in page


@pytest.mark.parametrize("decision_maker", ["", "abc", "²", "-1"])
def test_a_malformed_official_is_a_clear_answer_not_an_error(refused, page_as, decision_maker):  # noqa: ANN001
    before = statuses(refused)
    r = page_as("olga").post(f"/actions/{refused.pk}/letters/retry/",
                             {"decision_maker": decision_maker, "status": "failed"}, follow=True)
    assert r.status_code == 200 and "No letters were left to send again: nothing was changed." in r.content.decode()
    assert statuses(refused) == before
