"""Permission-filtered case list benchmark: GET /api/v1/cases/ at 10,000 and 100,000 cases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_cases .venv/bin/python bench/case_list.py

It WIPES the database it is given (flush), builds 10,000 cases, measures, grows to 100,000 in
the same database, measures again, and prints p50/p95 latency and the query count of the first
page and of the second page (the cursor 'next' link) for each measured user, through the real
API stack (django.test.Client, session login, middleware, DRF, serializers). It measures the
selector as it is ("current") and the candidate selectors of bench/selectors_alt.py, which it
swaps in for cases_with_perm in this process only. EXPLAIN ANALYZE of the page queries goes to
bench/results/. See bench/README.md.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import configure  # noqa: E402

configure("bench_cases")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

import cases.selectors as selectors  # noqa: E402
from accounts.models import User  # noqa: E402
from bench import generate, sign_in  # noqa: E402
from bench.selectors_alt import CASE_LISTS, VARIANTS  # noqa: E402
from cases.models import Case  # noqa: E402
from cases.permissions import cases_with_perm  # noqa: E402

URL = "/api/v1/cases/"
RESULTS = ROOT / "bench" / "results"
# "current" is cases_with_perm as cases/permissions.py has it when the run starts; "guardian" is
# the baseline it replaced (guardian's OR of two IN-subqueries), kept in bench/selectors_alt.py.
ALL_VARIANTS: dict[str, Callable] = {"current": cases_with_perm, **VARIANTS}
# The product's selector next to guardian's own get_objects_for_user, for the comparison.
DEFAULT_VARIANTS = "current,guardian"


@contextmanager
def selector(name: str):  # noqa: ANN201
    """Swap the permission filter the case selectors use (this process only)."""
    original, original_list = selectors.cases_with_perm, selectors.case_list
    selectors.cases_with_perm = ALL_VARIANTS[name]
    selectors.case_list = CASE_LISTS.get(name, original_list)
    try:
        yield
    finally:
        selectors.cases_with_perm, selectors.case_list = original, original_list


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def relative(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def get(client: Client, url: str) -> dict:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
    return response.json()


class QueryTimer:
    """connection.execute_wrapper that records each query, its parameters and its duration."""

    def __init__(self) -> None:
        self.queries: list[tuple[str, tuple, float]] = []

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001, ANN204
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, (time.perf_counter() - t0) * 1000))


@dataclass
class Cell:
    """One row of the table: a selector, a user, a page."""

    variant: str
    who: str
    client: Client
    visible: int
    page: str
    url: str
    times: list[float] = field(default_factory=list)
    full_gc: list[bool] = field(default_factory=list)  # a generation-2 collection ran during the request
    db_ms: list[float] = field(default_factory=list)
    queries: int = 0
    rows: int = 0
    page_sql: tuple[str, tuple] = ("", ())
    plan: str = ""

    def request(self) -> dict:
        with selector(self.variant):
            return get(self.client, self.url)


def measured_users(fixed: dict[str, User]) -> dict[str, User]:
    """The three fixed users, and "dense": an advocate of the organisation with the most cases
    now (informational: what they see grows with the table, so no 10k/100k ratio for them)."""
    biggest = Case.objects.values("organization").annotate(n=Count("id")).order_by("-n")[0]["organization"]
    dense = User.objects.filter(memberships__organization_id=biggest, memberships__role="advocate").order_by("pk")[0]
    return {**fixed, "dense": dense}


def make_cells(fixed: dict[str, User], variants: list[str]) -> list[Cell]:
    cells = []
    for who, user in measured_users(fixed).items():
        client = Client()
        sign_in(client, user)
        for variant in variants:
            with selector(variant):
                visible = selectors.visible_cases(user=user).count()
            first = Cell(variant, who, client, visible, "1", URL)
            next_url = first.request()["next"]
            cells.append(first)
            if next_url:
                cells.append(Cell(variant, who, client, visible, "2", relative(next_url)))
    return cells


def measure(cells: list[Cell], requests: int, warmup: int, capture: int, freeze: bool = False) -> None:
    """Rounds of one request per cell, so that a burst of load from elsewhere on the machine
    spreads over every cell instead of spoiling one. Each round visits the cells in a new
    (seeded) order: CPython's full collections come every dozen requests or so, and a fixed
    order would land them on the same few cells every time."""
    rng = random.Random(1)
    for _ in range(warmup):
        for cell in cells:
            cell.request()
    if freeze:
        gc.collect()
        gc.freeze()
    full_gc = [False]

    def watch(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            full_gc[0] = True

    gc.callbacks.append(watch)
    try:
        for _ in range(requests):
            for cell in rng.sample(cells, len(cells)):
                full_gc[0] = False
                t0 = time.perf_counter()
                cell.request()
                cell.times.append((time.perf_counter() - t0) * 1000)
                cell.full_gc.append(full_gc[0])
    finally:
        gc.callbacks.remove(watch)
    # Query count and time spent waiting for PostgreSQL, on separate requests (timing has a cost).
    for _ in range(capture):
        for cell in cells:
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                body = cell.request()
            cell.db_ms.append(sum(ms for _, _, ms in timer.queries))
            cell.queries, cell.rows = len(timer.queries), len(body["results"])
            cell.page_sql = next((sql, params) for sql, params, _ in timer.queries
                                 if 'FROM "cases_case"' in sql and "LIMIT" in sql)


def explain(sql: str, params: tuple) -> tuple[str, str]:
    """The plan of the page query as the API ran it, and that query with its parameters inlined."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        return plan, cursor.mogrify(sql, params).decode()


