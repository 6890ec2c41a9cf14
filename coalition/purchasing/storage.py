"""Where written agreements are kept: a directory outside the media root, with no URL.

Agreements are commercial terms between the coalition and a vendor; they are read only
through the purchasing staff's download view, never served as static or media files."""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def agreement_storage() -> FileSystemStorage:
    return FileSystemStorage(location=str(settings.PURCHASING_PRIVATE_DIR), base_url=None)
