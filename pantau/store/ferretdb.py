"""The event store on FerretDB 1.24 with its SQLite backend (the local and test store, built by
pantau/infra/store.py), shaped by what that store does cheaply and what it does not:

- Only `_id` lookups (and, with the project's patches, `_id $in`) are answered from an index;
  any other filter scans and decodes the whole collection, and updates are read-modify-writes.
  So nothing ever queries, updates or scans the growing event log: a subject's head and stream
  are read by `_id $in` of `SERIES_PROBE` seqs at a time (`<subject>:1` ... `:32`, then on while
  every one was found), one query for most subjects.
- The outbox is therefore not a flag in the log but time-slot collections of small *pointers*
  (`_id`, subject, seq, key, stored_at) in `outbox_<epoch seconds // 10>`. A command's event
  (`append`, `append_many`) is pointed at before it is stored, so a crash between the two writes
  leaves only a pointer the relay skips. The single posts' group (`insert`, then `publish`) points
  right after its events: if that insert fails the events are removed again and the clients get
  a 503; if even that fails, a client's retry finds its event and re-inserts its pointer
  (`republish`), so an acknowledged event is always published.
- The relay reads the few open slots oldest first and drops a slot once it is closed
  (`CLOSE_AFTER` seconds past its end, longer than any request takes) and fully published. Every
  read scans the slot and decodes its documents whatever the projection, so pointers are small,
  each round reads an open slot's pointers in one query and takes the envelopes from the log by
  `_id $in`; a slot that has settled (`SETTLE_AFTER` past its end) is read once more and then only
  right before its drop (which still catches a late insert); between the two an older slot is read
  once a second (`PAST_EVERY`), not every round, so a steady trickle after a burst does not re-read
  the burst's slot each time. What was sent from an open slot is remembered in memory only: a
  relay crash republishes the open slots, and consumers absorb the duplicates.
- `count_documents({})` reads every document (2.6 s for 40,000 events): counts come from
  `collStats`, one cheap command.
- The rate-limit counters (`SlotCounter`): FerretDB does not implement the pipeline update in
  `findAndModify` that a counter document would need, and its updates are read-modify-writes
  without a lock, so a shared counter would lose increments under concurrency. So a hit takes a
  numbered *slot*: the document `<window>|<n>`, inserted only if absent (a unique `_id` insert,
  which the store does atomically). A process inserts the slot after the last one it took; if
  another has it, it reads the next `PROBE` slots (one `$in` read), inserts the first missing one
  and retries on a conflict; its rank is `n`. Every process takes the first missing slot from
  where it last stood, so the slots of a window stay dense and exactly the first `limit` hits
  pass. A hit costs one insert when its process served the window's last hit, else a `$in` read
  and an insert more; a group of concurrent requests' hits shares one insert (`take_many`).
"""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone

from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from ..envelope import Event
from ..mongo import by_id, insert_ignoring_duplicates
from .base import Conflict, EventStore, OutboxReader, Round, WindowCounter, dense, event_doc

log = logging.getLogger(__name__)

SLOT_SECONDS = 10
SLOT_PREFIX = "outbox_"
CLOSE_AFTER = 120.0  # seconds after a slot's end before it is dropped
SETTLE_AFTER = 30.0  # seconds after a slot's end after which it is read only once more before the drop
CURRENT_FOR = 2.0  # seconds after a slot's end during which it is still read every round
PAST_EVERY = 1.0  # seconds between reads of an older slot that has not settled (only late inserts come)


def slot_name(at: datetime) -> str:
    return f"{SLOT_PREFIX}{int(at.timestamp()) // SLOT_SECONDS}"


def slot_end(name: str) -> int:
    """Epoch second at which slot `name` closes to new pointers."""
    return (int(name[len(SLOT_PREFIX):]) + 1) * SLOT_SECONDS


def pointer(doc: dict) -> dict:
    """A slot's document: small, because the relay re-reads its open slots every round."""
    return {"_id": doc["_id"], "subject": doc["subject"], "seq": doc["seq"], "key": doc["key"],
            "stored_at": doc["stored_at"]}


