"""Per-person data keys (envelope encryption of personal data at rest, UU 27/2022).

Each person whose data a write service keeps has a data key of their own: a complaint's reporter
(`complaint-reporter:<tracking id>`), an FKP participant (`fkp-participant:<fkp id>:<participant
id>`), an SKM response's free-text suggestion (`skm-suggestion:<unit>:<response id>`). The key
seals that person's fields in the service's event documents (`pantau.sealing`, AAD = service,
record, field); it is stored only wrapped by a KEK (`pantau.kek`, outside the database) in the
service's own `data_keys` collection: `{_id: key id, kek: KEK id, wrapped, created_at}`.

Erasure (`pantau privacy erase`) is crypto-shredding: the key document becomes a tombstone
`{_id, kek: null, erased_at}` and the key id is appended to the erasure ledger `erased.jsonl`
in the key directory, beside the KEKs and never in the database. Every read checks the ledger,
and `pantau restore` re-applies it, so a backup taken before the erasure (which still holds the
wrapped key) cannot bring the person back. Figures never depend on these fields, so every count
stays as it was. A sealed value whose key is gone reads as `ERASED_LABEL`.

An FKP participant's id is an HMAC of the forum id and the name (normalised), keyed by the
service's `pepper` data key (wrapped like the others): the same person in the invitation list,
the attendance list, the Berita Acara signatories and a promise's feedback has one key.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
from datetime import datetime, timezone
from typing import Any

from bson import Binary

from . import kek, mongo, sealing

COLLECTION = "data_keys"
LEDGER = "erased.jsonl"
PEPPER = "pepper"
ERASED_LABEL = "(data pribadi dihapus)"


class Erased(LookupError):
    """The person's data key was erased: nothing can be sealed or opened with it."""


def collection(service: str):
    return mongo.db(service)[COLLECTION]


def complaint_reporter_key(tracking_id: str) -> str:
    return f"complaint-reporter:{tracking_id}"


def fkp_participant_key(fkp_id: str, participant_id: str) -> str:
    return f"fkp-participant:{fkp_id}:{participant_id}"


def skm_suggestion_key(unit_id: str, response_id: str) -> str:
    return f"skm-suggestion:{unit_id}:{response_id}"


# ---- the erasure ledger (outside the database) ----------------------------------------------

def ledger_path():
    return kek.keys_dir() / LEDGER


_ledger: dict = {"sig": None, "ids": {}}
_ledger_lock = threading.Lock()


def erased_ids(service: str) -> set[str]:
    """Key ids of `service` erased so far (the ledger, re-read when it changed)."""
    path = ledger_path()
    try:
        st = os.stat(path)
        sig = (str(path), st.st_mtime_ns, st.st_size)
    except FileNotFoundError:
        return set()
    with _ledger_lock:
        if _ledger["sig"] != sig:
            ids: dict[str, set[str]] = {}
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        e = json.loads(line)
                        ids.setdefault(e["service"], set()).add(e["key_id"])
            _ledger.update(sig=sig, ids=ids)
        return set(_ledger["ids"].get(service, set()))


def _append_ledger(service: str, key_id: str, at: datetime) -> None:
    path = ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({"service": service, "key_id": key_id, "at": at.isoformat()}) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


# ---- keys -----------------------------------------------------------------------------------

def keys(service: str, key_ids: list[str], create: bool = False) -> dict[str, bytes | None]:
    """key id → the unwrapped data key, or None when erased (or unknown and not `create`d).
    One `_id` lookup for all of them; missing keys are created (a concurrent creator wins)."""
    ids = list(dict.fromkeys(key_ids))
    if not ids:
        return {}
    ring = kek.keyring()
    erased = erased_ids(service)
    found = mongo.by_id(collection(service), ids)
    out: dict[str, bytes | None] = {}
    missing = []
    for kid in ids:
        d = found.get(kid)
        if kid in erased or (d is not None and not d.get("wrapped")):
            out[kid] = None
        elif d is not None:
            out[kid] = sealing.unwrap(ring.get(d["kek"]), kid, d["wrapped"])
        elif create:
            missing.append(kid)
        else:
            out[kid] = None
    if missing:
        fresh = {kid: sealing.new_key() for kid in missing}
        now = datetime.now(timezone.utc)
        active = ring.get(ring.active_id)
        docs = [{"_id": kid, "kek": ring.active_id, "wrapped": Binary(sealing.wrap(active, kid, k)), "created_at": now}
                for kid, k in fresh.items()]
        raced = mongo.insert_ignoring_duplicates(collection(service), docs)
        out.update({kid: k for kid, k in fresh.items() if kid not in raced})
        if raced:
            out.update(keys(service, list(raced)))
    return out


