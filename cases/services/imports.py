"""Families and people from a spreadsheet (CSV or XLSX), for teams that kept one before.

One row per person; the family is named by `family_reference` (the organisation's own file
number), so a family's members may be on several rows. COLUMNS lists the columns (the template
file has them as its header); docs/import.md explains each.

1. `import_check` reads the file once, row by row (memory stays that of one chunk of rows), and
   says of each row whether it would be imported, is already on record (the same family holds a
   person with this A-number, or with these names and date of birth when there is no A-number), or
   is refused, and why: a missing or malformed value, an unknown facility, or a duplicate it would
   create (an A-number already on another family of the organisation, or twice in the file).
   Nothing is saved but the job and the (encrypted) file.
2. Once confirmed, a worker (`import_run`) reads the file again and brings each row in through the
   same services a person at the keyboard uses - case_create, person_create, custody_transfer -
   so every record gets its history; progress is saved every chunk. A row is checked again against
   the record as it is then, so running the same file twice imports nothing the second time.
3. The refused rows, with why, can be downloaded (row number, family reference, column, reason:
   never a cell's value).
"""
import csv
import datetime as dt
import io
import uuid
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import Organization, User
from accounts.roles import CAN_CREATE_CASES
from accounts.selectors import has_role_in

from ..fields import blind_index, fernet, normalise_a_number
from ..models import Case, CustodianKind, Facility, ImportJob, Person
from ..models.people import CUSTODY_FACILITY_KINDS
from ._base import field_error
from .cases import case_create
from .documents import storage
from .people import custody_transfer, person_create

# (column, required, what it holds) - the template's header, in order.
COLUMNS: list[tuple[str, bool, Any]] = [
    ("family_reference", True, _lazy("The organisation's reference for the family, e.g. ALP-2024-017. Rows with the same "
                               "reference are one family.")),
    ("separated_on", False, _lazy("When the family was separated: YYYY-MM-DD (or MM/DD/YYYY).")),
    ("separation_place", False, _lazy("Where the family was separated.")),
    ("role", True, _lazy("parent, legal_guardian, child or other_relative.")),
    ("first_name", True, _lazy("First name.")),
    ("last_name", False, _lazy("Last name.")),
    ("date_of_birth", False, _lazy("YYYY-MM-DD (or MM/DD/YYYY).")),
    ("country_of_birth", False, _lazy("Country of birth.")),
    ("languages", False, _lazy("Languages spoken.")),
    ("a_number", False, _lazy("Alien registration number: 9 digits, an A and dashes allowed (A-201-555-019).")),
    ("custody", False, _lazy("Who holds the person now: cbp, ice_detention, orr_shelter, orr_foster_care, "
                       "state_child_welfare, released, removed, reunified or unknown.")),
    ("facility", False, _lazy("The facility's name exactly as the case tracker lists it.")),
    ("custody_since", False, _lazy("Since when (YYYY-MM-DD or MM/DD/YYYY); required with custody.")),
]
REQUIRED = [name for name, required, _help in COLUMNS if required]
ImportStatus = ImportJob.Status
CHUNK = 200
MAX_BYTES = 20 * 1024 * 1024
# Custody an import may record: not "with sponsor" (it names a sponsor row the sheet cannot).
IMPORT_CUSTODY = [k for k in CustodianKind.values if k != CustodianKind.WITH_SPONSOR]
ROLES = {value: value for value in Person.Role.values} | {
    str(label).lower(): value for value, label in Person.Role.choices}


class ImportRefused(ValidationError):
    """The file as a whole cannot be read (not CSV or XLSX, no header, a required column missing)."""


@dataclass
class Row:
    number: int  # the spreadsheet's row number (the header is row 1)
    values: dict[str, str]
    errors: list[tuple[str, str]] = field(default_factory=list)
    # Cleaned values, once checked.
    clean: dict = field(default_factory=dict)


