"""The public action page /act/<slug>/: no login, phone first, English and Spanish. Real CSRF
checks: every POST carries the token a GET handed out, as a browser's would."""
import re

import pytest
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from advocacy.models import Action, Letter, Submission
from advocacy.services import actions as action_services
from cases import services

from .conftest import make_letters
from .world import *  # noqa: F403  (the cast, congress and the consenting family, built once for the module)

pytestmark = pytest.mark.django_db


class Browser:
    """A supporter's browser: keeps cookies, sends the CSRF token of the page it loaded."""

    def __init__(self, ip: str = "203.0.113.7") -> None:
        self.client = Client(enforce_csrf_checks=True, REMOTE_ADDR=ip)

    def open(self, action: Action, **params):  # noqa: ANN003, ANN201
        return self.client.get(f"/act/{action.slug}/", params)

    def send(self, action: Action, data: dict, **extra):  # noqa: ANN003, ANN201
        self.open(action)
        token = self.client.cookies["csrftoken"].value
        return self.client.post(f"/act/{action.slug}/", {**data, "csrfmiddlewaretoken": token, **extra})


def _html(response) -> str:  # noqa: ANN001
    return response.content.decode()


def test_the_page_shows_intro_progress_deadline_and_a_form_with_required_fields_marked(action):  # noqa: ANN001
    r = Browser().open(action)
    assert r.status_code == 200
    html = _html(r)
    assert "<h1>Reunite Ana&#x27;s family</h1>" in html
    assert '<progress class="bar" max="100" value="' in html and "of 100 letters and pledges" in html
    for field in ("prefix", "first_name", "last_name", "email", "street", "city", "state", "zip_code"):
        assert f'name="{field}"' in html and f'id="id_{field}"' in html
    assert html.count('<span class="req" aria-hidden="true">*</span>') >= 8
    assert 'name="note"' in html and 'name="phone"' in html
    assert 'name="website"' in html  # the honeypot, hidden from people
    assert 'name="viewport"' in html


def test_a_draft_is_not_public(draft):  # noqa: ANN001
    assert Browser().open(draft).status_code == 404
    assert Client().get("/act/no-such-action/").status_code == 404


def test_a_post_without_the_csrf_token_is_refused(action, supporter):  # noqa: ANN001
    r = Client(enforce_csrf_checks=True).post(f"/act/{action.slug}/", supporter)
    assert r.status_code == 403
    assert not Submission.objects.exists()


def test_a_supporter_sends_and_gets_a_thank_you_page_with_a_referral_link(action, supporter, director):  # noqa: ANN001
    browser = Browser()
    r = browser.send(action, supporter)
    assert r.status_code == 302, _html(r)
    assert r["Location"] == f"/act/{action.slug}/thanks/?lang=en"
    submission = Submission.objects.get()
    assert (submission.email, submission.zip_code, submission.district) == ("rosa@example.org", "92231", None)
    thanks = _html(browser.client.get(r["Location"]))  # before the worker made the letters
    assert "Senator Padilla" in thanks and "Field Office Director" in thanks
    make_letters()
    targets = list(Letter.objects.filter(submission=submission).values_list("decision_maker__salutation", flat=True)
                   .order_by("decision_maker__salutation"))
    assert targets == ["Field Office Director", "Representative Ruiz", "Senator Padilla", "Senator Schiff"]
    thanks = _html(browser.client.get(r["Location"]))
    assert "Senator Padilla" in thanks
    assert f"?ref={submission.referral_code}" in thanks
    assert "rosa@example.org" not in r["Location"]


def test_a_thank_you_page_without_the_cookie_says_thanks_and_nothing_more(action, supporter):  # noqa: ANN001
    Browser().send(action, supporter)
    html = _html(Client().get(f"/act/{action.slug}/thanks/"))
    assert "Your letter has been received." in html
    assert "Rosa" not in html and "Senator" not in html


def test_a_referral_code_from_a_share_link_is_recorded(action, supporter):  # noqa: ANN001
    Browser().send(action, supporter)
    code = Submission.objects.get().referral_code
    friend = Browser(ip="203.0.113.8")
    assert f'value="{code}"' in _html(friend.open(action, ref=code))
    friend.send(action, {**supporter, "email": "friend@example.org", "ref": code})
    assert Submission.objects.get(email="friend@example.org").referred_by == code