class FerretDBStore(EventStore):
    kind = "ferretdb"

    def ensure_indexes(self, events: Collection) -> None:
        """`_id` is the only index the operations use (the log is never queried otherwise)."""

    def publish(self, events: Collection, docs: list[dict], also: list[dict] | None = None) -> None:
        if not docs and not also:
            return
        slot = events.database[slot_name(datetime.now(timezone.utc))]
        try:
            insert_ignoring_duplicates(slot, [pointer(d) for d in [*docs, *(also or ())]])
        except Exception:
            try:
                for d in docs:
                    events.delete_one({"_id": d["_id"], "envelope.id": d["envelope"]["id"]})
            except Exception:  # noqa: BLE001 - the client's retry republishes these (module doc)
                log.warning("events left without pointers until the client retries", extra={"count": len(docs)})
            raise

    def republish(self, events: Collection, docs: list[dict]) -> None:
        if docs:
            slot = events.database[slot_name(datetime.now(timezone.utc))]
            insert_ignoring_duplicates(slot, [pointer(d) for d in docs])

    # One write path and a command's events: the pointer before its event. A process killed between
    # the two leaves a pointer whose event never came (the relay skips it), not a stored event no
    # relay hands out. A pointer naming an event stored before (a replay or a conflict) republishes
    # it: consumers absorb the duplicate.
    def append(self, events: Collection, event: Event, partition_key: str, extra: dict | None = None,
               not_before: datetime | None = None) -> dict:
        doc = event_doc(event, partition_key, extra, not_before)
        self.republish(events, [doc])
        try:
            events.insert_one(self.stamp(doc))
        except DuplicateKeyError:
            raise Conflict(doc["_id"]) from None
        return doc

    def append_many(self, events: Collection, docs: list[dict]) -> set[str]:
        self.republish(events, docs)
        return self.insert(events, docs)

    def head(self, events: Collection, subject: str) -> dict | None:
        docs = self.series(events, subject)
        return docs[-1] if docs else None

    def stream(self, events: Collection, subject: str, projection: dict | None = None) -> list[dict]:
        return self.series(events, subject, projection)

    def recorded_since(self, events: Collection, since: datetime, projection: dict | None = None) -> list[dict]:
        # a scan of the whole log on this store: for rare operator commands only
        if projection is not None:
            projection = {**projection, "stored_at": 1, "subject": 1, "seq": 1}
        docs = list(events.find({"stored_at": {"$gte": since}}, projection=projection))
        return sorted(docs, key=lambda d: (d["stored_at"], d["subject"], d["seq"]))

    def series(self, col: Collection, prefix: str, projection: dict | None = None) -> list[dict]:
        # a regex on `_id` would scan the collection here: `_id $in` of SERIES_PROBE numbers at a time
        out: list[dict] = []
        while True:
            ids = [f"{prefix}:{n}" for n in range(len(out) + 1, len(out) + 1 + SERIES_PROBE)]
            got = dense(prefix, {**{d["_id"]: d for d in out}, **by_id(col, ids, projection)})
            if len(got) < len(out) + SERIES_PROBE:
                return got
            out = got

    def count(self, col: Collection) -> int:
        return int(col.database.command("collStats", col.name)["count"])

    def outbox(self, db: Database) -> SlotReader:
        return SlotReader(db)

    def counter(self) -> SlotCounter:
        return SlotCounter()

    def transient(self, name: str) -> bool:
        return name.startswith(SLOT_PREFIX)


SERIES_PROBE = 32  # numbers of a series read per `_id $in` query (a forum's promises: one query)
PROBE = 8  # counter slots read at once after the last one seen taken


