"""Per-entity projections (a forum, a promise, a complaint): apply event `seq` only after `seq-1`.

One document per aggregate, `_id` = aggregate id, with the last applied `seq`. A redelivered or
republished event (seq ≤ stored) is skipped. An event that arrives before its predecessor
(seq > stored + 1; possible only in a narrow race between two writers of one subject and the
relay) is parked in `<collection>_parked` under `"<id>:<seq>"` and applied as soon as its
predecessor has been. Each document has a single writer: its key's partition has one consumer.
All reads are by `_id` (FerretDB answers only those without scanning).
"""
from __future__ import annotations

from typing import Callable

import orjson
from pymongo.errors import DuplicateKeyError

from pantau.consumer import Rejected
from pantau.envelope import Event, at_position, decode

Fold = Callable[[dict | None, Event], dict]


class EntityProjection:
    def __init__(self, collection, id_of: Callable[[Event], str], folds: dict[str, Fold]):
        self.col = collection
        self.parked = collection.database[collection.name + "_parked"]
        self.id_of = id_of
        self.folds = folds

    def apply(self, events: list[Event]) -> dict[str, Rejected]:
        rejected: dict[str, Rejected] = {}
        mine = [e for e in events if e.type in self.folds]
        cache: dict[str, dict | None] = {}
        for key in {self.id_of(e) for e in mine}:
            cache[key] = self.col.find_one({"_id": key})
        for e in mine:
            key = self.id_of(e)
            self._apply_one(key, e, cache, rejected)
        return rejected

    def _apply_one(self, key: str, e: Event, cache: dict, rejected: dict) -> None:
        current = cache.get(key)
        stored = current["seq"] if current else 0
        if e.seq <= stored:
            return  # duplicate
        if e.seq != stored + 1:
            self._park(key, e)
            return
        try:
            new = {**self.folds[e.type](current, e), "_id": key, "seq": e.seq, "updated_at": e.time}
        except (KeyError, ValueError, TypeError) as exc:
            rejected[e.id] = Rejected("apply_error", f"{key} seq {e.seq}: {exc!r}")
            return
        if current is None:
            try:
                self.col.insert_one(new)
            except DuplicateKeyError:
                cache[key] = self.col.find_one({"_id": key})  # written by an earlier attempt
                return
        else:
            res = self.col.replace_one({"_id": key, "seq": stored}, new)
            if res.matched_count != 1:
                raise RuntimeError(f"{key}: concurrent writer (expected seq {stored})")  # batch is retried
        cache[key] = new
        successor = self.parked.find_one({"_id": f"{key}:{e.seq + 1}"})
        if successor is not None:
            nxt = at_position(decode(orjson.dumps(successor["envelope"])), *successor["position"])
            self._apply_one(key, nxt, cache, rejected)
            self.parked.delete_one({"_id": successor["_id"]})

    def _park(self, key: str, e: Event) -> None:
        try:
            self.parked.insert_one({"_id": f"{key}:{e.seq}", "envelope": e.to_dict(),
                                    "position": list(e.position or ("", 0, 0))})
        except DuplicateKeyError:
            pass  # already parked by an earlier attempt
