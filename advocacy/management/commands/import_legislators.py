"""`manage.py import_legislators PATH_OR_URL`: members of Congress from congress-legislators
(legislators-current.csv or .yaml). Upserts by bioguide id; deactivates members no longer listed."""
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from advocacy.importers import import_legislators


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="path or URL of legislators-current.csv or .yaml")

    def handle(self, *args: Any, source: str, **options: Any) -> None:
        summary = import_legislators(source, progress=lambda n: self.stderr.write(f"  {n} members read"))
        self.stdout.write(f"Legislators: {summary}.")
