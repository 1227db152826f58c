"""Bad input on the case page: a 400 with the error beside the field it concerns, everything the
advocate typed still in the form (in its opened <details>), and nothing changed. A service's
refusal (a rule of the domain, not of the form) comes back the same way."""
import datetime as dt
import re
import threading
from html import unescape

import pytest
from django.db import connection

from cases.models import CaseEvent, CustodyEpisode

from .test_case_pages import html, snapshot

pytestmark = pytest.mark.django_db


def post(page_for, family, name: str, data: dict):  # noqa: ANN001, ANN201
    before = snapshot(family)
    response = page_for("alice").post(f"/cases/{family.case.pk}/do/{name}/", data)
    assert response.status_code == 400, html(response)
    assert snapshot(family) == before, "a refused form changed something"
    return html(response)


def opened(body: str, name: str) -> str:
    """The <details> of one transition form, which must be open."""
    match = re.search(rf'<details class="transition" open>\s*<summary>[^<]*</summary>\s*'
                      rf'<form method="post" action="/cases/\d+/do/{name}/".*?</details>', body, re.S)
    assert match, f"the {name} form is not shown open"
    return match.group(0)


def error_beside(form: str, field: str) -> str:
    match = re.search(rf'<div class="error" id="id_{field}_error">(.*?)</div>', form, re.S)
    assert match, f"no error beside {field}"
    control = re.search(rf'<(?:input|select|textarea)[^>]* id="id_{field}"[^>]*>', form).group(0)
    assert f"id_{field}_error" in control and 'aria-invalid="true"' in control
    return match.group(1)


def test_a_transfer_with_a_bad_date_keeps_what_was_typed(family, page_for):  # noqa: ANN001
    form = opened(post(page_for, family, "transfer", {
        "person": family.mother.pk, "kind": "ice_detention", "facility": family.other_facility.pk,
        "on": "31/02/2026", "removed_to": "",
    }), "transfer")
    assert "Enter a valid date." in error_beside(form, "transfer_on")
    assert 'value="31/02/2026"' in form
    assert re.search(rf'<option value="{family.other_facility.pk}" selected>', form)
    assert re.search(r'<option value="ice_detention" selected>', form)


def test_a_transfer_to_an_unknown_kind_is_refused_beside_the_field(family, page_for):  # noqa: ANN001
    form = opened(post(page_for, family, "transfer", {
        "person": family.mother.pk, "kind": "moon_base", "on": family.today.isoformat()}), "transfer")
    assert "Select a valid choice." in error_beside(form, "transfer_kind")


def test_a_person_of_another_family_is_not_a_choice(family, gamma_case, page_for):  # noqa: ANN001
    stranger = gamma_case.people.get()
    form = opened(post(page_for, family, "transfer", {
        "person": stranger.pk, "kind": "released", "on": family.today.isoformat()}), "transfer")
    assert "Select a valid choice." in error_beside(form, "transfer_person")
    assert "Rosa" not in form


def test_the_service_refuses_an_outcome_under_review_and_says_why(family, page_for):  # noqa: ANN001
    """The form is fine; the domain is not: a judge is already reviewing this negative finding."""
    form = opened(post(page_for, family, "interview", {
        "process": family.fear_requested.pk, "outcome": "positive", "decided_on": family.today.isoformat()}),
        "interview")
    assert "An immigration judge is already reviewing this finding." in error_beside(form, "interview_outcome")
    assert re.search(rf'<option value="{family.fear_requested.pk}" selected>', form)
    family.fear_requested.refresh_from_db()
    assert family.fear_requested.outcome == "negative"


def test_a_hearing_with_a_bad_time_is_refused_and_the_purpose_kept(family, page_for):  # noqa: ANN001
    body = post(page_for, family, "hearing", {
        "proceeding": family.proceeding.pk, "scheduled_at": "not a time", "purpose": "Bond hearing"})
    form = opened(body, "hearing")
    assert "Enter a valid date/time." in error_beside(form, "hearing_scheduled_at")
    assert 'value="Bond hearing"' in form


def test_sharing_with_nobody_we_know_gets_one_answer(family, page_for):  # noqa: ANN001
    form = opened(post(page_for, family, "share", {"email": "nobody@example.test", "access": "view"}), "share")
    assert "We could not share with that person or organisation." in error_beside(form, "share_email")
    assert 'value="nobody@example.test"' in form
    both = opened(post(page_for, family, "share", {"email": "", "organization": "", "access": "view"}), "share")
    assert "Give either a person's email or an organisation's identifier." in unescape(both)  # as shown