def test_a_second_submission_by_the_same_supporter_updates_it_and_creates_no_letters(action, supporter):  # noqa: ANN001
    browser = Browser()
    browser.send(action, supporter)
    make_letters()
    first = Submission.objects.get()
    letters = set(Letter.objects.values_list("pk", "key"))
    r = browser.send(action, {**supporter, "email": "ROSA@Example.org", "note": "Updated note."})
    assert r.status_code == 302
    again = Submission.objects.get()
    assert again.pk == first.pk and again.note == "Updated note." and again.referral_code == first.referral_code
    make_letters()
    assert set(Letter.objects.values_list("pk", "key")) == letters


def test_a_new_address_cancels_unsent_letters_to_offices_it_no_longer_reaches(action, supporter):  # noqa: ANN001
    browser = Browser()
    browser.send(action, supporter)
    make_letters()
    browser.send(action, {**supporter, "zip_code": "92173", "city": "San Ysidro"})
    make_letters()
    by_target = dict(Letter.objects.values_list("decision_maker__salutation", "status"))
    assert by_target["Representative Ruiz"] == "cancelled"
    assert by_target["Representative Vargas"] == "queued"
    assert by_target["Senator Padilla"] == "queued"


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"first_name": ""}, "first_name", "This field is required."),
    ({"email": "not-an-email"}, "email", "Enter a valid email address."),
    ({"zip_code": "00000"}, "zip_code", "We do not know this ZIP code."),
    ({"zip_code": "9223"}, "zip_code", "Enter a 5-digit ZIP code."),
    ({"state": "TX"}, "state", "This ZIP code is not in that state."),
    ({"prefix": "Sir"}, "prefix", "Select a valid choice."),
    ({"note": "x" * 1001}, "note", "Ensure this value has at most 1000 characters (it has 1001)."),
])
def test_bad_input_gets_a_clear_error_beside_the_field_and_stores_nothing(action, supporter, change, field, message):  # noqa: ANN001
    r = Browser().send(action, {**supporter, **change})
    assert r.status_code == 400
    html = _html(r)
    assert f'<div class="error" id="id_{field}_error">' in html
    # The control points at its error, so a screen reader reads it with the field.
    described = re.search(rf'<[^>]* id="id_{field}"[^>]*>', html).group(0)
    assert re.search(rf'aria-describedby="[^"]*\bid_{field}_error\b', described) and 'aria-invalid="true"' in described
    assert message in html
    assert "Please correct the fields marked below." in html
    assert (Submission.objects.count(), Letter.objects.count()) == (0, 0)


def test_what_the_supporter_typed_is_kept_after_an_error(action, supporter):  # noqa: ANN001
    html = _html(Browser().send(action, {**supporter, "email": "bad"}))
    assert 'value="12 Orange Ave"' in html and "I live ten minutes from the port." in html


def test_a_zip_that_spans_districts_asks_the_supporter_to_choose(action, supporter):  # noqa: ANN001
    browser = Browser()
    r = browser.send(action, {**supporter, "zip_code": "92101", "city": "San Diego"})
    assert r.status_code == 400
    html = _html(r)
    assert "Your ZIP code is in more than one congressional district: choose yours." in html
    assert '<option value="50">CA-50</option>' in html and '<option value="52">CA-52</option>' in html
    assert not Submission.objects.exists()
    r = browser.send(action, {**supporter, "zip_code": "92101", "city": "San Diego", "district": "52"})
    assert r.status_code == 302
    assert Submission.objects.get().district == 52
    make_letters()
    assert Letter.objects.filter(decision_maker__salutation="Representative Vargas").exists()


