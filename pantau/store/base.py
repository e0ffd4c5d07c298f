"""The store interface every event log and relay goes through, and the event document's shape.

An event is one document in its service's `events` collection, `_id = "<subject>:<seq>"`: a
single-document insert is atomic, and the unique `_id` is the concurrency guard (two writers
racing for the same `seq` get one DuplicateKeyError, raised here as `Conflict`). The request is
answered 2xx only once its event is stored *and* the relay will find it (its outbox entry): how
that entry is kept is what the implementations differ in (pantau/store/mongodb.py,
pantau/store/ferretdb.py).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from pymongo import InsertOne, ReplaceOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError

from .. import audit
from ..envelope import Event
from ..mongo import insert_ignoring_duplicates, only_duplicate_keys


def dense(prefix: str, found: dict[str, dict]) -> list[dict]:
    """`found[<prefix>:1]`, `found[<prefix>:2]`, ... up to the first number missing."""
    out: list[dict] = []
    while (d := found.get(f"{prefix}:{len(out) + 1}")) is not None:
        out.append(d)
    return out


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


class ConcurrentWrite(RuntimeError):
    """A guarded write found the document changed (or created) by another writer."""


def apply_guarded(col: Collection, changes: list[tuple[dict | None, dict]], guard: str = "seq") -> None:
    """Bulk apply with guards: each (before, after) is an insert of `after` when `before` is None,
    else a replace of the document only while its `guard` field still has `before`'s value; one
    unordered bulk write. Raises ConcurrentWrite if any insert or replace met another writer (the
    others may have been written: the caller retries and skips what is applied)."""
    ops: list[InsertOne[Any] | ReplaceOne[Any]] = []
    replaces = 0
    for before, after in changes:
        if before is None:
            ops.append(InsertOne(after))
        else:
            ops.append(ReplaceOne({"_id": after["_id"], guard: before[guard]}, after))
            replaces += 1
    if not ops:
        return
    try:
        res = col.bulk_write(ops, ordered=False)
    except BulkWriteError as exc:
        if not only_duplicate_keys(exc):
            raise
        raise ConcurrentWrite(f"{col.name}: written concurrently; retrying the batch") from None
    if res.matched_count != replaces:
        raise ConcurrentWrite(f"{col.name}: concurrent writer ({res.matched_count} of {replaces} matched)")


@dataclass
class Round:
    """What one relay round read: the unpublished events in publishing order (each with `_id`,
    `subject`, `seq`, `key`, `stored_at`, `envelope` and, for a bureau write, `audit`), and what
    the implementation needs to mark them published."""
    now: datetime
    docs: list[dict]
    state: Any = field(default=None)


class OutboxReader(ABC):
    """The relay's side of one service's outbox. Not thread-safe: one relay per service."""

    @abstractmethod
    def collect(self, in_flight: set[str]) -> Round:
        """The unpublished events not in `in_flight` (sent in a round whose acks are awaited)."""

    @abstractmethod
    def published(self, r: Round) -> None:
        """Kafka acknowledged every event of `r`: never hand them out again (unless republished)."""

    @abstractmethod
    def forget(self) -> None:
        """A send failed and which records landed is unknown: hand out everything not yet marked."""


class WindowCounter(ABC):
    """Hits per key in clock-aligned windows, shared by every process and kept across restarts
    (the rate limits, pantau/ratelimit_store.py). Each method takes the counters' collection."""

    @abstractmethod
    def take(self, col: Collection, key: str, window: str, expires: datetime) -> int:
        """Count one hit of `key` in `window` (ending at `expires`); returns its rank there (1, 2, ...),
        exact under concurrency: the first `limit` hits of a window, whoever serves them, pass."""

    def take_many(self, col: Collection, hits: list[tuple[str, str, datetime]]) -> list[int]:
        """Count each hit `(key, window, expires)` as `take` does; their ranks, in order (a group
        of concurrent requests' hits: implementations store them in fewer round trips)."""
        return [self.take(col, key, window, expires) for key, window, expires in hits]

    @abstractmethod
    def count(self, col: Collection, key: str) -> int:
        """The hits of `key` in its windows not yet ended."""

    @abstractmethod
    def forget(self, key: str | None = None) -> None:
        """Drop what this process remembers of `key`'s windows (of every key when None)."""


