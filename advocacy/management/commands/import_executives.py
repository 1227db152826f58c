"""`manage.py import_executives [PATH_OR_URL]`: the President and governors, by office. Without a
source, the offices this project ships (advocacy/importers.py EXECUTIVES_CSV: the White House and
California's governor); with one, a CSV in the same columns (office, state, name, salutation,
contact_form, address, phone). Upserts by office, so a re-run changes nothing and a new holder
renames the office everyone's actions write to."""
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advocacy.importers import import_executives


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", nargs="?", help="path or URL of a CSV of executive offices")

    def handle(self, *args: Any, source: str | None, **options: Any) -> None:
        try:
            summary = import_executives(source)
        except (ValueError, KeyError) as exc:
            raise CommandError(f"Not an executives CSV: {exc}") from exc
        self.stdout.write(f"Executive offices: {summary}.")
