"""The case list and the staff pages at 10,000, 100,000 and 1,000,000 cases, in one run.

    make bench-scale                      # = bash bench/run_scale.sh; 20-30 minutes on 2 cores
    bash bench/run_scale.sh --sizes 10000,100000 --requests 50

It WIPES the database it is given. It builds the first size with bench/generate.py (through the
product's permission functions, and every case the measured users will ever see), then grows the
same database to each next size with bench/grow.py (set-based SQL), timing each step. At each size:

- GET /api/v1/cases/ page 1 and 2 for the case-list benchmark's users, with the shipped selector and
  stock guardian's get_objects_for_user as the anchor, measured in the same rounds (bench/case_list.py);
- the dashboard and the family page for the large organisation's advocate (and the small one's),
  with today's code and with a baseline commit's (a git worktree, same database, alternating rounds:
  bench/page_timer.py).

Then it measures the case list again on a copy of the first size's database (taken as soon as it was
built) and on the largest size, in alternating rounds: the size ratio taken in one stretch of time,
which the machine's drift over the run cannot spoil.

It prints each table with the ratios (p95 at each size over p95 at the first, per size and in the
alternating rounds; today's p50 over the baseline's) and the load average, and writes
bench/results/scale.md.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import configure  # noqa: E402

configure("bench_scale")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench import case_list, generate, grow  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PAGE_USERS = ("large", "small")


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k"


def time_pages(codes: dict[str, Path], users: list[str], args: argparse.Namespace) -> dict[str, dict]:
    """Alternate rounds of today's code and the baseline's; each row keeps the median of the rounds."""
    runs: dict[str, list[dict]] = {name: [] for name in codes}
    for _ in range(args.page_rounds):
        for name, root in codes.items():
            cmd = [sys.executable, str(ROOT / "bench" / "page_timer.py"), "--code-root", str(root),
                   "--requests", str(args.page_requests)] + [a for u in users for a in ("--user", u)]
            done = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
            if done.returncode != 0:
                raise SystemExit(f"page_timer ({name}) failed:\n{done.stderr[-2000:]}")
            runs[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
    out = {}
    for name, rounds in runs.items():
        out[name] = {key: {"p50": statistics.median(r[key]["p50"] for r in rounds),
                           "p95": statistics.median(r[key]["p95"] for r in rounds),
                           "queries": rounds[-1][key]["queries"],
                           "load": statistics.median(r[key]["load"] for r in rounds)}
                     for key in rounds[0]}
    return out


def pages_table(rows: list[tuple[str, dict[str, dict]]], baseline: str) -> str:
    names = list(rows[0][1])
    head = "| cases | user, page | " + " | ".join(f"{n} p50 / p95 ms (queries)" for n in names)
    head += " | today / baseline p50 | load |" if len(names) > 1 else " | load |"
    out = [head, "|" + "---|" * (3 + len(names) + (len(names) > 1))]
    for size, result in rows:
        for key in result[names[0]]:
            cells = [f"{result[n][key]['p50']:.1f} / {result[n][key]['p95']:.1f} ({result[n][key]['queries']})"
                     for n in names]
            ratio = ""
            if len(names) > 1:
                ratio = f" | {result['current'][key]['p50'] / result[names[0]][key]['p50']:.2f}"
            who = key.replace("-advocate@bench.example", " advocate")
            out.append(f"| {size} | {who} | " + " | ".join(cells) + ratio
                       + f" | {result['current'][key]['load']:.2f} |")
    return "\n".join(out)


def admin_sql(statement: str) -> None:
    """Run one statement on the server's maintenance database (CREATE/DROP DATABASE cannot run in the
    database they copy or drop, nor inside a transaction)."""
    import psycopg2

    db = connection.settings_dict
    conn = psycopg2.connect(dbname="postgres", user=db["USER"] or "postgres", host=db["HOST"] or None,
                            port=db["PORT"] or None, password=db["PASSWORD"] or None)
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
    finally:
        conn.close()


def snapshot(source: str, copy: str) -> None:
    """Copy the first size's database, so that it can be measured again beside the largest size.
    CREATE DATABASE ... TEMPLATE needs the source to have no other session (autovacuum's included)."""
    connection.close()
    admin_sql(f'DROP DATABASE IF EXISTS "{copy}"')
    admin_sql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{source}' "
              "AND pid <> pg_backend_pid()")
    admin_sql(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')


def database_url(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def same_run(dbs: dict[str, str], args: argparse.Namespace) -> list[dict]:
    """The case list on the first size's copy and on the largest size, in alternating rounds (a fresh
    process each), every request pooled per cell: the p95 ratio of two sizes measured in one stretch
    of time, so that the machine's load moves both figures alike."""
    times: dict[tuple, dict] = {}
    loads = []
    for _ in range(args.same_run_rounds):
        for size, name in dbs.items():
            cmd = [sys.executable, str(ROOT / "bench" / "case_list.py"), "--measure-only", "--variants", "current",
                   "--requests", str(args.same_run_requests), "--warmup", str(args.warmup)]
            loads.append(os.getloadavg()[0])
            done = subprocess.run(cmd, capture_output=True, text=True,
                                  env={**os.environ, "DATABASE_URL": database_url(name)})
            if done.returncode != 0:
                raise SystemExit(f"case_list --measure-only ({size}) failed:\n{done.stderr[-2000:]}")
            for cell in json.loads(done.stdout.strip().splitlines()[-1]):
                key = (size, cell["variant"], cell["user"], cell["page"])
                times.setdefault(key, {**cell, "size": size, "times": []})["times"] += cell["times"]
    rows = []
    for (size, variant, who, page), cell in times.items():
        t = cell["times"]
        rows.append({"size": size, "variant": variant, "user": who, "visible": cell["visible"], "page": page,
                     "p50": statistics.median(t), "p95": case_list.percentile(t, 95), "p95_nogc": float("nan"),
                     "gc": 0, "db": float("nan"), "queries": 0, "rows": 0, "plan": "", "n": len(t)})
    rows.sort(key=lambda r: (list(dbs).index(r["size"]), r["user"], r["page"]))
    print(f"  load average {min(loads):.2f}-{max(loads):.2f} during the alternating rounds", flush=True)
    args.same_run_load = (min(loads), max(loads))
    return rows


def same_run_table(rows: list[dict], small: str, large: str) -> str:
    out = [f"| user | page | p50 {small} | p95 {small} | p50 {large} | p95 {large} | p95 {large} / p95 {small} "
           "<= 1.3 | requests each |", "|---|---:|---:|---:|---:|---:|---|---:|"]
    for r in rows:
        if r["size"] != large:
            continue
        base = next(b for b in rows if b["size"] == small and b["user"] == r["user"] and b["page"] == r["page"])
        if base["visible"] != r["visible"]:
            ratio = f"n/a: sees {base['visible']} at {small}, {r['visible']} at {large}"
        else:
            q = r["p95"] / base["p95"]
            ratio = f"{'yes' if q <= 1.3 else 'NO'} ({q:.2f})"
        out.append(f"| {r['user']} | {r['page']} | {base['p50']:.1f} | {base['p95']:.1f} | {r['p50']:.1f} | "
                   f"{r['p95']:.1f} | {ratio} | {r['n']} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--requests", type=int, default=100, help="timed case-list requests per row and size")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--capture", type=int, default=10)
    parser.add_argument("--variants", default="current,guardian")
    parser.add_argument("--page-requests", type=int, default=40, help="timed page requests per round")
    parser.add_argument("--page-rounds", type=int, default=2)
    parser.add_argument("--baseline", default="98e79b3",
                        help="commit whose pages are the anchor ('' for none); default: before issue 14")
    parser.add_argument("--same-run-rounds", type=int, default=4,
                        help="alternating rounds of the first size's copy and the largest size (0: none)")
    parser.add_argument("--same-run-requests", type=int, default=50, help="timed requests per cell and round")
    parser.add_argument("--keep-copy", action="store_true", help="keep the first size's copy afterwards")
    parser.add_argument("--tag", default="")
    args = parser.parse_args()
    args.gc_freeze, args.explain = True, True
    sizes = [int(s) for s in args.sizes.split(",")]
    variants = args.variants.split(",")

    db = connection.settings_dict
    if connection.vendor != "postgresql" or "bench" not in db["NAME"]:
        raise SystemExit(f"Refusing to run on {connection.vendor} database {db['NAME']!r}: it is wiped.")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    print(f"PostgreSQL {pg}, {os.cpu_count()} cores, database {db['NAME']}, "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a stopped run still removes its worktree
    tmp = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    codes = {"current": ROOT}
    if args.baseline:
        base = tmp / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", "-f", str(base), args.baseline], cwd=ROOT, check=True,
                       capture_output=True)
        codes = {f"baseline {args.baseline}": base, "current": ROOT}

    copy = f"{db['NAME']}_first"
    world = generate.build_world()
    emails = [world.measured[u].email for u in PAGE_USERS]
    generation: list[str] = []
    list_rows: list[dict] = []
    page_rows: list[tuple[str, dict]] = []
    explains: list[str] = []
    try:
        for i, n in enumerate(sizes):
            t0 = time.perf_counter()
            if i == 0:
                print(f"Building {n:,} cases through the product's permission functions (bench/generate.py) ...",
                      flush=True)
                generate.add_cases(world, n, first=True, log=lambda _: None)
                how = "bench/generate.py"
            else:
                print(f"Growing to {n:,} cases in SQL (bench/grow.py) ...", flush=True)
                grow.grow(world, n - world.case_count, log=lambda m: print(m, flush=True))
                how = "bench/grow.py"
            built = time.perf_counter() - t0
            t1 = time.perf_counter()
            generate.vacuum_analyze()
            line = (f"{label(n)}: {n - (sizes[i - 1] if i else 0):,} cases added in {built:.0f} s ({how}), "
                    f"VACUUM ANALYZE {time.perf_counter() - t1:.0f} s; tables {generate.table_sizes()}")
            generation.append(line)
            print(line, flush=True)
            if i == 0 and args.same_run_rounds and len(sizes) > 1:
                t2 = time.perf_counter()
                snapshot(db["NAME"], copy)
                print(f"{label(n)} copied to {copy} in {time.perf_counter() - t2:.0f} s (measured again at the end)",
                      flush=True)
            print(f"Case list at {label(n)} ...", flush=True)
            list_rows += case_list.run_size(label(n), world, variants, args, explains)
            print(f"Pages at {label(n)} ...", flush=True)
            page_rows.append((label(n), time_pages(codes, emails, args)))
            print(pages_table(page_rows[-1:], args.baseline), flush=True)
        same: list[dict] = []
        if args.same_run_rounds and len(sizes) > 1:
            print(f"Case list at {label(sizes[0])} (the copy) and {label(sizes[-1])}, {args.same_run_rounds} "
                  f"alternating rounds of {args.same_run_requests} requests per cell ...", flush=True)
            connection.close()
            same = same_run({label(sizes[0]): copy, label(sizes[-1]): db["NAME"]}, args)
    finally:
        if args.same_run_rounds and len(sizes) > 1 and not args.keep_copy:
            connection.close()
            admin_sql(f'DROP DATABASE IF EXISTS "{copy}"')
        if args.baseline:
            subprocess.run(["git", "worktree", "remove", "--force", str(tmp / "baseline")], cwd=ROOT,
                           capture_output=True)

    first = label(sizes[0])
    verdicts = [case_list.verdict(list_rows, first, label(n)) for n in sizes[1:]]
    report = "\n\n".join([
        f"PostgreSQL {pg}; {os.cpu_count()} cores; {args.requests} timed case-list requests per row after "
        f"{args.warmup} warm-up; pages: {args.page_rounds} alternating rounds of {args.page_requests} requests, "
        "median of the rounds; gc.freeze() after warm-up.",
        "Generation:\n" + "\n".join(f"- {g}" for g in generation),
        "Case list (GET /api/v1/cases/):\n\n" + case_list.table(list_rows),
        *verdicts,
        *([f"The same, measured again in one stretch of time (load {args.same_run_load[0]:.2f}-"
           f"{args.same_run_load[1]:.2f}): {args.same_run_rounds} alternating rounds, each a fresh process "
           f"timing {args.same_run_requests} requests per cell after {args.warmup} warm-up, the {first} figures "
           f"on a copy of the database taken when it held {first}, every request pooled:\n\n"
           + same_run_table(same, first, label(sizes[-1]))] if same else []),
        "Staff pages (today's code beside the baseline commit's, same database, same run):\n\n"
        + pages_table(page_rows, args.baseline),
        case_list.plans(list_rows),
        f"Total run time {time.perf_counter() - started:.0f} s.",
    ])
    RESULTS.mkdir(exist_ok=True)
    stem = "scale" + (f"-{args.tag}" if args.tag else "")
    (RESULTS / f"{stem}.md").write_text(report + "\n")
    (RESULTS / f"{stem}_explain.txt").write_text("\n".join(explains))
    print("\n" + report)
    print(f"\nWritten: bench/results/{stem}.md, bench/results/{stem}_explain.txt")


if __name__ == "__main__":
    main()
