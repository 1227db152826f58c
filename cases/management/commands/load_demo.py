"""`python manage.py load_demo`: the fictional demo data set (see cases.demo). Safe to run again."""
from typing import Any

from django.core.management.base import BaseCommand

from cases.demo import LEGAL, load_demo


class Command(BaseCommand):
    help = "Load the fictional demo organisations, users and families (skipped when already loaded)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo()
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {result.cases} families in {LEGAL.name}."))
        else:
            self.stdout.write(f"Demo data already present ({LEGAL.name}); nothing created.")
        rows = [("role", "email", "password", "organisation")]
        rows += [(login.role + (" (staff: /admin/)" if login.staff else ""), login.email, login.password,
                  login.organization) for login in result.logins]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row[:3], widths)) + "  " + row[3])
