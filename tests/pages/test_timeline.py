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


def entries(body: str) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip()
            for li in re.findall(r"<li>(.*?)</li>", timeline(body), re.S)]


def test_each_entry_says_whom_it_concerns_and_who_made_it(family, page_for, alice):  # noqa: ANN001
    alice.first_name, alice.last_name = "Alice", "Abogada"
    alice.save(update_fields=["first_name", "last_name"])
    client = page_for("alice")
    client.post(f"/cases/{family.case.pk}/do/transfer/", {
        "person": family.mother.pk, "kind": "ice_detention", "facility": family.other_facility.pk,
        "on": family.today.isoformat()})
    shown = entries(html(client.get(f"/cases/{family.case.pk}/")))
    custody = next(e for e in shown if "Custody changed" in e)
    assert "Ana Ejemplo" in custody  # whose custody
    assert custody.endswith("by Alice Abogada")
    sponsor = next(e for e in shown if "Sponsor added" in e)
    assert "Marta Ejemplo" in sponsor
    hearing = next(e for e in shown if "Hearing scheduled" in e)
    assert "Immigration court (removal) · SND-2019-0417 · Ana Ejemplo" in hearing
    assert all(" by " in e for e in shown)
    assert not any(re.search(r"#\d|: \d+(;|$)", e) for e in shown), "no internal ids"


def test_a_reader_without_pii_rights_sees_role_and_initial(family, page_for):  # noqa: ANN001
    shown = entries(html(page_for("olga").get(f"/cases/{family.case.pk}/")))
    custody = [e for e in shown if "Custody" in e]
    assert custody and all("Parent A." in e or "Child L." in e for e in custody)
    assert not any("Ana" in e or "Lucía" in e or "Marta" in e or "SND-2019-0417" in e for e in shown)


def test_the_forms_name_people_sponsors_and_proceedings(family, page_for):  # noqa: ANN001
    body = html(page_for("alice").get(f"/cases/{family.case.pk}/"))
    assert f'<option value="{family.mother.pk}">Ana Ejemplo (Parent)</option>' in body
    assert f'<option value="{family.sponsor.pk}">Marta Ejemplo, aunt (Approved)</option>' in body
    # The family's only open proceeding: already chosen.
    assert (f'<option value="{family.proceeding.pk}" selected>Immigration court (removal) · SND-2019-0417 · '
            f'Ana Ejemplo</option>') in body
    assert not re.search(r"<option[^>]*>[^<]*#\d+", body), "no 'Parent #1' anywhere"
