"""Outbox relay: publishes a service's stored events to its Kafka topic, in order, at least once.

Loop: read the oldest unpublished events → send each (key = partition key) → flush, i.e. wait
for acks=all → mark them published. If anything fails before the mark, the same events are sent
again on the next round with the same event ids; consumers skip them as duplicates.
"""
from __future__ import annotations

import logging
import signal
import time

from . import bus, metrics, mongo
from .config import Settings, settings
from .outbox import backlog, mark_published, sleep_backoff, unpublished

log = logging.getLogger("pantau.relay")


class Relay:
    def __init__(self, service: str, s: Settings | None = None, batch: int = 2000, idle_sleep: float = 0.1):
        self.service = service
        self.s = s or settings()
        self.topic = self.s.topic(service)
        self.batch = batch
        self.idle_sleep = idle_sleep
        self.events = mongo.db(service)["events"]
        self._producer = None
        self._stop = False
        self._last_gauge = 0.0

    def producer(self):
        if self._producer is None:
            self._producer = bus.producer(self.s, client_id=f"pantau-relay-{self.service}")
        return self._producer

    def stop(self, *_):
        self._stop = True

    def publish_once(self) -> int:
        """Publish one batch; returns how many events were acknowledged and marked."""
        docs = unpublished(self.events, self.batch)
        if not docs:
            return 0
        p = self.producer()
        futures = []
        for d in docs:
            env = d["envelope"]
            headers = [("ce_type", env["type"].encode()), ("ce_id", env["id"].encode())]
            futures.append(p.send(self.topic, key=d["key"].encode(), value=_encode(env), headers=headers))
        p.flush(timeout=30)
        for f in futures:
            f.get(timeout=0)  # raises if that record failed
        mark_published(self.events, [d["_id"] for d in docs])
        metrics.RELAY_PUBLISHED_EVENTS.labels(self.service).inc(len(docs))
        return len(docs)

    def update_gauges(self, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_gauge > 1.0:
            self._last_gauge = now
            n, age = backlog(self.events)
            metrics.OUTBOX_BACKLOG.labels(self.service).set(n)
            metrics.OUTBOX_OLDEST_AGE.labels(self.service).set(age)

    def run(self) -> None:
        attempt = 0
        while not self._stop:
            try:
                n = self.publish_once()
                if n:
                    metrics.RELAY_PUBLISH.labels(self.service, "ok").inc()
                attempt = 0
                self.update_gauges()
                if not n:
                    time.sleep(self.idle_sleep)
            except Exception as exc:  # noqa: BLE001 - never drop, never die: back off and retry
                metrics.RELAY_PUBLISH.labels(self.service, "failed").inc()
                log.warning("publish failed, will retry", extra={"error": repr(exc), "attempt": attempt})
                self._reset_producer()
                attempt += 1
                sleep_backoff(attempt)
        if self._producer is not None:
            self._producer.flush(timeout=10)
            self._producer.close(timeout=10)

    def _reset_producer(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=1)
            except Exception:  # noqa: BLE001 - closing a broken producer
                pass
            self._producer = None


def _encode(envelope: dict) -> bytes:
    import orjson
    return orjson.dumps(envelope)


def main(service: str, metrics_port: int | None) -> None:
    if metrics_port:
        metrics.serve(metrics_port)
    relay = Relay(service)
    signal.signal(signal.SIGTERM, relay.stop)
    signal.signal(signal.SIGINT, relay.stop)
    log.info("relay started", extra={"service": service, "topic": relay.topic})
    relay.run()
