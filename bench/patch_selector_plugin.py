"""pytest plugin: run the test suite with a candidate selector in place of cases_with_perm.

    BENCH_SELECTOR=array .venv/bin/pytest -p bench.patch_selector_plugin tests -q

Proves a variant of bench/selectors_alt.py keeps every permission behaviour the tests specify
before it is moved into cases/permissions.py.
"""
import os

import pytest


@pytest.fixture(autouse=True)
def _candidate_selector(monkeypatch):  # noqa: ANN001, ANN202
    import cases.permissions
    import cases.selectors
    from bench.selectors_alt import VARIANTS

    variant = VARIANTS[os.environ.get("BENCH_SELECTOR", "array")]
    monkeypatch.setattr(cases.permissions, "cases_with_perm", variant)
    monkeypatch.setattr(cases.selectors, "cases_with_perm", variant)
    yield
