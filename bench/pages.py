"""Staff pages benchmark: the dashboard, the case list (plain, filtered, searched) and a case page,
through the whole Django stack (session, middleware, templates), at 10,000 and 100,000 cases.

    bash bench/run_pages.sh                 # drops and rebuilds postgres://.../bench_pages
    bash bench/run_pages.sh --requests 50

It WIPES the database it is given, builds the cases with bench/generate.py (the case-list
benchmark's world: 200 organisations, skewed sizes, shares and assignments), measures, grows the
same database tenfold, and measures again. It prints p50/p95 latency and the query count per page
for an advocate of a large organisation ("large"), of a small one ("small"), and an assigned
volunteer. Figures and their reading: docs/performance.md.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import configure  # noqa: E402

configure("bench_pages")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import generate, sign_in  # noqa: E402
from bench.case_list import percentile  # noqa: E402
from cases.selectors import case_list  # noqa: E402


def pages_for(user) -> dict[str, str]:  # noqa: ANN001
    """The pages a user opens in a day; the case page is of their newest visible family."""
    newest = case_list(user=user).order_by("-pk").values_list("pk", "reference").first()
    pages = {"dashboard": "/", "case list": "/cases/",
             "filtered": "/cases/?custodian_kind=ice_detention&detained_more_than=30",
             "longest detained": "/cases/?sort=detained", "next hearing": "/cases/?sort=hearing",
             "by reference": "/cases/?sort=reference"}
    later = later_page(user)
    if later:
        pages["detained page 2"] = later
    if newest:
        pages["reference filter"] = f"/cases/?reference={newest[1][:6]}"
        pages["case page"] = f"/cases/{newest[0]}/"
    return pages


def later_page(user) -> str | None:  # noqa: ANN001
    """The second page of the longest-detained order, as its "More families" link gives it."""
    from cases.selectors import case_list_page, sorted_page
    page, more = sorted_page(case_list_page(user=user), sort="detained", after=None, size=25)
    return f"/cases/?sort=detained&before={page[-1].pk}" if more else None


def measure(client: Client, url: str, requests: int, warmup: int) -> tuple[float, float, int]:
    for _ in range(warmup):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return percentile(times, 50), percentile(times, 95), len(ctx.captured_queries)


def run(label: str, world: generate.World, requests: int, warmup: int) -> list[tuple]:
    rows = []
    for who, user in world.measured.items():
        client = Client()
        sign_in(client, user)
        for page, url in pages_for(user).items():
            p50, p95, queries = measure(client, url, requests, warmup)
            rows.append((label, who, page, p50, p95, queries))
            print(f"{label:>8}  {who:<10} {page:<18} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {queries:3d} queries",
                  flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100, help="timed requests per user and page")
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()

    call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    world = generate.build_world()
    generate.add_cases(world, args.small, first=True, log=lambda *_: None)
    generate.vacuum_analyze()
    print(f"built {args.small:,} cases in {time.perf_counter() - started:.0f} s", flush=True)
    rows = run(f"{args.small // 1000}k", world, args.requests, args.warmup)
    if args.large > args.small:
        started = time.perf_counter()
        generate.add_cases(world, args.large - args.small, first=False, log=lambda *_: None)
        generate.vacuum_analyze()
        print(f"grew to {args.large:,} cases in {time.perf_counter() - started:.0f} s", flush=True)
        rows += run(f"{args.large // 1000}k", world, args.requests, args.warmup)
    print("\nsize      user       page              p50 ms   p95 ms  queries")
    for label, who, page, p50, p95, queries in rows:
        print(f"{label:<9} {who:<10} {page:<18} {p50:7.1f}  {p95:7.1f}  {queries:5d}")
    print(f"\nmedian p50 over every row: {statistics.median(r[3] for r in rows):.1f} ms")


if __name__ == "__main__":
    main()
