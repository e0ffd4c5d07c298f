"""Fault injectors on the real processes of a profile, and the repair that leaves it healthy."""
from __future__ import annotations

import json
import os
import signal
import time

from pantau import bus
from pantau.config import settings
from pantau_platform.infra import kafka, procs, store
from pantau_platform.infra import platform as plat

WORKERS = plat.WORKERS
RELAYS = ("relay-survey", "relay-consultation", "relay-complaints")
WRITE_SERVICES = ("survey", "consultation", "complaints")


def kafka_kill9(p) -> None:
    """The broker crashes mid-ingest and comes back on the same data directory."""
    procs.kill9(p.name, "kafka")
    kafka.start(p)
    kafka.wait_ready(p)


def worker_kill9(platform, name: str) -> None:
    """A relay or the consumer crashes (it is busy: writers run) and is restarted."""
    platform.kill9_and_restart(name)


def store_freeze(p, seconds: float) -> tuple[float, float]:
    """SIGSTOP the store for `seconds` (the fault's length), then SIGCONT; returns the window."""
    pid = procs.pid_of(p.name, "store")
    os.kill(pid, signal.SIGSTOP)
    t0 = time.monotonic()
    try:
        time.sleep(seconds)
    finally:
        os.kill(pid, signal.SIGCONT)
    return t0, time.monotonic()


def store_kill9(p, down_for: float) -> tuple[float, float]:
    """kill -9 of the store mid-write, kept down for `down_for` seconds, then restarted."""
    procs.kill9(p.name, "store")
    t0 = time.monotonic()
    time.sleep(down_for)
    t1 = time.monotonic()
    store.start(p)
    store.wait_ready(p)
    return t0, t1


def gunicorn_workers(p, service: str) -> list[int]:
    master = procs.pid_of(p.name, service)
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    if int(fh.read().rsplit(") ", 1)[1].split()[1]) == master:
                        out.append(int(d))
            except (OSError, IndexError, ValueError):
                continue
    return out


def gunicorn_worker_kill9(p, service: str) -> int:
    """kill -9 of one gunicorn worker (not the master) while requests are in flight; the master
    starts a replacement. Returns the killed pid."""
    workers = gunicorn_workers(p, service)
    assert workers, f"no gunicorn worker of {service}"
    victim = workers[0]
    os.kill(victim, signal.SIGKILL)
    procs.wait_until(lambda: victim not in gunicorn_workers(p, service) and len(gunicorn_workers(p, service)) >= 2,
                     f"{service} worker replaced", 60)
    return victim


def poison_records(marker: str) -> list[bytes]:
    """Undecodable bytes, a known type at an unknown schema version, an unknown type."""
    base = {"specversion": "1.0", "source": "faults", "subject": f"poison:{marker}",
            "time": "2026-01-01T00:00:00+08:00", "seq": 1, "data": {}}
    return [b"\xff\xfe not json " + marker.encode(),
            json.dumps({**base, "id": marker + "-v", "type": "skm.response_recorded", "dataversion": 99}).encode(),
            json.dumps({**base, "id": marker + "-t", "type": "faults.unheard_of", "dataversion": 1}).encode()]


def publish_poison(marker: str) -> int:
    """Publish the three poison records straight into each service topic; returns how many."""
    s = settings()
    p = bus.producer(s, client_id="faults-poison")
    n = 0
    try:
        for svc in WRITE_SERVICES:
            for i, raw in enumerate(poison_records(f"{marker}-{svc}")):
                p.send(s.topic(svc), key=f"poison-{i}".encode(), value=raw).get(timeout=30)
                n += 1
    finally:
        p.close(timeout=10)
    return n


def heal(p) -> None:
    """Leave every process of the profile running and ready, whatever a test did."""
    pid = procs.pid_of(p.name, "store")
    if pid:
        os.kill(pid, signal.SIGCONT)
    else:
        store.start(p)
    store.wait_ready(p)
    for n in kafka.nodes(p):  # a node a test left stopped (the cluster form) resumes
        node = procs.pid_of(p.name, kafka.node_name(n))
        if node:
            os.killpg(node, signal.SIGCONT)
    kafka.start(p)  # starts only the nodes that are not running
    kafka.wait_ready(p)
    for name in (*plat.HTTP_SERVICES, *WORKERS):
        plat.start_process(p, name)
    for name in (*plat.HTTP_SERVICES, *WORKERS):
        plat.wait_process(p, name, timeout=120)
