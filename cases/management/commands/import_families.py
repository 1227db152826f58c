"""Import families from a spreadsheet, as the import page does: check, and with --confirm import.

    manage.py import_families families.xlsx --organization alpha-legal --as advocate@example.org [--confirm]
"""
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Organization, User
from cases.services import imports


class Command(BaseCommand):
    help = "Check a CSV or XLSX of families and people, and with --confirm import it (docs/import.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--organization", required=True, help="the organisation's slug")
        parser.add_argument("--as", dest="actor", required=True, help="the email of the admin or advocate importing")
        parser.add_argument("--confirm", action="store_true", help="import (without it: only check)")
        parser.add_argument("--report", type=Path, help="write the refused rows (CSV) here")

    def handle(self, *args: object, **options: object) -> None:
        try:
            organization = Organization.objects.get(slug=options["organization"])
            actor = User.objects.get(email=str(options["actor"]).lower(), is_active=True)
        except (Organization.DoesNotExist, User.DoesNotExist) as exc:
            raise CommandError("No such organisation or active user.") from exc
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        upload = SimpleUploadedFile(path.name, path.read_bytes())
        try:
            job = imports.import_check(actor=actor, organization=organization, upload=upload)
            if options["confirm"] and job.new_rows:
                imports.import_confirm(actor=actor, job=job)
                job = imports.import_run(job.pk)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if options["report"]:
            options["report"].write_bytes(imports.rejected_csv(job))
        if job.status == job.Status.DONE:
            self.stdout.write(f"import {job.pk}: {job.total_rows} rows, {job.imported_people} people and "
                              f"{job.imported_families} families imported, {len(job.rejected)} problems")
        else:
            self.stdout.write(f"import {job.pk} checked: {job.total_rows} rows, {job.new_rows} to import "
                              f"({job.new_families} new families), {job.known_rows} already on record, "
                              f"{len(job.rejected)} problems{'' if options['confirm'] else '; --confirm to import'}")
