"""The one write use case (pantau/commands.py) against the real store: the next event of a stream
is appended after its head; an exact repeat, and a race lost to the same request, are replays
that re-point the stored event; a race lost to another request is a conflict, answered 409 once;
a batch of first events stops at any conflict before storing anything."""
from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.infra

DATA = {"unit_id": "samsat-samarinda", "response_id": "r1"}


@pytest.fixture
def events(infra, monkeypatch):
    from pantau import mongo
    monkeypatch.setenv("PANTAU_DB_PREFIX", f"cmdtest{uuid.uuid4().hex[:6]}")
    mongo.reset()
    col = mongo.db("survey")["events"]
    yield col
    mongo.client().drop_database(col.database.name)
    mongo.reset()


def pointers(events) -> list[str]:
    db = events.database
    return sorted(p["_id"] for name in db.list_collection_names() if name.startswith("outbox_")
                  for p in db[name].find({}))


def append(events, subject: str, chash: str, head=None):
    from pantau import commands
    from pantau.events import skm as ev
    return commands.append_next(events, "survey", subject, ev.RESPONSE_VOIDED, DATA, key="samsat-samarinda",
                                chash=chash, private={"reason": chash}, head=head)


def test_appended_then_replayed_then_a_raced_replay_and_a_raced_conflict(events):
    from pantau.problems import ProblemError
    first = append(events, "s", "h1")
    assert (first.outcome.value, first.doc["_id"], first.doc["seq"]) == ("appended", "s:1", 1)
    second = append(events, "s", "h2", head=first.doc)
    assert (second.outcome.value, second.doc["_id"]) == ("appended", "s:2")
    # the same request again, with the head it made: a replay, nothing stored, re-pointed
    for name in events.database.list_collection_names():
        if name.startswith("outbox_"):
            events.database.drop_collection(name)
    again = append(events, "s", "h2", head=second.doc)
    assert (again.outcome.value, again.doc["_id"]) == ("replayed", "s:2")
    assert pointers(events) == ["s:2"]
    # a request that read the stale head (seq 1) races for seq 2: the same request is a replay ...
    raced_same = append(events, "s", "h2", head=first.doc)
    assert (raced_same.outcome.value, raced_same.raced, raced_same.doc["_id"]) == ("replayed", False, "s:2")
    # ... another one a conflict, which `or_409` answers
    raced_other = append(events, "s", "h3", head=first.doc)
    assert (raced_other.outcome.value, raced_other.raced, raced_other.doc["_id"]) == ("conflict", True, "s:2")
    with pytest.raises(ProblemError) as exc:
        raced_other.or_409()
    assert exc.value.status == 409
    assert second.or_409() is second
    assert [d["_id"] for d in events.find({}).sort("_id")] == ["s:1", "s:2"]


def test_a_batch_of_first_events_is_all_or_nothing_on_a_conflict(events):
    from pantau import commands, store
    from pantau.envelope import new_event
    from pantau.events import skm as ev

    def doc(subject: str, chash: str) -> dict:
        e = new_event(source="pantau/survey", type=ev.RESPONSE_VOIDED, subject=subject, seq=1, data=DATA)
        return store.event_doc(e, "samsat-samarinda", {"content_hash": chash})

    stored = commands.append_firsts(events, [doc("a", "ha")], commands.check_firsts(events, [doc("a", "ha")]))
    assert [r.outcome.value for r in stored] == ["appended"]
    batch = [doc("a", "ha"), doc("b", "hb"), doc("c", "hc")]
    assert [None if r is None else r.outcome.value for r in commands.check_firsts(events, batch)] == \
        ["replayed", None, None]
    clash = [doc("a", "other"), doc("d", "hd")]
    assert [None if r is None else r.outcome.value for r in commands.check_firsts(events, clash)] == ["conflict", None]
    results = commands.append_firsts(events, batch, commands.check_firsts(events, batch))
    assert [r.outcome.value for r in results] == ["replayed", "appended", "appended"]
    assert sorted(d["_id"] for d in events.find({})) == ["a:1", "b:1", "c:1"]