class EventStore(ABC):
    """The operations on a service's event log (`events`, a pymongo collection)."""

    kind: str

    @abstractmethod
    def ensure_indexes(self, events: Collection) -> None:
        """Create what the operations below need (idempotent)."""

    def stamp(self, doc: dict) -> dict:
        """`doc` as this implementation stores it (what its outbox needs inside the event)."""
        return doc

    def insert(self, events: Collection, docs: list[dict]) -> set[str]:
        """Insert event documents that are absent (unordered); returns the `_id`s that existed
        already (not inserted). The new ones are sure to reach the relay only after `publish`."""
        return insert_ignoring_duplicates(events, [self.stamp(d) for d in docs])

    @abstractmethod
    def publish(self, events: Collection, docs: list[dict], also: list[dict] | None = None) -> None:
        """Hand the events `docs` (just inserted) and `also` (stored earlier, a repeat's) to the
        relay. Raises on failure, after which each of `docs` is either removed again or sure to be
        published, so the client's retry of the 503 is answered as a new write or as a repeat."""

    @abstractmethod
    def republish(self, events: Collection, docs: list[dict]) -> None:
        """An idempotent repeat: make sure stored events are (re)published. A duplicate
        publication is harmless; a missing one would lose an acknowledged write."""

    @abstractmethod
    def head(self, events: Collection, subject: str) -> dict | None:
        """The latest stored event document of a subject (None if it has none)."""

    @abstractmethod
    def stream(self, events: Collection, subject: str, projection: dict | None = None) -> list[dict]:
        """Every stored event document of a subject, in `seq` order ([] if it has none)."""

    @abstractmethod
    def recorded_since(self, events: Collection, since: datetime, projection: dict | None = None) -> list[dict]:
        """The event documents stored at or after `since`, in stored order."""

    @abstractmethod
    def series(self, col: Collection, prefix: str, projection: dict | None = None) -> list[dict]:
        """The numbered documents `<prefix>:1`, `<prefix>:2`, ... of any collection, in order, up to
        the first number missing (a series kept dense by insert-if-absent claims)."""

    @abstractmethod
    def count(self, col: Collection) -> int:
        """The exact number of documents in `col` (0 if it does not exist)."""

    @abstractmethod
    def outbox(self, db: Database) -> OutboxReader:
        """The relay's reader of the service database `db`."""

    @abstractmethod
    def counter(self) -> WindowCounter:
        """A window counter for this process."""

    @abstractmethod
    def transient(self, name: str) -> bool:
        """Is collection `name` of a service database the adapter's own transient state (not
        backed up, not a service's data)?"""

    # ---- composed from the above -------------------------------------------------------------

    def append(self, events: Collection, event: Event, partition_key: str, extra: dict | None = None,
               not_before: datetime | None = None) -> dict:
        """Durably store one event and hand it to the relay. Raises Conflict when (subject, seq)
        is taken."""
        doc = event_doc(event, partition_key, extra, not_before)
        try:
            events.insert_one(self.stamp(doc))
        except DuplicateKeyError:
            raise Conflict(doc["_id"]) from None
        self.publish(events, [doc])
        return doc

    def append_many(self, events: Collection, docs: list[dict]) -> set[str]:
        """Insert prepared event docs and hand the new ones to the relay; returns the `_id`s that
        already existed (not published: the caller decides whether they are repeats or conflicts)."""
        dup = self.insert(events, docs)
        self.publish(events, [d for d in docs if d["_id"] not in dup])
        return dup
