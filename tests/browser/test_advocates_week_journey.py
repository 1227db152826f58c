"""The advocate's week in real Chromium (issue 13): on a phone, an advocate adds the family's notice
to appear, opens it again and removes it again (filed on the wrong family), then gets her calendar address and the calendar it serves names the
family's hearing; at a desk, an admin downloads the import template and imports it."""
import datetime as dt

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from cases import services
from cases.models import Case, Document
from tests.api.conftest import family  # noqa: F401

from .conftest import PHONE, screenshot, sign_in
from .test_journeys import fits_the_screen

pytestmark = pytest.mark.django_db(transaction=True)

# A fictional one-page notice (tests/pages/test_documents.py has the same shape).
NOTICE = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
          b"trailer<</Root 1 0 R>>\n%%EOF\n")


def test_an_advocate_adds_a_document_and_subscribes_to_her_calendar_on_a_phone(open_page, family, alice,
                                                                                document_store):  # noqa: ANN001, F811
    case = family.case
    proceeding = services.proceeding_create(actor=alice, case=case, kind="bond")
    services.hearing_schedule(actor=alice, proceeding=proceeding, scheduled_at=timezone.now() + dt.timedelta(days=6))
    page = open_page(viewport=PHONE)
    sign_in(page, "alice@example.test")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_text("Add a document").click()
    page.locator("#id_document_file").set_input_files({"name": "NTA scan.pdf", "mimeType": "application/pdf", "buffer": NOTICE})
    page.get_by_label("Kind of document").select_option("notice_to_appear")
    assert fits_the_screen(page)
    page.locator("#h-documents").locator("..").get_by_role("button", name="Save").click()
    expect(page.get_by_text("Document added.")).to_be_visible()
    listed = page.locator("#h-documents").locator("..")
    expect(listed).to_contain_text("Notice to appear (I-862)")
    with page.expect_download() as download:
        listed.get_by_role("link", name="NTA scan.pdf").click()
    assert download.value.suggested_filename == "NTA scan.pdf"
    assert open(download.value.path(), "rb").read() == NOTICE
    assert Document.objects.filter(case=case).count() == 1
    screenshot(page, "documents-phone")

    listed.get_by_text("Remove this document").click()
    listed.get_by_label("Why is it being removed?").select_option("wrong_family")
    assert fits_the_screen(page)
    listed.get_by_role("button", name="Remove the document").click()
    expect(page.get_by_text("Document removed.")).to_be_visible()
    expect(page.locator("#h-documents").locator("..")).to_contain_text("No documents.")
    assert not Document.objects.filter(case=case).exists()
    assert [p for p in document_store.rglob("*") if p.is_file()] == []  # the encrypted file went with it

    page.get_by_role("link", name="Reminders").click()
    page.get_by_role("button", name="Get my calendar address").click()
    address = page.get_by_label("Your calendar address").input_value()
    assert "/calendar/" in address and address.endswith("/feed.ics")
    assert fits_the_screen(page)
    feed = page.request.get(address.split("testserver", 1)[1])  # the same path on this test's server
    assert feed.ok and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(feed.body()).walk("VEVENT")]
    assert "Hearing · ALP-001" in summaries


def test_an_admin_imports_the_template_file(open_page, family, adam, tmp_path, document_store):  # noqa: ANN001, F811
    page = open_page()
    sign_in(page, "adam@example.test")
    page.get_by_role("link", name="Families").first.click()
    page.get_by_role("link", name="Import from a spreadsheet").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the template (CSV, opens in Excel)").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    page.get_by_label("Spreadsheet (.xlsx or .csv)").set_input_files(str(template))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("status")).to_contain_text("2 people would be imported (1 new family)")
    assert not Case.objects.filter(reference="EX-2024-001").exists()
    screenshot(page, "import-preview")
    page.get_by_role("button", name="Import 2 people").click()
    expect(page.get_by_role("status")).to_contain_text("2 people imported, 1 new family.")
    family_ = Case.objects.get(reference="EX-2024-001")
    assert family_.people.count() == 2
    page.goto(f"/cases/{family_.pk}/")
    expect(page.locator("#h-people").locator("..")).to_contain_text("Mateo Ejemplo")