def plan_summary(plan: str) -> str:
    """The facts worth a line: how the plan reaches cases_case, how many of its rows it read, the time."""
    lines = plan.splitlines()
    read, shape = 0, "?"
    for i, line in enumerate(lines):
        match = re.search(r"Scan.* on cases_case +\(cost.*actual time=\S+ rows=(\d+) loops=(\d+)", line)
        if not match:
            continue
        read += int(match[1]) * int(match[2])
        detail = lines[i + 1:i + 4]
        read += sum(int(d.split(":")[1]) for d in detail if "Rows Removed by Filter" in d)
        if any("= ANY" in d for d in detail):
            shape = "primary-key lookups of the caller's ids (= ANY), " + (
                "then top-N sort" if "Sort Key" in plan else "in id order, stopping at the end of the page")
        elif any("hashed SubPlan" in d for d in detail):
            shape = "primary key walked backwards, hashed permission subplans as filter"
        elif "Index Scan Backward" in line:
            shape = "primary key walked backwards, semi-join (merge or hash) against the permission ids"
        else:
            shape = "semi-join from the permission rows, then top-N sort"
    total = next(line.split(":")[1].strip() for line in lines if line.startswith("Execution Time"))
    return f"{shape}; cases_case rows read: {read:,}; execution {total}"


def visible_ids(user: User, variant: str) -> set[int]:
    with selector(variant):
        return set(selectors.visible_cases(user=user).values_list("pk", flat=True))


def check_variants_agree(users: list[User], variants: list[str]) -> None:
    """Every variant must show each user exactly the cases the current selector shows them."""
    for user in users:
        expected = visible_ids(user, "current")
        for name in variants:
            if visible_ids(user, name) != expected:
                raise SystemExit(f"variant {name} disagrees with the current selector for {user.email}")


