#!/usr/bin/env bash
# Case list and staff pages at 10k, 100k and 1M cases on a dedicated PostgreSQL database, dropped
# and rebuilt on every run. Usage: bash bench/run_scale.sh [scale.py options, e.g. --sizes 10000,100000]
# DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/bench_scale; its database name must contain "bench".
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DB=bench_scale
source bench/fresh_db.sh
exec "$PY" bench/scale.py "$@"
