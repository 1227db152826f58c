"""What the supporter is told about each letter (issue 12, item 7): on the thank-you page, per
decision maker, what will happen - emailed, delivered through Communicating with Congress, kept
for the organisers to send through it, printed and delivered by hand, or the contact form to use -
and, once the letters exist, where each one stands. Over HTTP, for each channel, in English and
Spanish."""
import re

import pytest
from django.test import Client
from django.utils import timezone

from advocacy.models import Action, DecisionMaker, Letter
from advocacy.services import actions as action_services
from advocacy.services import delivery
from advocacy.services.batches import batch_build, batch_mark_delivered, batch_request

from .conftest import SUPPORTER, make_letters

pytestmark = pytest.mark.django_db

PLANS_EN = {
    "Field Office Director": "Emailed to Field Office Director's office, with your email address for their reply.",
    "Senator Padilla": "Printed and delivered to Senator Padilla's office by Alpha Legal, with the other letters "
                       "to this office.",
    "Representative Ruiz": "Prepared for Representative Ruiz's office: Alpha Legal sends it to the office's inbox "
                           "(Communicating with Congress). Until then it waits with them.",
    "Governor Example": "Governor Example only takes messages through their website: please send it yourself "
                        "(below).",
}


@pytest.fixture
def four_ways(olga, action, alpha):  # noqa: ANN001, ANN201
    """The action's letters go four ways: the field office director by email, the senators printed
    (a postal address, no email), the representative by CWC (kept for export: no credentials here),
    and a governor reachable only through a contact form."""
    governor = DecisionMaker.objects.create(kind="governor", name="Governor Example", salutation="Governor Example",
                                            state="CA", contact_form_url="https://gov.example/contact",
                                            organization=alpha)
    a = Action.objects.get(pk=action.pk)
    return action_services.action_update(
        actor=olga, action=a, version=a.version, fixed_targets=[*a.fixed_targets.all(), governor],
        languages=["en", "es"], title_es="Reúnan a la familia de Ana", intro_es="Escriba hoy.",
        letter_subject_es="Liberen a las {{ families.in_ice_custody }} familias",
        letter_body_es="Estimado/a [Destinatario]:\n\n{{ families.in_ice_custody }} familias siguen detenidas.\n\n"
                       "[Nota personal]\n\n[Tu nombre]")


