# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install migrate demo serve test screenshots worker beat bench bench-pages bench-advocacy bench-drain bench-import bench-scale clean

run: migrate demo serve  ## install, migrate, load the demo, serve on http://127.0.0.1:8000

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

migrate: install
	$(PY) manage.py migrate --noinput

demo: install
	$(PY) manage.py load_demo

serve: install
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install  ## the whole suite, one process per core (at most 8); DATABASE_URL picks PostgreSQL, default SQLite
	$(VENV)/bin/pytest -n auto --maxprocesses 8 --dist worksteal

screenshots: install  ## the browser journeys in Chromium, saving the README's screenshots to docs/
	SCREENSHOTS_DIR=docs $(VENV)/bin/pytest tests/browser -q

worker: install  ## a Celery worker (needs CELERY_BROKER_URL)
	$(VENV)/bin/celery -A config worker -l info

beat: install  ## the Celery beat scheduler (needs CELERY_BROKER_URL)
	$(VENV)/bin/celery -A config beat -l info

bench: install  ## case-list latency at 10k and 100k cases on PostgreSQL (see bench/README.md)
	bash bench/run_case_list.sh

bench-scale: install  ## case list and staff pages at 10k, 100k and 1M cases, generation timed (PostgreSQL; 20-30 minutes)
	bash bench/run_scale.sh

bench-pages: install  ## staff pages (dashboard, case list, case page) at 10k and 100k cases on PostgreSQL
	bash bench/run_pages.sh

bench-advocacy: install  ## public submissions through gunicorn, letter renders, PDF batches (needs wrk, Redis)
	bash bench/run_advocacy.sh --repeat 3

bench-import: install  ## memory of a spreadsheet import as the file grows (2,000 to 100,000 rows, CSV and XLSX)
	$(PY) bench/import_memory.py

bench-drain: install  ## letters delivered per second by a real worker to loopback SMTP, beside the baseline commit (needs Redis)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bench_drain} DEBUG=false $(PY) bench/drain.py --letters 5000 --rounds 2

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
