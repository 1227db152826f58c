"""Importers for public data: members of Congress (unitedstates/congress-legislators, CSV or
YAML) and the ZCTA-to-district crosswalk. Both upsert, so a re-run changes nothing."""
import csv
import io
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import transaction

from .models import DecisionMaker, DecisionMakerKind, ZipDistrict
from .targets import clear_directory_caches

Progress = Callable[[int], None]
FIELDS = ("kind", "name", "salutation", "state", "district", "senate_class", "cwc_office_code",
          "contact_form_url", "phone", "postal_address", "active")


def read_text(path_or_url: str) -> str:
    if path_or_url.startswith(("http://", "https://")):
        with urllib.request.urlopen(path_or_url, timeout=60) as response:  # noqa: S310 - operator-supplied URL
            return response.read().decode("utf-8")
    return Path(path_or_url).read_text(encoding="utf-8")


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0

    def __str__(self) -> str:
        return (f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.deactivated} deactivated")


def _legislator(*, bioguide: str, kind_code: str, first: str, last: str, full: str, state: str,
                district: str | int | None, senate_class: str | int | None, url: str, contact_form: str,
                phone: str, address: str) -> dict:
    senator = kind_code == "sen"
    district_no = None if senator or district in (None, "") else int(district)
    title = "Senator" if senator else ("Delegate" if state in {"DC", "GU", "VI", "AS", "MP"} else
                                       "Resident Commissioner" if state == "PR" else "Representative")
    return {
        "bioguide_id": bioguide,
        "kind": DecisionMakerKind.US_SENATOR if senator else DecisionMakerKind.US_REPRESENTATIVE,
        "name": full or f"{first} {last}".strip(),
        "salutation": f"{title} {last}".strip(),
        "state": state,
        "district": district_no,
        "senate_class": int(senate_class) if senator and senate_class not in (None, "") else None,
        # House CWC codes follow the district; Senate codes come from the Senate's own office list,
        # which this data does not carry, so they are left for staff to enter.
        "cwc_office_code": "" if senator else f"H{state}{district_no:02d}",
        "contact_form_url": contact_form or url or "",
        "phone": phone or "",
        "postal_address": address or "",
        "active": True,
    }


def parse_legislators_csv(text: str) -> list[dict]:
    return [
        _legislator(bioguide=r["bioguide_id"], kind_code=r["type"], first=r["first_name"], last=r["last_name"],
                    full=r["full_name"], state=r["state"], district=r["district"], senate_class=r["senate_class"],
                    url=r["url"], contact_form=r["contact_form"], phone=r["phone"], address=r["address"])
        for r in csv.DictReader(io.StringIO(text))
    ]


def parse_legislators_yaml(text: str) -> list[dict]:
    out = []
    for person in yaml.safe_load(text):
        term = person["terms"][-1]  # the current term is the last one
        name = person["name"]
        out.append(_legislator(
            bioguide=person["id"]["bioguide"], kind_code=term["type"], first=name.get("first", ""),
            last=name.get("last", ""), full=name.get("official_full", ""), state=term["state"],
            district=term.get("district"), senate_class=term.get("class"), url=term.get("url", ""),
            contact_form=term.get("contact_form", ""), phone=term.get("phone", ""), address=term.get("address", ""),
        ))
    return out


def import_legislators(path_or_url: str, progress: Progress | None = None) -> ImportSummary:
    text = read_text(path_or_url)
    is_yaml = path_or_url.endswith((".yaml", ".yml")) or text.lstrip().startswith("- ")
    rows = parse_legislators_yaml(text) if is_yaml else parse_legislators_csv(text)
    return upsert_legislators(rows, deactivate_missing=True, progress=progress)


def upsert_legislators(rows: list[dict], *, deactivate_missing: bool, progress: Progress | None = None) -> ImportSummary:
    """Create or update members by bioguide id; with deactivate_missing (a full roster), members
    not in `rows` are deactivated."""
    def keep_senate_code(row: dict, current: DecisionMaker) -> None:
        if not row["cwc_office_code"]:
            # Senate office codes are not in the public data: keep what staff entered.
            row["cwc_office_code"] = current.cwc_office_code

    return _upsert(rows, key="bioguide_id", deactivate_missing=deactivate_missing, progress=progress,
                   merge=keep_senate_code)


