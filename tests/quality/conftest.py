import pytest

from benchmarks import selectors


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    # Uploaded files go to a throw-away directory (scanned by the privacy test).
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def fresh_cells_cache():
    selectors.published_stamp_reset()
    yield
    selectors.published_stamp_reset()
