"""The decision makers' pages: an organisation's staff add the officials their letters go to and
correct an address when letters fail, then send those letters again - from the browser, not only
the API. Tried by the owners (olga, alice, adam of Alpha Legal, which keeps the director), the
read-only (victor and vera, Alpha's volunteers; bob, who keeps Beta Law's own), and an outsider
(charlie, Gamma): only Alpha's editors change Alpha's entries, and a refused request changes
nothing. Officials and addresses are fictional."""
from collections.abc import Callable

import pytest
from django.test import Client

from advocacy.models import DecisionMaker, Letter
from advocacy.services import delivery
from cases.models import FieldOffice
from tests.api.conftest import signed_in

from .conftest import sign

pytestmark = pytest.mark.django_db

OWNERS, READ_ONLY, OUTSIDERS = ["olga", "alice", "adam"], ["victor", "vera"], ["bob", "charlie"]
NEW = {"kind": "judge", "name": "Immigration Judge, Otay Mesa Immigration Court", "salutation": "Judge Example",
       "state": "ca", "email": "judge.otay@eoir.example", "postal_address": "7488 Calzada de la Fuente, San Diego",
       "contact_form_url": "", "phone": "", "fax": "", "field_office": ""}


@pytest.fixture
def page_as(request: pytest.FixtureRequest) -> Callable[[str], Client]:
    return signed_in(request, Client)


@pytest.fixture
def cast(olga, alice, adam, victor, vera, bob, charlie):  # noqa: ANN001, ANN201
    """Everyone exists before the first request."""


def edit_data(dm: DecisionMaker, **changes) -> dict:  # noqa: ANN003
    data = {"kind": dm.kind, "name": dm.name, "salutation": dm.salutation, "state": dm.state, "email": dm.email,
            "postal_address": dm.postal_address, "contact_form_url": dm.contact_form_url, "phone": dm.phone,
            "fax": dm.fax, "field_office": str(dm.field_office_id or ""), "version": str(dm.version)}
    if dm.active:
        data["active"] = "on"
    return {**data, **changes}


def snapshot() -> list[tuple]:
    return list(DecisionMaker.objects.order_by("pk").values_list("pk", "name", "email", "version", "active"))


def test_an_organizer_adds_an_official_once_and_it_is_listed(cast, alpha, page_as):  # noqa: ANN001
    client = page_as("olga")
    page = client.get("/decision-makers/new/").content.decode()
    assert "Greeting" in page and "US senator" not in page  # Congress comes from public data
    once = "0f8fad5b-d9cb-469f-a165-70867728950e"
    r = client.post("/decision-makers/new/", {**NEW, "once": once})
    assert r.status_code == 302 and r["Location"] == "/decision-makers/"
    again = client.post("/decision-makers/new/", {**NEW, "once": once}, follow=True)
    assert "That was already saved." in again.content.decode()
    judge = DecisionMaker.objects.get(name=NEW["name"])
    assert (judge.organization, judge.kind, judge.state, judge.active) == (alpha, "judge", "CA", True)
    listing = client.get("/decision-makers/").content.decode()
    assert f'{NEW["name"]}' in listing and NEW["email"] in listing


@pytest.mark.parametrize("who", OWNERS + READ_ONLY + OUTSIDERS)
def test_who_corrects_the_directors_address(cast, director, page_as, who):  # noqa: ANN001
    before = snapshot()
    client = page_as(who)
    expected = 200 if who in OWNERS else 403 if who in READ_ONLY else 404
    assert client.get(f"/decision-makers/{director.pk}/edit/").status_code == expected
    r = client.post(f"/decision-makers/{director.pk}/edit/", edit_data(director, email="fod.sandiego@ice.example"))
    if who in OWNERS:
        assert r.status_code == 302
        stored = DecisionMaker.objects.get(pk=director.pk)
        assert (stored.email, stored.version) == ("fod.sandiego@ice.example", director.version + 1)
    else:
        assert r.status_code == expected
        assert snapshot() == before
    listing = client.get("/decision-makers/").content.decode()
    assert ("880 Front Street, San Diego" in listing) is (who in OWNERS + READ_ONLY)
    assert (f"/decision-makers/{director.pk}/edit/" in listing) is (who in OWNERS)


