"""Kids' and handwritten letters (the seed's holiday campaign: letters written with children,
collected by organizers): a printable kit per action - instructions, where the letters go, a lined
letter page - and batches received recorded by the organizers, counted in the progress."""
import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from advocacy.models import Action, DecisionMaker, Tally
from advocacy.selectors import progress
from advocacy.services import actions as action_services

from .conftest import make_action
from .test_staff_pages import ANONYMOUS, EVERYONE, OWNERS, cast, expected, html, page_as  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def holiday(olga, consented_case):  # noqa: ANN001, ANN201
    """Letters to the President alone, collected on paper too, due in ten days."""
    call_command("import_executives", stdout=open("/dev/null", "w"))  # noqa: SIM115
    president = DecisionMaker.objects.get(office_key="us-president")
    action = make_action(olga, [consented_case], fixed_targets=[president], target_senators=False,
                         target_representative=False, collects_handwritten=True, goal=100, languages=["en", "es"],
                         title_es="Deseo para las fiestas", letter_subject_es="Reúnan a las familias",
                         letter_body_es="Estimado/a [Decision Maker]:\n\n{{ families.count }} familias.\n\n"
                                        "[Personal Note]\n\n[Your Name]",
                         deadline=timezone.now() + dt.timedelta(days=10))
    return action_services.action_publish(actor=olga, action=action)


def test_the_kit_has_instructions_the_postal_address_and_a_lined_letter_page(holiday):  # noqa: ANN001
    english = Client().get(f"/act/{holiday.slug}/kit/")
    assert english.status_code == 200
    body = html(english)
    assert "Handwritten letter kit" in body and "How to take part" in body
    assert "The White House<br>1600 Pennsylvania Avenue NW<br>Washington, DC 20500" in body
    assert "Dear President Trump," in body
    assert body.count('class="kit-line"') == 20
    assert "Alpha Legal" in body  # who collects them
    spanish = html(Client().get(f"/act/{holiday.slug}/kit/?lang=es"))
    assert "Kit para cartas a mano" in spanish and "Estimado/a President Trump:" in spanish
    # ...and the action's page offers it.
    assert f'href="/act/{holiday.slug}/kit/' in html(Client().get(f"/act/{holiday.slug}/"))


def test_there_is_no_kit_for_a_draft_or_an_action_that_takes_no_paper_letters(olga, holiday, action):  # noqa: ANN001
    assert Client().get(f"/act/{action.slug}/kit/").status_code == 404  # published, online letters only
    assert f"/act/{action.slug}/kit/" not in html(Client().get(f"/act/{action.slug}/"))
    draft = make_action(olga, list(holiday.cases.all()), fixed_targets=list(holiday.fixed_targets.all()),
                        target_senators=False, target_representative=False, collects_handwritten=True)
    assert Client().get(f"/act/{draft.slug}/kit/").status_code == 404


def batch(**changes) -> dict:  # noqa: ANN003
    return {"count": "36", "received_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            "received_from": "Sunday school, St. Mark's", **changes}


@pytest.mark.parametrize("who", [*EVERYONE, ANONYMOUS])
def test_who_may_record_a_batch_of_handwritten_letters(request, cast, page_as, olga, bob, holiday, who):  # noqa: ANN001
    action_services.action_share_create(actor=olga, action=holiday, access="view", user=bob)
    path = f"/actions/{holiday.pk}/handwritten/"
    response = page_as(who).post(path, batch())
    if who == ANONYMOUS:
        assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={path}"
    else:
        assert response.status_code == expected(who, ok=302)
    if who in OWNERS:
        tally = Tally.objects.get(action=holiday)
        assert (tally.kind, tally.count, tally.received_from) == ("offline_letter", 36, "Sunday school, St. Mark's")
        assert tally.received_on == timezone.localdate() - dt.timedelta(days=1)
        assert progress(Action.objects.get(pk=holiday.pk)).offline_letters == 36
        page = html(page_as(who).get(f"/actions/{holiday.pk}/"))
        assert "Sunday school, St. Mark&#x27;s" in page and "36 handwritten letters" in page
    else:
        assert not Tally.objects.exists()


@pytest.mark.parametrize(("changes", "field"), [
    ({"count": "0"}, "count"), ({"count": "-4"}, "count"), ({"count": "many"}, "count"),
    ({"received_on": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "received_on"),
    ({"received_on": "31/02/2026"}, "received_on"),
])
def test_a_bad_batch_is_refused_with_its_field_named_and_nothing_recorded(cast, page_as, holiday, changes, field):  # noqa: ANN001
    response = page_as("olga").post(f"/actions/{holiday.pk}/handwritten/", batch(**changes))
    assert response.status_code == 400
    tag = re.search(rf'<input[^>]*id="id_hw_{field}"[^>]*>', html(response)).group(0)
    assert 'aria-invalid="true"' in tag, tag  # the error sits beside its field
    assert html(response).count('aria-invalid="true"') == 1
    assert not Tally.objects.exists()


def test_a_double_submitted_batch_is_counted_once(cast, page_as, holiday):  # noqa: ANN001
    page = page_as("olga")
    form = html(page.get(f"/actions/{holiday.pk}/"))
    token = re.search(r'name="once" value="([0-9a-f-]+)"', form.split('id="handwritten"')[1]).group(1)
    for _ in range(2):
        page.post(f"/actions/{holiday.pk}/handwritten/", batch(once=token))
    assert Tally.objects.count() == 1
