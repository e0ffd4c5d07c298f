"""Appending the next event of a stream idempotently: the write use case of every service.

A stream (an event subject) holds events 1, 2, ...; the next one is stored with seq = head + 1,
and the unique `_id` `<subject>:<seq>` of the store adapter (pantau/store/) decides a race. Each event document keeps
the SHA-256 of the request that made it (`content_hash`), so every write ends one of three ways:
- appended: stored now, in the outbox, and counted (`pantau_events_stored_total`);
- replayed: the same request was stored before (the event at that seq carries the same hash);
  nothing new is stored and the stored event is re-pointed, so one stored by an attempt whose
  pointer insert failed is still published;
- conflict: another request holds that seq. `Result.or_409` maps it to the one 409 problem.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

import orjson
from pymongo.collection import Collection

from . import metrics, store
from .envelope import new_event
from .events import SOURCES
from .messages import msg
from .mongo import by_id
from .problems import ProblemError
from .units import Registry


def content_hash(obj: Any) -> str:
    """SHA-256 of `obj` as JSON with sorted keys (values JSON cannot hold are written as text)."""
    return hashlib.sha256(orjson.dumps(obj, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()


class Outcome(Enum):
    APPENDED = "appended"
    REPLAYED = "replayed"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class Result:
    """How a write ended, with the event document that now holds its seq (None only for a
    conflict whose holder was removed again, e.g. by a failed pointer insert)."""
    outcome: Outcome
    doc: dict[str, Any] | None
    raced: bool = False  # a conflict with a request stored between our read and our insert

    @property
    def appended(self) -> bool:
        return self.outcome is Outcome.APPENDED

    @property
    def replayed(self) -> bool:
        return self.outcome is Outcome.REPLAYED

    @property
    def conflict(self) -> bool:
        return self.outcome is Outcome.CONFLICT

    def or_409(self, detail: Any = None, **extra: Any) -> Result:
        """This result, unless it is a conflict: then the 409 problem (`detail` a catalog message;
        a default text for a race)."""
        if self.conflict:
            raise conflict_problem(detail, **extra)
        return self


def conflict_problem(detail: Any = None, **extra: Any) -> ProblemError:
    """The 409 of a write that another request's event got to first."""
    default = msg("Changed by a concurrent request; re-read and retry.")
    return ProblemError(409, detail if detail is not None else default, **extra)


def check_stored(events: Collection, stored: dict[str, Any] | None, chash: str) -> Result | None:
    """What a request with hash `chash` is against the event `stored` at its seq: None when
    nothing is stored there, a replay (re-pointed) when the same request stored it, else a conflict."""
    if stored is None:
        return None
    if stored.get("content_hash") == chash:
        store.republish(events, [stored])
        return Result(Outcome.REPLAYED, stored)
    return Result(Outcome.CONFLICT, stored)


def repeats(events: Collection, doc: dict[str, Any] | None, chash: str, etype: str | None = None) -> bool:
    """True (and `doc` re-pointed) when the stored event `doc` (of type `etype`, if given) was made
    by the request with hash `chash`: for a check of the latest event before the rules are looked
    at, so that repeating a request that moved the state on still answers as the first time."""
    if doc is None or doc.get("content_hash") != chash:
        return False
    if etype is not None and doc["envelope"]["type"] != etype:
        return False
    store.republish(events, [doc])
    return True


def append_next(events: Collection, service: str, subject: str, etype: str, data: dict[str, Any], *,
                key: str, chash: str, private: dict[str, Any] | None = None, head: dict[str, Any] | None = None,
                time: datetime | None = None, correlation_id: str | None = None, dataversion: int = 1,
                not_before: datetime | None = None) -> Result:
    """Store `etype` as the next event of `subject` after `head` (its latest stored event
    document, None for a new stream). An exact repeat of `head` (its type and hash) is a replay;
    a race for the seq is a replay when the winner made the same request, else a conflict. The
    event is stored after the head's and `not_before` (another stream's event) for the relay."""
    if repeats(events, head, chash, etype):
        assert head is not None
        return Result(Outcome.REPLAYED, head)
    seq = head["seq"] + 1 if head is not None else 1
    event = new_event(source=SOURCES[service], type=etype, subject=subject, seq=seq, data=data, time=time,
                      dataversion=dataversion, correlationid=correlation_id)
    extra: dict[str, Any] = {"content_hash": chash}
    if private is not None:
        extra["private"] = private
    after = [t for t in (not_before, head["stored_at"] if head is not None else None) if t is not None]
    try:
        doc = store.append(events, event, key, extra, not_before=max(after) if after else None)
    except store.Conflict:
        taken = events.find_one({"_id": f"{subject}:{seq}"})
        found = check_stored(events, taken, chash)
        return found if found is not None and found.replayed else Result(Outcome.CONFLICT, taken, raced=True)
    metrics.EVENTS_STORED.labels(service, etype).inc()
    return Result(Outcome.APPENDED, doc)


def check_firsts(events: Collection, docs: list[dict[str, Any]]) -> list[Result | None]:
    """For prepared first events (seq 1, `content_hash` set) of many streams, in one `_id` query:
    None where the stream is new, else what the stored first event makes the request (a replay or
    a conflict; nothing re-pointed yet). A batch that is all-or-nothing stops at any conflict."""
    found = by_id(events, [d["_id"] for d in docs])
    out: list[Result | None] = []
    for d in docs:
        stored = found.get(d["_id"])
        if stored is None:
            out.append(None)
        else:
            out.append(Result(Outcome.REPLAYED if stored.get("content_hash") == d["content_hash"]
                              else Outcome.CONFLICT, stored))
    return out


def append_firsts(events: Collection, docs: list[dict[str, Any]], checked: list[Result | None]) -> list[Result]:
    """Store the docs `check_firsts` found new in one insert; one result per doc, in order. A
    stream stored concurrently in between is a replay if it holds the same request, else a raced
    conflict (the others are stored). The replays are re-pointed unless a conflict is answered.
    Not counted here: the caller counts the new events its answer reports."""
    raced = store.append_many(events, [d for d, r in zip(docs, checked, strict=True) if r is None])
    again = by_id(events, list(raced)) if raced else {}
    out: list[Result] = []
    for d, r in zip(docs, checked, strict=True):
        if r is not None:
            out.append(r)
        elif d["_id"] not in raced:
            out.append(Result(Outcome.APPENDED, d))
        elif (taken := again.get(d["_id"])) is not None and taken.get("content_hash") == d["content_hash"]:
            out.append(Result(Outcome.REPLAYED, taken))
        else:
            out.append(Result(Outcome.CONFLICT, taken, raced=True))
    if not any(r.conflict for r in out):
        store.republish(events, [r.doc for r in out if r.replayed and r.doc is not None])
    return out


# --- the units a write may name -------------------------------------------------------------

def is_service_unit(unit_id: str) -> bool:
    """A unit of the registry that serves the public (every kind but the province itself)."""
    unit = Registry.instance().get(unit_id)
    return unit is not None and unit.kind != "province"


def unknown_unit(errors: list[dict[str, Any]]) -> ProblemError:
    """The 422 of a request naming units the registry does not list (`errors`: their pointers)."""
    return ProblemError(422, msg("Unknown unit."), errors=errors)


def require_service_unit(unit_id: str, pointer: str = "/unit_id") -> None:
    """422 naming `pointer` unless `unit_id` is a service unit of the registry."""
    if not is_service_unit(unit_id):
        raise unknown_unit([{"pointer": pointer, "field": pointer.rsplit("/", 1)[-1],
                             "message": msg("unit not registered")}])
