"""The key-encryption keys (KEKs) that wrap every per-person data key (`pantau.data_keys`). They
are never in the database, so a copy of the store or a backup alone opens nothing.

Where they are, one of:
- `PANTAU_DATA_KEK`: `<id>:<base64 of 32 bytes>[,<id>:<base64>…]`, the first the active one
  (a deployment's secret store puts it in the environment; rotating is then: put the new key
  first, restart, run `pantau keys rotate-data-key`, drop the old entry);
- else the key directory `PANTAU_DATA_KEYS_DIR` (default `.local/run/<PANTAU_PROFILE or dev>/data-keys`):
  `kek-<id>.key` (base64, mode 0600), `active` (the id new wraps use) and `retired/` (KEKs
  replaced by a rotation: still read, so a backup from before the rotation restores, until an
  operator deletes them). The first use creates the first KEK (O_EXCL, so workers starting
  together agree on one).

Every worker re-reads the directory when it changed (its files' mtimes), so after
`rotate-data-key` new wraps use the new KEK and a wrap by a key id it has not seen yet is found.
"""
from __future__ import annotations

import base64
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from .sealing import KEY_BYTES, new_key

ENV_KEYS = "PANTAU_DATA_KEK"
ENV_DIR = "PANTAU_DATA_KEYS_DIR"


class KekError(RuntimeError):
    """The keyring is missing a key or is malformed; the message says which and where."""


@dataclass(frozen=True)
class Keyring:
    active_id: str
    keys: dict[str, bytes]
    source: str

    def get(self, kek_id: str) -> bytes:
        try:
            return self.keys[kek_id]
        except KeyError:
            raise KekError(f"KEK {kek_id!r} is not in the keyring ({self.source}): it was retired and "
                           f"deleted, or this host has another keyring") from None


def keys_dir() -> Path:
    explicit = os.environ.get(ENV_DIR)
    if explicit:
        return Path(explicit)
    from .paths import LOCAL
    return LOCAL / "run" / (os.environ.get("PANTAU_PROFILE") or "dev") / "data-keys"


def from_env() -> bool:
    return bool(os.environ.get(ENV_KEYS))


def _parse_env(value: str) -> Keyring:
    keys: dict[str, bytes] = {}
    order = []
    for part in (p.strip() for p in value.split(",") if p.strip()):
        kid, sep, b64 = part.partition(":")
        try:
            key = base64.b64decode(b64, validate=True)
        except ValueError:
            key = b""
        if not sep or not kid or len(key) != KEY_BYTES:
            raise KekError(f"{ENV_KEYS}: each entry is <id>:<base64 of {KEY_BYTES} bytes>")
        keys[kid] = key
        order.append(kid)
    if not order:
        raise KekError(f"{ENV_KEYS} holds no key")
    return Keyring(order[0], keys, f"${ENV_KEYS}")


def _read_key(path: Path) -> bytes:
    key = base64.b64decode(path.read_text(encoding="ascii").strip())
    if len(key) != KEY_BYTES:
        raise KekError(f"{path}: not a {KEY_BYTES}-byte key")
    return key


def _write_new(directory: Path) -> str:
    kid = secrets.token_hex(4)
    path = directory / f"kek-{kid}.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(new_key()).decode() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return kid


def _set_active(directory: Path, kid: str) -> None:
    tmp = directory / f".active-{kid}"
    tmp.write_text(kid + "\n", encoding="ascii")
    os.replace(tmp, directory / "active")  # atomic: a reader sees the old id or the new one


def _create_first(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    kid = _write_new(directory)
    try:
        fd = os.open(directory / "active", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker created the first KEK first: use theirs
        (directory / f"kek-{kid}.key").unlink()
        return
    with os.fdopen(fd, "w") as fh:
        fh.write(kid + "\n")


def _signature(directory: Path) -> tuple:
    out = []
    for d in (directory, directory / "retired"):
        try:
            with os.scandir(d) as it:
                out += sorted((e.name, e.stat().st_mtime_ns) for e in it if e.is_file())
        except FileNotFoundError:
            pass
    return tuple(out)


def _load_dir(directory: Path) -> Keyring:
    active = directory / "active"
    for _ in range(50):  # a worker creating the first KEK may be between its two writes
        if active.exists() and active.read_text(encoding="ascii").strip():
            break
        if not active.exists():
            _create_first(directory)
        threading.Event().wait(0.02)
    kid = active.read_text(encoding="ascii").strip()
    keys = {}
    for d in (directory / "retired", directory):
        for path in sorted(d.glob("kek-*.key")) if d.is_dir() else []:
            keys[path.name[4:-4]] = _read_key(path)
    if kid not in keys:
        raise KekError(f"the active KEK {kid!r} has no file in {directory}")
    return Keyring(kid, keys, str(directory))


_cache: dict = {"sig": None, "ring": None, "where": None}
_lock = threading.Lock()


def keyring() -> Keyring:
    """The current keyring (re-read when the environment or the directory changed)."""
    env = os.environ.get(ENV_KEYS)
    if env:
        return _parse_env(env)
    directory = keys_dir()
    with _lock:
        sig = _signature(directory)
        if _cache["ring"] is None or _cache["sig"] != sig or _cache["where"] != directory:
            ring = _load_dir(directory)
            _cache.update(sig=_signature(directory), ring=ring, where=directory)
        return _cache["ring"]


def rotate_files() -> tuple[str, str]:
    """Directory keyring: a new KEK becomes active; returns (old id, new id). The old one stays
    readable until `retire` (after every wrap was rewrapped)."""
    if from_env():
        raise KekError(f"the KEKs come from ${ENV_KEYS}: put the new key first there, restart the services, "
                       "then run rotate-data-key again (it rewraps to the first entry)")
    directory = keys_dir()
    old = keyring().active_id
    new = _write_new(directory)
    _set_active(directory, new)
    return old, new


def retire(kek_id: str) -> Path | None:
    """Move a KEK no wrap uses any more to `retired/` (kept for older backups); returns where."""
    if from_env():
        return None
    directory = keys_dir()
    src = directory / f"kek-{kek_id}.key"
    if not src.exists():
        return None
    (directory / "retired").mkdir(exist_ok=True, mode=0o700)
    dst = directory / "retired" / src.name
    os.replace(src, dst)
    return dst