def run_size(label: str, world: generate.World, variants: list[str], args: argparse.Namespace,
             explains: list[str]) -> list[dict]:
    sample = list(User.objects.filter(email__endswith="@bench.example").order_by("?")[:40])
    check_variants_agree([*world.measured.values(), *sample], variants)
    cells = make_cells(world.measured, variants)
    load = os.getloadavg()[0]
    measure(cells, args.requests, args.warmup, args.capture, args.gc_freeze)
    rows = []
    for c in cells:
        if args.explain:
            plan, sql = explain(*c.page_sql)
            explains.append(f"=== {label} cases, {c.variant}, {c.who} (sees {c.visible}), page {c.page}\n"
                            f"{sql}\n\n{plan}\n")
            c.plan = plan_summary(plan)
        quiet = [t for t, hit in zip(c.times, c.full_gc) if not hit]
        row = {"size": label, "variant": c.variant, "user": c.who, "visible": c.visible, "page": c.page,
               "p50": statistics.median(c.times), "p95": percentile(c.times, 95),
               "p95_nogc": percentile(quiet, 95), "gc": sum(c.full_gc),
               "db": statistics.median(c.db_ms), "queries": c.queries, "rows": c.rows, "plan": c.plan}
        rows.append(row)
        print(f"  {label:>5} {c.variant:<15} {c.who:<9} sees {c.visible:<5} page {c.page}: p50 {row['p50']:6.1f} ms"
              f"  p95 {row['p95']:6.1f} ms (without full GC {row['p95_nogc']:6.1f}, {row['gc']} GC)"
              f"  db {row['db']:5.1f} ms  {c.queries} queries  {c.rows} rows", flush=True)
    print(f"  load average {load:.2f} before, {os.getloadavg()[0]:.2f} after (2 cores)", flush=True)
    return rows


def table(rows: list[dict]) -> str:
    out = ["| cases | selector | user (sees) | page | p50 ms | p95 ms | p95 ms without full-GC requests "
           "(how many had one) | db ms (p50) | queries |",
           "|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['size']} | {r['variant']} | {r['user']} ({r['visible']}) | {r['page']} | "
                   f"{r['p50']:.1f} | {r['p95']:.1f} | {r['p95_nogc']:.1f} ({r['gc']}) | {r['db']:.1f} | {r['queries']} |")
    return "\n".join(out)


def verdict(rows: list[dict], small: str, large: str) -> str:
    out = [f"| selector | user | page | p95 at {large} <= 50 ms | p95 {large} / p95 {small} <= 1.3 "
           "| same two, without full-GC requests |",
           "|---|---|---:|---|---|---|"]
    for r in rows:
        if r["size"] != large:
            continue
        base = next(b for b in rows if b["size"] == small and b["variant"] == r["variant"]
                    and b["user"] == r["user"] and b["page"] == r["page"])
        if base["visible"] != r["visible"]:
            out.append(f"| {r['variant']} | {r['user']} | {r['page']} | {'yes' if r['p95'] <= 50 else 'NO'} "
                       f"({r['p95']:.1f}) | n/a: sees {base['visible']} at {small}, {r['visible']} at {large} "
                       f"| {'yes' if r['p95_nogc'] <= 50 else 'NO'} ({r['p95_nogc']:.1f}) |")
            continue
        ratio, quiet = r["p95"] / base["p95"], r["p95_nogc"] / base["p95_nogc"]
        out.append(f"| {r['variant']} | {r['user']} | {r['page']} | {'yes' if r['p95'] <= 50 else 'NO'} "
                   f"({r['p95']:.1f}) | {'yes' if ratio <= 1.3 else 'NO'} ({ratio:.2f}) "
                   f"| {'yes' if r['p95_nogc'] <= 50 else 'NO'} ({r['p95_nogc']:.1f}), "
                   f"{'yes' if quiet <= 1.3 else 'NO'} ({quiet:.2f}) |")
    return "\n".join(out)


def plans(rows: list[dict]) -> str:
    return "\n".join(f"- {r['size']} {r['variant']} {r['user']} page {r['page']}: {r['plan']}"
                     for r in rows if r["plan"])