@pytest.mark.parametrize("who", OWNERS + READ_ONLY + OUTSIDERS)
def test_who_adds_one(cast, page_as, who, alpha, beta, gamma):  # noqa: ANN001
    client = page_as(who)
    r = client.post("/decision-makers/new/", NEW)
    if who in READ_ONLY:
        assert r.status_code == 404 and not DecisionMaker.objects.filter(name=NEW["name"]).exists()
    else:  # everyone else keeps their own organisation's
        assert r.status_code == 302
        own = {"bob": beta, "charlie": gamma}.get(who, alpha)
        assert DecisionMaker.objects.get(name=NEW["name"]).organization == own


def test_members_of_congress_are_not_edited_here(cast, congress, page_as):  # noqa: ANN001
    senator = DecisionMaker.objects.filter(kind="us_senator").first()
    before = snapshot()
    client = page_as("alice")
    assert client.get(f"/decision-makers/{senator.pk}/edit/").status_code == 403
    assert client.post(f"/decision-makers/{senator.pk}/edit/", edit_data(senator, email="x@example.org")).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(("changes", "field_error"), [
    ({"email": "not an address"}, "Enter a valid email address."),
    ({"kind": "us_senator"}, "Select a valid choice."),
    ({"name": ""}, "This field is required."),
    ({"contact_form_url": "javascript:alert(1)"}, "Enter a valid URL."),
])
def test_bad_input_is_refused_with_the_field_named_and_nothing_changes(cast, director, page_as, changes,
                                                                      field_error):  # noqa: ANN001
    before = snapshot()
    r = page_as("alice").post(f"/decision-makers/{director.pk}/edit/", edit_data(director, **changes))
    assert r.status_code == 400
    assert field_error in r.content.decode()
    assert snapshot() == before


def test_a_colleagues_change_is_never_overwritten_blindly(cast, director, page_as):  # noqa: ANN001
    opened = edit_data(director, email="mine@ice.example")
    assert page_as("adam").post(f"/decision-makers/{director.pk}/edit/",
                                edit_data(director, email="theirs@ice.example")).status_code == 302
    before = snapshot()
    r = page_as("alice").post(f"/decision-makers/{director.pk}/edit/", opened)
    assert r.status_code == 400 and "Someone changed this decision maker after you opened the page" in r.content.decode()
    assert snapshot() == before and DecisionMaker.objects.get(pk=director.pk).email == "theirs@ice.example"


def test_a_failed_letter_is_fixed_from_the_report_and_delivered_to_the_new_address(
        cast, action, director, page_as, smtp, django_capture_on_commit_callbacks):  # noqa: ANN001
    smtp.refuse[director.email] = "550 5.1.1 No such user"
    letter = Letter.objects.get(submission=sign(action), decision_maker=director)
    assert delivery.deliver(letter.pk).state == "failed"
    client = page_as("olga")
    report = client.get(f"/actions/{action.pk}/").content.decode()
    link = f"/decision-makers/{director.pk}/edit/?next=/actions/{action.pk}/"
    assert link in report
    r = client.post(link, edit_data(director, email="fod.sandiego@ice.example"))
    assert r.status_code == 302 and r["Location"] == f"/actions/{action.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/actions/{action.pk}/letters/retry/", {"decision_maker": str(director.pk), "status": "failed"})
    assert Letter.objects.get(pk=letter.pk).status == "sent"
    assert len(smtp.to("fod.sandiego@ice.example")) == 1 and smtp.to("director.snd@ice.example") == []


def test_a_next_address_off_the_site_is_ignored(cast, director, page_as):  # noqa: ANN001
    r = page_as("alice").post(f"/decision-makers/{director.pk}/edit/?next=https://evil.example/",
                              edit_data(director, phone="(619) 555-0100"))
    assert r.status_code == 302 and r["Location"] == "/decision-makers/"


def test_the_pages_read_in_spanish(cast, director, page_as):  # noqa: ANN001
    client = page_as("alice")
    client.post("/accounts/language/", {"language": "es", "next": "/"})
    page = client.get(f"/decision-makers/{director.pk}/edit/").content.decode()
    assert "Saludo" in page and "Dirección postal" in page
    assert "Destinatarios de las cartas" in client.get("/decision-makers/").content.decode()


def test_field_offices_are_offered_by_name(cast, director, page_as):  # noqa: ANN001
    page = page_as("alice").get(f"/decision-makers/{director.pk}/edit/").content.decode()
    for office in FieldOffice.objects.all():
        assert office.name in page
