"""Backup and restore of what cannot be rebuilt (issue 21): every write service's event log and
files, and the registry (units, API keys, accounts, audit log). The aggregator's projections are
not in a backup: after a restore the relays publish every restored event again and the consumer
rebuilds them from the topics, exactly as on a fresh start.

A backup directory holds one file per collection, `<database>.<collection>.jsonl` (MongoDB
Extended JSON, one document per line, in the store's natural order, which is insertion order),
and `manifest.json`: format version, when, the database prefix, and for each file its document
count, byte size and SHA-256. The event logs are insert-only, so a dump taken while writes go on
is a consistent prefix of each log (a subject's event `seq` is inserted after `seq-1`, so it can
never be in a dump without it); writes acknowledged after the dump started may be missing.
What is not in it: the projections, sessions, sign-in attempts, rate-limit counters, report
slots and outbox slots (all rebuilt or transient), and Kafka's topics (republished from the
restored logs).

`restore` checks every checksum first, refuses a target store that already holds any of these
collections' documents, inserts in batches, re-applies the erasure ledger (`pantau.data_keys`:
a person erased after the backup was taken stays erased), then points every restored event at
the outbox, in stored order, so the relays publish them. Personal fields are in a backup only
sealed, and their data keys only wrapped by a KEK that no backup holds (`pantau.kek`).
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bson import json_util

from pantau import data_keys, mongo, store
from pantau.config import SERVICES, settings

FORMAT = "pantau-backup/1"
BATCH = 1000
DATABASES = (*SERVICES, "registry")
"""Every collection of these databases (without the prefix) is backed up, but those below."""
TRANSIENT = {"registry": {"sessions", "rate_hits", "signin_attempts", "report_slots"}}


def collections() -> dict[str, list[str]]:
    """database → the collections a backup holds (the event log, files and codes of each write
    service; units, keys, accounts and the audit log of the registry)."""
    out = {}
    for db_name in DATABASES:
        names = mongo.db(db_name).list_collection_names()
        out[db_name] = sorted(n for n in names if n not in TRANSIENT.get(db_name, set())
                              and not store.transient(n) and not n.startswith("system."))
    return out


class BackupError(RuntimeError):
    """The backup cannot be read or restored; the message says why."""


@dataclass(frozen=True)
class Summary:
    documents: int
    files: int
    seconds: float


def _name(db: str, coll: str) -> str:
    return f"{db}.{coll}.jsonl"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def backup(directory: str | Path) -> Summary:
    """Write the backup into `directory` (created; must be empty if it exists)."""
    t0 = time.monotonic()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise BackupError(f"{out} is not empty")
    files, total = {}, 0
    for db_name, colls in collections().items():
        db = mongo.db(db_name)
        for coll in colls:
            path = out / _name(db_name, coll)
            n = 0
            with path.open("w", encoding="utf-8") as f:
                for doc in db[coll].find({}):  # natural order: as inserted
                    f.write(json_util.dumps(doc, json_options=json_util.CANONICAL_JSON_OPTIONS) + "\n")
                    n += 1
            files[path.name] = {"database": db_name, "collection": coll, "documents": n,
                                "bytes": path.stat().st_size, "sha256": _sha256(path)}
            total += n
    manifest = {"format": FORMAT, "created_at": datetime.now(timezone.utc).isoformat(),
                "db_prefix": settings().db_prefix, "files": files,
                "not_included": ["aggregator projections (rebuilt from the republished events)", "sessions",
                                 "sign-in attempts", "rate-limit counters", "report slots", "outbox slots",
                                 "Kafka topics"]}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return Summary(total, len(files), round(time.monotonic() - t0, 2))


def read_manifest(directory: str | Path) -> dict[str, Any]:
    """The manifest, after checking every file's size and SHA-256 against it."""
    src = Path(directory)
    try:
        manifest = json.loads((src / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"no readable manifest.json in {src}: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r} (this version reads {FORMAT})")
    for name, meta in manifest["files"].items():
        path = src / name
        if not path.is_file() or path.stat().st_size != meta["bytes"] or _sha256(path) != meta["sha256"]:
            raise BackupError(f"{name}: missing, or its size or SHA-256 differs from the manifest")
    return manifest


def restore(directory: str | Path) -> Summary:
    """Load a checked backup into an empty store and have every restored event published again."""
    t0 = time.monotonic()
    src = Path(directory)
    manifest = read_manifest(src)
    for meta in manifest["files"].values():
        seeded = (meta["database"], meta["collection"]) in SEEDED
        if not seeded and mongo.db(meta["database"])[meta["collection"]].find_one({}, {"_id": 1}) is not None:
            raise BackupError(f"{meta['database']}.{meta['collection']} is not empty: restore needs an empty store")
    total = 0
    for name, meta in manifest["files"].items():
        coll = mongo.db(meta["database"])[meta["collection"]]
        seeded = (meta["database"], meta["collection"]) in SEEDED
        batch: list[dict] = []
        with (src / name).open(encoding="utf-8") as f:
            for line in f:
                batch.append(json_util.loads(line))
                if len(batch) >= BATCH:
                    total += _load(coll, batch, seeded)
                    batch = []
        total += _load(coll, batch, seeded)
    for service in SERVICES:
        data_keys.apply_ledger(service)  # a person erased after this backup stays erased
        republish(service)
    return Summary(total, len(manifest["files"]), round(time.monotonic() - t0, 2))


SEEDED = {("registry", "units")}
"""Collections `pantau init` may have filled already (from the registry file): the backup's
documents replace theirs."""


def _load(coll, docs: list[dict], seeded: bool) -> int:
    if not docs:
        return 0
    if seeded:
        for d in docs:
            coll.replace_one({"_id": d["_id"]}, d, upsert=True)
    else:
        coll.insert_many(docs, ordered=True)
    return len(docs)


def republish(service: str) -> int:
    """Point every stored event of `service` at the outbox, in stored order (the relay publishes
    them; the consumers absorb any that were published before)."""
    events = mongo.db(service)["events"]
    docs = sorted(events.find({}, projection={"_id": 1, "subject": 1, "seq": 1, "key": 1, "stored_at": 1,
                                              "envelope.id": 1}),
                  key=lambda d: (d["stored_at"], d["subject"], d["seq"]))
    for i in range(0, len(docs), BATCH):
        store.republish(events, docs[i:i + BATCH])
    return len(docs)
