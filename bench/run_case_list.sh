#!/usr/bin/env bash
# Case-list benchmark on a dedicated PostgreSQL database, dropped and rebuilt on every run.
# Usage: bash bench/run_case_list.sh [case_list.py options, e.g. --requests 100 --variants guardian,array]
# DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/bench_cases; its database name must contain "bench".
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DB=bench_cases
source bench/fresh_db.sh
exec "$PY" bench/case_list.py "$@"
