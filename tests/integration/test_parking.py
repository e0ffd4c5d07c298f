"""A valid event that cannot be applied does not stall its partition: on the real broker and store,
the consumer parks it in the DLQ (reason apply_failed), applies the records around it, commits,
and `pantau dlq replay` re-applies it once fixed, exactly once (pantau/consumer.py, pantau/dlq.py).

The failure is real where it can be: the first test's projection writes a document with the
event's tag as a field name, and the store itself refuses a name with a dot (what wedged the
pipeline before). The SKM test makes the store refuse one year-document write by wrapping the
projection's store access (after the hardening no value of an SKM event reaches a field name)."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from marshmallow import Schema, fields
from pymongo.errors import WriteError

from pantau import bus, dlq, envelope, mongo
from pantau.config import settings
from pantau.consumer import ConsumerLoop
from pantau.events import skm as ev
from pantau.rules.ikm import ELEMENTS

pytestmark = pytest.mark.infra

TAG_TYPE = "parktest.tagged"
WITA = timezone(timedelta(hours=8))


class TagSchema(Schema):
    tag = fields.String(required=True)


@pytest.fixture
def world(infra, monkeypatch):
    monkeypatch.setitem(envelope._DATA_SCHEMAS, (TAG_TYPE, 1), TagSchema)
    s = settings()
    topic = f"parktest-{uuid.uuid4().hex[:8]}.events"
    a = bus.admin(s)
    a.create_topics([NewTopic(topic, 1, 1), NewTopic(topic + ".dlq", 1, 1)])
    a.close()
    db = mongo.client()[f"{s.db_prefix}_park_{uuid.uuid4().hex[:6]}"]
    yield s, topic, db
    mongo.client().drop_database(db.name)


def publish(s, topic: str, events: list) -> None:
    p = bus.producer(s)
    for e in events:
        p.send(topic, key=b"k", value=e.to_bytes())
    p.flush()
    p.close()


def drain(s, topic: str, group: str, projections, db) -> ConsumerLoop:
    """Run a consumer of `topic` until its group has committed up to the topic's end."""
    loop = ConsumerLoop({topic: projections}, s, group_id=group, poll_ms=100)
    tp = TopicPartition(topic, 0)
    end = loop.consumer.end_offsets([tp])[tp]
    deadline = time.monotonic() + 60

    def done() -> bool:
        if time.monotonic() > deadline:
            raise AssertionError("the consumer did not reach the end of the topic")
        return (loop.consumer.committed(tp) or 0) >= end
    loop.run(until=done)
    return loop


def dlq_records(s, topic: str) -> list:
    c = KafkaConsumer(bootstrap_servers=s.kafka_bootstrap, group_id=None, enable_auto_commit=False,
                      consumer_timeout_ms=1500)
    tp = TopicPartition(topic + ".dlq", 0)
    c.assign([tp])
    c.seek_to_beginning(tp)
    out = list(c)
    c.close()
    return out


class TagProjection:
    """One document per event: `{_id: event id, counts: {<tag>: 1}}` (naive: the tag as a field
    name, which the store refuses for a tag with a dot), or `fixed`: the tag as a value."""

    def __init__(self, col, fixed: bool = False):
        self.col, self.fixed = col, fixed

    def apply(self, events):
        for e in events:
            counts = [{"value": e.data["tag"], "count": 1}] if self.fixed else {e.data["tag"]: 1}
            self.col.replace_one({"_id": e.id}, {"_id": e.id, "counts": counts, "position": list(e.position)},
                                 upsert=True)
        return {}


def tagged(tag: str):
    return envelope.new_event(source="t", type=TAG_TYPE, subject=f"s:{tag}", seq=1, data={"tag": tag})


def test_a_record_the_store_refuses_is_parked_its_neighbours_applied_and_the_replay_applies_it(world):
    s, topic, db = world
    events = [tagged(t) for t in ("a", "b", "izin usaha (Perda No. 5)", "c", "d")]
    publish(s, topic, events)
    group = f"park-{uuid.uuid4().hex[:6]}"

    drain(s, topic, group, TagProjection(db["tags"]), db)
    stored = {d["_id"] for d in db["tags"].find({}, {"_id": 1})}
    assert stored == {events[i].id for i in (0, 1, 3, 4)}  # the partition moved on past the bad one
    (rec,) = dlq_records(s, topic)
    h = {k: v.decode() for k, v in rec.headers}
    assert h["dlq_reason"] == "apply_failed" and h["dlq_origin"] == f"{topic}:0:2"
    assert rec.value == events[2].to_bytes()

    # fixed: the replay sends it back at its place, the consumer applies it at its original position
    ledger = db["dlq_replays"]
    parked = dlq.entries(s, [topic], {"apply_failed"})
    assert [e.origin for e in parked] == [(topic, 0, 2)]
    assert [e.id for e in dlq.replay(s, ledger, parked)] == [parked[0].id]
    assert dlq.replay(s, ledger, parked) == []  # once, unless asked again
    drain(s, topic, group, TagProjection(db["tags"], fixed=True), db)
    doc = db["tags"].find_one({"_id": events[2].id})
    assert doc["counts"] == [{"value": "izin usaha (Perda No. 5)", "count": 1}]
    assert doc["position"] == [topic, 0, 2]  # applied where the original stood
    assert len(dlq_records(s, topic)) == 1  # and not parked again


