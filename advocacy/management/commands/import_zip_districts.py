"""`manage.py import_zip_districts PATH_OR_URL`: the ZCTA-to-congressional-district crosswalk
(state_fips,state_abbr,zcta,cd). Re-runnable: adds what is new, removes what is gone."""
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from advocacy.importers import import_zip_districts


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="path or URL of the crosswalk CSV")

    def handle(self, *args: Any, source: str, **options: Any) -> None:
        s = import_zip_districts(source, progress=lambda n: self.stderr.write(f"  {n} rows written"))
        self.stdout.write(f"ZIP districts: {s.created} added, {s.deactivated} removed, {s.unchanged} unchanged.")
