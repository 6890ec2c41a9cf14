"""Keyed tags of exam ids (accession numbers), so that an exam found in two files is recognized
without the id itself ever being stored.

An exam id is an identifier (HIPAA Safe Harbor): it is kept only as a 64-bit tag, the first 8
bytes of AES-256 CBC-MAC over the id padded with zero bytes to a fixed 48 bytes, under a key
derived from the practice's own secret (practices/crypto.py exam_key). CBC-MAC over messages
of one fixed length is a pseudorandom function, so without the key a tag says nothing about
its id and tags of two practices cannot be linked. It is used rather than an HMAC per id
because it runs over a whole column in three AES passes (millions of ids in well under a
second), where a hash call per id costs seconds.

Ids are at most 40 characters of [0-9A-Z._:/-] (the schema's pattern), compared without
regard to case: they are upper-cased first, and hold no zero byte, so padding is unambiguous.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MESSAGE_BYTES = 48
CHUNK_ROWS = 500_000


def tags(ids: pl.Series, *, key: bytes, normalized: bool = False) -> np.ndarray:
    """uint64 tags of the (validated) ids, in order; `normalized`: already stripped and
    upper-cased (validation found no id to change)."""
    out = np.empty(ids.len(), dtype=np.uint64)
    for start in range(0, ids.len(), CHUNK_ROWS):
        chunk = ids.slice(start, CHUNK_ROWS)
        if not normalized:
            chunk = chunk.str.strip_chars().str.to_uppercase()
        blocks = _padded_blocks(chunk)
        # The raw block function, one block per id per pass (CBC-MAC across the passes).
        encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305
        state = np.zeros((blocks.shape[0], 16), dtype=np.uint8)
        for offset in range(0, MESSAGE_BYTES, 16):
            mixed = np.bitwise_xor(state, blocks[:, offset : offset + 16])
            state = np.frombuffer(encryptor.update(mixed.tobytes()), dtype=np.uint8).reshape(-1, 16)
        out[start : start + blocks.shape[0]] = state[:, :8].copy().view(">u8").ravel()
    return out


def _padded_blocks(ids: pl.Series) -> np.ndarray:
    """(ids, MESSAGE_BYTES) uint8: each id's ASCII bytes, then zero bytes. The ids of each
    length are joined and placed together (padding every id as text first costs far more)."""
    lengths = ids.str.len_bytes().to_numpy()
    blocks = np.zeros((lengths.size, MESSAGE_BYTES), dtype=np.uint8)
    for length in np.unique(lengths).tolist():
        if length == 0:
            continue
        rows = np.flatnonzero(lengths == length)
        same = ids if rows.size == lengths.size else ids.gather(rows)
        joined = same.str.join("").item().encode("ascii")
        blocks[rows, :length] = np.frombuffer(joined, dtype=np.uint8).reshape(-1, length)
    return blocks


def pack(values: np.ndarray) -> bytes:
    """Sorted tags as bytes (8 per tag, big-endian)."""
    return np.sort(values).astype(">u8").tobytes()


def unpack(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=">u8").astype(np.uint64)
