"""The dead-letter topics (`<topic>.dlq`): reading them, and replaying parked records.

Every DLQ record is a copy of a source record with headers saying why (`dlq_reason`,
`dlq_detail`), where the copy came from (`dlq_topic`, `dlq_partition`, `dlq_offset`) and the
position of the original record (`dlq_origin`; for a replay that failed again, the first
original's). A replay publishes the copy back into its source topic and partition with the
header `pantau_origin`, so the consumer applies it at the original's position, exactly once
(pantau/consumer.py). A ledger (`_id` = the DLQ record's position) keeps what was replayed, so a
second `replay` sends only what is new unless told `again`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone

from kafka import KafkaConsumer, TopicPartition

from . import bus
from .config import Settings
from .envelope import KAFKA_HEADERS

ORIGIN_HEADER = "pantau_origin"  # the consumer reads it (pantau/consumer.py)
PARKED_REASON = "apply_failed"


@dataclass(frozen=True)
class Entry:
    """One DLQ record."""
    dlq_topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]
    timestamp_ms: int

    @property
    def id(self) -> str:
        return f"{self.dlq_topic}:{self.partition}:{self.offset}"

    @property
    def reason(self) -> str:
        return self.headers.get("dlq_reason", "")

    @property
    def origin(self) -> tuple[str, int, int]:
        raw = self.headers.get("dlq_origin")
        if raw:
            topic, partition, offset = raw.rsplit(":", 2)
            return topic, int(partition), int(offset)
        return (self.headers.get("dlq_topic") or self.dlq_topic.removesuffix(".dlq"),
                int(self.headers.get("dlq_partition", -1)), int(self.headers.get("dlq_offset", -1)))


def read(s: Settings, dlq_topics: list[str], timeout_s: float = 60.0) -> list[Entry]:
    """Every record of these DLQ topics, from their start to their end when asked."""
    c = KafkaConsumer(bootstrap_servers=s.kafka_bootstrap, group_id=None, enable_auto_commit=False,
                      client_id="pantau-dlq-reader")
    try:
        c.topics()
        tps = [TopicPartition(t, n) for t in dlq_topics for n in (c.partitions_for_topic(t) or [])]
        if not tps:
            return []
        c.assign(tps)
        c.seek_to_beginning(*tps)
        ends = c.end_offsets(tps)
        out = []
        deadline = time.monotonic() + timeout_s
        while any((c.position(tp) or 0) < ends[tp] for tp in tps):  # None: not known yet
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {', '.join(dlq_topics)} took longer than {timeout_s} s")
            for records in c.poll(timeout_ms=500).values():
                for r in records:
                    h = {k: v.decode(errors="replace") for k, v in (r.headers or [])}
                    out.append(Entry(r.topic, r.partition, r.offset, r.key, r.value or b"", h, r.timestamp))
        return out
    finally:
        c.close()


def entries(s: Settings, topics: list[str], reasons: set[str] | None = None) -> list[Entry]:
    """The DLQ records of these source topics (all reasons when `reasons` is None), oldest first."""
    out = [e for e in read(s, [t + ".dlq" for t in topics]) if reasons is None or e.reason in reasons]
    return sorted(out, key=lambda e: (e.timestamp_ms, e.id))


def replay(s: Settings, ledger, chosen: list[Entry], again: bool = False) -> list[Entry]:
    """Publish each chosen record back into its source topic and partition (acks=all), then note
    it in the ledger; returns what was sent. Without `again`, records already replayed are left."""
    done = set() if again else {d["_id"] for d in ledger.find({"_id": {"$in": [e.id for e in chosen]}}, {"_id": 1})}
    todo = [e for e in chosen if e.id not in done]
    if not todo:
        return []
    p = bus.producer(s, client_id="pantau-dlq-replay")
    try:
        futures = []
        for e in todo:
            topic, partition, offset = e.origin
            futures.append(p.send(topic, key=e.key, value=e.value, partition=partition,
                                  headers=[*KAFKA_HEADERS, (ORIGIN_HEADER, f"{topic}:{partition}:{offset}".encode()),
                                           ("pantau_replay_of", e.id.encode())]))
        p.flush(timeout=30)
        for f in futures:
            f.get(timeout=0)  # raises if one was not acknowledged: nothing is noted as replayed
    finally:
        p.close(timeout=5)
    now = datetime.now(timezone.utc)
    for e in todo:
        ledger.replace_one({"_id": e.id}, {"_id": e.id, "origin": ":".join(map(str, e.origin)),
                                          "reason": e.reason, "replayed_at": now}, upsert=True)
    return todo


def replayed(ledger, chosen: list[Entry]) -> dict[str, datetime]:
    """{DLQ record id: when it was replayed} for those of `chosen` in the ledger."""
    return {d["_id"]: d["replayed_at"] for d in ledger.find({"_id": {"$in": [e.id for e in chosen]}})}
