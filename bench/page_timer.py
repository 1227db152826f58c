"""Time staff pages on an existing bench database, with the code of any checkout.

    .venv/bin/python bench/page_timer.py --code-root /tmp/baseline --user large-advocate@bench.example

Imports the product from --code-root (default: this checkout), so bench/scale.py can time today's
code and a baseline commit's (a git worktree) against the same database in the same run. It needs
nothing from bench/ but this file, so it runs against any commit whose pages exist. Prints one
JSON object: per page, the p50/p95 of the timed requests and the query count of one more request.
The case page is the user's newest visible family's.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--code-root", default=str(Path(__file__).resolve().parent.parent))
parser.add_argument("--user", action="append", required=True, help="email of a user to sign in as (repeatable)")
parser.add_argument("--pages", default="dashboard,case page", help="dashboard, case list, case page")
parser.add_argument("--requests", type=int, default=50)
parser.add_argument("--warmup", type=int, default=10)
args = parser.parse_args()

sys.path.insert(0, args.code_root)
os.chdir(args.code_root)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DEBUG", "False")
os.environ.setdefault("CONN_MAX_AGE", "600")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
if "DATABASE_URL" not in os.environ or "bench" not in os.environ["DATABASE_URL"]:
    raise SystemExit("Set DATABASE_URL to the bench database (its name contains 'bench').")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from cases.selectors import visible_cases  # noqa: E402


def sign_in(client: Client, user: User) -> None:
    """Both factors, as staff must (bench.sign_in; repeated here so this file needs nothing else)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = (TOTPDevice.objects.filter(user=user, confirmed=True).first()
              or TOTPDevice.objects.create(user=user, name="Bench authenticator", confirmed=True))
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def urls_for(user: User) -> dict[str, str]:
    newest = visible_cases(user=user).order_by("-pk").values_list("pk", flat=True).first()
    return {"dashboard": "/", "case list": "/cases/", "case page": f"/cases/{newest}/"}


def main() -> None:
    out: dict[str, dict] = {}
    wanted = args.pages.split(",")
    for email in args.user:
        user = User.objects.get(email=email)
        client = Client()
        sign_in(client, user)
        for page, url in urls_for(user).items():
            if page not in wanted:
                continue
            for _ in range(args.warmup):
                response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"GET {url} as {email}: {response.status_code}")
            gc.collect()
            gc.freeze()  # as config/wsgi.py does after loading the application
            times = []
            for _ in range(args.requests):
                t0 = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            out[f"{email} {page}"] = {"p50": statistics.median(times), "p95": percentile(times, 95),
                                     "queries": len(ctx.captured_queries), "load": os.getloadavg()[0]}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
