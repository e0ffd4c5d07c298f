"""A single-node KRaft Kafka 4.x broker from Maven Central jars, run with `java`.

Install: `mvn ... copy-dependencies` of deploy/infra/kafka-pom.xml into .local/kafka/libs
(cached; later starts skip the download). Start: format the storage once, then `kafka.Kafka`.
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


def write_config(p: Profile) -> Path:
    d = procs.run_dir(p.name)
    data = d / "kafka-data"
    data.mkdir(exist_ok=True)
    cfg = d / "kafka.properties"
    cfg.write_text("\n".join([
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.bootstrap.servers=127.0.0.1:{p.controller_port}",
        f"listeners=PLAINTEXT://127.0.0.1:{p.kafka_port},CONTROLLER://127.0.0.1:{p.controller_port}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{p.kafka_port},CONTROLLER://127.0.0.1:{p.controller_port}",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        f"log.dirs={data}",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "default.replication.factor=1",
        "min.insync.replicas=1",
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
    if not procs.pid_of(p.name, "kafka") and not procs.port_free(p.kafka_port):
        raise procs.StartError(f"kafka: port {p.kafka_port} is taken by a process this run did not start")
    cfg = write_config(p)
    data = procs.run_dir(p.name) / "kafka-data"
    if not (data / "meta.properties").exists():
        cluster_id = subprocess.run(_java("kafka.tools.StorageTool", "random-uuid"), check=True,
                                    capture_output=True, text=True).stdout.strip().splitlines()[-1]
        subprocess.run(_java("kafka.tools.StorageTool", "format", "--standalone", "-t", cluster_id,
                             "-c", str(cfg), "--ignore-formatted"), check=True, capture_output=True)
    return procs.start(p.name, "kafka", _java("kafka.Kafka", str(cfg)))


def ready(p: Profile) -> bool:
    from kafka import KafkaAdminClient
    a = KafkaAdminClient(bootstrap_servers=p.kafka_bootstrap, request_timeout_ms=3000, client_id="pantau-infra")
    try:
        a.list_topics()
        return True
    finally:
        a.close()


def wait_ready(p: Profile, timeout: float = 120) -> float:
    return procs.wait_until(lambda: ready(p), "kafka", timeout, p.name, "kafka")
