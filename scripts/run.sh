#!/usr/bin/env bash
# `make run`: the embedded PostgreSQL (unless DATABASE_URL is set), migrations, demo data, a
# Celery worker, Celery beat and the web server on http://127.0.0.1:8000. Ctrl-C stops all it started.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p var/celery/queue var/celery/processed var/celery/results

started_db=""
pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$started_db" ]; then $PY -m coalition.devdb stop && echo "Stopped the embedded PostgreSQL."; fi
  echo "Stopped the web server, the Celery worker and Celery beat."
  exit 0
}
trap cleanup INT TERM EXIT

if [ -z "${DATABASE_URL:-}" ]; then
  if [ "$($PY -m coalition.devdb status)" != "running" ]; then started_db=1; fi
  echo "Embedded PostgreSQL: $($PY -m coalition.devdb start)"
fi
$PY manage.py migrate --no-input
$PY manage.py seed_demo

.venv/bin/celery -A coalition worker --loglevel=INFO --concurrency=2 --without-gossip --without-mingle &
pids+=($!)
# The scheduler: periodic tasks, among them the sweepers that re-queue stalled work.
.venv/bin/celery -A coalition beat --loglevel=INFO --schedule var/celery/beat-schedule &
pids+=($!)
echo "Web server: http://127.0.0.1:8000/  (Ctrl-C stops everything started here)"
$PY manage.py runserver 127.0.0.1:8000 --noreload &
pids+=($!)
wait -n "${pids[@]}"
