#!/usr/bin/env bash
# Staff pages benchmark on a dedicated PostgreSQL database, dropped and rebuilt on every run.
# Usage: bash bench/run_pages.sh [pages.py options, e.g. --requests 50]
# DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/bench_pages; its database name must contain "bench".
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_DB=bench_pages
source bench/fresh_db.sh
exec "$PY" bench/pages.py "$@"
