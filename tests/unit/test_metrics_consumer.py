"""Consumer metrics without a broker: records by outcome (applied, duplicate, poison, rejected), DLQ
by reason from 0, lag per partition, freshness, readiness while a batch is retried, and the
bounded per-batch log line carrying the correlation ids."""
from __future__ import annotations

import io
import json
import logging
import time
import uuid
from collections import namedtuple

import pytest
from kafka import TopicPartition
from marshmallow import Schema, fields
from prometheus_client import REGISTRY
from pymongo.errors import AutoReconnect

from pantau import consumer as consumer_mod
from pantau import envelope
from pantau.consumer import ConsumerLoop, Rejected
from pantau.logs import JsonFormatter

TYPE = "unittest.metric_thing"
Record = namedtuple("Record", "topic partition offset key value timestamp headers")


class ThingSchema(Schema):
    n = fields.Integer(required=True)


@pytest.fixture(autouse=True)
def thing_type(monkeypatch):
    """A test-only event type, registered only while a test runs (the registry is global and
    other tests compare it with the shipped examples)."""
    monkeypatch.setitem(envelope._DATA_SCHEMAS, (TYPE, 1), ThingSchema)


class FakeFuture:
    def get(self, timeout=None):
        return None


class FakeProducer:
    def __init__(self):
        self.sent = []

    def send(self, topic, key=None, value=None, headers=None):
        self.sent.append((topic, value, dict(headers or [])))
        return FakeFuture()

    def flush(self, timeout=None):
        pass

    def close(self, timeout=None):
        pass


class FakeConsumer:
    """A partition log built from `batches` (a record given twice is one record: the second copy
    stands for its redelivery after a seek); a poll returns a partition's records from its position
    to the end of the batch they were given in, a seek moves the position back, as Kafka does."""

    def __init__(self, batches, highwater):
        self.log: dict = {}  # tp -> {offset: record}
        self.ends: dict = {}  # tp -> the end offsets of the batches given
        for batch in batches:
            for tp, recs in batch.items():
                self.log.setdefault(tp, {}).update({r.offset: r for r in recs})
                self.ends.setdefault(tp, set()).add(recs[-1].offset + 1)
        self.highwater_ = highwater
        self.positions: dict = {tp: min(log) for tp, log in self.log.items()}
        self.commits = 0
        self.committed: dict = {}  # tp -> the offset committed last
        self.commit_log: list[dict] = []
        self.seeks = []

    @property
    def batches(self) -> bool:
        """Anything left to deliver."""
        return any(self.positions[tp] <= max(log) for tp, log in self.log.items())

    def poll(self, timeout_ms=0, max_records=None):
        out = {}
        for tp, log in self.log.items():
            pos = self.positions[tp]
            end = min((e for e in self.ends[tp] if e > pos), default=pos)
            recs = [log[o] for o in range(pos, end) if o in log]
            if recs:
                out[tp] = recs
                self.positions[tp] = end
        return out

    def commit(self, offsets=None):
        self.commits += 1
        self.committed.update({tp: m.offset for tp, m in (offsets or {}).items()})
        self.commit_log.append({tp: m.offset for tp, m in (offsets or {}).items()})

    def seek(self, tp, offset):
        self.seeks.append((tp, offset))
        self.positions[tp] = offset

    def assignment(self):
        return set(self.highwater_)

    def highwater(self, tp):
        return self.highwater_[tp]

    def position(self, tp):
        return self.positions.get(tp, 0)

    def close(self):
        pass


def event_bytes(corr: str | None, event_id: str | None = None) -> tuple[str, bytes]:
    e = envelope.new_event(source="t", type=TYPE, subject=f"s:{uuid.uuid4().hex}", seq=1, data={"n": 1},
                           correlationid=corr, id=event_id)
    return e.id, e.to_bytes()


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def topic():
    return f"unittest.{uuid.uuid4().hex[:8]}.events"


def make_loop(monkeypatch, topic, batches, handler, highwater):
    fake = FakeConsumer(batches, highwater)
    producer = FakeProducer()
    monkeypatch.setattr(consumer_mod.bus, "consumer", lambda *a, **k: fake)
    monkeypatch.setattr(consumer_mod.bus, "producer", lambda *a, **k: producer)
    monkeypatch.setattr(consumer_mod.time, "sleep", lambda s: None)
    monkeypatch.setattr(consumer_mod, "dead_lettered", lambda *a, **k: set())  # no broker here
    monkeypatch.setattr(consumer_mod.mongo, "ping", lambda **k: True)  # no store here
    loop = ConsumerLoop({topic: handler}, poll_ms=1)
    return loop, fake, producer