def test_the_targets_appear_once_the_zip_is_known(action):  # noqa: ANN001
    browser = Browser()
    browser.open(action)
    token = browser.client.cookies["csrftoken"].value
    r = browser.client.post(f"/act/{action.slug}/targets/", {"zip_code": "92231", "state": "CA"},
                            HTTP_X_CSRFTOKEN=token)
    html = _html(r)
    assert r.status_code == 200
    assert "Senator Padilla" in html and "Representative Ruiz" in html and "Field Office Director" in html
    r = browser.client.post(f"/act/{action.slug}/targets/", {"zip_code": "92101"}, HTTP_X_CSRFTOKEN=token)
    assert "choose yours" in _html(r) and 'name="district"' in _html(r)


def test_the_preview_shows_each_letter_exactly_as_it_will_be_sent(action, supporter):  # noqa: ANN001
    r = Browser().send(action, supporter, preview="1")
    assert r.status_code == 200
    html = _html(r)
    assert "Your letters, exactly as they will be sent" in html
    assert "Dear Senator Padilla,\n\n1 of the 1 families we accompanied" in html
    assert "I live ten minutes from the port." in html
    assert not Submission.objects.exists()


def test_supporter_text_that_looks_like_code_is_literal_in_the_letter_and_escaped_on_the_page(action, supporter):  # noqa: ANN001
    note = "{{ families.count }} {% if x %} <script>alert('x')</script>"
    html = _html(Browser().send(action, {**supporter, "note": note, "first_name": "<b>Rosa</b>"}, preview="1"))
    assert "<script>alert" not in html and "<b>Rosa</b>" not in html
    assert "{{ families.count }} {% if x %} &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_a_filled_honeypot_is_thanked_and_forgotten(action, supporter):  # noqa: ANN001
    r = Browser().send(action, {**supporter, "website": "http://spam.example"})
    assert r.status_code == 302
    assert not Submission.objects.exists()


@override_settings(SUBMISSION_RATE_PER_IP="3/h")
def test_too_many_posts_from_one_address_are_refused(action, supporter):  # noqa: ANN001
    browser = Browser(ip="198.51.100.9")
    for n in range(3):
        assert browser.send(action, {**supporter, "email": f"s{n}@example.org"}).status_code == 302
    r = browser.send(action, {**supporter, "email": "s9@example.org"})
    assert r.status_code == 429
    assert "Too many letters" in _html(r)
    assert Submission.objects.count() == 3
    assert Browser(ip="198.51.100.10").send(action, {**supporter, "email": "s9@example.org"}).status_code == 302


@override_settings(SUBMISSION_RATE_PER_EMAIL="2/h")
def test_too_many_posts_for_one_email_are_refused(action, supporter):  # noqa: ANN001
    for ip in ("192.0.2.1", "192.0.2.2"):
        assert Browser(ip=ip).send(action, supporter).status_code == 302
    assert Browser(ip="192.0.2.3").send(action, supporter).status_code == 429


def test_a_closed_action_says_so_and_takes_no_letters(olga, action, supporter):  # noqa: ANN001
    action_services.action_close(actor=olga, action=action)
    browser = Browser()
    html = _html(browser.open(action))
    assert "This action is closed and no longer takes letters." in html
    assert 'name="email"' not in html
    r = browser.send(action, supporter)
    assert r.status_code == 409
    assert not Submission.objects.exists()


def test_a_won_action_says_so(olga, action):  # noqa: ANN001
    action_services.action_mark_won(actor=olga, action=action)
    assert "We won!" in _html(Browser().open(action))


def test_an_action_past_its_deadline_takes_no_letters_even_before_the_beat_closes_it(olga, action, supporter):  # noqa: ANN001
    Action.objects.filter(pk=action.pk).update(deadline=timezone.now() - timezone.timedelta(minutes=1))
    r = Browser().send(action, supporter)
    assert r.status_code == 409
    assert not Submission.objects.exists()


@pytest.fixture
def bilingual(olga, action):  # noqa: ANN001, ANN201
    a = Action.objects.get(pk=action.pk)
    return action_services.action_update(
        actor=olga, action=a, version=a.version, languages=["en", "es"], title_es="Reúnan a la familia de Ana",
        intro_es="Escriba hoy.", letter_subject_es="Liberen a las {{ families.in_ice_custody }} familias",
        letter_body_es="Estimado/a [Destinatario]:\n\n{{ families.in_ice_custody }} familias siguen detenidas.\n\n"
                       "[Nota personal]\n\n[Tu nombre]",
    )


