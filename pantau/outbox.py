"""The service's event log and its outbox (design.md §4, adapted to FerretDB's costs).

Each event is one document in the service's `events` collection with `_id = "<subject>:<seq>"`:
a single-document insert is atomic on MongoDB and FerretDB, and the unique `_id` is the
concurrency guard (two writers racing for the same `seq` → one DuplicateKeyError → 409).

Right after the event, the writer inserts a *pointer* (the event's `_id` and partition key) into a
small time-slot collection `outbox_<epoch seconds // 10>`; the request is answered 2xx only after
both inserts. The relay reads the few open slots, publishes, and drops a slot once it is closed
and fully published: no update or scan ever touches the growing event log (on FerretDB 1.24
every query that is not on `_id` scans the whole collection, README "Store notes"). If the pointer insert fails the
event is removed again and the client gets a 503; if even that fails, the client's retry of the
same request finds the event and re-inserts its pointer (`repoint`), so an acknowledged event is
always published. A relay crash republishes the open slots; consumers absorb the duplicates.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from . import audit
from .envelope import Event
from .mongo import insert_ignoring_duplicates

log = logging.getLogger(__name__)


class Conflict(Exception):
    """Another event already holds this (subject, seq): a concurrent or conflicting write."""


def event_doc(event: Event, partition_key: str, extra: dict | None = None,
              not_before: datetime | None = None) -> dict:
    """The stored form of an event. `not_before` (the previous event's `stored_at`) keeps a
    subject's events in order for the relay even when app hosts' clocks disagree."""
    stored_at = datetime.now(timezone.utc)
    if not_before is not None and stored_at <= not_before:
        stored_at = not_before + timedelta(milliseconds=1)
    doc = {
        "_id": f"{event.subject}:{event.seq}",
        "subject": event.subject,
        "seq": event.seq,
        "key": partition_key,
        "envelope": event.to_dict(),
        "stored_at": stored_at,
    }
    if extra:
        doc.update(extra)
    entry = audit.write_context()  # a bureau write's audit entry, stored in the same insert
    if entry is not None:
        doc["audit"] = entry
    return doc


SLOT_SECONDS = 10
SLOT_PREFIX = "outbox_"


def slot_name(at: datetime) -> str:
    return f"{SLOT_PREFIX}{int(at.timestamp()) // SLOT_SECONDS}"


def pointer(doc: dict) -> dict:
    """A small document: the relay re-reads its open slots every round, and FerretDB parses whole
    documents for that; the relay takes the envelope from the event log by `_id`."""
    return {"_id": doc["_id"], "subject": doc["subject"], "seq": doc["seq"], "key": doc["key"],
            "stored_at": doc["stored_at"]}


def point(events: Collection, docs: list[dict], also: list[dict] | None = None) -> None:
    """Insert the pointers of stored events into the current slot, with those of `also` (events
    stored earlier, re-pointed by a repeat) in the same insert; on failure remove `docs`' events
    again (so the 503 the caller answers is true; `also`'s were acknowledged before) and re-raise."""
    if not docs and not also:
        return
    slot = events.database[slot_name(datetime.now(timezone.utc))]
    try:
        insert_ignoring_duplicates(slot, [pointer(d) for d in [*docs, *(also or ())]])
    except Exception:
        try:
            for d in docs:
                events.delete_one({"_id": d["_id"], "envelope.id": d["envelope"]["id"]})
        except Exception:  # noqa: BLE001 - the client's retry repoints these (see module doc)
            log.warning("events left without pointers until the client retries", extra={"count": len(docs)})
        raise


def repoint(events: Collection, docs: list[dict]) -> None:
    """For an idempotent repeat: make sure the stored events are (re)published. A duplicate
    publication is harmless; a missing one would lose an acknowledged write."""
    if docs:
        slot = events.database[slot_name(datetime.now(timezone.utc))]
        insert_ignoring_duplicates(slot, [pointer(d) for d in docs])


def ensure_indexes(events: Collection) -> None:
    """`_id` is the only index the write path needs (the log is never queried otherwise)."""


def append(events: Collection, event: Event, partition_key: str, extra: dict | None = None,
           not_before: datetime | None = None) -> dict:
    """Durably store one event and its pointer. Raises Conflict when (subject, seq) is taken."""
    doc = event_doc(event, partition_key, extra, not_before)
    try:
        events.insert_one(doc)
    except DuplicateKeyError:
        raise Conflict(doc["_id"]) from None
    point(events, [doc])
    return doc


def append_many(events: Collection, docs: list[dict]) -> set[str]:
    """Insert prepared event docs and their pointers; returns the `_id`s that already existed
    (not inserted, no pointer: the caller decides whether they are repeats or conflicts)."""
    dup = insert_ignoring_duplicates(events, docs)
    point(events, [d for d in docs if d["_id"] not in dup])
    return dup


def head(events: Collection, subject: str) -> dict | None:
    """The latest stored event document of a subject, found by `_id` lookups only (the one
    query FerretDB answers without scanning): subject:1, subject:2, ... until one is missing."""
    last, seq = None, 1
    while True:
        doc = events.find_one({"_id": f"{subject}:{seq}"})
        if doc is None:
            return last
        last, seq = doc, seq + 1


def history_by_id(events: Collection, subject: str) -> list[dict]:
    """A subject's envelopes in order, by `_id` lookups (see `head`)."""
    out, seq = [], 1
    while (doc := events.find_one({"_id": f"{subject}:{seq}"}, projection={"envelope": 1})) is not None:
        out.append(doc["envelope"])
        seq += 1
    return out