def capture_log():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("consumer"))
    logger = logging.getLogger("pantau.consumer")
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.INFO)

    def done() -> list[dict]:
        logger.removeHandler(handler)
        logger.setLevel(old)
        return [json.loads(x) for x in stream.getvalue().splitlines()]
    return done


def test_outcomes_duplicates_poison_dlq_lag_and_correlation_log(monkeypatch, topic):
    tp = TopicPartition(topic, 0)
    now_ms = int(time.time() * 1000)
    id1, v1 = event_bytes("corr-a")
    _, v2 = event_bytes("corr-b")
    _, v3 = event_bytes(None)
    batches = [
        {tp: [Record(topic, 0, 0, b"k", v1, now_ms - 5000, []), Record(topic, 0, 1, b"k", v2, now_ms - 5000, []),
              Record(topic, 0, 2, b"k", b"{not json", now_ms - 5000, [])]},
        {tp: [Record(topic, 0, 3, b"k", v1, now_ms - 4000, []),  # the relay republished event 1
              Record(topic, 0, 4, b"k", v3, now_ms - 4000, [])]},
    ]
    applied = []
    loop, fake, producer = make_loop(monkeypatch, topic, batches, lambda evs: applied.extend(evs) or {},
                                     {tp: 7})
    assert sample("pantau_consumer_dlq_records_total", topic=topic, reason="undecodable") == 0.0  # exists at 0
    assert REGISTRY.get_sample_value("pantau_consumer_dlq_records_total",
                                     {"topic": topic, "reason": "invalid_data"}) == 0.0
    done = capture_log()
    loop.run(until=lambda: not fake.batches)
    lines = done()

    outcome = lambda o: sample("pantau_consumer_records_total", topic=topic, type=TYPE, outcome=o)  # noqa: E731
    assert outcome("applied") == 3
    assert outcome("duplicate") == 1
    assert sample("pantau_consumer_records_total", topic=topic, type="<invalid>", outcome="poison") == 1
    assert sample("pantau_consumer_dlq_records_total", topic=topic, reason="undecodable") == 1
    assert [s[0] for s in producer.sent] == [topic + ".dlq"]
    assert len(applied) == 4  # the duplicate still reaches the (idempotent) projections
    assert sample("pantau_consumer_lag_records", topic=topic, partition="0") == 2  # highwater 7, position 5
    fresh = sample("pantau_projection_freshness_seconds", topic=topic)
    assert 3.5 < fresh < 60  # from the Kafka timestamp of the last applied record
    assert sample("pantau_ready", check="apply") == 1.0
    assert fake.commits == 2

    batch_lines = [x for x in lines if x["msg"] == "batch applied"]
    assert [x["correlation_ids"] for x in batch_lines] == [["corr-a", "corr-b"], ["corr-a"]]
    assert batch_lines[0]["records"] == 2 and batch_lines[0]["correlation_ids_total"] == 2


def test_rejected_records_are_counted_and_dead_lettered_by_reason(monkeypatch, topic):
    tp = TopicPartition(topic, 1)
    eid, v = event_bytes("c")
    batches = [{tp: [Record(topic, 1, 0, b"k", v, int(time.time() * 1000), [])]}]
    loop, fake, producer = make_loop(monkeypatch, topic, batches,
                                     lambda evs: {eid: Rejected("unknown_subject", "x")}, {tp: 1})
    loop.run(until=lambda: not fake.batches)
    assert sample("pantau_consumer_records_total", topic=topic, type=TYPE, outcome="rejected") == 1
    assert sample("pantau_consumer_dlq_records_total", topic=topic, reason="unknown_subject") == 1
    assert sample("pantau_consumer_lag_records", topic=topic, partition="1") == 0


def test_readiness_drops_while_a_batch_is_retried_and_retries_are_not_duplicates(monkeypatch, topic):
    tp = TopicPartition(topic, 0)
    _, v = event_bytes("c-retry")
    rec = Record(topic, 0, 0, b"k", v, int(time.time() * 1000), [])
    batches = [{tp: [rec]}, {tp: [rec]}]  # the second poll is the redelivery after the seek
    calls = []
    seen_ready = []

    def handler(evs):
        calls.append(len(evs))
        seen_ready.append(sample("pantau_ready", check="apply"))
        if len(calls) == 1:
            raise AutoReconnect("store down")
        return {}
    loop, fake, _ = make_loop(monkeypatch, topic, batches, handler, {tp: 1})
    loop.run(until=lambda: not fake.batches)
    assert seen_ready == [1.0, 0.0]  # during the retry the consumer reports not ready
    assert sample("pantau_ready", check="apply") == 1.0
    assert sample("pantau_consumer_retries_total", topic=topic) == 1
    assert fake.seeks == [(tp, 0)]
    assert sample("pantau_consumer_records_total", topic=topic, type=TYPE, outcome="applied") == 1
    assert sample("pantau_consumer_records_total", topic=topic, type=TYPE, outcome="duplicate") == 0


