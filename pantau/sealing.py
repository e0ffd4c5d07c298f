"""AES-GCM envelope encryption, pure: seal and open a value with a data key, wrap and unwrap a
data key with a key-encryption key (KEK). No I/O; where the keys live is `pantau.data_keys`.

Every ciphertext is bound to where it belongs by its associated data (AAD): a value to
`<service>|<record>|<field>`, a wrapped data key to its key id. A value copied into another
record or field, a data key moved under another id, or any flipped byte fails to open
(`SealError`), never decrypts to something else. A nonce is 96 random bits, fresh per sealing
(AES-GCM's limit of 2^32 messages per key is far from one person's few fields).
"""
from __future__ import annotations

import os
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
SEALED_MARK = "pd1"
"""`{"pd1": <key id>, "ct": <nonce ‖ ciphertext ‖ tag>}` is a sealed value (format version 1)."""


class SealError(ValueError):
    """A ciphertext does not open with this key and associated data (wrong key, wrong record or
    field, or tampered)."""


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def _seal(key: bytes, plaintext: bytes, aad: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad.encode())


def _open(key: bytes, blob: bytes, aad: str) -> bytes:
    if len(key) != KEY_BYTES:
        raise SealError(f"a key is {KEY_BYTES} bytes, not {len(key)}")
    if len(blob) < NONCE_BYTES + 16:
        raise SealError("ciphertext too short")
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad.encode())
    except InvalidTag:
        raise SealError(f"does not open (wrong key, wrong record/field {aad!r}, or tampered)") from None


def value_aad(service: str, record: str, field: str) -> str:
    return f"{service}|{record}|{field}"


def seal_value(key: bytes, key_id: str, value: Any, aad: str) -> dict[str, Any]:
    """The sealed form of any JSON value, naming the data key that opens it."""
    return {SEALED_MARK: key_id, "ct": _seal(key, orjson.dumps(value), aad)}


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and SEALED_MARK in value and "ct" in value


def key_id_of(sealed: dict[str, Any]) -> str:
    return sealed[SEALED_MARK]


def open_value(key: bytes, sealed: dict[str, Any], aad: str) -> Any:
    return orjson.loads(_open(key, bytes(sealed["ct"]), aad))


def wrap_aad(key_id: str) -> str:
    return f"data-key|{key_id}"


def wrap(kek: bytes, key_id: str, data_key: bytes) -> bytes:
    return _seal(kek, data_key, wrap_aad(key_id))


def unwrap(kek: bytes, key_id: str, wrapped: bytes) -> bytes:
    return _open(kek, bytes(wrapped), wrap_aad(key_id))
