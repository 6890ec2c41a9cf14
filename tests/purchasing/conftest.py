import pytest


@pytest.fixture(autouse=True)
def _private_dirs(settings, tmp_path):
    # Uploaded files and written agreements go to throw-away directories.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.PURCHASING_PRIVATE_DIR = tmp_path / "private"


@pytest.fixture(autouse=True, scope="session")
def _celery_result_folder():
    from django.conf import settings

    (settings.CELERY_DIR / "results").mkdir(parents=True, exist_ok=True)


@pytest.fixture
def purchasing_staff(make_staff):
    return make_staff("purchasing")
