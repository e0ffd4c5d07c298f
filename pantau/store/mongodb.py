"""The event store on MongoDB, written as one would for it: plain queries on indexes.

- The log has a unique index on `(subject, seq)` (a subject's head is one indexed `find_one`
  sorted by `seq`, its stream one indexed query) and one on `stored_at` (recorded-since queries).
- The outbox is the log itself: an event is inserted with `unpublished: true`, so the event and
  its outbox entry are one atomic insert; the relay reads the unpublished events in stored order
  from a partial index (only unpublished events are in it, so it stays small however long the
  log grows) and unsets the flag once Kafka acknowledged them. A repeat that republishes sets the
  flag again. A relay crash between the acks and the unset republishes; consumers absorb it.
- A rate-limit window is one counter document, incremented atomically by `findAndModify`.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from .base import EventStore, OutboxReader, Round, WindowCounter, dense

FLAG = "unpublished"
BATCH = 5000  # events per relay round at most
_ROUND_FIELDS = {"_id": 1, "subject": 1, "seq": 1, "key": 1, "stored_at": 1, "envelope": 1, "audit": 1}


def _order(docs: list[dict]) -> list[dict]:
    return sorted(docs, key=lambda d: (d["stored_at"], d["subject"], d["seq"]))


class MongoDBStore(EventStore):
    kind = "mongodb"

    def ensure_indexes(self, events: Collection) -> None:
        events.create_index([("subject", ASCENDING), ("seq", ASCENDING)], unique=True, name="subject_seq")
        events.create_index([("stored_at", ASCENDING)], name="stored_at")
        events.create_index([(FLAG, ASCENDING), ("stored_at", ASCENDING)], name="unpublished_stored_at",
                            partialFilterExpression={FLAG: True})

    def stamp(self, doc: dict) -> dict:
        return {**doc, FLAG: True}

    def publish(self, events: Collection, docs: list[dict], also: list[dict] | None = None) -> None:
        # `docs` carry their flag from their insert (`stamp`), so they are published whatever
        # happens here: only a repeat's events need one
        self.republish(events, list(also or ()))

    def republish(self, events: Collection, docs: list[dict]) -> None:
        ids = [d["_id"] for d in docs]
        for i in range(0, len(ids), BATCH):
            events.update_many({"_id": {"$in": ids[i:i + BATCH]}}, {"$set": {FLAG: True}})

    def head(self, events: Collection, subject: str) -> dict | None:
        return events.find_one({"subject": subject}, sort=[("seq", DESCENDING)])

    def stream(self, events: Collection, subject: str, projection: dict | None = None) -> list[dict]:
        return list(events.find({"subject": subject}, projection=projection).sort("seq", ASCENDING))

    def recorded_since(self, events: Collection, since: datetime, projection: dict | None = None) -> list[dict]:
        if projection is not None:
            projection = {**projection, "stored_at": 1, "subject": 1, "seq": 1}
        return _order(list(events.find({"stored_at": {"$gte": since}}, projection=projection)
                           .sort("stored_at", ASCENDING)))

    def series(self, col: Collection, prefix: str, projection: dict | None = None) -> list[dict]:
        # an anchored prefix regex is a range scan of the `_id` index
        found = col.find({"_id": {"$regex": f"^{re.escape(prefix)}:[0-9]+$"}}, projection=projection)
        return dense(prefix, {d["_id"]: d for d in found})

    def count(self, col: Collection) -> int:
        return col.count_documents({})

    def outbox(self, db: Database) -> FlagReader:
        return FlagReader(db["events"])

    def counter(self) -> IncCounter:
        return IncCounter()

    def transient(self, name: str) -> bool:
        return False


class IncCounter(WindowCounter):
    """One document per window, `{_id: window, key, n, exp}`, incremented in place."""

    def __init__(self) -> None:
        self._indexed: set[str] = set()

    def take(self, col: Collection, key: str, window: str, expires: datetime) -> int:
        if col.full_name not in self._indexed:
            col.create_index([("key", ASCENDING), ("exp", ASCENDING)], name="key_exp")
            self._indexed.add(col.full_name)
        for _ in range(2):
            try:
                doc = col.find_one_and_update({"_id": window}, {"$inc": {"n": 1}, "$setOnInsert": {"key": key, "exp": expires}},
                                              upsert=True, return_document=ReturnDocument.AFTER)
                if doc is not None:  # an upsert always returns the document after it
                    return int(doc["n"])
            except DuplicateKeyError:  # two first hits upserted at once: the loser increments
                continue
        raise RuntimeError(f"counter {window!r}: upsert raced twice")

    def count(self, col: Collection, key: str) -> int:
        live = col.find({"key": key, "exp": {"$gt": datetime.now(timezone.utc)}}, projection={"n": 1})
        return sum(int(d.get("n", 0)) for d in live)

    def forget(self, key: str | None = None) -> None:
        """Nothing is remembered: the count is in the document."""


class FlagReader(OutboxReader):
    """The relay's reader of the unpublished flag (module doc)."""

    def __init__(self, events: Collection, batch: int = BATCH):
        self.events = events
        self.batch = batch

    def collect(self, in_flight: set[str]) -> Round:
        now = datetime.now(timezone.utc)
        found = self.events.find({FLAG: True}, projection=_ROUND_FIELDS).sort("stored_at", ASCENDING) \
            .limit(self.batch + len(in_flight))
        docs = [d for d in found if d["_id"] not in in_flight][:self.batch]
        return Round(now, _order(docs))

    def published(self, r: Round) -> None:
        ids = [d["_id"] for d in r.docs]
        for i in range(0, len(ids), self.batch):
            self.events.update_many({"_id": {"$in": ids[i:i + self.batch]}}, {"$unset": {FLAG: ""}})

    def forget(self) -> None:
        """Nothing is marked before Kafka's acks: what was not is read again anyway."""