def refusing_projection(db):
    """The project's SKM projection whose store refuses (as a store would) any year document that
    holds a response with service_type `refused`, while `refusing` is on; the slots and bursts
    written before it in the same batch are written."""
    from services.aggregator.projections.skm import UNITS, SkmProjection, writes

    class Refusing(SkmProjection):
        refusing = True

        def _write(self, years) -> None:
            for name, docs in writes(years):
                if self.refusing and name == UNITS and "refused" in str([d["months"] for d in docs]):
                    raise WriteError("document refused by the store", code=2)
                for d in docs:
                    self.db[name].replace_one({"_id": d["_id"]}, d, upsert=True)
    return Refusing(db)


def response(n: int, service_type: str, recorded: datetime):
    at = datetime(2026, 3, 10, 9, n, tzinfo=WITA)
    data = {"unit_id": "samsat-samarinda", "response_id": f"pk-{n}", "submitted_at": at.isoformat(),
            "period_month": "2026-03", "local_hour": 9, "answers": {k: 4 - (n % 2) for k in ELEMENTS},
            "service_type": service_type, "channel": "web", "respondent": None, "has_suggestion": False,
            "recorded_at": recorded.isoformat()}
    return envelope.new_event(source="survey", type=ev.RESPONSE_RECORDED, subject=f"skm:samsat-samarinda:pk-{n}",
                              seq=1, data=data, time=at)


def test_a_parked_skm_response_is_counted_once_when_replayed_and_as_of_stays_exact(world):
    from services.aggregator.projections.skm import PARKED, SkmProjection
    from services.aggregator.skm_read import month_tallies
    s, topic, db = world
    t0 = datetime.now(timezone.utc) - timedelta(minutes=30)
    events = [response(1, "pajak", t0), response(2, "refused", t0 + timedelta(minutes=10)),
              response(3, "pajak", t0 + timedelta(minutes=20))]
    proj = refusing_projection(db)
    group = f"park-{uuid.uuid4().hex[:6]}"
    for e in events:  # one record per batch, as a live consumer sees a trickle
        publish(s, topic, [e])
        drain(s, topic, group, proj, db)

    def figures(as_of=None, at=db) -> int:
        return month_tallies(at, ["samsat-samarinda"], [2026], as_of)["samsat-samarinda"]["2026-03"].respondents
    assert figures() == 2  # 1 and 3; 2 parked
    assert db[PARKED].find_one({"_id": f"{topic}:0:1"}) is not None
    slots = [i["k"] for d in db["skm_unit_slots"].find({}) for i in d["items"]]
    assert sorted(slots) == ["fact:skm:samsat-samarinda:pk-1", "fact:skm:samsat-samarinda:pk-3"]  # 2 taken out
    # as_of between 2 and 3: only 1 counts (2 is in no document; 3 was recorded later)
    assert figures(t0 + timedelta(minutes=15)) == 1

    proj.refusing = False  # the cause fixed
    ledger = db["dlq_replays"]
    dlq.replay(s, ledger, dlq.entries(s, [topic], {"apply_failed"}))
    drain(s, topic, group, proj, db)
    assert figures() == 3
    assert figures(t0 + timedelta(minutes=15)) == 2  # 1 and 2 (recorded before), not 3
    assert figures(t0 + timedelta(minutes=5)) == 1

    dlq.replay(s, ledger, dlq.entries(s, [topic], {"apply_failed"}), again=True)  # a second replay
    drain(s, topic, group, proj, db)
    assert figures() == 3
    # a rebuild from the topic's start (a new group) counts each response once as well
    rebuilt = mongo.client()[db.name + "_re"]
    try:
        drain(s, topic, f"re-{group}", SkmProjection(rebuilt), rebuilt)
        assert figures(at=rebuilt) == 3
    finally:
        mongo.client().drop_database(rebuilt.name)
