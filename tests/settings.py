"""Test settings: the project's settings with fast hashing, in-memory e-mail and eager tasks.
The tests that need a real broker and worker switch eager mode off themselves."""

import os

from coalition.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = "cache+memory://"  # eager results stay in the test process
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

# A database of its own for every test run, so that runs side by side (a developer's and a
# CI job's, or two terminals) never see each other's rows. pytest-django creates and drops it.
DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": os.environ.get("TEST_DATABASE_NAME") or f"test_coalition_{os.getpid()}"
}