def _send(action: Action, client: Client, **changes: str) -> str:
    client.get(f"/act/{action.slug}/")
    r = client.post(f"/act/{action.slug}/", {**SUPPORTER, **changes,
                                             "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert r.status_code == 302, r.content.decode()[:500]
    return r["Location"]


def _plans(html: str) -> dict[str, list[str]]:
    """Each decision maker on the thank-you page, with the sentences under their name."""
    items = re.findall(r"<li><strong>(.*?)</strong>(.*?)</li>", html, flags=re.S)
    return {name: [re.sub(r"\s+", " ", p).strip() for p in re.findall(r"<p[^>]*>(.*?)</p>", body, flags=re.S)]
            for name, body in items}


def _unescape(text: str) -> str:
    return text.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&")


def test_the_thank_you_page_says_what_will_happen_to_each_letter(four_ways):  # noqa: ANN001
    client = Client(enforce_csrf_checks=True)
    html = _unescape(client.get(_send(four_ways, client)).content.decode())
    assert "Your letters are on their way" not in html  # most of them are not: they wait for a person
    plans = _plans(html)
    assert {name: sentences[0] for name, sentences in plans.items() if name in PLANS_EN} == PLANS_EN
    assert plans["Senator Schiff"][0].startswith("Printed and delivered to Senator Schiff's office by Alpha Legal")
    # Before the worker made the letters, nothing is said about where they stand.
    assert all(len(sentences) == 1 for sentences in plans.values())


def test_later_the_same_page_says_where_each_letter_stands(four_ways, olga):  # noqa: ANN001
    client = Client(enforce_csrf_checks=True)
    thanks = _send(four_ways, client)
    make_letters()
    for letter in Letter.objects.all():
        delivery.deliver(letter.pk)
    plans = _plans(_unescape(client.get(thanks).content.decode()))
    sent = timezone.localtime(Letter.objects.get(decision_maker__salutation="Field Office Director").sent_at)
    assert re.fullmatch(rf"Sent on [A-Z][a-z]+\.? {sent.day}, {sent.year}\.", plans["Field Office Director"][1])
    assert plans["Senator Padilla"][1] == "Waiting to be printed."
    assert plans["Representative Ruiz"][1] == "Waiting to be sent."
    assert len(plans["Governor Example"]) == 1  # theirs to send: no status we could know

    # The organisers print the senator's letters and hand them over.
    padilla = DecisionMaker.objects.get(salutation="Senator Padilla")
    batch = batch_build(batch_request(actor=olga, action=four_ways, decision_maker=padilla).pk)
    assert batch_mark_delivered(actor=olga, batch=batch) == 1
    plans = _plans(_unescape(client.get(thanks).content.decode()))
    assert plans["Senator Padilla"][1].startswith("Delivered by hand on ")


def test_with_cwc_credentials_the_representative_gets_it_in_the_office_inbox(four_ways, settings):  # noqa: ANN001
    settings.CWC_API_URL, settings.CWC_API_KEY = "https://cwc.example/v2/message", "key"
    client = Client(enforce_csrf_checks=True)
    plans = _plans(_unescape(client.get(_send(four_ways, client)).content.decode()))
    assert plans["Representative Ruiz"][0] == (
        "Delivered to Representative Ruiz's office inbox through Communicating with Congress, Congress's system "
        "for messages from constituents.")


def test_in_spanish(four_ways):  # noqa: ANN001
    client = Client(enforce_csrf_checks=True)
    thanks = _send(four_ways, client, lang="es")
    assert thanks.endswith("?lang=es")
    html = _unescape(client.get(thanks).content.decode())
    assert "Adónde van tus cartas" in html
    plans = _plans(html)
    assert plans["Field Office Director"][0] == (
        "Se envía por correo electrónico a la oficina de Field Office Director, con tu correo para que te respondan.")
    assert plans["Senator Padilla"][0] == (
        "Alpha Legal la imprime y la entrega en la oficina de Senator Padilla, junto con las demás cartas para esa "
        "oficina.")
    assert plans["Representative Ruiz"][0] == (
        "Preparada para la oficina de Representative Ruiz: Alpha Legal la envía a la bandeja de la oficina "
        "(Communicating with Congress). Hasta entonces, espera con ellos.")
    assert plans["Governor Example"][0] == (
        "Governor Example solo recibe mensajes a través de su sitio web: envíala tú (abajo).")
    make_letters()
    for letter in Letter.objects.all():
        delivery.deliver(letter.pk)
    plans = _plans(_unescape(client.get(thanks).content.decode()))
    assert plans["Senator Padilla"][1] == "Esperando a ser impresa."
    assert plans["Representative Ruiz"][1] == "Esperando a ser enviada."
    assert plans["Field Office Director"][1].startswith("Enviada el ")


def test_someone_who_typed_another_supporters_email_learns_nothing_of_their_letters(four_ways):  # noqa: ANN001
    rosa = Client(enforce_csrf_checks=True)
    _send(four_ways, rosa)
    make_letters()
    for letter in Letter.objects.all():
        delivery.deliver(letter.pk)
    stranger = Client(enforce_csrf_checks=True)
    plans = _plans(_unescape(stranger.get(_send(four_ways, stranger)).content.decode()))
    assert plans and all(len(sentences) == 1 for sentences in plans.values())  # what will happen; nothing of Rosa's


def _organizer_page(user, action: Action, language: str = "en") -> str:  # noqa: ANN001
    browser = Client()
    browser.force_login(user)
    if language != "en":
        browser.post("/accounts/language/", {"language": language, "next": "/"})
    response = browser.get(f"/actions/{action.pk}/")
    assert response.status_code == 200
    return _unescape(re.sub(r"\s+", " ", response.content.decode()))


def _needs_of(html: str, name: str) -> str:
    """The "what needs a person" cell of the row of the decision maker whose title has `name`."""
    row = re.search(rf"<tr><th scope=\"row\">[^<]*{name}.*?</tr>", html)
    assert row, name
    return re.search(r'<td class="needs">(.*?)</td>', row.group(0)).group(1)


def test_the_organizers_report_says_in_words_what_needs_a_person_and_links_to_it(four_ways, olga, smtp):  # noqa: ANN001
    for n in range(3):
        _send(four_ways, Client(enforce_csrf_checks=True), email=f"s{n}@example.org")
    make_letters()
    smtp.refuse["director.snd@ice.example"] = "550 5.1.1 No such user"
    for letter in Letter.objects.all():
        delivery.deliver(letter.pk)
    html = _organizer_page(olga, four_ways)
    assert "Rendered" not in html  # every state in words, explained below the table
    for label in ("Being prepared", "Ready, waiting", "Sent or delivered", "Sent, unconfirmed", "Not delivered",
                  "Cancelled (address changed)"):
        assert f"<th scope=\"col\">{label}</th>" in html and f"<dt>{label}</dt>" in html
    assert re.sub(r"<[^>]+>", "", _needs_of(html, "Field Office Director")).strip() == (
        "3 letters could not be delivered (SMTPRecipientsRefused 550). Check this office's email and postal "
        "address, then retry them. Every letter (CSV) Edit this office's address Retry 3 letters")
    assert "3 letters wait to be printed and delivered by hand: build a printable batch." in _needs_of(
        html, "Padilla")
    cwc = _needs_of(html, "Ruiz")
    assert "3 letters wait to be sent through Communicating with Congress: download the CWC file" in cwc
    assert f'href="/api/v1/actions/{four_ways.pk}/cwc-export/"' in cwc
    assert "3 supporters were asked to send their letter through this office's contact form (nothing to do)." in \
        _needs_of(html, "Governor Example")

    # The same, for scripts: the report's `needs`.
    report = Client()
    report.force_login(olga)
    rows = {r["decision_maker"]["salutation"]: r["needs"]
            for r in report.get(f"/api/v1/actions/{four_ways.pk}/report/").json()["by_decision_maker"]}
    assert rows["Field Office Director"] == [{"kind": "failed", "letters": 3, "reasons": ["SMTPRecipientsRefused 550"]}]
    assert rows["Senator Padilla"] == [{"kind": "print", "letters": 3, "reasons": []}]
    assert rows["Representative Ruiz"] == [{"kind": "cwc", "letters": 3, "reasons": []}]
    assert rows["Governor Example"] == [{"kind": "contact_form", "letters": 3, "reasons": []}]


def test_the_organizers_report_in_spanish(four_ways, olga):  # noqa: ANN001
    _send(four_ways, Client(enforce_csrf_checks=True))
    make_letters()
    for letter in Letter.objects.all():
        delivery.deliver(letter.pk)
    html = _organizer_page(olga, four_ways, "es")
    assert '<html lang="es"' in html
    assert "<dt>Listas, en espera</dt>" in html and "<dt>Enviada, sin confirmar</dt>" in html
    assert "1 carta espera a ser impresa y entregada en mano: prepara un lote para imprimir." in _needs_of(
        html, "Padilla")


def test_the_public_counter_counts_people_and_letters_and_says_how(four_ways):  # noqa: ANN001
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    thanks = _send(four_ways, first)
    _send(four_ways, second, email="b@example.org")
    make_letters()
    for letter in Letter.objects.all():
        delivery.deliver(letter.pk)
    # Two people, five offices each: the director's two letters emailed; the senators' four to
    # print and the representative's two for CWC wait; the governor's two are theirs to send.
    html = re.sub(r"\s+", " ", _unescape(first.get(thanks).content.decode()))
    for line in ("2 people wrote", "2 letters sent", "6 letters waiting to be sent"):
        assert f"<li>{line}</li>" in html, line
    assert "A letter counts as sent once it is emailed, delivered through Communicating with Congress, or printed " \
           "and handed over" in html
    html = re.sub(r"\s+", " ", _unescape(first.get(f"/act/{four_ways.slug}/?lang=es").content.decode()))
    for line in ("2 personas escribieron", "2 cartas enviadas", "6 cartas esperando a ser enviadas"):
        assert f"<li>{line}</li>" in html, line


def _their_email(smtp, address: str):  # noqa: ANN001, ANN202
    from advocacy.tasks import send_notices

    send_notices.apply()
    (email,) = smtp.to(address)
    return email


def test_the_supporter_gets_an_email_with_where_each_letter_goes_and_a_link_to_where_each_stands(four_ways, smtp):  # noqa: ANN001
    from advocacy.models import Notice

    _send(four_ways, Client(enforce_csrf_checks=True))
    assert Notice.objects.filter(kind="supporter", sent_at__isnull=True).count() == 1  # written with the submission
    make_letters()
    for letter in Letter.objects.all():
        delivery.deliver(letter.pk)
    email = _their_email(smtp, "rosa@example.org")
    assert email.message["Subject"] == "Your letters: Reunite Ana's family"
    text = email.text
    for name, sentence in PLANS_EN.items():
        assert f"- {name}: {sentence}" in text
    assert "Rosa" not in text and "12 Orange Ave" not in text and "Ana" not in text.replace("Ana's family", "")
    (link,) = re.findall(r"http://testserver(/act/\S+)", text)
    page = Client().get(link)  # any browser: the link is the key
    assert page.status_code == 200 and page["Referrer-Policy"] == "no-referrer" and "no-store" in page["Cache-Control"]
    html = _unescape(page.content.decode())
    plans = _plans(html)
    assert plans["Field Office Director"][1].startswith("Sent on ")
    assert plans["Senator Padilla"][1] == "Waiting to be printed."
    assert "Rosa" not in html and "12 Orange Ave" not in html and "rosa@example.org" not in html
    # The link, altered, or on another action's address, is no link at all.
    assert Client().get(link[:-2] + ("A" if link[-2] != "A" else "B") + "/").status_code == 404
    assert Client().get(link.replace(f"/act/{four_ways.slug}/", "/act/another-action/")).status_code == 404
    from advocacy.tasks import send_notices

    assert send_notices.apply().get() == 0  # once


def test_the_supporters_email_and_page_in_spanish(four_ways, smtp):  # noqa: ANN001
    _send(four_ways, Client(enforce_csrf_checks=True), lang="es")
    make_letters()
    for letter in Letter.objects.all():
        delivery.deliver(letter.pk)
    email = _their_email(smtp, "rosa@example.org")
    assert email.message["Subject"] == "Tus cartas: Reúnan a la familia de Ana"
    assert "Gracias por escribir. Adónde van tus cartas:" in email.text
    assert ("- Senator Padilla: Alpha Legal la imprime y la entrega en la oficina de Senator Padilla, junto con las "
            "demás cartas para esa oficina.") in email.text
    (link,) = re.findall(r"http://testserver(/act/\S+)", email.text)
    html = _unescape(Client().get(link).content.decode())
    assert "<h1>Tus cartas</h1>" in html
    assert _plans(html)["Senator Padilla"][1] == "Esperando a ser impresa."


def test_no_email_for_a_refused_submission_or_to_someone_whose_address_another_typed(four_ways, smtp, olga):  # noqa: ANN001
    from advocacy.models import Notice

    _send(four_ways, Client(enforce_csrf_checks=True))
    make_letters()
    _their_email(smtp, "rosa@example.org")
    # Someone else types Rosa's address: nothing of hers changes, and she gets no second email.
    _send(four_ways, Client(enforce_csrf_checks=True), note="Not Rosa's words.")
    _their_email(smtp, "rosa@example.org")
    assert Notice.objects.filter(kind="supporter").count() == 1
    # A closed action takes no letters: nothing stored, no email.
    action_services.action_close(actor=olga, action=Action.objects.get(pk=four_ways.pk))
    client = Client(enforce_csrf_checks=True)
    client.get(f"/act/{four_ways.slug}/")
    r = client.post(f"/act/{four_ways.slug}/", {**SUPPORTER, "email": "late@example.org",
                                                 "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert r.status_code == 409
    assert Notice.objects.filter(kind="supporter").count() == 1