class SlotCounter(WindowCounter):
    """Dense numbered slots per window (module doc)."""

    def __init__(self) -> None:
        self._last: dict[str, int] = {}  # window -> the last slot this process saw taken

    @staticmethod
    def _slot(window: str, n: int) -> str:
        return f"{window}|{n:09d}"

    def take(self, col: Collection, key: str, window: str, expires: datetime) -> int:
        if len(self._last) > 10000:  # bounded memory: a forgotten window costs a probe, not a miscount
            self._last.clear()
        base = self._last.get(window, 0)
        try:  # the common case (this process served the last hit): the next slot is free
            col.insert_one({"_id": self._slot(window, base + 1), "key": key, "window": window, "exp": expires})
            self._last[window] = base + 1
            return base + 1
        except DuplicateKeyError:
            base += 1
        while True:
            wanted = [self._slot(window, n) for n in range(base + 1, base + 1 + PROBE)]
            taken = {d["_id"] for d in col.find({"_id": {"$in": wanted}}, {"_id": 1})}
            free = next((i for i, slot in enumerate(wanted) if slot not in taken), None)
            if free is None:  # all PROBE slots taken: look further
                base += PROBE
                continue
            n = base + 1 + free
            try:
                col.insert_one({"_id": wanted[free], "key": key, "window": window, "exp": expires})
            except DuplicateKeyError:  # another process took it between the read and the insert
                base = n
                continue
            self._last[window] = n
            return n

    def take_many(self, col: Collection, hits: list[tuple[str, str, datetime]]) -> list[int]:
        """The slots after the last ones this process took, in one unordered insert; a slot another
        process had is taken again as `take` does (probed), so the slots stay dense."""
        if len(self._last) > 10000:
            self._last.clear()
        after: dict[str, int] = {}  # window -> the last slot proposed in this group
        wanted: list[tuple[int, dict]] = []
        for key, window, expires in hits:
            n = after[window] = after.get(window, self._last.get(window, 0)) + 1
            wanted.append((n, {"_id": self._slot(window, n), "key": key, "window": window, "exp": expires}))
        taken = insert_ignoring_duplicates(col, [doc for _, doc in wanted])
        for (_, window, _), (n, doc) in zip(hits, wanted, strict=True):
            if doc["_id"] not in taken:
                self._last[window] = max(n, self._last.get(window, 0))
        return [self.take(col, key, window, expires) if doc["_id"] in taken else n
                for (key, window, expires), (n, doc) in zip(hits, wanted, strict=True)]

    def count(self, col: Collection, key: str) -> int:
        return col.count_documents({"key": key, "exp": {"$gt": datetime.now(timezone.utc)}})

    def forget(self, key: str | None = None) -> None:
        if key is None:
            self._last.clear()
        else:
            self._last = {w: n for w, n in self._last.items() if not w.startswith(key + "|")}


class SlotReader(OutboxReader):
    """The relay's reader of the time-slot outbox (module doc)."""

    def __init__(self, db: Database, past_every: float = PAST_EVERY):
        self.db = db
        self.past_every = past_every
        self.sent: dict[str, set[str]] = {}  # slot -> `_id`s Kafka acknowledged
        self.settled: set[str] = set()  # slots fully sent after SETTLE_AFTER: skipped until their drop
        self.last_read: dict[str, float] = {}  # slot -> time.monotonic() of its last read

    def slots(self) -> list[str]:
        return sorted((n for n in self.db.list_collection_names() if n.startswith(SLOT_PREFIX)),
                      key=lambda n: int(n[len(SLOT_PREFIX):]))

    def collect(self, in_flight: set[str]) -> Round:
        now = datetime.now(timezone.utc)
        parts = []
        for name in self.slots():
            age = now.timestamp() - slot_end(name)
            if name in self.settled and age <= CLOSE_AFTER:
                continue
            read_at = time.monotonic()
            if age > CURRENT_FOR and read_at - self.last_read.get(name, float("-inf")) < self.past_every:
                continue
            self.last_read[name] = read_at
            done = self.sent.setdefault(name, set())
            parts.append((name, self._unsent(name, done | in_flight if in_flight else done)))
            if age > SETTLE_AFTER:
                self.settled.add(name)
        return Round(now, [d for _, new in parts for d in new], parts)

    def published(self, r: Round) -> None:
        for name, new in r.state:
            if new:
                self.sent.setdefault(name, set()).update(d["_id"] for d in new)
            if slot_end(name) < r.now.timestamp() - CLOSE_AFTER:
                self.db.drop_collection(name)  # closed and fully published
                self.sent.pop(name, None)
                self.settled.discard(name)
                self.last_read.pop(name, None)

    def forget(self) -> None:
        self.sent.clear()
        self.settled.clear()

    def _unsent(self, name: str, done: set[str]) -> list[dict]:
        """The slot's pointers not yet sent, in order, each with its event's envelope (read from
        the event log by `_id`). A pointer whose event is gone is skipped: its write was undone and
        answered 503 (`FerretDBStore.publish`)."""
        docs = [d for d in self.db[name].find({}) if d["_id"] not in done]
        missing = [d["_id"] for d in docs if "envelope" not in d]  # older pointers carried it
        events = by_id(self.db["events"], missing, projection={"envelope": 1, "audit": 1})
        out = []
        for d in docs:
            if "envelope" not in d:
                if d["_id"] not in events:
                    continue
                d["envelope"] = events[d["_id"]]["envelope"]
                if "audit" in events[d["_id"]]:
                    d["audit"] = events[d["_id"]]["audit"]  # a bureau write's entry (pantau/audit.py)
            out.append(d)
        return sorted(out, key=lambda d: (d["stored_at"], d["subject"], d["seq"]))
