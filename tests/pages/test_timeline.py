"""The case page's timeline reads like a record, not a database dump: translated labels, choices by
their names, facilities by name, dates as dates, and no internal ids."""
import re

import pytest

from .test_case_pages import html

pytestmark = pytest.mark.django_db


def timeline(body: str) -> str:
    return re.search(r'<ol class="timeline">(.*?)</ol>', body, re.S).group(1)


def test_the_timeline_names_things_and_dates(family, page_for):  # noqa: ANN001
    client = page_for("alice")
    on, started = family.today, family.episode.started_on
    client.post(f"/cases/{family.case.pk}/do/transfer/", {
        "person": family.mother.pk, "kind": "ice_detention", "facility": family.other_facility.pk,
        "on": on.isoformat()})
    lines = timeline(html(client.get(f"/cases/{family.case.pk}/")))
    assert "Custody changed" in lines
    assert "Facility: Imperial Regional Detention Facility → Otay Mesa Detention Center" in lines
    assert f"Since: {started:%-d %b %Y} → {on:%-d %b %Y}" in lines
    assert "Status: Scheduled" in lines and "Kind: Immigration court (removal)" in lines
    shown = re.sub(r'datetime="[^"]*"', "", lines)  # machine-readable <time> attributes aside
    assert not re.search(r"\d{4}-\d\d-\d\d", shown), "dates are written for people"
    assert "Proceeding:" not in lines and "Author:" not in lines
    assert "(hidden)" not in lines, "nothing is hidden from a reader of PII; a missing value is left out"


def test_the_timeline_is_translated(family, page_for):  # noqa: ANN001
    client = page_for("alice")
    client.post("/accounts/language/", {"language": "es", "next": "/"})
    lines = timeline(html(client.get(f"/cases/{family.case.pk}/")))
    assert "Nota añadida" in lines and "Estado: Programada" in lines


def test_a_redacted_reader_sees_hidden_not_the_name(family, page_for):  # noqa: ANN001
    lines = timeline(html(page_for("olga").get(f"/cases/{family.case.pk}/")))
    assert "(hidden)" in lines and "Ana" not in lines and "Marta" not in lines
