"""Broker faults on the three-node KRaft cluster (profile `cluster`) while the writers post through
the services, and what the cluster shows meanwhile: the node leading a partition in use, the active
controller (the quorum leader, read from each node's `quorum-state`), the in-sync replicas, and how
many events the relays got acknowledged by Kafka (their `pantau_relay_published_events_total`).

Each fault returns its own figures (which node, how long, events acknowledged by Kafka during it);
test_faults_cluster.py runs them in one schedule and the checker judges the whole run."""
from __future__ import annotations

import json
import os
import signal
import time

import requests
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from pantau.config import settings
from pantau_platform.infra import kafka, procs

WRITE_SERVICES = ("survey", "consultation", "complaints")


def admin(p) -> KafkaAdminClient:
    return KafkaAdminClient(bootstrap_servers=p.kafka_bootstrap, request_timeout_ms=10000, client_id="faults-brokers")


def event_topics() -> list[str]:
    s = settings()
    return [s.topic(svc) for svc in WRITE_SERVICES]


def node_pid(p, node: int) -> int | None:
    return procs.pid_of(p.name, kafka.node_name(node))


def partitions(p, topics: list[str]) -> dict[tuple[str, int], dict]:
    """(topic, partition) -> {leader_id, replica_nodes, isr_nodes} as the cluster reports it."""
    a = admin(p)
    try:
        return {(t["name"], q["partition_index"]): q for t in a.describe_topics(topics) for q in t["partitions"]}
    finally:
        a.close()


def partition_in_use(p, platform, seconds: float = 4.0) -> tuple[str, int]:
    """The event topic partition that grew most over `seconds` while the writers write."""
    tps = [TopicPartition(t, n) for (t, n) in partitions(p, event_topics())]
    c = KafkaConsumer(bootstrap_servers=p.kafka_bootstrap, enable_auto_commit=False, group_id=None,
                      request_timeout_ms=15000, client_id="faults-brokers")
    try:
        before = c.end_offsets(tps)
        time.sleep(seconds)
        after = c.end_offsets(tps)
    finally:
        c.close()
    tp = max(tps, key=lambda x: after[x] - before[x])
    assert after[tp] > before[tp], "no event topic partition grew: the writers are not writing"
    return tp.topic, tp.partition


def acknowledged_by_kafka(platform) -> float:
    """Events the three relays have had acknowledged by Kafka since they started."""
    total = 0.0
    for svc in WRITE_SERVICES:
        text = requests.get(f"http://127.0.0.1:{platform.profile.metrics_ports['relay-' + svc]}/metrics",
                            timeout=5).text
        for fam in text_string_to_metric_families(text):
            if fam.name == "pantau_relay_published_events":  # the parser drops `_total`
                total += sum(smp.value for smp in fam.samples if smp.name.endswith("_total"))
    return total


def active_controller(p) -> int:
    """The quorum leader: the highest-epoch `leaderId` in the nodes' `__cluster_metadata-0/quorum-state`."""
    best = (-1, -1)
    for n in kafka.nodes(p):
        data = procs.run_dir(p.name) / ("kafka-data" if n == 1 else f"kafka-data-{n}")
        try:
            state = json.loads((data / "__cluster_metadata-0" / "quorum-state").read_text())
        except (OSError, ValueError):
            continue
        if state.get("leaderId", -1) >= 0:
            best = max(best, (state.get("leaderEpoch", -1), state["leaderId"]))
    assert best[1] >= 0, "no node knows the quorum leader"
    return best[1]


def wait_until(fn, what: str, timeout: float = 120.0, every: float = 0.5):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
        except Exception as exc:  # noqa: BLE001 - the cluster is recovering; ask again
            last = exc
        else:
            if last:
                return last
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def wait_in_sync(p, timeout: float = 180.0) -> float:
    """Until every node is a live broker and every event topic partition has all replicas in sync."""
    t0 = time.monotonic()
    kafka.wait_ready(p, timeout=timeout)
    wait_until(lambda: all(len(q["isr_nodes"]) == len(q["replica_nodes"]) == p.brokers
                           for q in partitions(p, event_topics()).values()), "every replica in sync", timeout)
    return round(time.monotonic() - t0, 1)


def published_during(sc, n_acks: int, min_published: float = 1, timeout: float = 180.0) -> float:
    """While a fault lasts: wait for `n_acks` more service acknowledgements and for the relays to
    have at least `min_published` more events acknowledged by Kafka; returns how many they had."""
    before = acknowledged_by_kafka(sc.p)
    sc.progress(n_acks, timeout)
    wait_until(lambda: acknowledged_by_kafka(sc.p) - before >= min_published,
               "the relays to be acknowledged by Kafka during the fault", timeout)
    return acknowledged_by_kafka(sc.p) - before


