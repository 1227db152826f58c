"""The account pages of the staff web app, through a browser-like client (form posts):

- /members/: an organisation's admins list, invite, re-role and deactivate its members; for
  everyone else the page does not exist (404), and their posts change nothing.
- Invitations and password resets go out over real SMTP (the `smtp` fixture); the link in the
  email sets a password, and the person then signs in with it.
- /accounts/language/: English or Spanish, saved on the account (or in a cookie when signed out),
  never redirecting to another host.
- /accounts/organization/: someone working for two organisations picks the one they work in.
- /accounts/login/: the sign-in page, which lists the demo logins only on a development server.

The cast is tests/conftest.py's: adam is Alpha Legal's admin; alice (advocate), olga (organizer),
victor and vera (volunteers) are Alpha's other members; bob (Beta Law) and charlie (Gamma Justice)
belong to other organisations.
"""
import re
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts import services as account_services
from accounts.models import Membership, Organization, User
from accounts.roles import Role
from demo.families import DEMO_PASSWORD, LEGAL, demo_logins

from . import factories as f
from .two_factor import enrol

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "lantern-orchard-1987"
NON_ADMINS = ["alice", "olga", "victor", "vera", "bob", "charlie"]
LINK = re.compile(r"https?://\S+/accounts/reset/\S+/\S+/")


