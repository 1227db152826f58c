"""Where a case-list request's time goes, query by query, on the database as it stands.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale .venv/bin/python bench/list_queries.py \
        --user large --page 1 --requests 200

Times GET /api/v1/cases/ for one of the bench's fixed users (django.test.Client, as bench/case_list.py
does) and, inside each request, every query and every commit (a commit is not a query: PostgreSQL
checks deferred foreign keys and flushes the WAL there). Prints the median and p95 of each, the
request's total and the rest (Python). Run it against two databases in turn (e.g. bench/scale.py
--keep-copy leaves the first size's copy as bench_scale_first) to see which part grows with size.
"""
from __future__ import annotations

import argparse
import gc
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import configure  # noqa: E402

configure("bench_scale")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from bench import generate, sign_in  # noqa: E402
from bench.case_list import URL, percentile, relative  # noqa: E402


def shape(sql: str) -> str:
    """A query's kind: its first table and verb, short enough for a table row."""
    verb = sql.split(None, 1)[0].upper()
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql)
    return f"{verb} {table[1] if table else '?'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--user", default="large", choices=list(generate.MEASURED_EMAILS))
    parser.add_argument("--page", default="1", choices=["1", "2"])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args()

    client = Client()
    sign_in(client, User.objects.get(email=generate.MEASURED_EMAILS[args.user]))
    url = URL
    if args.page == "2":
        url = relative(client.get(URL).json()["next"])

    per_request: list[dict[str, float]] = []
    current: dict[str, float] = defaultdict(float)

    def wrapper(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            current[shape(sql)] += (time.perf_counter() - t0) * 1000

    raw_commit = connection._commit

    def timed_commit():  # noqa: ANN202
        t0 = time.perf_counter()
        try:
            return raw_commit()
        finally:
            current["COMMIT"] += (time.perf_counter() - t0) * 1000

    connection._commit = timed_commit
    for _ in range(args.warmup):
        client.get(url)
    gc.collect()
    gc.freeze()
    with connection.execute_wrapper(wrapper):
        for _ in range(args.requests):
            current.clear()
            t0 = time.perf_counter()
            response = client.get(url)
            total = (time.perf_counter() - t0) * 1000
            assert response.status_code == 200, response.status_code
            db = sum(current.values())
            per_request.append({**current, "total": total, "db": db, "python": total - db})

    keys = sorted({k for r in per_request for k in r} - {"total", "db", "python"},
                  key=lambda k: -statistics.median(r.get(k, 0) for r in per_request))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        cases = cursor.fetchone()[0]
    print(f"{connection.settings_dict['NAME']}: {cases:,} cases; {args.user} page {args.page}; "
          f"{args.requests} requests")
    for key in [*keys, "db", "python", "total"]:
        values = [r.get(key, 0) for r in per_request]
        print(f"  {key:<44} p50 {statistics.median(values):7.2f} ms   p95 {percentile(values, 95):7.2f} ms")


if __name__ == "__main__":
    main()
