"""Single SKM posts stored in groups (issue 20): the single posts that request threads of one worker
make within PANTAU_GROUP_COMMIT_MS (default 3 ms; 0 stores each on its own) are appended with one
`insert_many` of their events and one hand-over to the outbox (pantau/group_commit.py), where
each post alone costs a repeat check, an insert and an outbox write.

Each request gets its own outcome, only after the whole group is stored: new (its event stored
and in the outbox), a repeat (the same content already stored, or posted by another request of the
group: it is republished, as `record` does, so an event of a failed earlier attempt is
published), or a 409 (the `response_id` is taken with other content) for that request alone. A
store error raises for every request of the group (503); if the outbox cannot take them the
group's new events are removed again (pantau/store/), so no acknowledged document is missing
and no 503 is half-stored but for what the client's retry repairs.
"""
from __future__ import annotations

import os
import threading

from pymongo.collection import Collection
from pymongo.errors import AutoReconnect

from pantau import store as event_log
from pantau.errors import Conflict
from pantau.group_commit import GroupCommit, max_group, window_s
from pantau.messages import msg

from . import suggestions

_lock = threading.Lock()
_committers: dict[tuple[int, int, str, str, float], GroupCommit] = {}


def committer(events: Collection) -> GroupCommit:
    """This process's group committer of `events` (one per client, collection and window setting)."""
    window = window_s()
    key = (os.getpid(), id(events.database.client), events.database.name, events.name, window)
    with _lock:
        c = _committers.get(key)
        if c is None:
            c = _committers[key] = GroupCommit(lambda docs: store(events, docs), window, max_group())
        return c


def conflict() -> Conflict:
    return Conflict(msg("This response_id already exists with different content; nothing was stored."),
                    errors=[{"pointer": "/response_id", "field": "response_id", "index": 0,
                             "message": msg("response_id already used with different content")}])


def store(events: Collection, docs: list[dict]) -> list[bool | Exception]:
    """Store a group of single posts' event documents; per document: True (stored now), False (a
    repeat of stored content) or a Conflict (409). Raises on a store error (every request 503).

    Round trips: the events' insert and the outbox's write (pantau/store/); one `_id $in` read
    more only when some `_id` existed already."""
    first: dict[str, int] = {}  # _id -> index of the group's first document with it
    for i, d in enumerate(docs):
        first.setdefault(d["_id"], i)
    owners = [docs[i] for i in sorted(first.values())]
    suggestions.seal(owners)  # before anything is stored (a repeat's key is the one it has)
    taken = event_log.insert(events, owners)  # ids stored before this group
    stored = event_log.by_id(events, list(taken), projection={"content_hash": 1, "subject": 1, "seq": 1, "key": 1,
                                                     "stored_at": 1}) if taken else {}
    new = [d for d in owners if d["_id"] not in taken]
    # a repeat republishes the stored event (see the module doc); new events are published
    repeats = [stored[d["_id"]] for d in owners
               if d["_id"] in stored and stored[d["_id"]].get("content_hash") == d["content_hash"]]
    event_log.publish(events, new, also=repeats)
    out: list[bool | Exception] = []
    for i, d in enumerate(docs):
        owner = docs[first[d["_id"]]]
        if d["_id"] in taken and d["_id"] not in stored:
            # stored before and removed since (a failed attempt undone): the client retries
            out.append(AutoReconnect(f"{d['_id']} was removed while this group was stored"))
            continue
        held = stored[d["_id"]].get("content_hash") if d["_id"] in taken else owner["content_hash"]
        if held != d["content_hash"]:
            out.append(conflict())
        else:
            out.append(i == first[d["_id"]] and d["_id"] not in taken)
    return out
