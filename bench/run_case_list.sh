#!/usr/bin/env bash
# Case-list benchmark on a dedicated PostgreSQL database, dropped and rebuilt on every run.
# Usage: bash bench/run_case_list.sh [case_list.py options, e.g. --requests 100 --variants guardian,array]
# DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/bench_cases; its database name must contain "bench".
set -euo pipefail
cd "$(dirname "$0")/.."

export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench_cases}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.settings.local}
PY=${PYTHON:-.venv/bin/python}

# postgres://USER@HOST:PORT/NAME -> the parts dropdb/createdb need.
rest=${DATABASE_URL#*://}
DB=${rest##*/}; DB=${DB%%\?*}
hostport=${rest%/*}; hostport=${hostport##*@}
userinfo=${rest%%@*}; [[ $userinfo == "$rest" ]] && userinfo=postgres
PGUSER=${userinfo%%:*}
PGHOST=${hostport%%:*}
PGPORT=5432; [[ $hostport == *:* ]] && PGPORT=${hostport##*:}
[[ $DB == *bench* ]] || { echo "Refusing to drop database '$DB': its name must contain 'bench'." >&2; exit 2; }

dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists "$DB"
createdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$DB"
"$PY" manage.py migrate --verbosity 0
exec "$PY" bench/case_list.py "$@"
