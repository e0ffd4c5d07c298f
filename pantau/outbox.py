"""The service's event log, which is also its outbox (design.md §4).

Each event is one document in the service's `events` collection with `_id = "<subject>:<seq>"`:
a single-document insert is atomic on MongoDB and FerretDB, and the unique `_id` is the
concurrency guard (two writers racing for the same `seq` → one DuplicateKeyError → 409).
The relay publishes unpublished events in storage order with acks=all and only then marks them
published; a crash in between republishes the same event ids, which consumers absorb.
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta, timezone
from typing import Iterable

from pymongo import ASCENDING
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from .envelope import Event
from .mongo import BULK_CHUNK

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
        "published": False,
    }
    if extra:
        doc.update(extra)
    return doc


def ensure_indexes(events: Collection) -> None:
    events.create_index([("published", ASCENDING), ("stored_at", ASCENDING)], name="unpublished")
    events.create_index([("subject", ASCENDING), ("seq", ASCENDING)], name="subject_seq")


def append(events: Collection, event: Event, partition_key: str, extra: dict | None = None,
           not_before: datetime | None = None) -> dict:
    """Durably store one event. Raises Conflict when (subject, seq) is taken."""
    doc = event_doc(event, partition_key, extra, not_before)
    try:
        events.insert_one(doc)
    except DuplicateKeyError:
        raise Conflict(doc["_id"]) from None
    return doc


def append_many(events: Collection, docs: list[dict]) -> set[str]:
    """Insert prepared event docs; returns the `_id`s that already existed (not inserted)."""
    if not docs:
        return set()
    try:
        events.insert_many(docs, ordered=False)
        return set()
    except BulkWriteError as exc:
        dup = {docs[e["index"]]["_id"] for e in exc.details.get("writeErrors", []) if e.get("code") == 11000}
        other = [e for e in exc.details.get("writeErrors", []) if e.get("code") != 11000]
        if other:
            raise
        return dup


def history(events: Collection, subject: str) -> list[dict]:
    return [d["envelope"] for d in events.find({"subject": subject}).sort("seq", ASCENDING)]


def last_seq(events: Collection, subject: str) -> int:
    doc = events.find_one({"subject": subject}, sort=[("seq", -1)], projection={"seq": 1})
    return int(doc["seq"]) if doc else 0


def unpublished(events: Collection, limit: int) -> list[dict]:
    cur = events.find({"published": False}).sort([("stored_at", ASCENDING), ("subject", ASCENDING),
                                                  ("seq", ASCENDING)]).limit(limit)
    return list(cur)


def mark_published(events: Collection, ids: Iterable[str]) -> None:
    ids = list(ids)
    now = datetime.now(timezone.utc)
    # chunked: FerretDB 1.24 wedges on one update command touching 100+ documents (pantau.mongo)
    for i in range(0, len(ids), BULK_CHUNK):
        events.update_many({"_id": {"$in": ids[i:i + BULK_CHUNK]}},
                           {"$set": {"published": True, "published_at": now}})


def backlog(events: Collection) -> tuple[int, float]:
    """(number of unpublished events, age in seconds of the oldest one)."""
    n = events.count_documents({"published": False})
    if not n:
        return 0, 0.0
    oldest = events.find_one({"published": False}, sort=[("stored_at", ASCENDING)], projection={"stored_at": 1})
    age = (datetime.now(timezone.utc) - oldest["stored_at"]).total_seconds() if oldest else 0.0
    return n, max(age, 0.0)


def sleep_backoff(attempt: int, base: float = 0.2, cap: float = 5.0) -> None:
    time.sleep(min(cap, base * (2 ** min(attempt, 8))))


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
