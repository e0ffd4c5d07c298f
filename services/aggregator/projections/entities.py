"""Per-entity projections (a forum, a promise, a complaint): apply event `seq` only after `seq-1`.

One document per aggregate, `_id` = aggregate id, with the last applied `seq`. A redelivered or
republished event (seq ≤ stored) is skipped. An event that arrives before its predecessor
(seq > stored + 1; possible only in a narrow race between two writers of one subject and the
relay) is parked in `<collection>_parked` under `"<id>:<seq>"` and applied as soon as its
predecessor has been. Each document has a single writer: its key's partition has one consumer.
Store round trips per batch: one read of its documents (`_id` $in), one probe of the parked collection, one bulk
write; all by `_id`, so each is one indexed operation.
"""
from __future__ import annotations

from collections.abc import Callable

import orjson
from pymongo.errors import DuplicateKeyError

from pantau.consumer import Rejected
from pantau.envelope import Event, at_position, decode
from pantau.store import apply_guarded, by_id

Fold = Callable[[dict | None, Event], dict]


class EntityProjection:
    def __init__(self, collection, id_of: Callable[[Event], str], folds: dict[str, Fold]):
        self.col = collection
        self.parked = collection.database[collection.name + "_parked"]
        self.id_of = id_of
        self.folds = folds

    def apply(self, events: list[Event]) -> dict[str, Rejected]:
        """Fold the batch in memory, then write each changed document once (one bulk write);
        parked successors are removed only after that write."""
        rejected: dict[str, Rejected] = {}
        mine = [e for e in events if e.type in self.folds]
        if not mine:
            return rejected
        keys = list(dict.fromkeys(self.id_of(e) for e in mine))
        found = by_id(self.col, keys)
        stored = {key: found.get(key) for key in keys}
        state = dict(stored)
        self._any_parked = self.parked.find_one({}, {"_id": 1}) is not None and self._sweep_parked()
        unparked: list[str] = []
        for e in mine:
            self._apply_one(self.id_of(e), e, state, rejected, unparked)
        self._write(stored, state)
        for parked_id in unparked:
            self.parked.delete_one({"_id": parked_id})
        return rejected

    def _apply_one(self, key: str, e: Event, state: dict, rejected: dict, unparked: list) -> None:
        current = state.get(key)
        have = current["seq"] if current else 0
        if e.seq <= have:
            return  # duplicate
        if e.seq != have + 1:
            self._park(key, e)
            return
        try:
            state[key] = {**self.folds[e.type](current, e), "_id": key, "seq": e.seq, "updated_at": e.time}
        except Rejected as rej:  # the fold's verdict: never applicable (any other error is a failure)
            rejected[e.id] = rej
            return
        successor = self.parked.find_one({"_id": f"{key}:{e.seq + 1}"}) if self._any_parked else None
        if successor is not None:
            nxt = at_position(decode(orjson.dumps(successor["envelope"])), *successor["position"])
            self._apply_one(key, nxt, state, rejected, unparked)
            unparked.append(successor["_id"])

    def _write(self, stored: dict, state: dict) -> None:
        """Each changed document: inserted if new, else replaced guarded by the `seq` it had. A
        conflict (another writer, or an earlier attempt's insert) raises, so the consumer retries
        the batch, re-reads, and skips what is already applied."""
        apply_guarded(self.col, [(stored[key], doc) for key, doc in state.items() if doc is not stored[key]])

    def _sweep_parked(self) -> bool:
        """Remove parked events their documents already have (a crash between a batch's write
        and their removal leaves them); True if any still wait. Runs only when some are parked."""
        ids = [d["_id"] for d in self.parked.find({}, {"_id": 1})]
        have = {k: d["seq"] for k, d in by_id(self.col, list({i.rsplit(":", 1)[0] for i in ids})).items()}
        stale = [i for i in ids if int(i.rsplit(":", 1)[1]) <= have.get(i.rsplit(":", 1)[0], 0)]
        if stale:
            self.parked.delete_many({"_id": {"$in": stale}})
        return len(stale) < len(ids)

    def _park(self, key: str, e: Event) -> None:
        self._any_parked = True
        try:
            self.parked.insert_one({"_id": f"{key}:{e.seq}", "envelope": e.to_dict(),
                                    "position": list(e.position or ("", 0, 0))})
        except DuplicateKeyError:
            pass  # already parked by an earlier attempt