def test_revoking_a_revoked_share_is_a_clear_error(family, page_for):  # noqa: ANN001
    client = page_for("alice")
    assert client.post(f"/cases/{family.case.pk}/do/unshare/", {"share": family.share.pk}).status_code == 302
    body = post(page_for, family, "unshare", {"share": family.share.pk})
    assert "That share is no longer open: nothing was changed." in body


def test_an_empty_note_is_refused_and_a_long_one_kept(family, page_for):  # noqa: ANN001
    assert "This field is required." in error_beside(opened(post(page_for, family, "note", {"body": ""}), "note"),
                                                     "note_body")
    long = "Llamó la tía. " * 400
    form = opened(post(page_for, family, "note", {"body": long}), "note")
    assert "Ensure this value has at most 5000 characters" in error_beside(form, "note_body")
    assert long.strip() in form


def test_a_double_submit_records_one_transfer(family, page_for):  # noqa: ANN001
    """The browser sends the form twice (a double tap): the second is the same custody, refused."""
    client = page_for("alice")
    data = {"person": family.mother.pk, "kind": "ice_detention", "facility": family.other_facility.pk,
            "on": family.today.isoformat()}
    assert client.post(f"/cases/{family.case.pk}/do/transfer/", data).status_code == 302
    before = snapshot(family)
    second = client.post(f"/cases/{family.case.pk}/do/transfer/", data)
    assert second.status_code == 400
    assert "This person has been in this custody since" in error_beside(opened(html(second), "transfer"),
                                                                        "transfer_kind")
    assert snapshot(family) == before, "no second custody episode, no second history entry"


def token_of(body: str, name: str) -> str:
    """The one-time token the page put in a transition's form."""
    form = re.search(rf'action="/cases/\d+/do/{name}/".*?</form>', body, re.S).group(0)
    return re.search(r'name="once" value="([0-9a-f-]{36})"', form).group(1)


