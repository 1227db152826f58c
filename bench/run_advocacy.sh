#!/usr/bin/env bash
# Advocacy benchmarks on a dedicated PostgreSQL database, rebuilt on every run: public submissions
# through gunicorn (needs wrk and Redis), letter renders, PDF batches. Figures go to stdout;
# docs/performance.md records the shipped ones.
# DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/bench_advocacy; its name must contain "bench".
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench_advocacy}
export DJANGO_SETTINGS_MODULE=config.settings.local
PY=${PYTHON:-.venv/bin/python}
DATA=${SHARED_DATA_DIR:-../shared/data}

rest=${DATABASE_URL#*://}
DB=${rest##*/}; DB=${DB%%\?*}
[[ $DB == *bench* ]] || { echo "Refusing to drop database '$DB': its name must contain 'bench'." >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }

dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"
createdb -h 127.0.0.1 -U postgres "$DB"
"$PY" manage.py migrate --verbosity 0
"$PY" manage.py load_demo >/dev/null
if [ -d "$DATA" ]; then   # the full roster and crosswalk, when the public data is at hand
  "$PY" manage.py import_legislators "$DATA/congress-legislators/legislators-current.csv" 2>/dev/null
  "$PY" manage.py import_zip_districts "$DATA/zccd/zccd.csv" 2>/dev/null
fi
"$PY" manage.py shell -c "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')"

echo "## Public submissions through gunicorn"
"$PY" bench/submissions.py "$@"
echo
echo "## Letter renders"
"$PY" bench/render.py
echo
echo "## PDF batches"
"$PY" bench/pdf.py
