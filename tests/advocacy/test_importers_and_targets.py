"""Importers and target lookup, on the real public data in ../shared/data (not copied here)."""
import csv
import os
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from advocacy.importers import import_legislators, import_zip_districts
from advocacy.models import DecisionMaker, ZipDistrict
from advocacy.targets import targets_for_zip

pytestmark = pytest.mark.django_db

DATA = Path(os.environ.get("SHARED_DATA_DIR", Path(__file__).resolve().parents[3] / "shared" / "data"))
LEGISLATORS_CSV = DATA / "congress-legislators" / "legislators-current.csv"
LEGISLATORS_YAML = DATA / "congress-legislators" / "legislators-current.yaml"
ZCCD = DATA / "zccd" / "zccd.csv"


@pytest.fixture
def congress():  # noqa: ANN201
    import_legislators(str(LEGISLATORS_CSV))
    import_zip_districts(str(ZCCD))


def test_import_legislators_gives_one_senator_per_state_per_class_and_every_house_member():
    summary = import_legislators(str(LEGISLATORS_CSV))
    rows = list(csv.DictReader(LEGISLATORS_CSV.open()))
    assert summary.created == len(rows) == 537
    senators = DecisionMaker.objects.filter(kind="us_senator", active=True)
    assert senators.count() == 100
    assert len({(s.state, s.senate_class) for s in senators}) == 100
    house = DecisionMaker.objects.filter(kind="us_representative", active=True)
    assert house.count() == sum(1 for r in rows if r["type"] == "rep") == 437
    assert house.get(state="DC").salutation.startswith("Delegate ")
    assert house.get(state="AK").cwc_office_code == "HAK00"  # at-large


def test_re_import_and_the_yaml_edition_change_nothing():
    import_legislators(str(LEGISLATORS_CSV))
    again = import_legislators(str(LEGISLATORS_CSV))
    assert (again.created, again.updated, again.deactivated, again.unchanged) == (0, 0, 0, 537)
    from_yaml = import_legislators(str(LEGISLATORS_YAML))
    assert (from_yaml.created, from_yaml.updated, from_yaml.deactivated) == (0, 0, 0)


def test_a_member_no_longer_listed_is_deactivated_and_comes_back_when_listed(tmp_path):
    import_legislators(str(LEGISLATORS_CSV))
    lines = LEGISLATORS_CSV.read_text().splitlines(keepends=True)
    gone = next(csv.DictReader(lines[:2]))["bioguide_id"]
    (tmp_path / "fewer.csv").write_text("".join([lines[0], *lines[2:]]))
    assert import_legislators(str(tmp_path / "fewer.csv")).deactivated == 1
    assert not DecisionMaker.objects.get(bioguide_id=gone).active
    assert import_legislators(str(LEGISLATORS_CSV)).updated == 1
    assert DecisionMaker.objects.get(bioguide_id=gone).active


def test_commands_print_one_summary_line(capsys):
    call_command("import_legislators", str(LEGISLATORS_CSV))
    call_command("import_zip_districts", str(ZCCD))
    out = capsys.readouterr().out.strip().splitlines()
    assert out == ["Legislators: 537 created, 0 updated, 0 unchanged, 0 deactivated.",
                   "ZIP districts: 42033 added, 0 removed, 0 unchanged."]


def test_zip_re_import_changes_nothing():
    import_zip_districts(str(ZCCD))
    again = import_zip_districts(str(ZCCD))
    assert (again.created, again.deactivated, again.unchanged) == (0, 0, 42033)
    assert ZipDistrict.objects.count() == 42033


def test_calexico_resolves_to_its_district_and_californias_two_senators(congress):  # noqa: ANN001
    targets = targets_for_zip("92231")
    assert [str(d) for d in targets.districts] == ["CA-25"]
    assert {s.name for s in targets.senators} == {"Alex Padilla", "Adam B. Schiff"}
    assert targets.representative.district == 25 and targets.representative.state == "CA"
    assert not targets.needs_district_choice
    assert len(targets.all) == 3


def test_a_zip_that_spans_districts_asks_the_supporter_to_choose(congress):  # noqa: ANN001
    split = targets_for_zip("94010")
    assert len(split.districts) > 1
    assert split.needs_district_choice
    assert split.representative is None  # never picked silently
    assert len(split.senators) == 2
    chosen = targets_for_zip("94010", district=split.districts[1].district)
    assert chosen.representative.district == split.districts[1].district


@pytest.mark.parametrize(("zip_code", "field"), [("00000", "zip"), ("9223", "zip"), ("ABCDE", "zip")])
def test_an_unknown_or_malformed_zip_is_a_clear_error(congress, zip_code, field):  # noqa: ANN001
    with pytest.raises(ValidationError) as exc:
        targets_for_zip(zip_code)
    assert field in exc.value.message_dict


def test_choosing_a_district_the_zip_does_not_have_is_refused(congress):  # noqa: ANN001
    with pytest.raises(ValidationError) as exc:
        targets_for_zip("92231", district=12)
    assert "district" in exc.value.message_dict