def browser(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def html(response: Any) -> str:
    return response.content.decode()


def memberships_snapshot() -> list[tuple]:
    """Every membership as the database holds it, to prove a refused post changed nothing."""
    return list(Membership.objects.order_by("pk").values_list("pk", "user_id", "organization_id", "role",
                                                              "is_active"))


def membership(user: User, org: Organization) -> Membership:
    return Membership.objects.get(user=user, organization=org)


def link_in(text: str) -> str:
    found = LINK.findall(text)
    assert len(found) == 1, text
    return found[0]


def without_csrf(body: str) -> str:
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", body)


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get(SESSION_KEY)


# --- The members page: who may see it ---------------------------------------------------------

def test_admin_sees_the_members_of_their_organisation(adam, alice, olga, vera, bob, alpha):  # noqa: ANN001
    response = browser(adam).get("/members/")
    assert response.status_code == 200
    body = html(response)
    assert "Alpha Legal" in body
    for email in ("adam@example.test", "alice@example.test", "olga@example.test", "vera@example.test"):
        assert email in body
    assert "bob@example.test" not in body  # Beta Law's advocate is not Alpha's member
    # A deactivate button for each other member, none for the admin himself.
    assert body.count('value="deactivate"') == 3
    assert f'name="membership" value="{membership(adam, alpha).pk}"' in body


@pytest.mark.parametrize("who", NON_ADMINS)
def test_members_page_does_not_exist_for_non_admins(request, adam, who):  # noqa: ANN001
    user = request.getfixturevalue(who)
    response = browser(user).get("/members/")
    assert response.status_code == 404
    assert "adam@example.test" not in html(response)


@pytest.mark.parametrize("who", NON_ADMINS)
def test_members_link_is_only_in_the_admins_header(request, adam, who):  # noqa: ANN001
    assert 'href="/members/"' in html(browser(adam).get("/"))
    assert 'href="/members/"' not in html(browser(request.getfixturevalue(who)).get("/"))


def test_anonymous_is_sent_to_sign_in(adam):  # noqa: ANN001
    for response in (Client().get("/members/"), Client().post("/members/", {"do": "invite"})):
        assert response.status_code == 302
        assert response["Location"] == "/accounts/login/?next=/members/"


@pytest.mark.parametrize("who", NON_ADMINS)
@pytest.mark.parametrize("do", ["invite", "role", "deactivate"])
def test_non_admin_posts_are_404_and_change_nothing(request, smtp, alpha, adam, alice, vera, who, do):  # noqa: ANN001
    user = request.getfixturevalue(who)
    target = membership(vera, alpha)
    posts = {
        "invite": {"do": "invite", "email": "newcomer@example.test", "role": Role.ADMIN},
        "role": {"do": "role", "membership": target.pk, "role": Role.ADMIN},
        "deactivate": {"do": "deactivate", "membership": target.pk},
    }
    before, users = memberships_snapshot(), User.objects.count()
    response = browser(user).post("/members/", posts[do])
    assert response.status_code == 404
    assert memberships_snapshot() == before
    assert User.objects.count() == users
    assert smtp.messages == []


# --- Inviting ---------------------------------------------------------------------------------

def test_invitation_lets_the_newcomer_choose_a_password_and_sign_in(smtp, adam, alpha):  # noqa: ANN001
    admin = browser(adam)
    response = admin.post("/members/", {"do": "invite", "email": "Nadia@Example.test", "role": Role.ADVOCATE})
    assert response.status_code == 302 and response["Location"] == "/members/"
    nadia = User.objects.get(email="nadia@example.test")
    assert not nadia.has_usable_password()
    assert membership(nadia, alpha).role == Role.ADVOCATE and membership(nadia, alpha).is_active
    assert "nadia@example.test is now a member." in html(admin.get("/members/"))

    [mail] = smtp.wait_for(1)
    assert mail.rcpt_tos == ["nadia@example.test"]
    assert "Alpha Legal" in mail.message["Subject"]
    link = link_in(mail.text)

    # Django's reset view swaps the token for a session and redirects to the set-password form.
    newcomer = Client()
    response = newcomer.get(link)
    assert response.status_code == 302 and response["Location"].endswith("/set-password/")
    form_url = response["Location"]
    assert "Choose a password" in html(newcomer.get(form_url))
    response = newcomer.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/reset/done/"
    nadia.refresh_from_db()
    assert nadia.check_password(NEW_PASSWORD)

    # The link is single use.
    reused = Client().get(link, follow=True)
    assert "This link no longer works" in html(reused)

    response = newcomer.post("/accounts/login/", {"username": "nadia@example.test", "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_user_id(newcomer) == str(nadia.pk)
    # An advocate reads children's records: before anything else, she sets up her second factor.
    response = newcomer.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/?next=%2F"
    assert newcomer.get(response["Location"])["Location"].startswith("/accounts/two-factor/setup/")
    _key, codes = enrol(newcomer)
    assert len(codes) == 10
    dashboard = newcomer.get("/")
    assert dashboard.status_code == 200
    assert "Families needing attention" in html(dashboard) and "Alpha Legal" in html(dashboard)
    assert len(smtp.messages) == 1


@pytest.mark.parametrize("email", ["not-an-email", "nadia@", ""])
def test_invitation_to_an_invalid_email_is_refused(smtp, adam, alpha, email):  # noqa: ANN001
    before, users = memberships_snapshot(), User.objects.count()
    response = browser(adam).post("/members/", {"do": "invite", "email": email, "role": Role.ADVOCATE})
    assert response.status_code == 400
    body = html(response)
    assert 'id="id_email_error"' in body
    assert ("Enter a valid email address." if email else "This field is required.") in body
    assert User.objects.count() == users and memberships_snapshot() == before
    assert smtp.messages == []


def test_invitation_with_an_unknown_role_is_refused(smtp, adam):  # noqa: ANN001
    response = browser(adam).post("/members/", {"do": "invite", "email": "nadia@example.test", "role": "owner"})
    assert response.status_code == 400
    assert 'id="id_role_error"' in html(response)
    assert not User.objects.filter(email="nadia@example.test").exists()
    assert smtp.messages == []


def test_inviting_a_current_member_again_is_refused_and_changes_nothing(smtp, adam, alice, alpha):  # noqa: ANN001
    """Not a back door to change a role: the role is changed in the list, on purpose."""
    before, users = memberships_snapshot(), User.objects.count()
    response = browser(adam).post("/members/", {"do": "invite", "email": "ALICE@example.test",
                                                "role": Role.VOLUNTEER})
    assert response.status_code == 400
    assert "This person is already a member: change their role in the list." in html(response)
    assert 'value="ALICE@example.test"' in html(response)
    assert User.objects.count() == users and memberships_snapshot() == before
    assert membership(alice, alpha).role == Role.ADVOCATE
    assert smtp.messages == []  # she already has a password: no set-password link


def test_an_invitee_who_lost_the_link_gets_a_new_one(smtp, adam, alpha):  # noqa: ANN001
    admin = browser(adam)
    for _ in range(2):
        response = admin.post("/members/", {"do": "invite", "email": "nadia@example.test", "role": Role.ADVOCATE})
        assert response.status_code == 302
    assert "The invitation was sent again." in html(admin.get("/members/"))
    _, resent = smtp.wait_for(2)
    assert Membership.objects.filter(user__email="nadia@example.test").count() == 1
    response = Client().get(link_in(resent.text))
    assert response.status_code == 302 and response["Location"].endswith("/set-password/")
    # Once she has chosen a password, inviting her again is refused.
    nadia = User.objects.get(email="nadia@example.test")
    nadia.set_password(NEW_PASSWORD)
    nadia.save()
    again = admin.post("/members/", {"do": "invite", "email": "nadia@example.test", "role": Role.ADVOCATE})
    assert again.status_code == 400 and len(smtp.messages) == 2


def test_inviting_someone_with_an_account_elsewhere_only_adds_a_membership(smtp, adam, bob, alpha, beta):  # noqa: ANN001
    response = browser(adam).post("/members/", {"do": "invite", "email": "bob@example.test",
                                                "role": Role.VOLUNTEER})
    assert response.status_code == 302
    assert User.objects.filter(email="bob@example.test").count() == 1
    assert membership(bob, alpha).role == Role.VOLUNTEER
    assert membership(bob, beta).role == Role.ADVOCATE  # his own organisation is untouched
    assert smtp.messages == []


# --- Roles and deactivation -------------------------------------------------------------------

@pytest.mark.parametrize("role", [Role.ADMIN, Role.ORGANIZER, Role.VOLUNTEER])
def test_admin_changes_a_members_role(adam, alice, alpha, role):  # noqa: ANN001
    target = membership(alice, alpha)
    response = browser(adam).post("/members/", {"do": "role", "membership": target.pk, "role": role})
    assert response.status_code == 302 and response["Location"] == "/members/"
    target.refresh_from_db()
    assert target.role == role
    # The role's rights come with it: only an admin may now open the members page.
    assert browser(alice).get("/members/").status_code == (200 if role == Role.ADMIN else 404)


def test_an_unknown_role_is_not_stored(adam, alice, alpha):  # noqa: ANN001
    target = membership(alice, alpha)
    browser(adam).post("/members/", {"do": "role", "membership": target.pk, "role": "owner"})
    target.refresh_from_db()
    assert target.role == Role.ADVOCATE


@pytest.mark.parametrize("who", ["alice", "olga", "victor"])
def test_a_deactivated_member_no_longer_sees_the_organisations_cases(request, adam, alpha, case, who):  # noqa: ANN001
    user = request.getfixturevalue(who)
    assert browser(user).get(f"/cases/{case.pk}/").status_code == 200
    admin = browser(adam)
    response = admin.post("/members/", {"do": "deactivate", "membership": membership(user, alpha).pk})
    assert response.status_code == 302
    assert membership(user, alpha).is_active is False
    assert browser(user).get(f"/cases/{case.pk}/").status_code == 404
    assert "ALP-001" not in html(browser(user).get("/cases/"))
    page = html(admin.get("/members/"))
    assert "Membership deactivated." in page and "deactivated</span>" in page


@pytest.mark.parametrize(("do", "extra"), [("deactivate", {}), ("role", {"role": Role.VOLUNTEER})])
def test_admin_cannot_deactivate_or_demote_himself(adam, alpha, do, extra):  # noqa: ANN001
    """Alpha is never left without the admin who could undo the change."""
    own = membership(adam, alpha)
    client = browser(adam)
    response = client.post("/members/", {"do": do, "membership": own.pk, **extra}, follow=True)
    assert response.status_code == 200
    assert "Ask another admin to change or end your own membership." in html(response)
    own.refresh_from_db()
    assert (own.is_active, own.role) == (True, Role.ADMIN)
    assert client.get("/members/").status_code == 200


@pytest.mark.parametrize("do", ["role", "deactivate"])
@pytest.mark.parametrize("raw", ["abc", "", "-1", "1.5", "99999999"])
def test_a_malformed_or_unknown_membership_is_404(adam, alice, do, raw):  # noqa: ANN001
    before = memberships_snapshot()
    response = browser(adam).post("/members/", {"do": do, "membership": raw, "role": Role.VOLUNTEER})
    assert response.status_code == 404
    assert memberships_snapshot() == before


@pytest.mark.parametrize("do", ["role", "deactivate"])
def test_a_membership_of_another_organisation_is_404(adam, bob, beta, do):  # noqa: ANN001
    before = memberships_snapshot()
    response = browser(adam).post("/members/", {"do": do, "membership": membership(bob, beta).pk,
                                                "role": Role.VOLUNTEER})
    assert response.status_code == 404
    assert memberships_snapshot() == before


# --- Password reset ---------------------------------------------------------------------------

def test_password_reset_mails_a_link_that_works(smtp, alice):  # noqa: ANN001
    client = Client()
    response = client.post("/accounts/password_reset/", {"email": "alice@example.test"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    [mail] = smtp.wait_for(1)
    assert mail.rcpt_tos == ["alice@example.test"]
    assert mail.message["Subject"] == "Reset your password"
    response = client.get(link_in(mail.text), follow=True)
    assert "Choose a password" in html(response)
    form_url = response.redirect_chain[-1][0]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(smtp, alice):  # noqa: ANN001
    known = Client().post("/accounts/password_reset/", {"email": "alice@example.test"}, follow=True)
    unknown = Client().post("/accounts/password_reset/", {"email": "nobody@example.test"}, follow=True)
    assert unknown.redirect_chain == known.redirect_chain == [("/accounts/password_reset/done/", 302)]
    assert "Check your email" in html(unknown)
    assert without_csrf(html(unknown)) == without_csrf(html(known))
    smtp.wait_for(1)
    assert [m.rcpt_tos for m in smtp.messages] == [["alice@example.test"]]


# --- Language ---------------------------------------------------------------------------------

def test_signed_in_user_switches_to_spanish(alice):  # noqa: ANN001
    client = browser(alice)
    response = client.post("/accounts/language/", {"language": "es", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    alice.refresh_from_db()
    assert alice.language == "es"
    body = html(client.get("/"))
    assert "Panel" in body and "Familias" in body  # Dashboard, Families
    assert '<html lang="es">' in body  # screen readers read it in Spanish
    # ...and the switch now offers the way back to English.
    assert 'name="language" value="en"' in body and 'name="language" value="es"' not in body
    # Saved on the account: a new session (another browser) is in Spanish too.
    assert "Familias" in html(browser(alice).get("/"))


def test_anonymous_visitor_switches_to_spanish_with_a_cookie(db):  # noqa: ANN001
    client = Client()
    response = client.post("/accounts/language/", {"language": "es", "next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert response.cookies["django_language"].value == "es"
    body = html(client.get("/accounts/login/"))
    assert "Iniciar sesión" in body


@pytest.mark.parametrize("language", ["fr", "", "ES", "../es"])
def test_an_unknown_language_is_ignored(alice, language):  # noqa: ANN001
    client = browser(alice)
    response = client.post("/accounts/language/", {"language": language, "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert "django_language" not in response.cookies
    alice.refresh_from_db()
    assert alice.language == "en"
    assert "Families" in html(client.get("/"))


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "http://evil.example/cases/"])
def test_language_switch_never_redirects_to_another_host(alice, target):  # noqa: ANN001
    for client in (browser(alice), Client()):
        response = client.post("/accounts/language/", {"language": "es", "next": target})
        assert response.status_code == 302 and response["Location"] == "/"
        referred = client.post("/accounts/language/", {"language": "es"}, HTTP_REFERER=target)
        assert referred["Location"] == "/"


def test_language_switch_is_post_only(alice):  # noqa: ANN001
    assert browser(alice).get("/accounts/language/?language=es").status_code == 405
    alice.refresh_from_db()
    assert alice.language == "en"


# --- Organisation switcher --------------------------------------------------------------------

@pytest.fixture
def adam_in_beta(adam, beta, bob):  # noqa: ANN001, ANN201
    """Adam also runs Beta Law (bob's organisation)."""
    account_services.membership_add(organization=beta, user=adam, role=Role.ADMIN, actor=None)
    return adam


def selected_organisation(body: str) -> str:
    found = re.findall(r'<option value="\d+" selected>([^<]+)</option>', body)
    assert len(found) == 1, body
    return found[0]


def test_member_of_two_organisations_switches_between_them(adam_in_beta, alpha, beta, alice):  # noqa: ANN001
    client = browser(adam_in_beta)
    assert selected_organisation(html(client.get("/"))) == "Alpha Legal"
    assert "alice@example.test" in html(client.get("/members/"))

    response = client.post("/accounts/organization/", {"organization": beta.pk, "next": "/cases/"})
    assert response.status_code == 302 and response["Location"] == "/cases/"
    assert client.session["organization"] == beta.pk
    assert selected_organisation(html(client.get("/"))) == "Beta Law"
    members = html(client.get("/members/"))
    assert "bob@example.test" in members and "alice@example.test" not in members

    client.post("/accounts/organization/", {"organization": alpha.pk})
    assert selected_organisation(html(client.get("/cases/"))) == "Alpha Legal"


@pytest.mark.parametrize("chosen", ["gamma", "inactive", "abc", "", "-1"])
def test_switching_to_an_organisation_you_do_not_belong_to_is_ignored(adam_in_beta, alpha, beta, gamma,  # noqa: ANN001
                                                                      alice, chosen):
    client = browser(adam_in_beta)
    client.post("/accounts/organization/", {"organization": alpha.pk})
    if chosen == "inactive":
        account_services.membership_deactivate(membership=membership(adam_in_beta, beta), actor=None)
    value = {"gamma": gamma.pk, "inactive": beta.pk}.get(chosen, chosen)
    response = client.post("/accounts/organization/", {"organization": value, "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["organization"] == alpha.pk
    members = html(client.get("/members/"))
    assert "alice@example.test" in members and "bob@example.test" not in members


def test_organisation_switcher_needs_sign_in(beta):  # noqa: ANN001
    response = Client().post("/accounts/organization/", {"organization": beta.pk})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- Sign-in page -----------------------------------------------------------------------------

def test_sign_in_page_for_anonymous(db):  # noqa: ANN001
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    body = html(response)
    assert 'name="username"' in body and 'name="password"' in body
    assert 'href="/accounts/password_reset/"' in body


def test_wrong_password_shows_an_error_and_signs_nobody_in(alice):  # noqa: ANN001
    client = Client()
    response = client.post("/accounts/login/", {"username": "alice@example.test", "password": "wrong"})
    assert response.status_code == 200
    assert "Email or password is not correct." in html(response)
    assert signed_in_user_id(client) is None
    assert client.get("/").status_code == 302


def test_sign_in_returns_to_the_page_asked_for_but_never_to_another_host(adam):  # noqa: ANN001
    password = "correct horse battery staple"  # the factories' password
    client = Client()
    response = client.post("/accounts/login/", {"username": "adam@example.test", "password": password,
                                                "next": "/members/"})
    assert response.status_code == 302 and response["Location"] == "/members/"
    client = Client()
    response = client.post("/accounts/login/", {"username": "adam@example.test", "password": password,
                                                "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.fixture
def demo_organisation(db):  # noqa: ANN001, ANN201
    """What SignInView looks for: the demo's legal organisation. (The full `load_demo` takes over
    ten seconds and writes thousands of rows the sign-in page never reads.)"""
    return f.organization(LEGAL.name)


def test_demo_logins_are_listed_on_a_development_server(settings, demo_organisation):  # noqa: ANN001
    settings.DEBUG = True
    body = html(Client().get("/accounts/login/"))
    assert "Demo logins (this development server only)" in body
    assert f"<code>{DEMO_PASSWORD}</code>" in body
    for login in demo_logins():
        assert f"<code>{login.email}</code>" in body


def test_demo_logins_are_never_listed_when_debug_is_off(settings, demo_organisation):  # noqa: ANN001
    settings.DEBUG = False
    body = html(Client().get("/accounts/login/"))
    assert "Demo logins" not in body and DEMO_PASSWORD not in body
    assert demo_logins()[0].email not in body


def test_demo_logins_are_not_listed_without_the_demo(settings, db):  # noqa: ANN001
    settings.DEBUG = True
    body = html(Client().get("/accounts/login/"))
    assert "Demo logins" not in body and DEMO_PASSWORD not in body
