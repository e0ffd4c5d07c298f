"""The sealing primitives (pantau/sealing.py) and the KEK keyring (pantau/kek.py): a value opens
only with its key and its own record and field, any change to a ciphertext fails, an unknown KEK
id is a clear error, a rotation keeps every earlier KEK readable until it is removed."""
from __future__ import annotations

import base64

import pytest

from pantau import kek, sealing

AAD = sealing.value_aad("complaints", "complaint:PTU-1", "reporter")
VALUE = {"name": "Siti Rahayu", "nik": "6401234567890123"}


def test_a_sealed_value_opens_with_its_key_and_aad_and_holds_no_plaintext():
    key = sealing.new_key()
    sealed = sealing.seal_value(key, "complaint-reporter:PTU-1", VALUE, AAD)
    assert sealing.is_sealed(sealed) and sealing.key_id_of(sealed) == "complaint-reporter:PTU-1"
    assert b"Siti" not in sealed["ct"] and b"6401234567890123" not in sealed["ct"]
    assert sealing.open_value(key, sealed, AAD) == VALUE
    assert sealing.seal_value(key, "k", VALUE, AAD)["ct"] != sealed["ct"]  # a fresh nonce each time


@pytest.mark.parametrize("other", [sealing.value_aad("complaints", "complaint:PTU-2", "reporter"),
                                   sealing.value_aad("complaints", "complaint:PTU-1", "note"),
                                   sealing.value_aad("survey", "complaint:PTU-1", "reporter")])
def test_another_record_or_field_does_not_open(other):
    key = sealing.new_key()
    sealed = sealing.seal_value(key, "k", VALUE, AAD)
    with pytest.raises(sealing.SealError, match="does not open"):
        sealing.open_value(key, sealed, other)


def test_a_wrong_key_or_any_flipped_byte_fails():
    key = sealing.new_key()
    sealed = sealing.seal_value(key, "k", VALUE, AAD)
    with pytest.raises(sealing.SealError):
        sealing.open_value(sealing.new_key(), sealed, AAD)
    for i in (0, 12, len(sealed["ct"]) - 1):  # nonce, ciphertext, tag
        bad = bytearray(sealed["ct"])
        bad[i] ^= 1
        with pytest.raises(sealing.SealError):
            sealing.open_value(key, {**sealed, "ct": bytes(bad)}, AAD)
    with pytest.raises(sealing.SealError, match="too short"):
        sealing.open_value(key, {**sealed, "ct": sealed["ct"][:20]}, AAD)


def test_a_wrapped_data_key_is_bound_to_its_id():
    kek_bytes, data_key = sealing.new_key(), sealing.new_key()
    wrapped = sealing.wrap(kek_bytes, "complaint-reporter:A", data_key)
    assert sealing.unwrap(kek_bytes, "complaint-reporter:A", wrapped) == data_key
    with pytest.raises(sealing.SealError):
        sealing.unwrap(kek_bytes, "complaint-reporter:B", wrapped)  # moved under another person's id
    with pytest.raises(sealing.SealError):
        sealing.unwrap(sealing.new_key(), "complaint-reporter:A", wrapped)


def test_the_key_directory_creates_rotates_and_retires(tmp_path, monkeypatch):
    monkeypatch.delenv(kek.ENV_KEYS, raising=False)
    monkeypatch.setenv(kek.ENV_DIR, str(tmp_path / "keys"))
    ring = kek.keyring()
    first = ring.active_id
    assert len(ring.get(first)) == sealing.KEY_BYTES
    assert (tmp_path / "keys" / f"kek-{first}.key").stat().st_mode & 0o077 == 0  # owner only
    old, new = kek.rotate_files()
    ring = kek.keyring()
    assert (old, ring.active_id) == (first, new) and set(ring.keys) == {first, new}
    kek.retire(old)
    assert (tmp_path / "keys" / "retired" / f"kek-{old}.key").exists()
    assert set(kek.keyring().keys) == {first, new}  # retired: still read (older backups)
    (tmp_path / "keys" / "retired" / f"kek-{old}.key").unlink()
    with pytest.raises(kek.KekError, match=f"KEK '{old}' is not in the keyring"):
        kek.keyring().get(old)


def test_the_environment_keyring_and_its_errors(monkeypatch):
    a, b = base64.b64encode(sealing.new_key()).decode(), base64.b64encode(sealing.new_key()).decode()
    monkeypatch.setenv(kek.ENV_KEYS, f"k2:{a},k1:{b}")
    ring = kek.keyring()
    assert ring.active_id == "k2" and set(ring.keys) == {"k1", "k2"}
    with pytest.raises(kek.KekError, match="not in the keyring"):
        ring.get("k0")
    with pytest.raises(kek.KekError, match="put the new key first"):
        kek.rotate_files()
    monkeypatch.setenv(kek.ENV_KEYS, "k1:c2hvcnQ=")
    with pytest.raises(kek.KekError, match="base64 of 32 bytes"):
        kek.keyring()
