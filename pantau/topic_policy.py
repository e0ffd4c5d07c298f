"""What an event topic must be: the permanent, replayable history of its service (issue 21).

The projections are rebuilt by reading every topic from its start, so a topic that deletes old
segments (the broker default is seven days), compacts them, or can lose an acknowledged record
to an unclean leader election silently loses survey responses, forums and complaints. Every event
topic and its DLQ is therefore created with explicit configs, and an existing topic with a weaker
setting is reported; the relay and the consumer refuse to start on one unless
`PANTAU_KAFKA_ALLOW_WEAK_TOPICS=1` says the operator accepts it.

Replication: `PANTAU_KAFKA_REPLICATION_FACTOR` and `PANTAU_KAFKA_MIN_INSYNC_REPLICAS`; unset, they
follow the cluster: 1/1 on a one-broker cluster, 3/2 otherwise (a write acknowledged with acks=all
is then on at least two brokers).

`required_configs` and `weaknesses` are pure; `describe` reads a live cluster.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FOREVER = "-1"


@dataclass(frozen=True)
class Replication:
    factor: int
    min_insync: int


class WeakTopics(RuntimeError):
    """An event topic exists with a setting that can lose history; the message lists them."""


def replication(brokers: int, env: Mapping[str, str] | None = None) -> Replication:
    """The replication an event topic needs on a cluster of `brokers` (configuration first)."""
    env = os.environ if env is None else env
    default = Replication(1, 1) if brokers <= 1 else Replication(3, 2)
    factor = int(env.get("PANTAU_KAFKA_REPLICATION_FACTOR") or default.factor)
    min_insync = int(env.get("PANTAU_KAFKA_MIN_INSYNC_REPLICAS") or (1 if factor == 1 else default.min_insync))
    if not 1 <= min_insync <= factor:
        raise ValueError(f"min.insync.replicas {min_insync} must be between 1 and the replication factor {factor}")
    return Replication(factor, min_insync)


def required_configs(r: Replication) -> dict[str, str]:
    """The topic-level configs every event topic and DLQ is created with."""
    return {"retention.ms": FOREVER, "retention.bytes": FOREVER, "cleanup.policy": "delete",
            "min.insync.replicas": str(r.min_insync), "unclean.leader.election.enable": "false"}


def weaknesses(topic: str, configs: dict[str, str | None], replicas: int, r: Replication) -> list[str]:
    """Each way the topic, as described (`configs`: its effective values; `replicas`: the smallest
    replica count of its partitions), can lose history or acknowledged writes, in words."""
    out = []
    for key in ("retention.ms", "retention.bytes"):
        value = configs.get(key)
        if value is not None and int(value) >= 0:
            out.append(f"{topic}: {key}={value} deletes old events (needs {FOREVER})")
    policy = configs.get("cleanup.policy") or "delete"
    if policy != "delete":
        out.append(f"{topic}: cleanup.policy={policy} drops events (needs delete)")
    if (configs.get("unclean.leader.election.enable") or "false").lower() == "true":
        out.append(f"{topic}: unclean.leader.election.enable=true can lose acknowledged events")
    min_isr = int(configs.get("min.insync.replicas") or 1)
    if min_isr < r.min_insync:
        out.append(f"{topic}: min.insync.replicas={min_isr} (needs {r.min_insync})")
    if replicas < r.factor:
        out.append(f"{topic}: replication factor {replicas} (needs {r.factor})")
    return out


def describe(admin: Any, topics: list[str]) -> dict[str, tuple[dict[str, str | None], int]]:
    """For each existing topic of `topics`: its effective configs (the keys policed above) and the
    smallest replica count of its partitions, from the live cluster."""
    from kafka.admin import ConfigResource, ConfigResourceType

    meta = _topic_metadata(admin, topics)
    names = [t for t in topics if t in meta]
    if not names:
        return {}
    keys = list(required_configs(Replication(1, 1)))
    # kafka-python takes the key names to describe; its stub knows only the mapping of an alter
    described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, t, configs=keys)  # type: ignore[arg-type]
                                        for t in names],
                                       config_filter="all")
    found = _topic_configs(described)
    out = {}
    for t in names:
        replicas = min((len(p["replica_nodes"]) for p in meta[t]["partitions"]), default=0)
        out[t] = ({k: v.get("value") for k, v in found.get(t, {}).items()}, replicas)
    return out


UNKNOWN_TOPIC = 3  # Kafka's UNKNOWN_TOPIC_OR_PARTITION: the topic does not exist


def _topic_metadata(admin: Any, topics: list[str], wait_s: float = 15.0) -> dict[str, dict]:
    """{topic: metadata} of the existing ones of `topics`. A topic the broker answers for with
    another error (a leader not yet elected just after creation, say) is asked for again, and
    never silently left out of the check."""
    import time

    from kafka.errors import for_code

    deadline = time.monotonic() + wait_s
    while True:
        answer = admin.describe_topics(topics)
        failing = [t for t in answer if t.get("error_code") not in (0, UNKNOWN_TOPIC, None)
                   or any(p.get("error_code") for p in t.get("partitions") or [])]
        if not failing:
            return {t["name"]: t for t in answer if not t.get("error_code")}
        if time.monotonic() > deadline:
            code = failing[0].get("error_code") or next(p["error_code"] for p in failing[0]["partitions"]
                                                         if p.get("error_code"))
            raise for_code(code)(f"topic {failing[0]['name']} cannot be described")
        time.sleep(0.2)


def _topic_configs(described: Any) -> dict[str, dict[str, dict]]:
    """{topic: {key: {value, ...}}} from kafka-python's describe_configs answer."""
    if isinstance(described, dict):
        return {name: dict(cfg) for name, cfg in (described.get("topic") or {}).items()}
    raise TypeError(f"unexpected describe_configs answer: {type(described).__name__}")


def allowed_weak(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return env.get("PANTAU_KAFKA_ALLOW_WEAK_TOPICS", "") in ("1", "true", "yes")
