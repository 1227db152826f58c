"""End-to-end fixtures: real Celery workers (separate processes) on Redis, against the test
PostgreSQL database, delivering to a real SMTP server on loopback.

They need PostgreSQL and Redis. Without them (the default `make test` on SQLite) these tests are
skipped with the reason; CI sets REQUIRE_SERVICES=1, which turns that skip into a failure, so CI
can never pass without having run them.
"""
import ast
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


def _missing_services() -> str | None:
    if connection.vendor != "postgresql":
        return "the end-to-end tests need PostgreSQL (set DATABASE_URL)"
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        return "the end-to-end tests need Redis (set CELERY_BROKER_URL=redis://...)"
    import redis

    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis is not answering at CELERY_BROKER_URL ({type(exc).__name__})"
    return None


@pytest.fixture
def services_up(transactional_db) -> None:  # noqa: ANN001
    missing = _missing_services()
    if missing:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(missing + " (REQUIRE_SERVICES is set)")
        pytest.skip(missing)


@pytest.fixture
def broker(services_up) -> Iterator[None]:  # noqa: ANN001
    """This process publishes to Redis for real (tests run tasks eagerly otherwise)."""
    from config.celery import app

    app.conf.task_always_eager = False
    app.control.purge()
    yield
    app.control.purge()
    app.conf.task_always_eager = True


class Worker:
    def __init__(self, env: dict[str, str], log: Path, *, beat: bool = True, concurrency: int = 1) -> None:
        self.env, self.log, self.process = env, log, None
        self.beat, self.concurrency = beat, concurrency

    def start(self) -> "Worker":
        beat = ["-B", "-s", str(self.log.with_suffix(".beat"))] if self.beat else []
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", *beat, "-c", str(self.concurrency),
                 "-l", "info", "--without-mingle", "--without-gossip", "-n", f"e2e{time.time_ns()}@%h"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        start = self.log.stat().st_size if self.log.exists() else 0
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited:\n{self.tail()}")
            with self.log.open("rb") as fh:
                fh.seek(start)
                if b" ready." in fh.read():
                    return
            time.sleep(0.2)
        raise AssertionError(f"the worker did not start:\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL the worker and every process it started: nothing gets to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def received_task_ids(self, task: str) -> list[str]:
        """Task ids this worker took from the broker, in order (from its log)."""
        marker = f"Task {task}["
        return [line.split(marker, 1)[1].split("]", 1)[0] for line in self.log.read_text(errors="replace").splitlines()
                if marker in line and line.endswith("] received")]

    def finished(self, task: str, task_id: str) -> str | None:
        """What the task returned, if this worker ran it to the end."""
        marker = f"{task}[{task_id}] succeeded in "
        for line in self.log.read_text(errors="replace").splitlines():
            if marker in line:
                return line.split(marker, 1)[1].split("s: ", 1)[1].strip("'")
        return None

    def letter_outcomes(self) -> Counter:
        """What this worker's delivery batches reported, letter by letter ({"sent": 4} each)."""
        marker = "Task advocacy.tasks.deliver_letters["
        total: Counter = Counter()
        for line in self.log.read_text(errors="replace").splitlines():
            if marker in line and "] succeeded in " in line:
                total.update(ast.literal_eval(line.split("] succeeded in ", 1)[1].split("s: ", 1)[1]))
        return total

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@pytest.fixture
def worker_env(broker, smtp, tmp_path) -> dict[str, str]:  # noqa: ANN001
    db = connection.settings_dict
    database_url = (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                    f"/{db['NAME']}")
    # Not PYTEST_XDIST_WORKER: the broker below is already this test process's own (settings/test.py).
    inherited = {name: value for name, value in os.environ.items() if name != "PYTEST_XDIST_WORKER"}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": settings.EMAIL_HOST,
        "EMAIL_PORT": str(settings.EMAIL_PORT),
        # A dead worker's claim runs out quickly (a send's claim covers its 5 s deadline and 2 s
        # more), and the sweep looks every second.
        "LETTER_CLAIM_LEASE_SECONDS": "4",
        "EMAIL_TIMEOUT": "5",
        "LETTER_CLAIM_MARGIN_SECONDS": "2",
        "LETTER_SWEEP_GRACE_SECONDS": "2",
        "LETTER_SWEEP_EVERY_SECONDS": "1",
        "CELERY_VISIBILITY_TIMEOUT": "20",
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def workers(worker_env, tmp_path) -> Iterator[Callable[..., Worker]]:  # noqa: ANN001
    started: list[Worker] = []

    def start(*, beat: bool = True, concurrency: int = 1, **env: str) -> Worker:
        worker = Worker({**worker_env, **env}, tmp_path / f"worker-{len(started)}.log", beat=beat,
                        concurrency=concurrency).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_until(condition: Callable[[], bool], *, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


EMAILS = {"Senator Padilla": "padilla@senate.example", "Senator Schiff": "schiff@senate.example",
          "Representative Ruiz": "ruiz@house.example"}


@pytest.fixture
def reachable_congress(congress) -> None:  # noqa: ANN001
    """The test's members of Congress take email (fictional addresses), so every letter goes by SMTP."""
    from advocacy.models import DecisionMaker

    for salutation, address in EMAILS.items():
        DecisionMaker.objects.filter(salutation=salutation).update(email=address)


def letters_received(smtp) -> list:  # noqa: ANN001
    """The letters the SMTP server took (not the supporters' own emails nor the organizers' notices)."""
    return [m for m in list(smtp.messages) if m.message["Message-ID"].startswith("<letter-")]