def _restart(p) -> float:
    for n in kafka.nodes(p):
        pid = node_pid(p, n)
        if pid:
            os.killpg(pid, signal.SIGCONT)
    kafka.start(p)  # starts the nodes that are not running
    return wait_in_sync(p)


def leader_kill9(sc, p) -> dict:
    """kill -9 of the leader of the partition in use; writes go on through a new leader."""
    topic, part = partition_in_use(p, sc.p)
    leader = partitions(p, [topic])[(topic, part)]["leader_id"]
    procs.kill9(p.name, kafka.node_name(leader))
    t0 = time.monotonic()
    new_leader = wait_until(lambda: (lambda q: q["leader_id"] if q["leader_id"] not in (leader, -1) else None)(
        partitions(p, [topic])[(topic, part)]), "a new leader of the partition in use", 60)
    published = published_during(sc, 10)
    down = round(time.monotonic() - t0, 1)
    return {"partition": f"{topic}/{part}", "killed": leader, "new_leader": new_leader, "down_s": down,
            "published_while_down": published, "back_in_sync_s": _restart(p)}


def follower_stop(sc, p) -> dict:
    """SIGSTOP a follower of the partition in use: the in-sync set shrinks to two and writes go on;
    then SIGSTOP the other follower: one node left, below min.insync.replicas 2 (and no controller
    majority), so the relays get no acknowledgement while the services still acknowledge their
    stored writes; both resumed, everything is published."""
    topic, part = partition_in_use(p, sc.p)
    q = partitions(p, [topic])[(topic, part)]
    leader = q["leader_id"]
    first, second = [n for n in q["replica_nodes"] if n != leader]
    os.killpg(node_pid(p, first), signal.SIGSTOP)
    t0 = time.monotonic()
    wait_until(lambda: first not in partitions(p, [topic])[(topic, part)]["isr_nodes"],
               f"node {first} out of the in-sync set", 60)
    shrunk_s = round(time.monotonic() - t0, 1)
    with_two = published_during(sc, 10)

    os.killpg(node_pid(p, second), signal.SIGSTOP)
    time.sleep(10)  # past replica.lag.time.max.ms (5 s) and the in-flight sends of the moment
    kafka_before, acks_before = acknowledged_by_kafka(sc.p), sc.acks()
    sc.progress(10)
    time.sleep(5)
    with_one = acknowledged_by_kafka(sc.p) - kafka_before
    acks_with_one = sc.acks() - acks_before
    for n in (first, second):
        os.killpg(node_pid(p, n), signal.SIGCONT)
    back = wait_in_sync(p)
    drained = published_during(sc, 5, min_published=1)
    return {"partition": f"{topic}/{part}", "leader": leader, "stopped": [first, second], "isr_shrunk_s": shrunk_s,
            "published_with_two_in_sync": with_two, "service_acks_with_one_left": acks_with_one,
            "published_with_one_left": with_one, "back_in_sync_s": back, "published_after": drained}


def controller_kill9(sc, p) -> dict:
    """kill -9 of the active controller (each node is broker and controller): the two others elect
    a new quorum leader and writes go on."""
    ctrl = active_controller(p)
    procs.kill9(p.name, kafka.node_name(ctrl))
    t0 = time.monotonic()
    new = wait_until(lambda: (lambda c: c if c != ctrl else None)(active_controller(p)), "a new quorum leader", 60)
    published = published_during(sc, 10)
    return {"killed": ctrl, "new_controller": new, "down_s": round(time.monotonic() - t0, 1),
            "published_while_down": published, "back_in_sync_s": _restart(p)}


def rolling_restart(sc, p) -> dict:
    """Each node in turn stopped gracefully (SIGTERM: controlled shutdown), started, and waited for
    until every replica is in sync again, while the writers write."""
    steps = []
    for n in kafka.nodes(p):
        before = acknowledged_by_kafka(sc.p)
        t0 = time.monotonic()
        procs.stop(p.name, kafka.node_name(n), timeout=60)
        sc.progress(3)
        kafka.start(p)
        wait_in_sync(p)
        steps.append({"node": n, "seconds": round(time.monotonic() - t0, 1),
                      "published": acknowledged_by_kafka(sc.p) - before})
    return {"steps": steps}
