"""Per-entity projections (services/aggregator/projections/entities.py) on the real store, with the
complaints projection's real events: a batch is folded in memory and written once per document;
redeliveries change nothing; an event ahead of its predecessor is parked and applied when the
predecessor comes (in the same or a later batch); a guarded write that meets another writer fails
the batch (so the consumer retries it); an impossible transition is rejected, not applied."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import orjson
import pytest

pytestmark = pytest.mark.infra

EXAMPLES = Path(__file__).resolve().parents[2] / "pantau" / "events" / "examples"
STEPS = ("received", "verified", "followed_up", "resolved")


def lifecycle(cid: str, offset0: int = 0) -> list:
    """The four events of one complaint, with consumer positions."""
    from pantau import events as _contracts  # noqa: F401  (registers the event schemas)
    from pantau.envelope import at_position, decode
    out = []
    for seq, step in enumerate(STEPS, 1):
        d = json.loads((EXAMPLES / f"complaint.{step}.json").read_text())
        d.update(id=str(uuid.uuid4()), seq=seq, subject=f"complaint:{cid}")
        d["data"]["complaint_id"] = cid
        if step in ("followed_up", "resolved"):
            d["data"]["holder_unit_id"] = d["data"]["actor_unit_id"] = "samsat-samarinda"
        out.append(at_position(decode(orjson.dumps(d)), "t", 0, offset0 + seq))
    return out


@pytest.fixture
def proj(infra):
    from pymongo import MongoClient

    from services.aggregator.projections import complaints
    client = MongoClient(infra.mongo_url)
    db = client[f"entities_{uuid.uuid4().hex[:8]}"]
    yield complaints.projection(db)
    client.drop_database(db.name)
    client.close()


def test_a_batch_is_applied_once_and_a_redelivery_changes_nothing(proj):
    a, b = lifecycle("A"), lifecycle("B", 10)
    assert proj.apply(a[:2] + b[:3]) == {}
    assert proj.apply(a[2:] + b[3:]) == {}
    first = {d["_id"]: d for d in proj.col.find({})}
    assert {k: (d["seq"], d["status"], len(d["log"])) for k, d in first.items()} == \
        {"A": (4, "ANSWERED", 4), "B": (4, "ANSWERED", 4)}
    assert proj.apply(a + b) == {}  # redelivered after a crash before the commit
    assert {d["_id"]: d for d in proj.col.find({})} == first


def test_events_ahead_of_their_predecessor_wait_in_the_parked_collection(proj):
    a = lifecycle("A")
    assert proj.apply([a[0], a[2], a[3]]) == {}
    assert proj.col.find_one({"_id": "A"})["seq"] == 1
    assert sorted(d["_id"] for d in proj.parked.find({})) == ["A:3", "A:4"]
    assert proj.apply([a[1]]) == {}
    doc = proj.col.find_one({"_id": "A"})
    assert (doc["seq"], doc["status"], [x["seq"] for x in doc["log"]]) == (4, "ANSWERED", [1, 2, 3, 4])
    assert list(proj.parked.find({})) == []
    # the same inside one batch
    b = lifecycle("B")
    assert proj.apply([b[1], b[0], b[3], b[2]]) == {}
    assert [x["seq"] for x in proj.col.find_one({"_id": "B"})["log"]] == [1, 2, 3, 4]
    assert list(proj.parked.find({})) == []


def test_parked_events_left_by_a_crash_after_the_write_are_swept(proj):
    a = lifecycle("A")
    proj.apply([a[0], a[2]])  # 3 parked
    proj.apply([a[1]])        # 2 and 3 applied, 3 unparked
    # as if the process died after the write and before removing the parked event
    proj.parked.insert_one({"_id": "A:3", "envelope": a[2].to_dict(), "position": list(a[2].position)})
    proj.apply([a[3]])
    assert proj.col.find_one({"_id": "A"})["seq"] == 4
    assert list(proj.parked.find({})) == [] and proj._any_parked is False


def test_a_write_that_meets_another_writer_fails_the_batch(proj, monkeypatch):
    a = lifecycle("A")
    proj.apply(a[:2])
    stale = proj.col.find_one({"_id": "A"})
    proj.apply(a[2:3])  # "another writer" moved the document on
    from services.aggregator.projections import entities
    monkeypatch.setattr(entities, "by_id", lambda _col, _ids: {"A": stale})
    with pytest.raises(RuntimeError, match="concurrent writer"):
        proj.apply(a[2:])
    monkeypatch.undo()
    assert proj.col.find_one({"_id": "A"})["seq"] == 3  # untouched by the failed batch
    assert proj.apply(a[2:]) == {} and proj.col.find_one({"_id": "A"})["seq"] == 4  # the retry


def test_an_impossible_transition_is_rejected_and_not_applied(proj):
    from dataclasses import replace
    a = lifecycle("A")
    proj.apply(a[:1])
    bad = replace(a[2], seq=2)  # a follow-up of a complaint nobody verified or disposed
    rejected = proj.apply([bad])
    assert list(rejected) == [bad.id] and rejected[bad.id].reason == "illegal_transition"
    doc = proj.col.find_one({"_id": "A"})
    assert (doc["seq"], doc["status"]) == (1, "RECEIVED")
