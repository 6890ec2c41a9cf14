# The two commands of the README: `make run` and `make test`. Everything else is for developers.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install db db-stop migrate lint format lock perf browsers check-deploy clean

$(STAMP): pyproject.toml requirements/lock.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.9
	$(VENV)/bin/uv pip install --quiet --python $(PY) --require-hashes -r requirements/lock.txt
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

# Start the embedded PostgreSQL under var/ unless DATABASE_URL points elsewhere.
db: $(STAMP)
	@if [ -z "$$DATABASE_URL" ]; then $(PY) -m coalition.devdb start >/dev/null && echo "embedded PostgreSQL on 127.0.0.1:$${EMBEDDED_PG_PORT:-54329} (data in var/pgdata)"; fi

db-stop: $(STAMP)
	$(PY) -m coalition.devdb stop

migrate: db
	$(PY) manage.py migrate --no-input

run: $(STAMP)
	@bash scripts/run.sh

test: db browsers
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

perf: migrate
	$(PY) -m perf.run_all

check-deploy: $(STAMP)
	COALITION_ENV=production DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets;print(secrets.token_urlsafe(50))') \
	PRACTICE_SECRETS_KEY=$$($(PY) -c 'from cryptography.fernet import Fernet;print(Fernet.generate_key().decode())') \
	DJANGO_ALLOWED_HOSTS=coalition.example DATABASE_URL=$${DATABASE_URL:-$$($(PY) -m coalition.devdb url)} \
	CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
	$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/celery var/static
