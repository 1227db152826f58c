"""Public submissions per second through gunicorn, with PostgreSQL and Redis, on this machine.

Starts gunicorn (production settings) on the bench database, loads the demo seed action's page once
for a CSRF token, then drives POST /act/<slug>/ with wrk: every request is a new supporter (a new
email) in Calexico (92231), so each one upserts a submission, inserts its letters and enqueues its
delivery task on Redis. No Celery worker runs: the web tier is what is measured (the queue is
purged afterwards). Prints wrk's figures and checks them against the database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_advocacy .venv/bin/python bench/submissions.py

All requests come from 127.0.0.1, so the per-IP limit is raised for the run (the limit is still
counted in Redis on every request: its cost is in the figures).
"""
import argparse
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG = "tell-congress-reunite-families"
LOCAL_FIELD_KEY = "3q2-7UZ4V6fJQfU3ZfQ6oUoq7Tx8I7wqg2O8a0o9XbY="  # config/settings/local.py's development key

LUA = r"""
local n_threads = 0
function setup(thread)
  n_threads = n_threads + 1
  thread:set("tid", n_threads)
end
function init(args)
  counter = 0
end
function request()
  counter = counter + 1
  local body = "csrfmiddlewaretoken=" .. TOKEN .. "&prefix=Ms.&first_name=Bench&last_name=Supporter"
    .. "&email=bench-" .. RUN .. "-" .. tid .. "-" .. counter .. "%40example.org"
    .. "&street=12+Orange+Ave&city=Calexico&state=CA&zip_code=92231&note=Reunite+them."
  return wrk.format("POST", PATH, HEADERS, body)
end
"""


def env_for(args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(50),
        # The demo was loaded with the local settings' key (make run's), and the seed action's page
        # now reads encrypted fields (its stories' names): the server needs the same key.
        "FIELD_ENCRYPTION_KEYS": os.environ.get("FIELD_ENCRYPTION_KEYS", LOCAL_FIELD_KEY),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": "600",
        "CACHE_URL": args.cache_url,
        "CELERY_BROKER_URL": args.broker_url,
        "SUBMISSION_RATE_PER_IP": "100000000/h",
        "LOG_LEVEL": "WARNING",
    }


def start_gunicorn(args: argparse.Namespace, env: dict[str, str]) -> subprocess.Popen:
    # Production serves hashed static files from the manifest collectstatic writes.
    subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT,
                   env=env, check=True)
    cmd = [str(ROOT / ".venv/bin/gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{args.port}", "-w", str(args.workers),
           "--worker-class", args.worker_class, "--threads", str(args.threads), "--log-level", "warning",
           "--access-logfile", "-" if args.access_log else "/dev/null"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/act/{SLUG}/", timeout=2)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def csrf(args: argparse.Namespace) -> tuple[str, str]:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"http://127.0.0.1:{args.port}/act/{SLUG}/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    cookie = next(c.value for c in jar if c.name == "csrftoken")
    return cookie, token


def run_wrk(args: argparse.Namespace, cookie: str, token: str, run: str) -> str:
    headers = ('{["Content-Type"] = "application/x-www-form-urlencoded", '
               f'["Cookie"] = "csrftoken={cookie}"}}')
    script = (f'TOKEN = "{token}"\nRUN = "{run}"\nPATH = "/act/{SLUG}/"\nHEADERS = {headers}\n' + LUA)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(script)
    out = subprocess.run(["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{args.duration}s",
                          "--latency", "-s", fh.name, f"http://127.0.0.1:{args.port}"],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(fh.name)
    return out


def count_submissions(run: str) -> tuple[int, int]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from advocacy.models import Letter, Submission

    subs = Submission.objects.filter(email__startswith=f"bench-{run}-")
    return subs.count(), Letter.objects.filter(submission__in=subs).count()


def purge(broker_url: str) -> None:
    import redis

    redis.Redis.from_url(broker_url).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (3 measured best here)")
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=16, help="wrk open connections")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--duration", type=int, default=30, help="seconds")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of load before the measured run")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--access-log", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="measured runs (the machine is shared: report them all)")
    args = parser.parse_args()

    env = env_for(args)
    purge(args.broker_url)
    gunicorn = start_gunicorn(args, env)
    rows = []
    try:
        cookie, token = csrf(args)
        if args.warmup:
            warm = argparse.Namespace(**{**vars(args), "duration": args.warmup})
            run_wrk(warm, cookie, token, f"warm{time.time_ns()}")
        for _ in range(args.repeat):
            run = str(time.time_ns())
            report = run_wrk(args, cookie, token, run)
            rows.append((run, report))
            purge(args.broker_url)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
        purge(args.broker_url)
    print(f"gunicorn: {args.workers} x {args.worker_class} (threads {args.threads}); wrk: {args.connections} "
          f"connections, {args.wrk_threads} thread(s), {args.duration} s per run")
    print("| run | requests/s | p50 ms | p90 ms | p99 ms | requests | submissions stored | non-2xx/3xx |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    rates = []
    for n, (run, report) in enumerate(rows, 1):
        rate = float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1))
        rates.append(rate)
        pct = {p: re.search(rf"\s{p}%\s+([\d.]+)(ms|s)", report) for p in (50, 90, 99)}
        ms = {p: float(m.group(1)) * (1000 if m.group(2) == "s" else 1) for p, m in pct.items()}
        sent = int(re.search(r"(\d+) requests in", report).group(1))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", report)
        subs, _letters = count_submissions(run)
        print(f"| {n} | {rate:.0f} | {ms[50]:.1f} | {ms[90]:.1f} | {ms[99]:.1f} | {sent} | {subs} "
              f"| {errors.group(1) if errors else 0} |")
    rates.sort()
    print(f"median {rates[len(rates) // 2]:.0f} requests/s (min {rates[0]:.0f}, max {rates[-1]:.0f})")


if __name__ == "__main__":
    main()