def test_correlation_ids_per_line_are_bounded(monkeypatch, topic):
    tp = TopicPartition(topic, 0)
    ts = int(time.time() * 1000)
    recs = [Record(topic, 0, i, b"k", event_bytes(f"corr-{i:03d}")[1], ts, []) for i in range(50)]
    loop, fake, _ = make_loop(monkeypatch, topic, [{tp: recs}], lambda evs: {}, {tp: 50})
    done = capture_log()
    loop.run(until=lambda: not fake.batches)
    (line,) = [x for x in done() if x["msg"] == "batch applied"]
    assert line["correlation_ids"] == [f"corr-{i:03d}" for i in range(20)]
    assert line["correlation_ids_total"] == 50


def test_a_duplicate_within_one_batch_is_counted_once(monkeypatch, topic):
    tp = TopicPartition(topic, 2)
    ts = int(time.time() * 1000)
    _, v = event_bytes("c-dup")
    recs = [Record(topic, 2, 0, b"k", v, ts, []), Record(topic, 2, 1, b"k", v, ts, [])]
    loop, fake, _ = make_loop(monkeypatch, topic, [{tp: recs}], lambda evs: {}, {tp: 2})
    loop.run(until=lambda: not fake.batches)
    assert sample("pantau_consumer_records_total", topic=topic, type=TYPE, outcome="applied") == 1
    assert sample("pantau_consumer_records_total", topic=topic, type=TYPE, outcome="duplicate") == 1


# ---- parking: a record whose apply keeps failing on its own -------------------------------------

class Culprit:
    """A projection that fails on every batch holding one of `bad` event ids (a valid event the
    store refuses), and notes what is parked."""

    def __init__(self, bad: set[str], error=ValueError):
        self.bad, self.error = bad, error
        self.applied: list[str] = []
        self.parked_ids: list[str] = []
        self.calls = 0

    def apply(self, evs):
        self.calls += 1
        if any(e.id in self.bad for e in evs):
            raise self.error("the store refuses this document")
        self.applied.extend(e.id for e in evs)
        return {}

    def parked(self, e):
        self.parked_ids.append(e.id)


def records(topic, partition, n, ts=None):
    ts = ts or int(time.time() * 1000)
    out, ids = [], []
    for i in range(n):
        eid, v = event_bytes(f"c{i}")
        ids.append(eid)
        out.append(Record(topic, partition, i, b"k", v, ts, []))
    return out, ids


def test_a_record_that_keeps_failing_is_parked_and_the_partition_moves_on(monkeypatch, topic):
    tp = TopicPartition(topic, 0)
    recs, ids = records(topic, 0, 10)
    proj = Culprit({ids[4]})
    loop, fake, producer = make_loop(monkeypatch, topic, [{tp: recs}], proj, {tp: 10})
    loop.run(until=lambda: not fake.batches)
    assert fake.commits == 1 and fake.seeks == []  # committed: the partition moved on
    assert sorted(proj.applied) == sorted(ids[:4] + ids[5:])  # every other record applied
    assert proj.applied.index(ids[3]) < proj.applied.index(ids[5])  # in order
    assert proj.parked_ids == [ids[4]]
    (sent,) = producer.sent
    assert sent[0] == topic + ".dlq" and sent[1] == recs[4].value
    assert sent[2]["dlq_reason"] == b"apply_failed" and b"refuses" in sent[2]["dlq_detail"]
    assert sent[2]["dlq_origin"] == f"{topic}:0:4".encode()
    assert sample("pantau_consumer_dlq_records_total", topic=topic, reason="apply_failed") == 1
    assert sample("pantau_consumer_records_total", topic=topic, type=TYPE, outcome="parked") == 1
    assert sample("pantau_consumer_records_total", topic=topic, type=TYPE, outcome="applied") == 9


