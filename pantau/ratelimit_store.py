"""Rate-limit counters in the platform's own store, shared by every gunicorn worker of every service
and kept across restarts: a `limits` storage (scheme `pantau-store://`) for Flask-Limiter's fixed-
window strategy (issue 17).

The counting is the store adapter's (`WindowCounter`, pantau/store/, on MongoDB one `$inc` per hit;
exact under concurrency on every store it supports), and this module is the `limits` plumbing
around it, so the limits count in the one store the services already use. Windows are aligned to
the clock (a minute limit resets on the minute). A hit is bounded by `OP_TIMEOUT_S` per store
operation; the hits of concurrent requests of a worker are counted together (pantau/group_commit.py,
the single posts' window). When the store is unreachable Flask-Limiter falls back to per-worker memory counters
(pantau/ratelimit.py) and the request meets the store's own 503 anyway. Ended windows are deleted
now and then.
"""
from __future__ import annotations

import random
import time
from datetime import datetime, timedelta, timezone

import pymongo
from limits.storage import Storage
from pymongo.errors import PyMongoError

from . import store
from .group_commit import GroupCommit, max_group, window_s

OP_TIMEOUT_S = 0.5
SWEEP_EVERY = 500  # hits, on average, between deletions of ended windows


def _hits():
    from . import mongo
    return mongo.db("registry")["rate_hits"]


class StoreStorage(Storage):
    STORAGE_SCHEME = ["pantau-store"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._counter = store.impl().counter()  # what this worker remembers of the windows
        # the hits of concurrent requests (each request thread's) share one store write
        self._group: GroupCommit[tuple[str, str, datetime], int] = GroupCommit(
            self._take_many, window_s(), max_group())

    def _take_many(self, hits: list[tuple[str, str, datetime]]) -> list[int]:
        with pymongo.timeout(OP_TIMEOUT_S * 4):
            return self._counter.take_many(self._coll(), hits)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return PyMongoError

    def _coll(self):
        return _hits()

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        start = int(now // expiry) * expiry
        exp = datetime.fromtimestamp(start + expiry, timezone.utc)
        window = f"{key}|{start}"
        coll = self._coll()
        rank = 0
        for _ in range(max(1, amount)):
            rank = self._group.submit((key, window, exp))
        if random.random() < 1 / SWEEP_EVERY:
            self._sweep(coll)
        return rank

    def _sweep(self, coll) -> None:
        try:
            with pymongo.timeout(OP_TIMEOUT_S * 4):
                coll.delete_many({"exp": {"$lt": datetime.now(timezone.utc) - timedelta(seconds=5)}})
        except PyMongoError:
            pass  # the next sweep will do

    def get(self, key: str) -> int:
        with pymongo.timeout(OP_TIMEOUT_S):
            return self._counter.count(self._coll(), key)

    def get_expiry(self, key: str) -> float:
        with pymongo.timeout(OP_TIMEOUT_S):
            doc = self._coll().find_one({"key": key, "exp": {"$gt": datetime.now(timezone.utc)}}, sort=[("exp", 1)])
        if doc is None:
            return time.time()
        exp = doc["exp"] if doc["exp"].tzinfo else doc["exp"].replace(tzinfo=timezone.utc)
        return exp.timestamp()

    def check(self) -> bool:
        try:
            from . import mongo
            with pymongo.timeout(OP_TIMEOUT_S * 2):
                mongo.client().admin.command("ping")
            return True
        except PyMongoError:
            return False

    def reset(self) -> int | None:
        self._counter.forget()
        with pymongo.timeout(5):
            return self._coll().delete_many({}).deleted_count

    def clear(self, key: str) -> None:
        self._counter.forget(key)
        with pymongo.timeout(5):
            self._coll().delete_many({"key": key})
