"""`make test` runs the suite in one process per core (pytest-xdist): each process must have a
database and a Redis broker database of its own, or one process's end-to-end workers would take
another's tasks and one process's rows would show up in another's counts."""
import os

import pytest
from django.conf import settings
from django.db import connection

from config.settings.test import redis_of_this_process


def test_each_process_gets_its_own_broker_database_on_the_same_server():
    url = "redis://127.0.0.1:6379/15"
    own = [redis_of_this_process(url, f"gw{n}") for n in range(8)]
    assert own[:3] == ["redis://127.0.0.1:6379/15", "redis://127.0.0.1:6379/14", "redis://127.0.0.1:6379/13"]
    assert len(set(own)) == 8  # `make test` caps the processes at 8
    assert {u.rsplit("/", 1)[0] for u in own} == {"redis://127.0.0.1:6379"}
    assert redis_of_this_process("redis://127.0.0.1:6379", "gw2") == "redis://127.0.0.1:6379/14"  # no number: 0


def test_a_database_a_test_clears_is_never_a_brokers():
    url = "redis://127.0.0.1:6379/15"
    brokers = {redis_of_this_process(url, f"gw{n}") for n in range(8)}
    cleared = {redis_of_this_process(url, f"gw{n}", apart=8) for n in range(8)}
    assert len(cleared) == 8 and not brokers & cleared
    assert redis_of_this_process(url, "", apart=8) == "redis://127.0.0.1:6379/7"


def test_one_process_and_non_redis_brokers_are_left_as_they_are():
    assert redis_of_this_process("redis://127.0.0.1:6379/15", "") == "redis://127.0.0.1:6379/15"
    assert redis_of_this_process("amqp://guest@127.0.0.1//", "gw1") == "amqp://guest@127.0.0.1//"
    assert redis_of_this_process("", "gw1") == ""


@pytest.mark.skipif(not os.environ.get("PYTEST_XDIST_WORKER"), reason="only in a parallel run (make test)")
def test_this_process_uses_its_own_database_and_broker(db):  # noqa: ANN001
    from config.celery import app
    from config.settings.test import GIVEN_BROKER_URL

    worker = os.environ["PYTEST_XDIST_WORKER"]
    if connection.vendor == "postgresql":
        assert connection.settings_dict["NAME"].endswith(f"_{worker}")
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        # The first process keeps the broker it was given; every other one moves off it, and Celery
        # itself (which reads the environment first) publishes there too.
        assert (settings.CELERY_BROKER_URL == GIVEN_BROKER_URL) == (worker == "gw0")
        assert app.conf.broker_url == settings.CELERY_BROKER_URL


def test_celery_in_a_second_process_publishes_to_that_process_s_broker():
    """Whatever process this test lands on: start a Django process as xdist's second one would be,
    and ask Celery (not the settings) where it publishes."""
    import subprocess
    import sys

    script = ("import django; django.setup(); from django.conf import settings; from config.celery import app; "
              "print(settings.CELERY_BROKER_URL, app.conf.broker_url)")
    env = {**os.environ, "PYTEST_XDIST_WORKER": "gw1", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
           "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True,
                         cwd=settings.BASE_DIR).stdout.split()
    assert out == ["redis://127.0.0.1:6379/14", "redis://127.0.0.1:6379/14"]