def test_a_transient_error_is_retried_without_limit_and_never_parked(monkeypatch, topic):
    tp = TopicPartition(topic, 0)
    recs, ids = records(topic, 0, 3)
    failures = [0]

    class Flaky(Culprit):
        def apply(self, evs):
            if failures[0] < 12:
                failures[0] += 1
                raise AutoReconnect("store unreachable")
            return super().apply(evs)
    proj = Flaky(set())
    loop, fake, producer = make_loop(monkeypatch, topic, [{tp: recs}] * 13, proj, {tp: 3})
    loop.run(until=lambda: not fake.batches)
    assert producer.sent == [] and proj.parked_ids == []
    assert len(fake.seeks) == 12 and fake.commits == 1 and sorted(proj.applied) == sorted(ids)


def test_an_error_that_a_retry_cures_parks_nothing(monkeypatch, topic):
    tp = TopicPartition(topic, 0)
    recs, ids = records(topic, 0, 4)

    class Once(Culprit):
        def apply(self, evs):
            if self.calls == 0:
                self.calls += 1
                raise RuntimeError("written concurrently; retrying the batch")
            return super().apply(evs)
    proj = Once(set())
    loop, fake, producer = make_loop(monkeypatch, topic, [{tp: recs}], proj, {tp: 4})
    loop.run(until=lambda: not fake.batches)
    assert producer.sent == [] and sorted(proj.applied) == sorted(ids) and fake.commits == 1


def test_nothing_is_parked_while_the_store_does_not_answer(monkeypatch, topic):
    tp = TopicPartition(topic, 0)
    recs, ids = records(topic, 0, 2)
    proj = Culprit({ids[1]})
    loop, fake, producer = make_loop(monkeypatch, topic, [{tp: recs}, {tp: recs}], proj, {tp: 2})
    answers = iter([False, True])
    monkeypatch.setattr(consumer_mod.mongo, "ping", lambda **k: next(answers))
    loop.run(until=lambda: not fake.batches)
    assert fake.seeks == [(tp, 0)]  # the first time the store was down: retried, not parked
    assert proj.parked_ids == [ids[1]] and len(producer.sent) == 1 and fake.commits == 1


def test_a_replayed_record_is_applied_at_its_original_position(monkeypatch, topic):
    tp = TopicPartition(topic, 0)
    eid, v = event_bytes("c-replay")
    rec = Record(topic, 0, 50, b"k", v, int(time.time() * 1000), [("pantau_origin", f"{topic}:0:7".encode())])
    seen = []
    loop, fake, _ = make_loop(monkeypatch, topic, [{tp: [rec]}], lambda evs: seen.extend(evs) or {}, {tp: 51})
    loop.run(until=lambda: not fake.batches)
    (e,) = seen
    assert e.id == eid and e.position == (topic, 0, 7) and e.replay is True


def test_the_next_batch_is_fetched_while_one_is_applied_and_only_applied_offsets_are_committed(monkeypatch, topic):
    """One batch prefetched (pantau/consumer.py `run`): while batch 1 is applied, batch 2 is already
    fetched and decoded; batch 1's commit is its own end, not the consumer's position; a failure of
    batch 1 drops the prefetched batch and reads both again, so each record is applied once, in order."""
    import threading
    tp = TopicPartition(topic, 0)
    recs, ids = records(topic, 0, 6)
    prefetched = threading.Event()
    applied: list[str] = []
    positions_while_applying: list[int] = []
    failures = [1]

    def handler(evs):
        if evs[0].id == ids[0]:
            assert prefetched.wait(10)  # batch 2 came while batch 1 is being applied
        positions_while_applying.append(fake.positions[tp])
        if evs[0].id == ids[0] and failures[0]:
            failures[0] -= 1
            raise AutoReconnect("store down")
        applied.extend(e.id for e in evs)
        return {}
    loop, fake, _ = make_loop(monkeypatch, topic, [{tp: recs[:3]}, {tp: recs[3:]}], handler, {tp: 6})
    real_poll = fake.poll

    def poll(**kw):
        out = real_poll(**kw)
        if out.get(tp) and out[tp][0].offset == 3:
            prefetched.set()
        return out
    fake.poll = poll
    loop.run(until=lambda: not fake.batches)
    assert applied == ids  # each once, in order
    assert positions_while_applying[0] == 6  # batch 2 fetched while batch 1 was applied
    assert fake.seeks == [(tp, 0)]  # the failed batch and the dropped prefetch read again from 0
    assert fake.commit_log == [{tp: 3}, {tp: 6}]  # after each batch's apply, its own end
