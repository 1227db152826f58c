"""Memory of a spreadsheet import as the file grows (issue 13): the check (read, validate, look up
what is on record) of CSV and XLSX files of 2,000 to 100,000 rows, and the import itself of 1,000
and 4,000 rows through the services. Peak Python allocations (tracemalloc) beside the same run's
anchor: reading the file's rows with the standard library alone (csv) or openpyxl alone (xlsx).

    make bench-import        # or: .venv/bin/python bench/import_memory.py [--sizes 2000,20000,100000]

Runs on a throwaway SQLite database (or DATABASE_URL, whose name must contain "bench"), with
fictional rows. Prints one line per measurement and the load average. The check's seconds are
timed in a second run without tracemalloc; the import's are under tracemalloc (slower).
"""
import argparse
import csv
import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["family_reference", "separated_on", "separation_place", "role", "first_name", "last_name",
          "date_of_birth", "country_of_birth", "languages", "a_number", "custody", "facility", "custody_since"]
FACILITY = "Bench Detention Center"


def rows(count: int):  # noqa: ANN201
    for n in range(count):
        family = n // 2
        if n % 2 == 0:
            yield [f"B-{family:06d}", "2024-05-10", "San Ysidro", "parent", f"Madre{n}", f"Ejemplo{family}",
                   "1990-01-15", "Honduras", "Spanish", f"A-{300000000 + n:09d}", "ice_detention", FACILITY,
                   "2024-05-12"]
        else:
            yield [f"B-{family:06d}", "2024-05-10", "San Ysidro", "child", f"Hijo{n}", f"Ejemplo{family}",
                   "2015-06-01", "Honduras", "Spanish", "", "", "", ""]


def csv_file(count: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows(count))
    return out.getvalue().encode()


def xlsx_file(count: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows(count):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def peak(work) -> tuple[int, float]:  # noqa: ANN001
    tracemalloc.start()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    work()
    elapsed = time.perf_counter() - started
    _current, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top, elapsed


def anchor(data: bytes, fmt: str) -> None:
    """Only reading the rows, with the library the import uses."""
    if fmt == "csv":
        for _row in csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")):
            pass
    else:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for _row in book.worksheets[0].iter_rows(values_only=True):
            pass
        book.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2000,20000,100000")
    parser.add_argument("--import-sizes", default="1000,4000")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-import-")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir}/bench.sqlite3"
    elif "bench" not in os.environ["DATABASE_URL"].rsplit("/", 1)[-1]:
        sys.exit("DATABASE_URL's database name must contain 'bench' (it is emptied).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ["DEBUG"] = "false"  # DEBUG keeps every query in memory
    os.environ["PRIVATE_MEDIA_ROOT"] = f"{workdir}/private"
    # The product refuses a sheet over 50,000 rows (docs/import.md); the bench measures how the
    # check grows past that, so it lifts the limit.
    os.environ.setdefault("IMPORT_XLSX_MAX_ROWS", "10000000")
    os.environ.pop("CELERY_BROKER_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from accounts import services as account_services
    from accounts.models import User
    from accounts.roles import Role
    from cases.models import Facility, FieldOffice, ImportJob
    from cases.services import imports

    call_command("flush", interactive=False, verbosity=0) if "postgres" in os.environ["DATABASE_URL"] else None
    call_command("migrate", verbosity=0)
    org = account_services.organization_create(name=f"Bench Import {time.time_ns()}")
    user = User.objects.create_user(email=f"bench{time.time_ns()}@example.test")
    account_services.membership_add(organization=org, user=user, role=Role.ADVOCATE, actor=None)
    office, _ = FieldOffice.objects.get_or_create(code="SND", defaults={"name": "San Diego", "city": "San Diego",
                                                                         "state": "CA"})
    Facility.objects.get_or_create(name=FACILITY, defaults={"kind": "ice_detention", "city": "Calexico", "state": "CA",
                                                            "field_office": office})
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    print(f"{'what':<28}{'rows':>8}{'file MB':>9}{'peak MB':>9}{'anchor MB':>11}{'peak-anchor':>13}{'s':>8}")
    for fmt, make in (("csv", csv_file), ("xlsx", xlsx_file)):
        for size in [int(s) for s in args.sizes.split(",")]:
            data = make(size)
            top, _traced = peak(lambda: imports.import_check(  # noqa: B023
                actor=user, organization=org, upload=SimpleUploadedFile(f"f.{fmt}", data)))  # noqa: B023
            started = time.perf_counter()  # timed again without tracemalloc, which slows allocation
            imports.import_check(actor=user, organization=org, upload=SimpleUploadedFile(f"f.{fmt}", data))
            elapsed = time.perf_counter() - started
            base, _ = peak(lambda: anchor(data, fmt))  # noqa: B023
            print(f"{'check ' + fmt:<28}{size:>8}{len(data) / 1e6:>9.2f}{top / 1e6:>9.2f}{base / 1e6:>11.2f}"
                  f"{(top - base) / 1e6:>13.2f}{elapsed:>8.2f}")
    for i, size in enumerate(int(s) for s in args.import_sizes.split(",")):
        # Families and A-numbers of their own (A-4..., A-5...: nine digits still), so every row is new.
        data = csv_file(size).replace(b"B-", f"I{size}-".encode()).replace(b"A-3", f"A-{4 + i}".encode())
        job = imports.import_check(actor=user, organization=org, upload=SimpleUploadedFile("f.csv", data))
        # Confirmed (import_confirm would run it at once: tasks are eager here, outside the measure).
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
        top, elapsed = peak(lambda: imports.import_run(job.pk))  # noqa: B023
        base, _ = peak(lambda: anchor(data, "csv"))  # noqa: B023
        print(f"{'import csv (services)':<28}{size:>8}{len(data) / 1e6:>9.2f}{top / 1e6:>9.2f}{base / 1e6:>11.2f}"
              f"{(top - base) / 1e6:>13.2f}{elapsed:>8.2f}")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")


if __name__ == "__main__":
    main()
