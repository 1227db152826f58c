# Sourced by the bench run scripts: drop and recreate the PostgreSQL database DATABASE_URL names
# (default: postgres://postgres@127.0.0.1:5432/$BENCH_DB; refused unless its name contains
# "bench"), then migrate it. Sets PY.
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$BENCH_DB}
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
