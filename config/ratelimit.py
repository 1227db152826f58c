"""Rate limits for the public form: fixed windows counted in the shared cache.

Every public submission checks two limits (per IP, per email) on the busiest path the product
has. django-ratelimit spent a quarter of that request's time in three cache round trips
(docs/performance.md), so here both counters move in one: with Redis (production) an INCR and an
EXPIRE per key in a single pipeline; with any other cache (the embedded default's memory)
through add and incr. Keys are hashed, so the cache never holds an address or an IP.
"""
import hashlib
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Limit:
    group: str
    value: str  # what is counted: an IP, an email address
    rate: str  # "30/h"

    @property
    def allowed(self) -> int:
        return int(self.rate.split("/", 1)[0])

    @property
    def period(self) -> int:
        return UNITS[self.rate.split("/", 1)[1][-1]]

    def key(self, now: float) -> str:
        digest = hashlib.sha256(f"{self.group}:{self.value}".encode()).hexdigest()[:32]
        return f"ratelimit:{self.group}:{int(now // self.period)}:{digest}"


def _redis():  # noqa: ANN202
    try:
        from django_redis import get_redis_connection

        return get_redis_connection("default")
    except (ImportError, NotImplementedError):  # not a django-redis cache
        return None


def over_limit(*limits: Limit) -> bool:
    """Count one hit against each limit; True when any of them is now exceeded.

    When the shared cache is unreachable the limits let the request through (logged): a supporter's
    submission or a password reset is never lost to a cache outage. What still holds meanwhile: one
    submission per supporter per action (a database constraint), CSRF, the honeypot, and the
    sign-in lockout (counted in the database)."""
    now = time.time()
    keys = [limit.key(now) for limit in limits]
    client = _redis()
    if client is not None:
        pipe = client.pipeline(transaction=False)
        for key, limit in zip(keys, limits):
            pipe.incr(key)
            pipe.expire(key, limit.period + 1, nx=True)
        try:
            counts = pipe.execute()[0::2]
        except RedisError as exc:
            logger.warning("rate limits not counted: the cache is unreachable (%s)", type(exc).__name__)
            return False
    else:
        counts = []
        for key, limit in zip(keys, limits):
            cache.add(key, 0, limit.period + 1)
            counts.append(cache.incr(key))
    return any(count > limit.allowed for count, limit in zip(counts, limits))
