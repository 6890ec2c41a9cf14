"""Production mode: no secret has a default, and Django's deployment checks pass."""

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def _production_env(**overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "COALITION_", "PRACTICE_", "CELERY_"))
    }
    env.update(
        COALITION_ENV="production",
        DJANGO_SETTINGS_MODULE="coalition.settings",
        DJANGO_SECRET_KEY="k" * 20 + "-production-only-" + "9f8e7d6c5b4a" * 4,
        PRACTICE_SECRETS_KEY=Fernet.generate_key().decode(),
        DJANGO_ALLOWED_HOSTS="coalition.example",
        DATABASE_URL=os.environ.get("DATABASE_URL")
        or "postgresql://postgres@127.0.0.1:54329/coalition",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_checks_pass_in_production_mode():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_checks_would_catch_an_insecure_setting():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=_production_env(DJANGO_SECRET_KEY="short"),
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_production_refuses_to_start_without_secrets():
    for missing in (
        "DJANGO_SECRET_KEY",
        "PRACTICE_SECRETS_KEY",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "DJANGO_ALLOWED_HOSTS",
    ):
        result = _manage("check", env=_production_env(**{missing: None}))
        assert result.returncode != 0
        assert missing in result.stderr


def test_only_postgresql_is_accepted():
    result = _manage("check", env=_production_env(DATABASE_URL="sqlite:///x.db"))
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def _session_engine(**overrides) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "coalition.settings", **overrides}
    env = {k: v for k, v in env.items() if v is not None}
    result = _manage(
        "shell", "-c", "from django.conf import settings; print(settings.SESSION_ENGINE)", env=env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_sessions_are_read_from_the_shared_cache_only_when_there_is_one():
    """A per-process cache would keep a signed-out session alive in the other processes."""
    with_redis = _session_engine(CACHE_URL="redis://127.0.0.1:6379/3")
    assert with_redis == "django.contrib.sessions.backends.cached_db"
    assert _session_engine(CACHE_URL="") == "django.contrib.sessions.backends.db"
