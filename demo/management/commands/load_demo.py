"""`python manage.py load_demo`: the fictional demo data set - organisations, users and families
(demo.families), and the advocacy actions built on them (demo.campaigns), dated from today. Safe
to run again: a loaded demo is left as it is."""
from typing import Any

from django.core.management.base import BaseCommand

from demo import load
from demo.campaigns import HOLIDAY_SLUG, SEED_SLUG
from demo.families import LEGAL, demo_logins


class Command(BaseCommand):
    help = "Load the fictional demo organisations, users, families and actions (skipped when already loaded)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load()
        if result.families_created or result.campaigns_created:
            self.stdout.write(self.style.SUCCESS(
                f"Demo data loaded: {result.cases} families in {LEGAL.name}; 2 advocacy actions."))
        else:
            self.stdout.write(f"Demo data already present ({LEGAL.name}); nothing created.")
        rows = [("role", "email", "password", "authenticator secret (TOTP)", "organisation")]
        rows += [(login.role + (" (staff: /admin/)" if login.staff else ""), login.email, login.password,
                  login.totp_secret, login.organization) for login in demo_logins()]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row[:4], widths)) + "  " + row[4])
        self.stdout.write("Second factor: add a secret to any authenticator app, or read the current code on the "
                          "two-factor page of this development server (demo logins only).")
        self.stdout.write("Public action pages (no login): "
                          f"http://127.0.0.1:8000/act/{SEED_SLUG}/  http://127.0.0.1:8000/act/{HOLIDAY_SLUG}/")
