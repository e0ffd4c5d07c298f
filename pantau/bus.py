"""Kafka producer/consumer factories with safe settings, and topic administration."""
from __future__ import annotations

import logging
import time
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from . import topic_policy
from .config import Settings, settings

log = logging.getLogger(__name__)


def producer(s: Settings | None = None, **overrides) -> KafkaProducer:
    """Idempotent producer, acks=all: a send is done only when the broker has it durably."""
    s = s or settings()
    opts: dict[str, Any] = dict(
        bootstrap_servers=s.kafka_bootstrap,
        acks="all",
        enable_idempotence=True,
        max_in_flight_requests_per_connection=5,  # idempotence keeps per-partition order with ≤5
        linger_ms=5,
        batch_size=256 * 1024,
        compression_type=None,
        request_timeout_ms=15000,
        reconnect_backoff_ms=100,
        reconnect_backoff_max_ms=1000,
        client_id="pantau-producer",
    )
    opts.update(overrides)
    return KafkaProducer(**opts)


PARTITION_FETCH_BYTES = 4 * 1024 * 1024  # ~5,000 events per partition and fetch: full batches
FETCH_MAX_BYTES = 16 * 1024 * 1024  # bounds a fetch's memory however many partitions an instance owns


def consumer(topics: list[str], group_id: str, s: Settings | None = None, **overrides) -> KafkaConsumer:
    """Manual-commit consumer that starts from the beginning of a new group's topics."""
    s = s or settings()
    opts: dict[str, Any] = dict(
        bootstrap_servers=s.kafka_bootstrap,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=10000,
        heartbeat_interval_ms=2000,
        max_poll_records=1000,
        max_partition_fetch_bytes=PARTITION_FETCH_BYTES,
        fetch_max_bytes=FETCH_MAX_BYTES,
        max_poll_interval_ms=300000,
        reconnect_backoff_ms=100,
        reconnect_backoff_max_ms=1000,
        client_id="pantau-consumer",
    )
    opts.update(overrides)
    c = KafkaConsumer(**opts)
    # Join the group only once the topics' metadata is known: a member that joins before it gets
    # an empty assignment ("No partition metadata") and may never be given partitions.
    deadline = time.monotonic() + 60
    while not all(c.partitions_for_topic(t) for t in topics) and time.monotonic() < deadline:
        c.topics()  # a metadata request
        time.sleep(0.1)
    c.subscribe(topics)
    return c


def admin(s: Settings | None = None) -> KafkaAdminClient:
    s = s or settings()
    return KafkaAdminClient(bootstrap_servers=s.kafka_bootstrap, request_timeout_ms=10000,
                            client_id="pantau-admin")


def ensure_topics(s: Settings | None = None, partitions: int | None = None) -> list[str]:
    """Create every service topic and its DLQ if missing (auto-create is off on the broker), with
    the configs of pantau/topic_policy.py: kept forever, replicated as configured."""
    s = s or settings()
    partitions = partitions or s.kafka_partitions
    a = admin(s)
    try:
        r = topic_policy.replication(len(a.describe_cluster()["brokers"]))
        existing = set(a.list_topics())
        wanted = [t for t in s.all_topics() if t not in existing]
        if wanted:
            try:
                a.create_topics([NewTopic(t, partitions, r.factor, topic_configs=topic_policy.required_configs(r))
                                 for t in wanted])
            except TopicAlreadyExistsError:
                pass
        return wanted
    finally:
        a.close()


def topic_weaknesses(s: Settings | None = None, topics: list[str] | None = None) -> list[str]:
    """Every way the existing event topics and DLQs (or `topics`) fall short of the topic policy."""
    s = s or settings()
    a = admin(s)
    try:
        r = topic_policy.replication(len(a.describe_cluster()["brokers"]))
        found = topic_policy.describe(a, topics or s.all_topics())
        return [w for t, (configs, replicas) in sorted(found.items())
                for w in topic_policy.weaknesses(t, configs, replicas, r)]
    finally:
        a.close()


def require_durable_topics(s: Settings | None = None) -> None:
    """Refuse to go on (WeakTopics) when an event topic can lose history, unless the operator set
    PANTAU_KAFKA_ALLOW_WEAK_TOPICS=1; either way each weakness is logged. An unreachable broker is
    waited for (a worker may start before Kafka), as the workers themselves do."""
    while True:
        try:
            found = topic_weaknesses(s)
            break
        except KafkaError as exc:
            log.warning("topic check: Kafka not reachable yet (%s); retrying", exc)
            time.sleep(1)
    for w in found:
        log.warning("weak topic: %s", w)
    if found and not topic_policy.allowed_weak():
        raise topic_policy.WeakTopics("event topics can lose history: " + "; ".join(found)
                                      + " (fix the topic configs, or set PANTAU_KAFKA_ALLOW_WEAK_TOPICS=1)")


def reachable(s: Settings | None = None, timeout_s: float = 2.0) -> bool:
    """True when a metadata request succeeds (used by /readyz and readiness polling)."""
    s = s or settings()
    deadline = time.monotonic() + timeout_s
    try:
        a = KafkaAdminClient(bootstrap_servers=s.kafka_bootstrap, request_timeout_ms=int(timeout_s * 1000),
                             client_id="pantau-ready")
    except Exception:  # noqa: BLE001
        return False
    try:
        while time.monotonic() < deadline:
            try:
                a.list_topics()
                return True
            except KafkaError:
                time.sleep(0.1)
        return False
    finally:
        a.close()
