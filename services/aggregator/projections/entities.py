"""Per-entity projections (a forum, a complaint): apply event `seq` only after `seq - 1`.

One document per aggregate, `_id` = aggregate id, with the last applied `seq`. A redelivered
event (seq ≤ stored) is skipped; a gap (seq > stored + 1) cannot happen when the relay publishes
in order under one key, so it is rejected to the DLQ for inspection instead of being guessed at.
Each document has a single writer: its key's partition is consumed by one consumer.
"""
from __future__ import annotations

from typing import Callable

from pymongo.errors import DuplicateKeyError

from pantau.consumer import Rejected
from pantau.envelope import Event

Fold = Callable[[dict | None, Event], dict]


class EntityProjection:
    def __init__(self, collection, id_of: Callable[[Event], str], folds: dict[str, Fold]):
        self.col = collection
        self.id_of = id_of
        self.folds = folds

    def apply(self, events: list[Event]) -> dict[str, Rejected]:
        rejected: dict[str, Rejected] = {}
        cache: dict[str, dict | None] = {}
        mine = [e for e in events if e.type in self.folds]
        ids = list({self.id_of(e) for e in mine})
        if not ids:
            return rejected
        for key in ids:  # `_id` lookups: the one query FerretDB does not answer by scanning
            cache[key] = self.col.find_one({"_id": key})
        for e in mine:
            fold = self.folds[e.type]
            key = self.id_of(e)
            current = cache.get(key)
            stored = current["seq"] if current else 0
            if e.seq <= stored:
                continue  # duplicate
            if e.seq != stored + 1:
                rejected[e.id] = Rejected("seq_gap", f"{key}: have {stored}, got {e.seq}")
                continue
            try:
                new = {**fold(current, e), "_id": key, "seq": e.seq, "updated_at": e.time}
            except (KeyError, ValueError, TypeError) as exc:
                rejected[e.id] = Rejected("apply_error", f"{key} seq {e.seq}: {exc!r}")
                continue
            if current is None:
                try:
                    self.col.insert_one(new)
                except DuplicateKeyError:
                    cache[key] = self.col.find_one({"_id": key})  # written by an earlier attempt
                    continue
            else:
                res = self.col.replace_one({"_id": key, "seq": stored}, new)
                if res.matched_count != 1:
                    raise RuntimeError(f"{key}: concurrent writer (expected seq {stored})")  # retried
            cache[key] = new
        return rejected
