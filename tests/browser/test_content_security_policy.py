"""The Content-Security-Policy holds on every page and every page still works under it, in real
Chromium: the API docs (Swagger UI), the admin, the public page's representative lookup (htmx) and
the organisation switcher (a script file, not an inline handler). The browser reports anything the
policy refuses, and tests/browser/conftest.py fails the test on it."""
import pytest
from playwright.sync_api import expect

from accounts import services as account_services
from accounts.roles import Role
from tests.advocacy.conftest import SEED_LIKE_BODY, congress, consented_case, director  # noqa: F401
from tests.api.conftest import family  # noqa: F401

from .conftest import PHONE, sign_in
from .test_accessibility import published  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_docs_work_under_the_policy(open_page, family):  # noqa: ANN001, F811
    page = open_page()
    sign_in(page, "alice@example.test")
    page.goto("/api/docs/")
    expect(page.locator(".opblock-tag").first).to_be_visible(timeout=20_000)
    expect(page.get_by_text("/api/v1/cases/", exact=True).first).to_be_attached()


def test_the_admin_works_under_the_policy(open_page, family, adam):  # noqa: ANN001, F811
    adam.is_staff = True
    adam.save(update_fields=["is_staff"])
    page = open_page()
    sign_in(page, "adam@example.test")
    page.goto("/admin/cases/person/")
    expect(page.locator("#result_list")).to_be_visible()
    page.goto(f"/admin/cases/person/{family.mother.pk}/change/")
    expect(page.locator("#person_form")).to_be_visible()


def test_the_public_lookup_and_the_organisation_switch_work_under_the_policy(open_page, published, alice, beta):  # noqa: ANN001, F811
    page = open_page(viewport=PHONE)
    page.goto(f"/act/{published.slug}/")
    page.get_by_label("ZIP code").fill("92231")
    page.get_by_label("ZIP code").press("Tab")
    expect(page.locator("#targets")).to_contain_text("Senator")  # htmx swapped the targets in

    account_services.membership_add(organization=beta, user=alice, role=Role.ADVOCATE, actor=None)
    staff = open_page()
    sign_in(staff, "alice@example.test")
    expect(staff.locator(".org-name, #org-switch")).to_have_count(1)
    staff.locator("#org-switch").select_option(label="Beta Law")
    expect(staff.locator("#org-switch")).to_have_value(str(beta.pk))
    staff.wait_for_load_state("load")
    staff.reload()
    expect(staff.locator("#org-switch")).to_have_value(str(beta.pk))  # the change was submitted and kept