@pytest.mark.parametrize(("name", "data", "count"), [
    ("note", {"body": "Called the consulate."}, lambda fam: fam.case.notes.count()),
    ("hearing", {"purpose": "Bond hearing", "scheduled_at": f"{dt.date.today().year + 1}-05-06T09:30"},
     lambda fam: fam.proceeding.hearings.count()),
    ("fear", {"kind": "credible"}, lambda fam: fam.mother.fear_processes.count()),
])
def test_the_same_form_sent_twice_makes_one_change(family, page_for, name, data, count):  # noqa: ANN001
    """A double tap, or a resend after a timeout: the second arrives with the same token."""
    client = page_for("alice")
    token = token_of(html(client.get(f"/cases/{family.case.pk}/")), name)
    extra = {"hearing": {"proceeding": family.proceeding.pk}, "fear": {"person": family.mother.pk}}.get(name, {})
    before, events = count(family), CaseEvent.objects.filter(case=family.case).count()
    first = client.post(f"/cases/{family.case.pk}/do/{name}/", {**data, **extra, "once": token})
    second = client.post(f"/cases/{family.case.pk}/do/{name}/", {**data, **extra, "once": token}, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert "That was already saved." in html(second)
    assert count(family) == before + 1
    assert CaseEvent.objects.filter(case=family.case).count() == events + 1
    # A fresh page carries a fresh token: the same note written again on purpose is saved.
    fresh = token_of(html(client.get(f"/cases/{family.case.pk}/")), name)
    assert fresh != token


def test_a_refused_form_keeps_its_token_and_the_corrected_one_goes_through(family, page_for):  # noqa: ANN001
    client = page_for("alice")
    token = token_of(html(client.get(f"/cases/{family.case.pk}/")), "note")
    refused = client.post(f"/cases/{family.case.pk}/do/note/", {"body": "", "once": token})
    assert refused.status_code == 400 and token_of(html(refused), "note") == token
    notes = family.case.notes.count()
    assert client.post(f"/cases/{family.case.pk}/do/note/", {"body": "Fixed.", "once": token}).status_code == 302
    assert family.case.notes.count() == notes + 1


def test_a_refused_service_call_releases_the_token(family, page_for):  # noqa: ANN001
    """The transfer fails on its date (in the future); the same token then records the right one."""
    client = page_for("alice")
    token = token_of(html(client.get(f"/cases/{family.case.pk}/")), "transfer")
    data = {"person": family.mother.pk, "kind": "ice_detention", "facility": family.other_facility.pk,
            "once": token}
    tomorrow = (family.today + dt.timedelta(days=1)).isoformat()
    assert client.post(f"/cases/{family.case.pk}/do/transfer/", {**data, "on": tomorrow}).status_code == 400
    assert client.post(f"/cases/{family.case.pk}/do/transfer/",
                       {**data, "on": family.today.isoformat()}).status_code == 302
    assert CustodyEpisode.objects.get(person=family.mother, ended_on__isnull=True).facility == family.other_facility


def test_old_tokens_are_forgotten(family, alice):  # noqa: ANN001
    import datetime as dt
    import uuid

    from django.utils import timezone

    from cases.models import UsedFormToken
    from cases.tasks import forget_used_form_tokens

    old, new = (UsedFormToken.objects.create(token=uuid.uuid4(), user=alice) for _ in range(2))
    UsedFormToken.objects.filter(pk=old.pk).update(used_at=timezone.now() - dt.timedelta(days=3))
    assert forget_used_form_tokens.delay().get() == 1
    assert list(UsedFormToken.objects.values_list("pk", flat=True)) == [new.pk]


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="Needs real concurrent connections; SQLite serialises writers anyway.")
@pytest.mark.django_db(transaction=True)
def test_two_racing_submits_of_one_form_make_one_note(family, page_for):  # noqa: ANN001
    """Both requests start together; whichever claims the token second waits for the first to
    commit and then changes nothing."""
    token = token_of(html(page_for("alice").get(f"/cases/{family.case.pk}/")), "note")
    clients = [page_for("alice") for _ in range(2)]
    barrier, codes = threading.Barrier(2, timeout=10), []

    def send(client) -> None:  # noqa: ANN001
        try:
            barrier.wait()
            codes.append(client.post(f"/cases/{family.case.pk}/do/note/",
                                     {"body": "Both at once.", "once": token}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert codes == [302, 302]
    assert family.case.notes.filter(body="Both at once.").count() == 1


def test_a_child_is_released_to_an_approved_sponsor_from_the_transfer_form(family, page_for):  # noqa: ANN001
    response = page_for("alice").post(f"/cases/{family.case.pk}/do/transfer/", {
        "person": family.child.pk, "kind": "with_sponsor", "sponsor": family.sponsor.pk,
        "on": family.today.isoformat()})
    assert response.status_code == 302
    current = CustodyEpisode.objects.get(person=family.child, ended_on__isnull=True)
    assert (current.kind, current.sponsor_id) == ("with_sponsor", family.sponsor.pk)
    family.sponsor.refresh_from_db()
    assert family.sponsor.status == "released_to_sponsor"


def test_a_release_to_a_sponsor_still_in_vetting_is_refused_beside_the_sponsor(alice, family, page_for):  # noqa: ANN001
    from cases import services

    cousin = services.sponsor_create(actor=alice, case=family.case, person=family.child, name="Rita Ejemplo",
                                     category="3", status="home_study")
    form = opened(post(page_for, family, "transfer", {
        "person": family.child.pk, "kind": "with_sponsor", "sponsor": cousin.pk,
        "on": family.today.isoformat()}), "transfer")
    assert "approved" in error_beside(form, "transfer_sponsor")
    cousin.refresh_from_db()
    assert cousin.status == "home_study"


def test_ice_detention_at_a_court_is_refused_beside_the_facility(family, page_for):  # noqa: ANN001
    from tests import factories as f

    court = f.FacilityFactory(name="Otay Mesa Immigration Court", kind="court")
    form = opened(post(page_for, family, "transfer", {
        "person": family.mother.pk, "kind": "ice_detention", "facility": court.pk,
        "on": family.today.isoformat()}), "transfer")
    assert "ICE detention" in error_beside(form, "transfer_facility")


def test_a_release_to_a_sponsor_naming_a_facility_is_refused_not_dropped(family, page_for):  # noqa: ANN001
    form = opened(post(page_for, family, "transfer", {
        "person": family.child.pk, "kind": "with_sponsor", "sponsor": family.sponsor.pk,
        "facility": family.other_facility.pk, "on": family.today.isoformat()}), "transfer")
    assert "With sponsor" in error_beside(form, "transfer_facility")
    family.sponsor.refresh_from_db()
    assert family.sponsor.status == "approved"