# --- Reading -----------------------------------------------------------------------------------

def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _at_most(rows: Iterator[Row], most: int) -> Iterator[Row]:
    """A workbook's rows, refused past `most`: openpyxl reads about 4,000 rows a second here, so a
    longer sheet would outlast the request (docs/import.md); the same rows as CSV take seconds."""
    for n, row in enumerate(rows, start=1):
        if n > most:
            raise ImportRefused({"file": _(
                "This workbook has more than %(most)s rows, the most checked from an Excel file. Save it as CSV "
                "(CSV UTF-8) and upload that: it is checked in seconds.") % {"most": number_format(most, force_grouping=True)}})
        yield row


def read_rows(source: IO[bytes], file_format: str) -> Iterator[Row]:
    """The file's data rows, one at a time: a CSV line by line, an XLSX in openpyxl's streaming
    mode (which still holds the workbook's table of distinct texts)."""
    source.seek(0)
    if file_format == "xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(source, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook gets the same clear answer
            raise ImportRefused({"file": _("This is not a readable Excel workbook (.xlsx).")}) from exc
        try:
            rows = ([_cell(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True))
            yield from _at_most(_with_header(next(rows, None), rows, first=2), settings.IMPORT_XLSX_MAX_ROWS)
        finally:
            book.close()
        return
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    try:
        rows = ([v.strip() for v in row] for row in csv.reader(text))
        try:
            header = next(rows, None)
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ImportRefused({"file": _("This CSV file could not be read: save it as CSV UTF-8.")}) from exc
        yield from _with_header(header, rows, first=2)
    finally:
        text.detach()  # the file stays open for its owner


def _with_header(header: list[str] | None, rows: Iterator[list[str]], *, first: int) -> Iterator[Row]:
    names = [(h or "").strip().lower().replace(" ", "_") for h in (header or [])]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise ImportRefused({"file": _("The first row must name the columns; missing: %(columns)s. Start from the "
                                       "template.") % {"columns": ", ".join(missing)}})
    number = first - 1
    try:
        for values in rows:
            number += 1
            if not any(values):
                continue  # a blank line
            yield Row(number, {name: (values[i] if i < len(values) else "") for i, name in enumerate(names) if name})
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ImportRefused({"file": _("Row %(row)s could not be read: save the file as CSV UTF-8.") % {
            "row": number}}) from exc


def _chunks(rows: Iterator[Row], size: int = CHUNK) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- Checking a row ----------------------------------------------------------------------------

def _date(raw: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError


def _check(row: Row, facilities: dict[str, Facility], today: dt.date) -> None:
    """Clean the row's values into row.clean, or add (column, reason) to row.errors."""
    v, clean, err = row.values, row.clean, row.errors
    clean["reference"] = v.get("family_reference", "")
    if not clean["reference"]:
        err.append(("family_reference", _("Give the family's reference.")))
    elif len(clean["reference"]) > 40:
        err.append(("family_reference", _("At most 40 characters.")))
    role = v.get("role", "").strip().lower()
    if role not in ROLES:
        err.append(("role", _("Use parent, legal_guardian, child or other_relative.")))
    clean["role"] = ROLES.get(role, "")
    for name, limit in (("first_name", 80), ("last_name", 80), ("country_of_birth", 80), ("languages", 120),
                        ("separation_place", 200)):
        clean[name] = v.get(name, "")
        if len(clean[name]) > limit:
            err.append((name, _("At most %(n)s characters.") % {"n": limit}))
    if not clean["first_name"]:
        err.append(("first_name", _("Give the person's first name.")))
    for name in ("date_of_birth", "separated_on", "custody_since"):
        clean[name] = None
        if v.get(name):
            try:
                clean[name] = _date(v[name])
            except ValueError:
                err.append((name, _("Not a date: write YYYY-MM-DD or MM/DD/YYYY.")))
                continue
            if clean[name] > today:
                err.append((name, _("This date is in the future.")))
            elif clean[name].year < 1900:
                err.append((name, _("Check the year.")))
    clean["a_number"], clean["a_index"] = "", ""
    if v.get("a_number"):
        try:
            clean["a_number"] = normalise_a_number(v["a_number"])
            clean["a_index"] = blind_index(clean["a_number"])
        except ValidationError:
            err.append(("a_number", _("Not an A-number: 9 digits (an A and dashes are fine).")))
    custody = v.get("custody", "").strip().lower()
    clean["custody"], clean["facility"] = "", None
    if custody:
        if custody not in IMPORT_CUSTODY:
            err.append(("custody", _("Use one of: %(kinds)s.") % {"kinds": ", ".join(IMPORT_CUSTODY)}))
        else:
            clean["custody"] = custody
            if clean["custody_since"] is None and "custody_since" not in dict(err):
                err.append(("custody_since", _("Since when? Give the first day of this custody.")))
    facility_name = v.get("facility", "")
    if facility_name:
        facility = facilities.get(facility_name.casefold())
        if facility is None:
            err.append(("facility", _("No facility of this name: add it in the case tracker first, or check its "
                                      "spelling.")))
        elif not custody:
            err.append(("custody", _("Say which custody the person is in at this facility.")))
        elif facility.kind not in CUSTODY_FACILITY_KINDS.get(custody, frozenset()):
            err.append(("facility", _("This facility does not hold people in this custody.")))
        clean["facility"] = facility
    elif v.get("custody_since") and not custody:
        err.append(("custody", _("Say which custody this is.")))


def _key(clean: dict) -> tuple:
    """What makes a row the same person as one on record in the same family."""
    if clean["a_index"]:
        return ("a", clean["a_index"])
    return ("n", clean["role"], clean["first_name"].casefold(), clean["last_name"].casefold(), clean["date_of_birth"])


def _person_key(person: Person) -> tuple:
    if person.a_number_index:
        return ("a", person.a_number_index)
    return ("n", person.role, person.first_name.casefold(), person.last_name.casefold(), person.date_of_birth)


@dataclass
class _Record:
    """What the organisation already holds for a chunk's rows: one query for the families named,
    one for their people, one for the A-numbers on its other families."""

    families: dict[str, int]
    known: set[tuple[str, tuple]]
    a_numbers: dict[str, str]  # index -> the family reference holding it

    @classmethod
    def load(cls, organization: Organization, rows: list[Row]) -> "_Record":
        references = {r.clean["reference"] for r in rows if r.clean.get("reference")}
        indexes = {r.clean["a_index"] for r in rows if r.clean.get("a_index")}
        families = dict(Case.objects.filter(organization=organization, reference__in=references)
                        .values_list("reference", "pk"))
        by_pk = {pk: ref for ref, pk in families.items()}
        known = {(by_pk[p.case_id], _person_key(p)) for p in Person.objects.filter(case_id__in=list(by_pk)).only(
            "case_id", "role", "first_name", "last_name", "date_of_birth", "a_number_index")}
        a_numbers = dict(Person.objects.filter(case__organization=organization, a_number_index__in=indexes)
                         .values_list("a_number_index", "case__reference")) if indexes else {}
        return cls(families, known, a_numbers)


def _short(index: str) -> int:
    return int(index[:16], 16)


class _Repeats:
    """Which A-numbers may be on more than one row of the file, found in a first reading with a
    fixed-size Bloom filter (1 MB, three bit positions a key): memory does not grow with the file.
    A false alarm (about 1 in 20,000 at 100,000 A-numbers) only means a key is followed exactly in
    the second reading, which decides."""

    BITS = 1 << 23
    MASK = BITS - 1

    def __init__(self, source: IO[bytes], file_format: str) -> None:
        bits = bytearray(self.BITS // 8)
        self.keys: set[int] = set()
        for row in read_rows(source, file_format):
            raw = row.values.get("a_number", "")
            try:
                key = _short(blind_index(normalise_a_number(raw))) if raw else None
            except ValidationError:
                continue
            if key is None:
                continue
            spots = (key & self.MASK, (key >> 23) & self.MASK, (key >> 46) & self.MASK)
            if all(bits[i >> 3] & (1 << (i & 7)) for i in spots):
                self.keys.add(key)
            for i in spots:
                bits[i >> 3] |= 1 << (i & 7)
        self.first: dict[int, int] = {}  # key -> the first row that has it (repeated keys only)

    def earlier_row(self, key: int, number: int) -> int | None:
        if key not in self.keys:
            return None
        first = self.first.setdefault(key, number)
        return first if first != number else None


def _verdict(row: Row, record: _Record, repeats: _Repeats) -> str:
    """"new", "known" or "refused" (with the reason added to row.errors)."""
    if row.errors:
        return "refused"
    clean = row.clean
    index = clean["a_index"]
    if index:
        earlier = repeats.earlier_row(_short(index), row.number)
        if earlier is not None:  # twice in the file: the first row counts, the later is refused
            row.errors.append(("a_number", _("The same A-number is on row %(row)s.") % {"row": earlier}))
            return "refused"
    if (clean["reference"], _key(clean)) in record.known:
        return "known"
    holder = record.a_numbers.get(index) if index else None
    if holder is not None:
        row.errors.append(("a_number", _("This A-number is already on family %(reference)s.") % {"reference": holder}))
        return "refused"
    return "new"


def _report(row: Row) -> list[dict]:
    return [{"row": row.number, "reference": row.clean.get("reference", "")[:40], "column": column, "reason": reason}
            for column, reason in row.errors]


# --- The job -----------------------------------------------------------------------------------

def _file_format(upload: UploadedFile, head: bytes) -> str:
    name = (upload.name or "").lower()
    if head.startswith(b"PK\x03\x04") and name.endswith(".xlsx"):
        return "xlsx"
    if name.endswith((".csv", ".txt")) and b"\x00" not in head:
        return "csv"
    raise ImportRefused({"file": _("Upload the spreadsheet as .xlsx or .csv (start from the template).")})


def import_check(*, actor: User, organization: Organization, upload: UploadedFile) -> ImportJob:
    """Read and check the file (module docstring, 1). Nothing of the families is saved."""
    if not has_role_in(user=actor, organization=organization, roles=CAN_CREATE_CASES):
        raise PermissionDenied(_("Only the organisation's admins and advocates may import families."))
    if not upload.size:
        raise field_error("file", _("The file is empty."), "empty")
    if upload.size > MAX_BYTES:
        raise field_error("file", _("The file is larger than %(mb)s MB: split it.") % {"mb": MAX_BYTES // 1048576},
                          "too_large")
    upload.seek(0)
    file_format = _file_format(upload, upload.read(8))
    counts = _check_all(organization, upload, file_format)
    with _encrypted(upload) as encrypted:
        stored = storage().save(f"import-{uuid.uuid4().hex}.bin", encrypted)
    return ImportJob.objects.create(organization=organization, created_by=actor, file_name=upload.name or "",
                                    file_format=file_format, storage_name=stored, **counts)


# The file is kept encrypted a piece at a time (one Fernet token per line), so neither storing nor
# reading it back holds more than a piece in memory.
PIECE = 256 * 1024


def _encrypted(upload: UploadedFile) -> File:
    out = tempfile.SpooledTemporaryFile(max_size=PIECE)  # noqa: SIM115 - handed to the storage, closed with it
    upload.seek(0)
    # read(PIECE), not chunks(): an in-memory upload's chunks() is the whole file at once.
    while piece := upload.read(PIECE):
        out.write(fernet().encrypt(piece) + b"\n")
    out.seek(0)
    return File(out, name="import.bin")


def _decrypted(name: str) -> IO[bytes]:
    out = tempfile.SpooledTemporaryFile(max_size=PIECE)  # noqa: SIM115 - the caller closes it
    with storage().open(name, "rb") as fh:
        for line in fh:
            if line.strip():
                out.write(fernet().decrypt(line.strip()))
    out.seek(0)
    return out


def _check_all(organization: Organization, source: IO[bytes], file_format: str) -> dict:
    facilities = {f.name.casefold(): f for f in Facility.objects.all()}
    today = timezone.localdate()
    repeats = _Repeats(source, file_format)
    new_families: set[int] = set()  # references' hashes: a few dozen bytes a new family
    counts = {"total_rows": 0, "new_rows": 0, "known_rows": 0, "rejected": []}
    for chunk in _chunks(read_rows(source, file_format)):
        for row in chunk:
            _check(row, facilities, today)
        record = _Record.load(organization, chunk)
        for row in chunk:
            counts["total_rows"] += 1
            verdict = _verdict(row, record, repeats)
            if verdict == "refused":
                counts["rejected"] += _report(row)
            else:
                counts[f"{verdict}_rows"] += 1
                if verdict == "new" and row.clean["reference"] not in record.families:
                    new_families.add(hash(row.clean["reference"]))
    counts["new_families"] = len(new_families)
    return counts


def import_confirm(*, actor: User, job: ImportJob) -> ImportJob:
    if not has_role_in(user=actor, organization=job.organization, roles=CAN_CREATE_CASES):
        raise PermissionDenied(_("Only the organisation's admins and advocates may import families."))
    with transaction.atomic():
        if not ImportJob.objects.filter(pk=job.pk, status=ImportStatus.PREVIEWED).update(
                status=ImportStatus.QUEUED, confirmed_at=timezone.now()):
            return ImportJob.objects.get(pk=job.pk)  # confirmed already (a double click): one run
        from config.celery import try_enqueue

        from ..tasks import run_import

        # With the broker away the import waits, queued, for the upkeep sweep: never a 500.
        transaction.on_commit(lambda: try_enqueue(run_import, job.pk))
    return ImportJob.objects.get(pk=job.pk)


LEASE = dt.timedelta(minutes=10)


def waiting_imports(*, now: dt.datetime | None = None) -> QuerySet:
    """Imports to send to a worker again: confirmed while the broker was away, or left running by
    a worker that died (its lease run out; rows already in are recognised and skipped)."""
    from config.celery import WAITING_FOR_A_WORKER

    now = now or timezone.now()
    return ImportJob.objects.filter(Q(status=ImportStatus.QUEUED, confirmed_at__lt=now - WAITING_FOR_A_WORKER)
                                    | Q(status=ImportStatus.RUNNING, claimed_at__lt=now - LEASE))


def import_run(job_id: int) -> ImportJob:
    """Bring the confirmed file's rows in (module docstring, 2). A worker that dies mid-run leaves
    the job to be taken again after LEASE; rows already brought in are then "known"."""
    now = timezone.now()
    if not ImportJob.objects.filter(Q(status=ImportStatus.QUEUED) | Q(status=ImportStatus.RUNNING,
                                                                       claimed_at__lt=now - LEASE),
                                    pk=job_id).update(status=ImportStatus.RUNNING, claimed_at=now, done_rows=0,
                                                      imported_people=0, imported_families=0, rejected=[]):
        return ImportJob.objects.get(pk=job_id)
    job = ImportJob.objects.select_related("organization", "created_by").get(pk=job_id)
    actor, organization = job.created_by, job.organization
    try:
        facilities = {f.name.casefold(): f for f in Facility.objects.all()}
        today = timezone.localdate()
        done = people = families = 0
        rejected: list[dict] = []
        with _decrypted(job.storage_name) as source:
            repeats = _Repeats(source, job.file_format)
            for chunk in _chunks(read_rows(source, job.file_format)):
                for row in chunk:
                    _check(row, facilities, today)
                # The record as it is now: earlier chunks' rows (and any other writer's) included.
                record = _Record.load(organization, chunk)
                for row in chunk:
                    if _verdict(row, record, repeats) == "new":
                        made = _bring_in(actor, organization, row, record)
                        people, families = people + made[0], families + made[1]
                    if row.errors:
                        rejected += _report(row)
                    done += 1
                ImportJob.objects.filter(pk=job_id).update(done_rows=done, imported_people=people,
                                                           imported_families=families, rejected=rejected,
                                                           claimed_at=timezone.now())
        ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.DONE, finished_at=timezone.now(),
                                                   claimed_at=None, total_rows=done)
    except Exception as exc:  # noqa: BLE001 - recorded on the job (its class only), then re-raised
        ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.FAILED, error=type(exc).__name__,
                                                   finished_at=timezone.now(), claimed_at=None)
        raise
    # The file is not kept once it is in. The row forgets it first: a storage that fails here (or a
    # process cut off) leaves a finished import finished and a file no row names, which the hourly
    # sweep deletes (stored_files.sweep_orphans).
    ImportJob.objects.filter(pk=job_id).update(storage_name="")
    storage().delete(job.storage_name)
    return ImportJob.objects.get(pk=job_id)


def _bring_in(actor: User, organization: Organization, row: Row, record: _Record) -> tuple[int, int]:
    """One row through the services: its family (opened on its first row), the person, their custody.
    All or nothing: a refusal leaves no part of the row (nor a family opened for it) on record."""
    c = row.clean
    try:
        with transaction.atomic():
            new_family = 0
            case_id = record.families.get(c["reference"])
            if case_id is None:
                case = case_create(actor=actor, organization=organization, reference=c["reference"],
                                   separated_on=c["separated_on"], separation_place=c["separation_place"])
                new_family = 1
            else:
                case = Case.objects.get(pk=case_id)
            person = person_create(actor=actor, case=case, role=c["role"], first_name=c["first_name"],
                                   last_name=c["last_name"], date_of_birth=c["date_of_birth"],
                                   country_of_birth=c["country_of_birth"], languages=c["languages"],
                                   a_number=c["a_number"])
            if c["custody"]:
                custody_transfer(actor=actor, person=person, kind=c["custody"], on=c["custody_since"],
                                 facility=c["facility"])
        # What the rest of the chunk must now see as on record.
        record.families[c["reference"]] = case.pk
        record.known.add((c["reference"], _key(c)))
        if c["a_index"]:
            record.a_numbers[c["a_index"]] = c["reference"]
        return 1, new_family
    except (ValidationError, PermissionDenied) as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"row": exc.messages if hasattr(
            exc, "messages") else [str(exc)]}
        for column, reasons in messages.items():
            row.errors.append((column if column != "__all__" else "row", "; ".join(reasons)))
        return 0, 0


def template_csv() -> bytes:
    """The template: the header and two fictional rows (one family, a mother and her son)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([name for name, _req, _help in COLUMNS])
    writer.writerow(["EX-2024-001", "2024-05-10", "Port of entry", "parent", "Ana", "Ejemplo", "1990-03-14",
                     "Guatemala", "Spanish, K'iche'", "", "released", "", "2024-06-02"])
    writer.writerow(["EX-2024-001", "2024-05-10", "Port of entry", "child", "Mateo", "Ejemplo", "2016-08-01",
                     "Guatemala", "Spanish", "", "unknown", "", "2024-05-10"])
    return out.getvalue().encode("utf-8-sig")


def rejected_csv(job: ImportJob) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["row", "family_reference", "column", "reason"])
    for item in job.rejected:
        writer.writerow([item["row"], item["reference"], item["column"], item["reason"]])
    return out.getvalue().encode("utf-8-sig")
