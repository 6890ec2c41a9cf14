# The two commands of the README: `make run` and `make test`. Everything else is for developers.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PROJECT_PACKAGES := manage.py coalition practices benchmarks quality perf tests

.PHONY: run test install bytecode db db-stop migrate lint format lock perf browsers check-deploy clean

# Installed with compiled bytecode (see `bytecode` below). uv compiles only when it installs
# something, so compileall covers packages installed before (a quick no-op where uv did it).
$(STAMP): pyproject.toml requirements/lock.txt Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(VENV)/bin/uv pip install --quiet --python $(PY) --compile-bytecode --require-hashes -r requirements/lock.txt
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	@$(PY) -m compileall -q -j 0 $$($(PY) -c 'import sysconfig; print(sysconfig.get_path("purelib"))') >/dev/null
	@$(MAKE) --no-print-directory bytecode
	@touch $(STAMP)

install: $(STAMP)

# Compiled bytecode of the project's own code. Python reads existing .pyc files even where
# PYTHONDONTWRITEBYTECODE=1 stops it writing them: without them every command, worker and test
# process compiles its modules from source first. Stale files are ignored (and recompiled in
# memory), so re-running this after edits only restores the speed.
bytecode:
	@$(PY) -m compileall -q -j 0 $(PROJECT_PACKAGES)

# Start the embedded PostgreSQL under var/ unless DATABASE_URL points elsewhere.
db: $(STAMP)
	@if [ -z "$$DATABASE_URL" ]; then $(PY) -m coalition.devdb start >/dev/null && echo "embedded PostgreSQL on 127.0.0.1:$${EMBEDDED_PG_PORT:-54329} (data in var/pgdata)"; fi

db-stop: $(STAMP)
	$(PY) -m coalition.devdb stop

migrate: db
	$(PY) manage.py migrate --no-input

run: $(STAMP) bytecode
	@bash scripts/run.sh

test: db browsers bytecode
	$(PY) -m pytest $(PYTEST_ARGS)

browsers:
	@bash scripts/install-browser.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Re-resolve requirements/lock.txt after a change to pyproject.toml.
lock: $(STAMP)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev -p 3.11 -q --generate-hashes --no-header -o requirements/lock.txt

perf: migrate bytecode
	$(PY) -m perf.run_all

check-deploy: $(STAMP)
	COALITION_ENV=production DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets;print(secrets.token_urlsafe(50))') \
	PRACTICE_SECRETS_KEY=$$($(PY) -c 'from cryptography.fernet import Fernet;print(Fernet.generate_key().decode())') \
	DJANGO_ALLOWED_HOSTS=coalition.example DATABASE_URL=$${DATABASE_URL:-$$($(PY) -m coalition.devdb url)} \
	CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
	$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/celery var/static
