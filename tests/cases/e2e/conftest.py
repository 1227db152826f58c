"""The end-to-end fixtures of the letters (real Celery workers and beat on Redis, the test
PostgreSQL database, a real SMTP server on loopback), shared with the case domain's drills."""
from tests.advocacy.e2e.conftest import broker, services_up, worker_env, workers  # noqa: F401
