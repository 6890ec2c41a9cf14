import pytest

from tests.submissions.factories import period


@pytest.fixture
def open_period(db):
    return period()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Uploaded files go to a throw-away directory.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture(autouse=True, scope="session")
def _celery_result_folder():
    # Eager tasks still open the configured result backend, a folder under var/celery in
    # development settings; a fresh checkout does not have it yet.
    from django.conf import settings

    (settings.CELERY_DIR / "results").mkdir(parents=True, exist_ok=True)
