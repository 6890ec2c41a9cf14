"""Per-practice secrets: pseudonyms for providers and encryption of the practice's local ids.

Each practice has 32 random bytes, stored wrapped (Fernet) with the server key
PRACTICE_SECRETS_KEY. From them two keys are derived with HKDF: one for the HMAC-SHA256
pseudonym of a provider's local id (what benchmarks and staff see), one for encrypting the
local id itself so that only that practice's pages can show it again. A third keys the tags of
exam ids (accession numbers), which are kept only as tags (quality/exam_keys.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

# cryptography is imported where a key is used, not when Django sets up (the models import this
# module): its Rust bindings were a tenth of every command's start-up.


def _server_fernet() -> Fernet:
    from cryptography.fernet import Fernet

    return Fernet(settings.PRACTICE_SECRETS_KEY.encode())


def new_wrapped_secret() -> bytes:
    return _server_fernet().encrypt(secrets.token_bytes(32))


def unwrap_secret(wrapped: bytes) -> bytes:
    return _server_fernet().decrypt(bytes(wrapped))


def _derive(secret: bytes, purpose: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


def pseudonym_key(secret: bytes) -> bytes:
    return _derive(secret, b"provider-pseudonym")


def local_id_fernet(secret: bytes) -> Fernet:
    from cryptography.fernet import Fernet

    return Fernet(base64.urlsafe_b64encode(_derive(secret, b"provider-local-id")))


def exam_key(secret: bytes) -> bytes:
    """The key of the practice's exam-id tags (quality/exam_keys.py)."""
    return _derive(secret, b"exam-id-tag")


def pseudonymize(key: bytes, local_id: str) -> str:
    """Stable, practice-specific pseudonym of a provider's local id (hex HMAC-SHA256)."""
    return hmac.new(key, local_id.strip().encode(), hashlib.sha256).hexdigest()
