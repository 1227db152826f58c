"""The public form's rate limits, counted in memory (the embedded default) and in Redis (production)."""
import os

import pytest
from django.core.cache import caches

from config.ratelimit import Limit, over_limit
from config.settings.test import redis_of_this_process


def _redis_cache_or_skip(settings) -> None:  # noqa: ANN001
    url = settings.CELERY_BROKER_URL  # this test process's own broker (config/settings/test.py)
    if not url.startswith("redis://"):
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail("Redis is needed (CELERY_BROKER_URL) and REQUIRE_SERVICES is set")
        pytest.skip("needs Redis (set CELERY_BROKER_URL=redis://...)")
    # A Redis database of this test process's own that is no process's broker: the clear below
    # (and every test's cache.clear()) must never drop tasks another process has queued.
    location = redis_of_this_process(url, "", apart=8)
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": location}}
    caches["default"].clear()


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_each_limit_counts_its_own_key_and_refuses_past_its_rate(settings, backend):  # noqa: ANN001
    if backend == "redis":
        _redis_cache_or_skip(settings)
    ip = Limit("act-ip", "198.51.100.1", "3/h")
    results = [over_limit(ip, Limit("act-email", f"s{n}@example.org", "2/h")) for n in range(4)]
    assert results == [False, False, False, True]  # the fourth from this IP
    assert over_limit(Limit("act-ip", "198.51.100.2", "3/h"), Limit("act-email", "s0@example.org", "2/h")) is False
    assert over_limit(Limit("act-ip", "198.51.100.3", "3/h"), Limit("act-email", "s0@example.org", "2/h")) is True


def test_keys_never_hold_the_address_or_ip():
    key = Limit("act-email", "rosa@example.org", "5/h").key(0)
    assert "rosa" not in key and "example" not in key
    assert Limit("act-ip", "198.51.100.1", "5/h").key(0).count("198") == 0


def test_with_the_cache_unreachable_the_limits_let_the_request_through_and_say_so(settings, caplog):  # noqa: ANN001
    from tests.smtp import free_port

    # A Redis cache on a port nobody listens on, configured as production configures it.
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{free_port()}/1",
                                   "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1}}}
    ip = Limit("act-ip", "198.51.100.9", "1/h")
    assert [over_limit(ip) for _ in range(3)] == [False, False, False]  # documented: fail open
    assert "rate limits not counted: the cache is unreachable (ConnectionError)" in caplog.text
    assert "198.51.100.9" not in caplog.text
