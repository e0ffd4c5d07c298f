"""Shared helpers of the benchmark harness: polling, percentiles, topic offsets, machine and store."""
from __future__ import annotations

import os
import platform as host
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def env_int(name: str, default: int, quick: int | None = None) -> int:
    """A size from the environment; `quick` is the default under BENCH_QUICK=1."""
    if os.environ.get(name):
        return int(os.environ[name])
    return quick if (quick is not None and quick_mode()) else default


def quick_mode() -> bool:
    return os.environ.get("BENCH_QUICK", "") not in ("", "0")


def wait(fn, timeout: float = 600, every: float = 0.05, what: str = "condition"):
    """Poll `fn` until truthy; returns (value, seconds). Never a fixed sleep."""
    t0 = time.monotonic()
    while True:
        v = fn()
        if v:
            return v, time.monotonic() - t0
        if time.monotonic() - t0 > timeout:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    k = min(len(v) - 1, max(0, int(round(q / 100 * (len(v) - 1)))))
    return v[k]


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def end_offsets(topic: str) -> int:
    """Sum of a topic's end offsets (records ever written to it)."""
    from kafka import KafkaConsumer, TopicPartition

    from pantau.config import settings
    c = KafkaConsumer(bootstrap_servers=settings().kafka_bootstrap, group_id=None, enable_auto_commit=False)
    try:
        tps = [TopicPartition(topic, n) for n in (c.partitions_for_topic(topic) or [])]
        return sum(c.end_offsets(tps).values())
    finally:
        c.close()


class Offsets:
    """Cheap repeated reads of a topic's end offsets and a group's committed offsets."""

    def __init__(self, topic: str, group: str):
        from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

        from pantau.config import settings
        s = settings()
        self.topic, self.group = topic, group
        self.c = KafkaConsumer(bootstrap_servers=s.kafka_bootstrap, group_id=None, enable_auto_commit=False)
        self.tps = [TopicPartition(topic, n) for n in sorted(self.c.partitions_for_topic(topic) or [])]
        self.admin = KafkaAdminClient(bootstrap_servers=s.kafka_bootstrap, client_id="bench-offsets")

    def end(self) -> int:
        return sum(self.c.end_offsets(self.tps).values())

    def ends(self) -> dict:
        return self.c.end_offsets(self.tps)

    def committed(self) -> int:
        got = self.admin.list_group_offsets({self.group: None}).get(self.group, {})
        return sum(m.offset for tp, m in got.items() if tp.topic == self.topic and m.offset >= 0)

    def close(self) -> None:
        self.c.close()
        self.admin.close()


def machine() -> dict:
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import psutil
    return {"cores": os.cpu_count(), "cpu_model": model, "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": sys.version.split()[0], "platform": host.platform(), "loadavg_start": os.getloadavg()}


def store_info(mongo_url: str) -> dict:
    from pymongo import MongoClient

    from pantau_platform.infra import store
    c = MongoClient(mongo_url, serverSelectionTimeoutMS=5000)
    try:
        info = c.admin.command("buildInfo")
    finally:
        c.close()
    engine = store.engine()
    out = {"engine": engine, "version": info.get("version")}
    if engine == "ferretdb":
        fd = info.get("ferretdb") or {}
        out.update({"ferretdb_version": fd.get("version") or getattr(store, "FERRETDB_VERSION", None),
                    "backend": "sqlite", "mongodb_compat_version": info.get("version")})
    return out