def test_the_page_in_spanish(bilingual, supporter):  # noqa: ANN001
    browser = Browser()
    html = _html(browser.open(bilingual, lang="es"))
    assert '<html lang="es">' in html
    assert "<h1>Reúnan a la familia de Ana</h1>" in html
    assert "Nombre" in html and "Código postal" in html and "Enviar mi carta" in html
    assert "Campos obligatorios" in html
    r = browser.send(bilingual, {**supporter, "email": "malo", "lang": "es"})
    assert "Introduzca una dirección de correo electrónico válida." in _html(r)
    r = browser.send(bilingual, {**supporter, "lang": "es"}, preview="1")
    assert "Estimado/a Senator Padilla:\n\n1 familias siguen detenidas." in _html(r)
    r = browser.send(bilingual, {**supporter, "lang": "es"})
    assert r.status_code == 302
    make_letters()
    assert set(Letter.objects.values_list("language", flat=True)) == {"es"}
    assert "¡Gracias!" in _html(browser.client.get(r["Location"]))


def test_spanish_is_offered_only_when_the_action_has_a_spanish_edition(action):  # noqa: ANN001
    html = _html(Browser().open(action, lang="es"))
    assert '<html lang="en">' in html and "Español" not in html


def test_consent_revoked_after_publishing_drops_the_family_from_the_preview(alice, action, supporter, consented_case):  # noqa: ANN001
    services.consent_record(actor=alice, case=consented_case, level="none")
    r = Browser().send(action, supporter, preview="1")
    assert r.status_code == 409  # every fact of this letter was Ana's: nothing may be said now
    assert "paused" in _html(r)
    assert "Your letters, exactly as they will be sent" not in _html(r)


def test_someone_else_typing_a_supporters_email_changes_nothing_and_learns_nothing(action, supporter):  # noqa: ANN001
    Browser(ip="192.0.2.10").send(action, supporter)
    make_letters()
    before = Submission.objects.values().get()
    letters = set(Letter.objects.values_list("pk", "status", "decision_maker_id"))
    stranger = Browser(ip="192.0.2.11")
    r = stranger.send(action, {**supporter, "note": "Not Rosa's words.", "zip_code": "92173", "city": "San Ysidro"})
    # The same answer a new supporter gets...
    assert r.status_code == 302 and r["Location"] == f"/act/{action.slug}/thanks/?lang=en"
    assert f"act{action.pk}" in r.cookies
    # ...and nothing of Rosa's changed.
    make_letters()
    assert Submission.objects.values().get() == before
    assert set(Letter.objects.values_list("pk", "status", "decision_maker_id")) == letters
    thanks = _html(stranger.client.get(r["Location"]))
    assert "Representative Vargas" in thanks  # drawn from what the stranger typed, not from Rosa's record
    assert "Representative Ruiz" not in thanks and "12 Orange Ave" not in thanks


@pytest.fixture
def webform_only(olga, action, alpha):  # noqa: ANN001, ANN201
    """An official reached only through their website's contact form."""
    from advocacy.models import DecisionMaker

    official = DecisionMaker.objects.create(kind="governor", name="Governor Example", salutation="Governor Example",
                                            state="CA", contact_form_url="https://gov.example/contact",
                                            organization=alpha)
    a = Action.objects.get(pk=action.pk)
    action_services.action_update(actor=olga, action=a, version=a.version,
                                  fixed_targets=[*a.fixed_targets.all(), official])
    return official


def test_a_contact_form_target_gets_the_link_and_the_letter_to_paste(action, supporter, webform_only):  # noqa: ANN001
    browser = Browser()
    r = browser.send(action, {**supporter, "note": "<b>Please</b> {{ act }}"})
    html = _html(browser.client.get(r["Location"]))
    assert 'href="https://gov.example/contact"' in html
    assert "Dear Governor Example," in html
    assert "&lt;b&gt;Please&lt;/b&gt; {{ act }}" in html  # their own words, escaped
    assert r.cookies[f"act{action.pk}"]["httponly"]
    assert "no-store" in browser.client.get(r["Location"])["Cache-Control"]
