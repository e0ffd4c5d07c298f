"""The consumer's heartbeat in the store, and the judgement of whether the pipeline is healthy.

Each consumer instance writes one small document every few seconds: whether it is applying or
retrying a failing batch (since when, with which error), when it last committed, its lag and the
Kafka time of the last record it applied per topic (a list: topic names hold dots, which a
field name may not). `assess` (pure) turns those documents into
the pipeline's health, which the aggregator's `/readyz`, its metrics and the dashboard's
freshness line read. A consumer that is gone or hung stops writing, so its heartbeat goes stale.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from datetime import datetime, timedelta, timezone
from typing import Any

log = logging.getLogger("pantau.consumer")

BEAT_EVERY_S = 5.0
STALE_AFTER_S = float(os.environ.get("PANTAU_PIPELINE_STALE_S") or 60)
"""No heartbeat for this long: the consumer is gone or stuck inside one batch."""
FAILING_AFTER_S = float(os.environ.get("PANTAU_PIPELINE_FAILING_S") or 60)
"""A batch retried (store or broker trouble) for this long: the pipeline is failing."""
KEEP_FOR = timedelta(days=1)  # heartbeats of instances gone longer than this are not shown


class Heartbeat:
    """Writes this instance's heartbeat document (at most every BEAT_EVERY_S unless forced)."""

    def __init__(self, collection, group: str):
        self.col = collection
        self.doc: dict[str, Any] = {"_id": f"{group}:{socket.gethostname()}:{os.getpid()}", "group": group,
                                    "host": socket.gethostname(), "pid": os.getpid(), "state": "starting",
                                    "failing_since": None, "last_error": None, "last_commit_at": None,
                                    "lag": 0, "last_record_at": [], "parked": 0,
                                    "started_at": datetime.now(timezone.utc)}
        self._written = 0.0

    def beat(self, force: bool = False, **state: Any) -> None:
        self.doc.update(state)
        now = time.monotonic()
        if not force and now - self._written < BEAT_EVERY_S:
            return
        self.doc["updated_at"] = datetime.now(timezone.utc)
        self._written = now  # also after a failure: one attempt (and one log line) per interval
        try:
            self.col.replace_one({"_id": self.doc["_id"]}, self.doc, upsert=True)
        except Exception as exc:  # noqa: BLE001 - an unwritten heartbeat goes stale: that is the signal
            log.warning("heartbeat not written", extra={"error": repr(exc)})


def read(collection, now: datetime | None = None) -> list[dict]:
    now = now or datetime.now(timezone.utc)
    return list(collection.find({"updated_at": {"$gte": now - KEEP_FOR}}))


def _aware(t: datetime | None) -> datetime | None:
    return t if t is None or t.tzinfo else t.replace(tzinfo=timezone.utc)


def _updated(d: dict) -> datetime:
    t = _aware(d["updated_at"])
    assert t is not None  # every heartbeat is written with it
    return t


def assess(docs: list[dict], now: datetime | None = None, stale_s: float = STALE_AFTER_S,
           failing_s: float = FAILING_AFTER_S) -> dict[str, Any]:
    """The pipeline's health from the heartbeats (pure). `status`: ok | no_consumer (none has
    ever beaten, or all stopped cleanly) | stalled (no live heartbeat, or a live consumer has lag
    but has not committed for `stale_s`) | failing (retrying a batch for `failing_s`). The stale
    heartbeat of an instance that died is ignored while another instance is live: the group gives
    its partitions to the live ones."""
    now = now or datetime.now(timezone.utc)
    running = [d for d in docs if d.get("state") != "stopped"]
    live = [d for d in running if (now - _updated(d)).total_seconds() <= stale_s]
    problems: list[tuple[str, str]] = []
    if running and not live:
        newest = max(running, key=_updated)
        age = (now - _updated(newest)).total_seconds()
        problems.append(("stalled", f"{newest['_id']}: no heartbeat for {age:.0f} s"))
    for d in live:
        since = _aware(d.get("failing_since"))
        if since is not None and (now - since).total_seconds() > failing_s:
            problems.append(("failing", f"{d['_id']}: retrying since {since.isoformat()}: {d.get('last_error')}"))
        committed = _aware(d.get("last_commit_at")) or _aware(d.get("started_at"))
        if d.get("lag", 0) > 0 and committed is not None and (now - committed).total_seconds() > stale_s:
            problems.append(("stalled", f"{d['_id']}: {d['lag']} records behind, nothing committed "
                                        f"since {committed.isoformat()}"))
    last: dict[str, datetime] = {}
    for d in live:
        for item in d.get("last_record_at") or []:
            topic, t = item["topic"], _aware(item["at"])
            if t is not None and (topic not in last or t > last[topic]):
                last[topic] = t
    if problems:
        status = "failing" if any(k == "failing" for k, _ in problems) else "stalled"
    else:
        status = "ok" if live else "no_consumer"
    return {"ok": status == "ok", "status": status, "problems": [p for _, p in problems],
            "consumers": len(live), "lag": sum(int(d.get("lag") or 0) for d in live),
            "parked": sum(int(d.get("parked") or 0) for d in live),
            "last_record_at": {k: v.isoformat() for k, v in sorted(last.items())}}
