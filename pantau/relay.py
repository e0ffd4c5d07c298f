"""Outbox relay: publishes a service's stored events to its Kafka topic, in order, at least once.

Each round takes the unpublished events from the store's outbox (pantau/store/: how they are
found is the store implementation's business), sends them (key = partition key, so a subject's or
unit's events stay in one partition and in order), waits for acks=all, and only then tells the
outbox they are published. A crash forgets nothing that matters: what was not marked published
is sent again with the same event ids, and consumers skip them. Nothing is marked before Kafka
acknowledged it. `run` reads the next round while the current round waits for its acks.
"""
from __future__ import annotations

import logging
import signal
import time
from typing import TYPE_CHECKING

import orjson

from . import audit, bus, metrics, mongo, store
from .config import Settings, settings

if TYPE_CHECKING:
    from kafka import KafkaProducer
from .envelope import KAFKA_HEADERS
from .retry import backoff_s
from .store import Round

log = logging.getLogger("pantau.relay")


class Relay:
    def __init__(self, service: str, s: Settings | None = None, idle_sleep: float = 0.05):
        self.service = service
        self.s = s or settings()
        self.topic = self.s.topic(service)
        self.idle_sleep = idle_sleep
        self.db = mongo.db(service)
        self.outbox = store.outbox(self.db)
        self._producer: KafkaProducer | None = None
        self._stop = False

    def producer(self):
        if self._producer is None:
            self._producer = bus.producer(self.s, client_id=f"pantau-relay-{self.service}")
        return self._producer

    def stop(self, *_):
        self._stop = True

    def publish_once(self) -> int:
        """One round; returns how many events Kafka acknowledged."""
        return self._settle(self._dispatch(self._collect()))

    def _collect(self, in_flight: set[str] | None = None) -> Round:
        """The unpublished events, but those `in_flight` (dispatched in the round whose acks are
        awaited meanwhile)."""
        r = self.outbox.collect(in_flight or set())
        metrics.OUTBOX_BACKLOG.labels(self.service).set(len(r.docs))
        oldest = min((d["stored_at"] for d in r.docs), default=None)
        metrics.OUTBOX_OLDEST_AGE.labels(self.service).set((r.now - oldest).total_seconds() if oldest else 0.0)
        return r

    def _dispatch(self, r: Round) -> tuple[Round, list]:
        """Hand a round's events to the producer (sent in the background; not yet acknowledged)."""
        return r, self._send_async(r.docs) if r.docs else []

    def _settle(self, dispatched: tuple[Round, list]) -> int:
        """Wait for the round's acks and mark its events published; returns how many events Kafka
        acknowledged. Raises if any was not."""
        r, futures = dispatched
        if futures:
            self._await(futures)
        self.outbox.published(r)
        return len(r.docs)

    def _send_async(self, docs: list[dict]) -> list:
        audit.materialize(docs)  # before the send counts: a crash repeats both (each idempotent)
        p = self.producer()
        return [p.send(self.topic, key=d["key"].encode(), value=orjson.dumps(d["envelope"]),
                       headers=KAFKA_HEADERS) for d in docs]

    def _await(self, futures: list) -> None:
        self.producer().flush(timeout=30)
        for f in futures:
            f.get(timeout=0)  # raises if that record was not acknowledged: nothing is marked published
        metrics.RELAY_PUBLISHED_EVENTS.labels(self.service).inc(len(futures))
        metrics.RELAY_PUBLISH.labels(self.service, "ok").inc()

    def run(self) -> None:
        """Rounds back to back, the next round read while the current round's records
        wait for Kafka's acks (sent only once those are in, so a subject's events keep their order)."""
        attempt = 0
        flying: tuple[Round, list] | None = None  # dispatched, acks awaited
        while not self._stop:
            try:
                in_flight = {d["_id"] for d in flying[0].docs} if flying else set()
                collected = self._collect(in_flight)
                n = self._settle(flying) if flying else 0
                flying = None
                if collected.docs:
                    flying = self._dispatch(collected)
                else:
                    self._settle(self._dispatch(collected))  # nothing to send: the outbox's housekeeping
                attempt = 0
                if not n and flying is None:
                    time.sleep(self.idle_sleep)
            except Exception as exc:  # noqa: BLE001 - never drop, never die: back off and retry
                flying = None  # not marked published: sent again
                metrics.RELAY_PUBLISH.labels(self.service, "failed").inc()
                log.warning("publish failed, will retry", extra={"error": repr(exc), "attempt": attempt})
                self._reset_producer()
                attempt += 1
                time.sleep(backoff_s(attempt))
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
        # after a failure we cannot know which sends landed: send everything not marked again
        self.outbox.forget()


def main(service: str, metrics_port: int | None) -> None:
    if metrics_port:
        metrics.serve(metrics_port)
    bus.require_durable_topics()
    relay = Relay(service)
    signal.signal(signal.SIGTERM, relay.stop)
    signal.signal(signal.SIGINT, relay.stop)
    log.info("relay started", extra={"service": service, "topic": relay.topic})
    relay.run()
