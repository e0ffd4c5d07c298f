"""Rate-limit counters in the platform's own store, shared by every gunicorn worker of every service
and kept across restarts: a `limits` storage (scheme `pantau-store://`) for Flask-Limiter's fixed-
window strategy (issue 17).

Why not the `limits` MongoDB storage: it counts with a pipeline update in `findAndModify`, which the
local store (FerretDB 1.24) does not implement, and FerretDB's updates are read-modify-writes
without a lock, so a shared counter document would lose increments under concurrency; and any filter
but `_id` equality or `$in` scans the collection there (README, store notes). So a hit takes a
numbered *slot*: the document `<key>|<window start>|<n>` in `<prefix>_registry.rate_hits`, inserted
only if absent (a unique `_id` insert, which the store does atomically). The worker inserts the slot
after the last one it took; if another worker has it, it reads the next slots (one `$in` read),
inserts the first missing one and retries on a conflict; its rank is `n`. Every worker takes the
first missing slot from where it last stood, so the slots of a window stay dense and exactly the
first `limit` hits pass, whichever workers serve them. Windows are aligned to the clock (a minute
limit resets on the minute). A hit costs one insert when its worker served the window's last hit,
else a `$in` read and an insert more, each bounded by `OP_TIMEOUT_S`; when the store is unreachable
Flask-Limiter falls back to per-worker memory counters (pantau/ratelimit.py) and the request meets
the store's own 503 anyway. Ended windows are deleted now and then.
"""
from __future__ import annotations

import random
import time
from datetime import datetime, timedelta, timezone

import pymongo
from limits.storage import Storage
from pymongo.errors import DuplicateKeyError, PyMongoError

OP_TIMEOUT_S = 0.5
SWEEP_EVERY = 500  # hits, on average, between deletions of ended windows


def _hits():
    from . import mongo
    return mongo.db("registry")["rate_hits"]


PROBE = 8  # slots read at once after the last one seen taken


class StoreStorage(Storage):
    STORAGE_SCHEME = ["pantau-store"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: float | str | bool):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._last: dict[str, int] = {}  # window -> the last slot this worker saw taken

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return PyMongoError

    def _coll(self):
        return _hits()  # no secondary index: the store would not use it, and inserts stay cheap

    @staticmethod
    def _slot(window: str, n: int) -> str:
        return f"{window}|{n:09d}"

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        start = int(now // expiry) * expiry
        exp = datetime.fromtimestamp(start + expiry, timezone.utc)
        window = f"{key}|{start}"
        coll = self._coll()
        if len(self._last) > 10000:
            self._last.clear()
        rank = 0
        with pymongo.timeout(OP_TIMEOUT_S * 4):
            for _ in range(max(1, amount)):
                rank = self._take(coll, key, window, exp)
        if random.random() < 1 / SWEEP_EVERY:
            self._sweep(coll)
        return rank

    def _take(self, coll, key: str, window: str, exp: datetime) -> int:
        base = self._last.get(window, 0)
        try:  # the common case (this worker served the last hit): the next slot is free
            coll.insert_one({"_id": self._slot(window, base + 1), "key": key, "window": window, "exp": exp})
            self._last[window] = base + 1
            return base + 1
        except DuplicateKeyError:
            base += 1
        while True:
            wanted = [self._slot(window, n) for n in range(base + 1, base + 1 + PROBE)]
            taken = {d["_id"] for d in coll.find({"_id": {"$in": wanted}}, {"_id": 1})}
            free = next((i for i, slot in enumerate(wanted) if slot not in taken), None)
            if free is None:  # all PROBE slots taken: look further
                base += PROBE
                continue
            n = base + 1 + free
            try:
                coll.insert_one({"_id": wanted[free], "key": key, "window": window, "exp": exp})
            except DuplicateKeyError:  # another worker took it between the read and the insert
                base = n
                continue
            self._last[window] = n
            return n

    def _sweep(self, coll) -> None:
        try:
            with pymongo.timeout(OP_TIMEOUT_S * 4):
                coll.delete_many({"exp": {"$lt": datetime.now(timezone.utc) - timedelta(seconds=5)}})
        except PyMongoError:
            pass  # the next sweep will do
        now = time.time()
        self._last = {w: n for w, n in self._last.items() if int(w.rsplit("|", 1)[1]) > now - 86400}

    def get(self, key: str) -> int:
        with pymongo.timeout(OP_TIMEOUT_S):
            return self._coll().count_documents({"key": key, "exp": {"$gt": datetime.now(timezone.utc)}})

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
        self._last.clear()
        with pymongo.timeout(5):
            return self._coll().delete_many({}).deleted_count

    def clear(self, key: str) -> None:
        self._last = {w: n for w, n in self._last.items() if not w.startswith(key + "|")}
        with pymongo.timeout(5):
            self._coll().delete_many({"key": key})