def _upsert(rows: list[dict], *, key: str, deactivate_missing: bool = False, progress: Progress | None = None,
            merge: Callable[[dict, DecisionMaker], None] | None = None) -> ImportSummary:
    """Create or update shared decision makers by their `key` (a bioguide id, an office key)."""
    summary = ImportSummary()
    with transaction.atomic():
        existing = {getattr(dm, key): dm for dm in DecisionMaker.objects.filter(**{f"{key}__isnull": False})}
        for i, row in enumerate(rows, 1):
            current = existing.get(row[key])
            if current is not None and merge:
                merge(row, current)
            if current is None:
                DecisionMaker.objects.create(**row)
                summary.created += 1
            elif any(getattr(current, f) != row[f] for f in FIELDS):
                for f in FIELDS:
                    setattr(current, f, row[f])
                current.version += 1
                current.save()
                summary.updated += 1
            else:
                summary.unchanged += 1
            if progress and i % 100 == 0:
                progress(i)
        if deactivate_missing:
            listed = {r[key] for r in rows}
            summary.deactivated = (
                DecisionMaker.objects.filter(**{f"{key}__isnull": False}, active=True)
                .exclude(**{f"{key}__in": listed}).update(active=False)
            )
    clear_directory_caches()
    return summary


# --- Elected executives: the President and governors ------------------------------------------
# Public contact data of each office as it publishes it (whitehouse.gov/contact, gov.ca.gov/contact).
# Neither takes email: a letter goes by post (printed, or handwritten) and a supporter who writes
# online is pointed to the office's own contact form. Other governors come from a CSV in the same
# columns (`manage.py import_executives PATH`).
EXECUTIVES_CSV = """\
office,state,name,salutation,contact_form,address,phone
president,,Donald J. Trump,President Trump,https://www.whitehouse.gov/contact/,"The White House
1600 Pennsylvania Avenue NW
Washington, DC 20500",202-456-1111
governor,CA,Gavin Newsom,Governor Newsom,https://www.gov.ca.gov/contact/,"Office of Governor Gavin Newsom
1021 O Street, Suite 9000
Sacramento, CA 95814",916-445-2841
"""
EXECUTIVE_KINDS = {"president": DecisionMakerKind.PRESIDENT, "governor": DecisionMakerKind.GOVERNOR}


def parse_executives_csv(text: str) -> list[dict]:
    """Rows of the executives CSV as decision makers keyed by office ("us-president", "governor-CA")."""
    rows = []
    for n, r in enumerate(csv.DictReader(io.StringIO(text)), 2):
        office, state = r["office"].strip().lower(), r["state"].strip().upper()
        if office not in EXECUTIVE_KINDS or (office == "governor") != bool(state) or not r["name"].strip():
            raise ValueError(f"line {n}: an office is 'president' (no state) or 'governor' with a state, and a name")
        rows.append({
            "office_key": "us-president" if office == "president" else f"governor-{state}",
            "kind": EXECUTIVE_KINDS[office], "name": r["name"].strip(), "salutation": r["salutation"].strip(),
            "state": state, "district": None, "senate_class": None, "cwc_office_code": "",
            "contact_form_url": r["contact_form"].strip(), "phone": r["phone"].strip(),
            "postal_address": r["address"].strip(), "active": True,
        })
    return rows


def upsert_executives(rows: list[dict]) -> ImportSummary:
    """Create or update each office; a new holder renames the office's row, so actions that write
    to the office write to the new holder."""
    return _upsert(rows, key="office_key")


def import_executives(path_or_url: str | None = None) -> ImportSummary:
    return upsert_executives(parse_executives_csv(read_text(path_or_url) if path_or_url else EXECUTIVES_CSV))


def parse_zccd(text: str) -> set[tuple[str, str, int]]:
    return {(r["zcta"].zfill(5), r["state_abbr"], int(r["cd"])) for r in csv.DictReader(io.StringIO(text))}


def import_zip_districts(path_or_url: str, progress: Progress | None = None) -> ImportSummary:
    wanted = parse_zccd(read_text(path_or_url))
    summary = ImportSummary()
    with transaction.atomic():
        have = {(z, s, d): pk for pk, z, s, d in ZipDistrict.objects.values_list("pk", "zcta", "state", "district")}
        new = [ZipDistrict(zcta=z, state=s, district=d) for (z, s, d) in wanted - have.keys()]
        for start in range(0, len(new), 5000):
            ZipDistrict.objects.bulk_create(new[start:start + 5000])
            if progress:
                progress(start + len(new[start:start + 5000]))
        stale = [pk for key, pk in have.items() if key not in wanted]
        ZipDistrict.objects.filter(pk__in=stale).delete()
    summary.created, summary.deactivated, summary.unchanged = len(new), len(stale), len(wanted) - len(new)
    clear_directory_caches()
    return summary


def add_zip_districts(rows: set[tuple[str, str, int]]) -> int:
    """Add crosswalk rows (a partial list: nothing is removed). Returns how many were new."""
    new = [ZipDistrict(zcta=z, state=s, district=d) for z, s, d in rows
           if not ZipDistrict.objects.filter(zcta=z, state=s, district=d).exists()]
    ZipDistrict.objects.bulk_create(new)
    clear_directory_caches()
    return len(new)


__all__: Iterable[str] = ["ImportSummary", "add_zip_districts", "import_executives", "import_legislators",
                          "import_zip_districts", "upsert_executives", "upsert_legislators"]
