"""Event topics are the permanent, replayable history (issue 21, pantau/topic_policy.py), on the real
broker: every event topic and DLQ carries its own retention, cleanup, min.insync and leader-election
configs (not the broker's defaults), the check names a topic made weaker, and a broker whose
default retention deletes old segments deletes nothing from an event topic, so a rebuild from the
topic's start reads every event."""
from __future__ import annotations

import dataclasses
import time
import uuid

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.admin import AlterConfigOp, ConfigResource, ConfigResourceType, NewTopic

from pantau import bus, topic_policy
from pantau.config import settings

pytestmark = pytest.mark.infra
REQUIRED = topic_policy.required_configs(topic_policy.Replication(1, 1))


def topic_configs(admin, topics: list[str]) -> dict[str, dict]:
    answer = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, t, configs=list(REQUIRED))
                                     for t in topics], config_filter="all")
    return answer["topic"]


def test_every_event_topic_and_dlq_carries_the_policy_itself(infra):
    s = settings()
    bus.ensure_topics(s)
    a = bus.admin(s)
    try:
        found = topic_configs(a, s.all_topics())
    finally:
        a.close()
    assert sorted(found) == sorted(s.all_topics()) and len(found) == 6
    for topic, configs in found.items():
        for key, want in REQUIRED.items():
            assert configs[key]["value"] == want, (topic, key, configs[key])
            assert configs[key]["config_source"] == "DYNAMIC_TOPIC_CONFIG", (topic, key, configs[key])
    assert bus.topic_weaknesses(s) == []


def test_a_weakened_topic_is_named_and_the_workers_refuse_to_start(infra, monkeypatch):
    s = dataclasses.replace(settings(), topic_prefix=f"weak-{uuid.uuid4().hex[:6]}.")
    bus.ensure_topics(s, partitions=1)
    a = bus.admin(s)
    weak = s.topic("consultation")
    try:
        a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, weak,
                                        configs={"retention.ms": "604800000", "cleanup.policy": "compact"})],
                        raise_on_unknown=False)
        deadline = time.monotonic() + 15  # the broker applies a config change from the metadata log
        while not (found := bus.topic_weaknesses(s)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert found == [f"{weak}: retention.ms=604800000 deletes old events (needs -1)",
                         f"{weak}: cleanup.policy=compact drops events (needs delete)"]
        monkeypatch.delenv("PANTAU_KAFKA_ALLOW_WEAK_TOPICS", raising=False)
        with pytest.raises(topic_policy.WeakTopics, match="retention.ms=604800000"):
            bus.require_durable_topics(s)
        monkeypatch.setenv("PANTAU_KAFKA_ALLOW_WEAK_TOPICS", "1")
        bus.require_durable_topics(s)  # the operator said so: logged, not refused
    finally:
        a.delete_topics(s.all_topics())
        a.close()


def _produce(s, topic: str, n: int, start: int = 0) -> None:
    p = bus.producer(s)
    for i in range(start, start + n):
        p.send(topic, key=b"k", value=f"{i}".encode())
    p.flush()
    p.close()


def _first_offset(s, topic: str) -> int:
    c = KafkaConsumer(bootstrap_servers=s.kafka_bootstrap)
    try:
        tp = TopicPartition(topic, 0)
        return c.beginning_offsets([tp])[tp]
    finally:
        c.close()


def _read_all(s, topic: str) -> list[bytes]:
    c = KafkaConsumer(bootstrap_servers=s.kafka_bootstrap, auto_offset_reset="earliest", enable_auto_commit=False,
                      consumer_timeout_ms=3000)
    tp = TopicPartition(topic, 0)
    c.assign([tp])
    c.seek_to_beginning(tp)
    values = [r.value for r in c]
    c.close()
    return values


@pytest.mark.timeout(120)
def test_a_broker_default_that_deletes_old_segments_leaves_an_event_topic_whole(infra):
    s = dataclasses.replace(settings(), topic_prefix=f"ret-{uuid.uuid4().hex[:6]}.")
    bus.ensure_topics(s, partitions=1)
    kept, control = s.topic("survey"), s.topic_prefix + "control"
    a = bus.admin(s)
    broker = str(a.describe_cluster()["brokers"][0]["broker_id"])  # the one broker of the test profile
    try:
        a.create_topics([NewTopic(control, 1, 1)])  # a topic left to the broker's defaults
        # small segments on both (a setting that deletes nothing by itself), a 1 s broker default
        a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, t, configs={"segment.ms": "100"})
                         for t in (kept, control)], raise_on_unknown=False)
        a.alter_configs([ConfigResource(ConfigResourceType.BROKER, broker, configs={"log.retention.ms": "1000"})],
                        raise_on_unknown=False)
        for t in (kept, control):
            _produce(s, t, 200)
        time.sleep(1.5)
        for t in (kept, control):
            _produce(s, t, 1, start=200)  # rolls the old segment, now past the broker's retention
        deadline = time.monotonic() + 60
        while _first_offset(s, control) == 0 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _first_offset(s, control) > 0, "the broker never applied its retention: the test shows nothing"
        assert _first_offset(s, kept) == 0
        assert _read_all(s, kept) == [f"{i}".encode() for i in range(201)]
        assert any(w.startswith(f"{control}: retention.ms=1000") for w in bus.topic_weaknesses(s, [control]))
        assert bus.topic_weaknesses(s, [kept]) == []
    finally:
        a.alter_configs([ConfigResource(ConfigResourceType.BROKER, broker,
                                        configs={"log.retention.ms": (AlterConfigOp.DELETE, None)})],
                        raise_on_unknown=False)
        a.delete_topics(s.all_topics() + [control])
        a.close()
