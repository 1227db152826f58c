"""The case list's rows before and after issue 14, alternating in one process on an existing bench world.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale .venv/bin/python bench/list_rows_ab.py \
        large-advocate@bench.example small-advocate@bench.example

"before" is the list as it was at 98e79b3, swapped in for this process only: the visible cases with
their people and open episodes prefetched as model instances (selectors.case_list), DRF's
CaseListSerializer, and the page's PII check built on cases_with_perm. "after" is what ships:
case_list_rows (only the columns a row shows), CaseListRowSerializer with list_members (one query
of plain values) and case_ids_with_perm. Both answer the same JSON (tests/api/test_case_list_output.py).
Requests alternate before/after, so a burst of load from elsewhere hits both alike.
"""
import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import configure  # noqa: E402

configure("bench_scale")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.roles import VIEW_PII  # noqa: E402
from bench import sign_in  # noqa: E402
from bench.case_list import percentile  # noqa: E402
from cases import selectors  # noqa: E402
from cases.api import serializers, views  # noqa: E402
from cases.models import Case  # noqa: E402
from cases.permissions import cases_with_perm  # noqa: E402

AFTER = (views.CaseViewSet.get_queryset, views.CaseViewSet.get_serializer_class, selectors.pii_case_ids)


def _before_queryset(self):  # noqa: ANN001, ANN202
    if self.action in ("list", "search"):
        return selectors.case_list(user=self.request.user)
    return AFTER[0](self)


def _before_serializer(self):  # noqa: ANN001, ANN202
    return serializers.CaseListSerializer if self.action == "list" else AFTER[1](self)


def _before_pii(*, user, case_ids):  # noqa: ANN001, ANN202
    ids = set(case_ids)
    return set(cases_with_perm(user, VIEW_PII, Case.objects.filter(pk__in=ids)).values_list("pk", flat=True)) if ids else set()


BEFORE = (_before_queryset, _before_serializer, _before_pii)


def use(code: tuple) -> None:
    views.CaseViewSet.get_queryset, views.CaseViewSet.get_serializer_class, selectors.pii_case_ids = code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("users", nargs="+", help="emails of bench users")
    parser.add_argument("--requests", type=int, default=100)
    args = parser.parse_args()
    for email in args.users:
        client = Client()
        sign_in(client, User.objects.get(email=email))
        for code in (BEFORE, AFTER):
            use(code)
            for _ in range(10):
                assert client.get("/api/v1/cases/").status_code == 200
        gc.collect()
        gc.freeze()
        times: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(args.requests):
            for name, code in (("before", BEFORE), ("after", AFTER)):
                use(code)
                t0 = time.perf_counter()
                client.get("/api/v1/cases/")
                times[name].append((time.perf_counter() - t0) * 1000)
        use(AFTER)
        b, a = statistics.median(times["before"]), statistics.median(times["after"])
        print(f"{email}: before p50 {b:.1f} p95 {percentile(times['before'], 95):.1f} ms; after p50 {a:.1f} "
              f"p95 {percentile(times['after'], 95):.1f} ms; after/before p50 {a / b:.2f}; "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
