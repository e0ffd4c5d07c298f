"""MongoDB client, created lazily per process (so after a gunicorn fork, never before)."""
from __future__ import annotations

import os
import threading

from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import (
    AutoReconnect,
    BulkWriteError,
    ConnectionFailure,
    ExecutionTimeout,
    NetworkTimeout,
    ServerSelectionTimeoutError,
)

from .config import settings

_lock = threading.Lock()
_clients: dict[tuple[int, str], MongoClient] = {}

STORE_ERRORS = (AutoReconnect, ConnectionFailure, NetworkTimeout, ServerSelectionTimeoutError, ExecutionTimeout)
"""Errors meaning 'the store is unreachable or too slow right now' (retry / 503), not 'bad data'.
ExecutionTimeout: a request's store deadline (pantau.web.STORE_DEADLINE_S) ran out."""


def client(url: str | None = None) -> MongoClient:
    url = url or settings().mongo_url
    key = (os.getpid(), url)
    with _lock:
        c = _clients.get(key)
        if c is None:
            # retryWrites off: every write is idempotent by `_id` and retried by its caller.
            c = MongoClient(url, serverSelectionTimeoutMS=3000, connectTimeoutMS=3000,
                            socketTimeoutMS=30000, retryWrites=False, tz_aware=True)
            _clients[key] = c
        return c


def db(service: str) -> Database:
    s = settings()
    return client(s.mongo_url)[s.db_name(service)]


def ping(timeout_ms: int = 1000) -> bool:
    try:
        client().admin.command("ping", maxTimeMS=timeout_ms)
        return True
    except Exception:  # noqa: BLE001 - readiness answers yes/no
        return False


def reset() -> None:
    """Forget clients (tests that change PANTAU_MONGO_URL)."""
    with _lock:
        for c in _clients.values():
            c.close()
        _clients.clear()


DUPLICATE_KEY = 11000


def only_duplicate_keys(exc: BulkWriteError) -> bool:
    """Did a bulk write fail only because some `_id`s exist already?"""
    return all(e.get("code") == DUPLICATE_KEY for e in exc.details.get("writeErrors", []))


def insert_ignoring_duplicates(col: Collection, docs: list[dict]) -> set[str]:
    """insert_many(ordered=False); returns the `_id`s that already existed (not inserted)."""
    if not docs:
        return set()
    try:
        col.insert_many(docs, ordered=False)
        return set()
    except BulkWriteError as exc:
        if not only_duplicate_keys(exc):
            raise
        return {docs[e["index"]]["_id"] for e in exc.details["writeErrors"]}


def by_id(col, ids: list, projection: dict | None = None) -> dict:
    """{_id: document} of the documents with these `_id`s, in one `$in` query on the `_id` index."""
    if not ids:
        return {}
    if projection is not None and projection.get("_id", 1) == 0:
        projection = {k: v for k, v in projection.items() if k != "_id"}  # the key is needed here
    return {d["_id"]: d for d in col.find({"_id": {"$in": list(ids)}}, projection=projection)}

