"""The store adapter: every operation the platform does on an event log, and the relay's outbox,
behind one interface (`EventStore`, pantau/store/base.py) with two implementations chosen by
`PANTAU_STORE_KIND`:

- `mongodb` (pantau/store/mongodb.py): plain indexed queries, the outbox a flag in the log;
- `ferretdb` (pantau/store/ferretdb.py): the local FerretDB/SQLite store, whose limits (only
  `_id` lookups are indexed, slow counts) are handled there and nowhere else.

Both pass tests/contract/test_store_contract.py. The operations on other collections that both
stores answer alike (batch read by `_id`, insert-if-absent, bulk apply with guards) are plain
pymongo, here too.
docs/decisions/0007-store-adapter.md says why the adapter has this shape.
"""
from __future__ import annotations

from datetime import datetime

from pymongo.collection import Collection
from pymongo.database import Database

from ..config import settings
from ..envelope import Event
from ..mongo import by_id, insert_ignoring_duplicates, only_duplicate_keys
from .base import (
    ConcurrentWrite,
    Conflict,
    EventStore,
    OutboxReader,
    Round,
    WindowCounter,
    apply_guarded,
    event_doc,
)

KINDS = ("ferretdb", "mongodb")
DEFAULT_KIND = "ferretdb"  # the local store `pantau infra` starts without mongod

__all__ = [
    "ConcurrentWrite",
    "Conflict",
    "DEFAULT_KIND",
    "EventStore",
    "KINDS",
    "OutboxReader",
    "Round",
    "WindowCounter",
    "append",
    "append_many",
    "apply_guarded",
    "by_id",
    "document_count",
    "event_doc",
    "head",
    "impl",
    "insert",
    "insert_ignoring_duplicates",
    "kind",
    "only_duplicate_keys",
    "outbox",
    "prepare",
    "publish",
    "recorded_since",
    "republish",
    "series",
    "stream",
    "transient",
]

_impls: dict[str, EventStore] = {}


def kind() -> str:
    k = settings().store_kind or DEFAULT_KIND
    if k not in KINDS:
        raise ValueError(f"PANTAU_STORE_KIND={k!r}: one of {', '.join(KINDS)}")
    return k


def impl(name: str | None = None) -> EventStore:
    """The implementation of kind `name` (default: the configured one)."""
    name = name or kind()
    if name not in _impls:
        if name == "mongodb":
            from .mongodb import MongoDBStore
            _impls[name] = MongoDBStore()
        elif name == "ferretdb":
            from .ferretdb import FerretDBStore
            _impls[name] = FerretDBStore()
        else:
            raise ValueError(f"unknown store kind {name!r}")
    return _impls[name]


# ---- the configured implementation's operations (see EventStore for each) ---------------------

def prepare(events: Collection) -> None:
    impl().ensure_indexes(events)


def append(events: Collection, event: Event, partition_key: str, extra: dict | None = None,
           not_before: datetime | None = None) -> dict:
    return impl().append(events, event, partition_key, extra, not_before)


def append_many(events: Collection, docs: list[dict]) -> set[str]:
    return impl().append_many(events, docs)


def insert(events: Collection, docs: list[dict]) -> set[str]:
    return impl().insert(events, docs)


def publish(events: Collection, docs: list[dict], also: list[dict] | None = None) -> None:
    impl().publish(events, docs, also)


def republish(events: Collection, docs: list[dict]) -> None:
    impl().republish(events, docs)


def head(events: Collection, subject: str) -> dict | None:
    return impl().head(events, subject)


def stream(events: Collection, subject: str, projection: dict | None = None) -> list[dict]:
    return impl().stream(events, subject, projection)


def recorded_since(events: Collection, since: datetime, projection: dict | None = None) -> list[dict]:
    return impl().recorded_since(events, since, projection)


def series(col: Collection, prefix: str, projection: dict | None = None) -> list[dict]:
    return impl().series(col, prefix, projection)


def document_count(col: Collection) -> int:
    return impl().count(col)


def outbox(db: Database) -> OutboxReader:
    return impl().outbox(db)


def transient(name: str) -> bool:
    return impl().transient(name)
