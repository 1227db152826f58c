"""Test run: DATABASE_URL picks PostgreSQL in CI; fast hashing; fixed fictional keys."""
import os
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
FIELD_ENCRYPTION_KEYS = ["pN3hJ0S2bYpD7t1Wm4Qk8rE6uV9xZ2cF5gH8jK1lM3o="]
BLIND_INDEX_KEY = "test-blind-index-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In-process by default; the end-to-end tests start real workers with these set otherwise.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")


def redis_of_this_process(url: str, worker: str, *, apart: int = 0) -> str:
    """`make test` runs the suite in one process per core (pytest-xdist names them gw0, gw1, ...,
    at most 8). pytest-django gives each its own test database; here each also gets its own Redis
    database (16 to a server) for the broker, so one process's end-to-end workers never take
    another's tasks: gw0 keeps the one it was given, gw1 the one below, and so on. `apart=8` is a
    second one of the process's own, for a test that clears it (a Redis cache), which is then
    never another process's broker."""
    if not url.startswith("redis://"):
        return url
    parts = urlsplit(url)
    number = int(worker[2:]) if worker.startswith("gw") else 0
    own = (int(parts.path.strip("/") or 0) - number - apart) % 16
    return urlunsplit(parts._replace(path=f"/{own}"))


GIVEN_BROKER_URL = CELERY_BROKER_URL
CELERY_BROKER_URL = redis_of_this_process(CELERY_BROKER_URL, os.environ.get("PYTEST_XDIST_WORKER", ""))
if CELERY_BROKER_URL != GIVEN_BROKER_URL:
    # Celery takes CELERY_BROKER_URL from the environment before its configuration: without this,
    # the process would publish to the broker it was given (the first process's) while reading and
    # starting its workers on its own.
    os.environ["CELERY_BROKER_URL"] = CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)

# The test SMTP server (aiosmtpd) logs every command, addresses included: keep it quiet.
LOGGING["loggers"]["mail.log"] = {"level": "WARNING"}  # noqa: F405
SITE_URL = "http://testserver"
