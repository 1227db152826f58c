"""Letters delivered per second: a real Celery worker on Redis draining a backlog of letters to an
SMTP server on loopback, today's code beside a baseline commit's, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_drain .venv/bin/python bench/drain.py \
        --letters 5000 --rounds 2 --baseline 8f95871

The database (its name must contain "bench") is dropped, migrated and given the demo; N letters by
email (the seed action's supporters, writing to decision makers given fictional addresses) are
made once and reset to "queued" before every run. Each run starts a worker (`-c 2`, prefetch 1: the
settings docs/letters.md recommends for 2 cores) from the code under test, enqueues the action's
pending letters the way that code does (`deliver_action_pending`), and times until every letter is
recorded sent. The SMTP server is a separate process (aiosmtpd) that accepts and counts. The
baseline is run from a git worktree of the given commit with the same database and settings;
rounds alternate baseline and current, and the load average is printed with every figure.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SINK = r"""
import asyncio, sys
from aiosmtpd.controller import Controller
class Sink:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        Sink.count += 1
        return "250 OK"
c = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
import time
while True:
    time.sleep(3600)
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare(letters: int) -> int:
    """The bench world: the demo, every decision maker reachable by email, `letters` letters of the
    seed action. Returns the action's id."""
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from advocacy.models import Action, DecisionMaker, Letter, Submission

    action = Action.objects.filter(status="published").order_by("pk").first()
    targets = list(DecisionMaker.objects.filter(active=True).order_by("pk")[:5])
    for dm in targets:
        DecisionMaker.objects.filter(pk=dm.pk).update(email=f"office{dm.pk}@bench.example", cwc_office_code="")
    per = len(targets)
    rows = Submission.objects.bulk_create([
        Submission(action=action, email=f"b{n}@example.org", email_key=f"b{n}@example.org", prefix="Ms.",
                   first_name=f"Bench{n}", last_name="Supporter", street="12 Orange Ave", city="Calexico",
                   state="CA", zip_code="92231", district=25, referral_code=f"b{n}", letters_made_at=timezone.now())
        for n in range(-(-letters // per))], batch_size=2000)
    Letter.objects.bulk_create([Letter(action=action, submission=row, decision_maker=dm, channel="email")
                                for row in rows for dm in targets][:letters], batch_size=5000)
    return action.pk


def reset(action_id: int) -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("UPDATE advocacy_letter SET status='queued', attempts=0, claimed_at=NULL, claim_token=NULL, "
                    "claim_expires_at=NULL, committed_at=NULL, enqueued_at=NULL, sent_at=NULL, rendered_at=NULL, "
                    "next_attempt_at=NULL, last_error='' WHERE action_id=%s", [action_id])
        cur.execute("DELETE FROM advocacy_notice")
        cur.execute("VACUUM ANALYZE advocacy_letter")


def sent(action_id: int) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM advocacy_letter WHERE action_id=%s AND status='sent'", [action_id])
        return cur.fetchone()[0]


def run(code: Path, env: dict[str, str], action_id: int, letters: int, log: Path) -> float:
    """Seconds for a worker running `code` to send every letter, from the enqueue."""
    import redis

    redis.Redis.from_url(env["CELERY_BROKER_URL"]).flushdb()
    reset(action_id)
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-c", "2", "--prefetch-multiplier", "1",
             "-l", "warning", "--without-mingle", "--without-gossip", "-n", f"drain{time.time_ns()}@%h"],
            cwd=code, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        time.sleep(4)  # the worker's processes start
        # Timed from the moment the enqueue starts (inside the process that enqueues, once Django is up).
        enqueue = ("import time; from advocacy.tasks import deliver_action_pending; print(time.time(), flush=True); "
                   f"deliver_action_pending.delay({action_id})")
        out = subprocess.run([sys.executable, "manage.py", "shell", "-c", enqueue], cwd=code, env=env, check=True,
                             capture_output=True, text=True).stdout
        started = float(out.split()[-1])
        while (n := sent(action_id)) < letters:
            if time.time() - started > 3600:
                raise SystemExit(f"gave up: {n} of {letters} sent; see {log}")
            time.sleep(0.1)
        return time.time() - started
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--baseline", default="8f95871", help="commit whose delivery is the anchor ('' for none)")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    db = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_drain")
    if "bench" not in db.rsplit("/", 1)[-1]:
        raise SystemExit("DATABASE_URL's database name must contain 'bench' (it is dropped)")
    name = db.rsplit("/", 1)[-1]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    os.environ["DATABASE_URL"] = db
    django_setup()
    action_id = prepare(args.letters)

    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdout=subprocess.PIPE)
    assert sink.stdout.readline().strip() == b"ready"
    env = {**os.environ, "DATABASE_URL": db, "DJANGO_SETTINGS_MODULE": "config.settings.local",
           "CELERY_BROKER_URL": args.broker, "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
           "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port), "LOG_LEVEL": "WARNING",
           "LETTER_SWEEP_EVERY_SECONDS": "3600", "DEBUG": "false"}
    tmp = Path(tempfile.mkdtemp(prefix="drain-"))
    codes = {"current": ROOT}
    if args.baseline:
        base = tmp / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", "-f", str(base), args.baseline], cwd=ROOT, check=True,
                       capture_output=True)
        codes = {"baseline " + args.baseline: base, "current": ROOT}
    rates: dict[str, list[float]] = {label: [] for label in codes}
    try:
        for r in range(args.rounds):
            for label, code in codes.items():
                seconds = run(code, env, action_id, args.letters, tmp / f"{label.split()[0]}-{r}.log")
                rates[label].append(args.letters / seconds)
                print(f"round {r + 1} {label:>18}: {args.letters} letters in {seconds:6.1f} s = "
                      f"{args.letters / seconds:6.1f} letters/s   (load average {os.getloadavg()[0]:.2f})", flush=True)
    finally:
        sink.kill()
        if args.baseline:
            subprocess.run(["git", "worktree", "remove", "--force", str(tmp / "baseline")], cwd=ROOT,
                           capture_output=True)
    print()
    for label, values in rates.items():
        print(f"{label:>18}: median {statistics.median(values):6.1f} letters/s over {len(values)} runs")
    if args.baseline:
        ratio = statistics.median(rates["current"]) / statistics.median(rates["baseline " + args.baseline])
        print(f"{'ratio':>18}: {ratio:.2f}x the baseline, same machine, same run")


if __name__ == "__main__":
    main()