def measure_only(args: argparse.Namespace) -> None:
    """Time the case list on the database as it stands (no flush, no generation) and print one line
    of JSON: each cell's request times. bench/scale.py runs this in alternating rounds against the
    first size's copy and the largest size, so that their ratio is measured in one stretch of time."""
    fixed = {who: User.objects.get(email=email) for who, email in generate.MEASURED_EMAILS.items()}
    cells = make_cells(fixed, args.variants.split(","))
    measure(cells, args.requests, args.warmup, 0, args.gc_freeze)
    print(json.dumps([{"variant": c.variant, "user": c.who, "visible": c.visible, "page": c.page,
                       "times": c.times} for c in cells]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--measure-only", action="store_true",
                        help="time the database as it is and print JSON (for bench/scale.py)")
    parser.add_argument("--small", type=int, default=10_000, help="cases in the first measurement")
    parser.add_argument("--large", type=int, default=100_000, help="cases in the second measurement")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per user, page and size")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--capture", type=int, default=20, help="requests per row whose queries are captured")
    parser.add_argument("--variants", default=DEFAULT_VARIANTS, help=f"any of {','.join(ALL_VARIANTS)}")
    parser.add_argument("--no-explain", dest="explain", action="store_false")
    parser.add_argument("--tag", default="", help="suffix of the result files, e.g. gc50000")
    parser.add_argument("--gc-freeze", action=argparse.BooleanOptionalAction, default=True,
                        help="gc.freeze() after the warm-up, as config/wsgi.py does after loading the application")
    parser.add_argument("--gc-threshold", type=int, default=0,
                        help="gc.set_threshold(N, 10, 10) while measuring (CPython's default is 700)")
    args = parser.parse_args()
    variants = args.variants.split(",")
    if args.measure_only:
        measure_only(args)
        return

    db = connection.settings_dict
    if connection.vendor != "postgresql" or "bench" not in db["NAME"]:
        raise SystemExit(f"Refusing to run on {connection.vendor} database {db['NAME']!r}: it is wiped. "
                         "Point DATABASE_URL at a PostgreSQL database whose name contains 'bench'.")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if Case.objects.exists() or User.objects.exists():
        print(f"Flushing {db['NAME']} ...", flush=True)
        call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    print(f"PostgreSQL {pg}, {os.cpu_count()} cores, database {db['NAME']}", flush=True)

    if args.gc_threshold:
        gc.set_threshold(args.gc_threshold, 10, 10)
    world = generate.build_world()
    explains: list[str] = []
    rows: list[dict] = []
    small, large = f"{args.small // 1000}k", f"{args.large // 1000}k"
    for label, n, first in ((small, args.small, True), (large, args.large - args.small, False)):
        t0 = time.perf_counter()
        print(f"Generating {n:,} cases ...", flush=True)
        generate.add_cases(world, n, first=first, log=lambda m: print(m, flush=True))
        generate.vacuum_analyze()
        print(f"  done in {time.perf_counter() - t0:.0f} s: {generate.table_sizes()}", flush=True)
        print(f"Measuring at {label} ({args.requests} requests after {args.warmup} warm-up per row) ...", flush=True)
        rows += run_size(label, world, variants, args, explains)

    RESULTS.mkdir(exist_ok=True)
    report = "\n\n".join([
        f"PostgreSQL {pg}; {os.cpu_count()} cores; {args.requests} timed requests per row after {args.warmup} warm-up; "
        f"gc thresholds {gc.get_threshold()}{', gc.freeze() after warm-up' if args.gc_freeze else ''}.",
        table(rows), verdict(rows, small, large), plans(rows),
        f"Total run time {time.perf_counter() - started:.0f} s.",
    ])
    stem = "case_list" + (f"-{args.tag}" if args.tag else "")
    written = [RESULTS / f"{stem}.md"]
    written[0].write_text(report + "\n")
    if explains:
        written.append(RESULTS / f"{stem}_explain.txt")
        written[1].write_text("\n".join(explains))
    print("\n" + report)
    print("\nWritten: " + ", ".join(str(p.relative_to(ROOT)) for p in written))


if __name__ == "__main__":
    main()
