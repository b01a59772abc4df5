# ESS Portal — the two commands a developer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Integration leg: the same suite on PostgreSQL and Redis with a real Celery worker.
PG_URL ?= postgres://postgres@127.0.0.1:5432/essportal
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test test-integration lint check bench drill lock messages clean

$(BIN)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

install: $(BIN)/.installed

# axe-core for the accessibility checks of the browser tests (npm registry, pinned by the lock).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

## Serve the HR UI and portal with demo data on the embedded defaults (SQLite, in-process tasks,
## mail printed in this terminal).
## Mails print as one line each here (to, subject, first link); the whole message is an .eml
## file in var/mail/ (essportal/mail/dev_backend.py, the default with DEBUG).
run: install
	DEBUG=true $(BIN)/python manage.py migrate --no-input
	DEBUG=true $(BIN)/python manage.py seed_demo
	DEBUG=true $(BIN)/python manage.py runserver 127.0.0.1:8000

## The whole test suite on the embedded defaults, plus the lint and migration checks.
## (The browser tests belong to the integration leg.)
test: install lint
	$(BIN)/pytest -m "not browser"

## The same suite on PostgreSQL and Redis. Tasks run in-process for ordinary tests; the tests
## marked `integration` start a real Celery worker on Redis (fixture `celery_worker`).
test-integration: install node_modules/.installed
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) CELERY_TASK_ALWAYS_EAGER=true $(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports --no-cache

## All benchmarks (bench/README.md): ~14 minutes; BENCH_QUICK=1 for smaller sizes and shorter runs.
## They need PostgreSQL (BENCH_DATABASE_URL, BENCH_GRANT_DATABASE_URL); portal_load needs wrk and Redis.
bench: install
	$(BIN)/python bench/collective_grant.py
	$(BIN)/python bench/provider_grant.py
	$(BIN)/python bench/hr_list.py
	$(BIN)/python bench/argon2_cost.py
	$(BIN)/python bench/portal_load.py

## One fault drill on a private stack (ops/drills/README.md), e.g. `make drill DRILL=worker-kill`;
## DRILL_ARGS for its options (`--employees 2000 --outage 60`). Needs PostgreSQL's binaries and redis-server.
DRILL ?= worker-kill
drill: install
	$(BIN)/python ops/drills/run.py $(DRILL) $(DRILL_ARGS)

## Regenerate the lock file after changing dependencies in pyproject.toml.
lock:
	rm -rf /tmp/essportal-lock && $(PYTHON) -m venv /tmp/essportal-lock
	/tmp/essportal-lock/bin/pip install --quiet ".[dev]"
	/tmp/essportal-lock/bin/pip freeze --exclude-editable | grep -v '^essportal' > requirements.lock

## Rebuild the compiled translations after editing locale/*/LC_MESSAGES/django.po.
messages: install
	DEBUG=true $(BIN)/python manage.py makemessages --locale nl --no-obsolete --ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'node_modules/*'
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore '.venv/*' --ignore 'node_modules/*'

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles var