def seal_many(service: str, items: list[tuple[str, str, str, Any]], skip_erased: bool = False) -> list[dict | None]:
    """(key id, record, field, value) → the sealed values, in order. A key that was erased raises
    `Erased`, or with `skip_erased` gives None (the person's value is not stored again)."""
    ks = keys(service, [i[0] for i in items], create=True)
    out: list[dict | None] = []
    for kid, record, field, value in items:
        key = ks[kid]
        if key is None:
            if not skip_erased:
                raise Erased(kid)
            out.append(None)
            continue
        out.append(sealing.seal_value(key, kid, value, sealing.value_aad(service, record, field)))
    return out


def seal(service: str, key_id: str, record: str, field: str, value: Any) -> dict:
    sealed = seal_many(service, [(key_id, record, field, value)])[0]
    assert sealed is not None  # an erased key raised
    return sealed


def open_many(service: str, items: list[tuple[Any, str, str]], erased: Any = ERASED_LABEL) -> list[Any]:
    """(stored value, record, field) → the plaintext values, in order; a value stored before
    sealing existed passes as it is, one whose key was erased reads as `erased`."""
    sealed = [v for v, _, _ in items if sealing.is_sealed(v)]
    ks = keys(service, [sealing.key_id_of(v) for v in sealed])
    out = []
    for value, record, field in items:
        if not sealing.is_sealed(value):
            out.append(value)
            continue
        key = ks.get(sealing.key_id_of(value))
        out.append(erased if key is None else
                   sealing.open_value(key, value, sealing.value_aad(service, record, field)))
    return out


def open_one(service: str, value: Any, record: str, field: str, erased: Any = ERASED_LABEL) -> Any:
    return open_many(service, [(value, record, field)], erased)[0]


def participant_ids(service: str, fkp_id: str, names: list[str]) -> list[str]:
    """Each participant's stable id within a forum: a keyed hash of the normalised name (the
    name cannot be read from it, nor guessed without the pepper)."""
    if not names:
        return []
    pepper = keys(service, [PEPPER], create=True)[PEPPER]
    assert pepper is not None  # the pepper is never erased
    return [hmac.new(pepper, f"{fkp_id}|{' '.join(n.split()).casefold()}".encode(), hashlib.sha256).hexdigest()[:16]
            for n in names]


# ---- erasure, rotation, restore -------------------------------------------------------------

def erase(service: str, key_id: str) -> bool:
    """Crypto-shred one person's data key; True if a live key was destroyed (False: already
    erased or never created; the tombstone and the ledger entry are written either way)."""
    if key_id == PEPPER:
        raise ValueError("the pepper is not a person's key")
    prior = collection(service).find_one({"_id": key_id})
    at = datetime.now(timezone.utc)
    _append_ledger(service, key_id, at)  # first: from here on no read opens it, whatever the store holds
    collection(service).replace_one({"_id": key_id}, {"_id": key_id, "kek": None, "erased_at": at}, upsert=True)
    return bool(prior and prior.get("wrapped"))


def apply_ledger(service: str) -> int:
    """Tombstone every key the ledger says was erased (after a restore); returns how many were live."""
    n = 0
    for kid in sorted(erased_ids(service)):
        d = collection(service).find_one({"_id": kid})
        if d is None or d.get("wrapped"):
            n += d is not None
            collection(service).replace_one({"_id": kid}, {"_id": kid, "kek": None,
                                                          "erased_at": datetime.now(timezone.utc)}, upsert=True)
    return n


def rewrap(service: str) -> tuple[int, int]:
    """Re-wrap every live key of `service` not under the active KEK; returns (rewrapped, total live)."""
    ring = kek.keyring()
    active = ring.get(ring.active_id)
    done = live = 0
    for d in collection(service).find({}, projection={"_id": 1, "kek": 1, "wrapped": 1}):
        if not d.get("wrapped"):
            continue
        live += 1
        if d["kek"] == ring.active_id:
            continue
        data_key = sealing.unwrap(ring.get(d["kek"]), d["_id"], d["wrapped"])
        r = collection(service).update_one(
            {"_id": d["_id"], "kek": d["kek"]},
            {"$set": {"kek": ring.active_id, "wrapped": Binary(sealing.wrap(active, d["_id"], data_key))}})
        done += r.modified_count
    return done, live


def kek_ids_in_use(service: str) -> set[str]:
    return {d["kek"] for d in collection(service).find({}, projection={"kek": 1}) if d.get("kek")}
