"""KRaft Kafka 4.x from Maven Central jars, run with `java`: one node on the usual profiles, three
on `cluster` (each node both broker and controller, a static three-voter quorum: combined nodes
keep a three-broker cluster at three JVMs on a small host, and losing one node still leaves a
controller majority and two in-sync replicas).

Install: `mvn ... copy-dependencies` of deploy/infra/kafka-pom.xml into .local/kafka/libs
(cached; later starts skip the download). Start: format each node's storage once (one cluster
id), then `kafka.Kafka` per node. Process names: `kafka`, then `kafka-2`, `kafka-3`.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from . import procs
from .profiles import Profile

LIBS = procs.LOCAL / "kafka" / "libs"
POM = procs.ROOT / "deploy" / "infra" / "kafka-pom.xml"
LOG4J = procs.ROOT / "deploy" / "infra" / "log4j2.properties"
JVM = ["-Xms256m", "-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true"]


def installed() -> bool:
    return LIBS.is_dir() and any(LIBS.glob("kafka_2.13-*.jar")) and (LIBS / ".complete").exists()


def install() -> None:
    if installed():
        return
    for tool in ("java", "mvn"):
        if not shutil.which(tool):
            raise procs.StartError(f"{tool} is needed to install Kafka (Java 17+ and Maven)")
    LIBS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mvn", "-q", "-B", "-f", str(POM),
                    "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
                    "-DincludeScope=runtime", f"-DoutputDirectory={LIBS}"], check=True)
    (LIBS / ".complete").write_text("ok\n")


def _java(main: str, *args: str) -> list[str]:
    return ["java", *JVM, f"-Dlog4j2.configurationFile={LOG4J}", "-cp", f"{LIBS}/*", main, *args]


def node_name(node: int) -> str:
    return "kafka" if node == 1 else f"kafka-{node}"


def nodes(p: Profile) -> list[int]:
    return list(range(1, p.brokers + 1))


def write_config(p: Profile, node: int = 1) -> Path:
    d = procs.run_dir(p.name)
    suffix = "" if node == 1 else f"-{node}"
    data = d / f"kafka-data{suffix}"
    data.mkdir(exist_ok=True)
    cfg = d / f"kafka{suffix}.properties"
    port, controller = p.broker_ports(node)
    replicas = 1 if p.brokers == 1 else 3
    min_isr = 1 if p.brokers == 1 else 2
    quorum = (f"controller.quorum.bootstrap.servers=127.0.0.1:{controller}" if p.brokers == 1 else
              "controller.quorum.voters=" + ",".join(f"{n}@127.0.0.1:{p.broker_ports(n)[1]}" for n in nodes(p)))
    cfg.write_text("\n".join([
        "process.roles=broker,controller",
        f"node.id={node}",
        quorum,
        f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller}",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        f"log.dirs={data}",
        f"offsets.topic.replication.factor={replicas}",
        "offsets.topic.num.partitions=1",
        f"transaction.state.log.replication.factor={replicas}",
        f"transaction.state.log.min.isr={min_isr}",
        f"share.coordinator.state.topic.replication.factor={replicas}",
        f"share.coordinator.state.topic.min.isr={min_isr}",
        f"default.replication.factor={replicas}",
        f"min.insync.replicas={min_isr}",
        "unclean.leader.election.enable=false",
        # a stopped follower leaves the in-sync set after 5 s (Kafka's default is 30 s); then
        # writes need the two that remain, and fail with a definite error when one is left
        *(["replica.lag.time.max.ms=5000"] if p.brokers > 1 else []),
        "group.initial.rebalance.delay.ms=0",
        "group.min.session.timeout.ms=1000",
        "num.network.threads=2",
        "num.io.threads=2",
        "num.partitions=3",
        "auto.create.topics.enable=false",
        "log.retention.hours=-1",  # topics are the replayable history of the projections
        # (and each event topic says so itself: pantau/topic_policy.py); a short check interval
        # lets tests/integration/test_topic_retention.py watch a short-retention topic lose segments
        "log.retention.check.interval.ms=1000",
        "",
    ]))
    return cfg


def start(p: Profile) -> int:
    install()
    pid = 0
    cluster_id = None
    for node in nodes(p):
        name = node_name(node)
        port = p.broker_ports(node)[0]
        if not procs.pid_of(p.name, name) and not procs.port_free(port):
            raise procs.StartError(f"{name}: port {port} is taken by a process this run did not start")
        cfg = write_config(p, node)
        data = procs.run_dir(p.name) / ("kafka-data" if node == 1 else f"kafka-data-{node}")
        if not (data / "meta.properties").exists():
            if cluster_id is None:
                cluster_id = subprocess.run(_java("kafka.tools.StorageTool", "random-uuid"), check=True,
                                            capture_output=True, text=True).stdout.strip().splitlines()[-1]
            mode = ["--standalone"] if p.brokers == 1 else []
            subprocess.run(_java("kafka.tools.StorageTool", "format", *mode, "-t", cluster_id,
                                 "-c", str(cfg), "--ignore-formatted"), check=True, capture_output=True)
        pid = procs.start(p.name, name, _java("kafka.Kafka", str(cfg)))
    return pid


def stop(p: Profile, timeout: float = 30) -> None:
    for node in reversed(nodes(p)):
        procs.stop(p.name, node_name(node), timeout=timeout)


def ready(p: Profile) -> bool:
    """Every node is a live broker of the cluster."""
    from kafka import KafkaAdminClient
    a = KafkaAdminClient(bootstrap_servers=p.kafka_bootstrap, request_timeout_ms=3000, client_id="pantau-infra")
    try:
        a.list_topics()
        return len([b for b in a.describe_cluster()["brokers"] if not b.get("is_fenced")]) >= p.brokers
    finally:
        a.close()


def wait_ready(p: Profile, timeout: float = 120) -> float:
    return procs.wait_until(lambda: ready(p), "kafka", timeout, p.name, "kafka")
