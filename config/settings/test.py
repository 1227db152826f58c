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


def _broker_of_this_process(url: str, worker: str) -> str:
    """`make test` runs the suite in one process per core (pytest-xdist names them gw0, gw1, ...).
    pytest-django gives each its own test database; here each also gets its own Redis database
    (16 to a server), so one process's end-to-end workers never take another's tasks."""
    if not (url.startswith("redis://") and worker.startswith("gw")):
        return url
    parts = urlsplit(url)
    own = (int(parts.path.strip("/") or 0) - int(worker[2:])) % 16
    return urlunsplit(parts._replace(path=f"/{own}"))


CELERY_BROKER_URL = _broker_of_this_process(CELERY_BROKER_URL, os.environ.get("PYTEST_XDIST_WORKER", ""))
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)

# The test SMTP server (aiosmtpd) logs every command, addresses included: keep it quiet.
LOGGING["loggers"]["mail.log"] = {"level": "WARNING"}  # noqa: F405
SITE_URL = "http://testserver"
