"""Outbox relay: publishes a service's stored events to its Kafka topic, in order, at least once.

Each round reads the open pointer slots (`outbox_<n>`, see pantau.outbox) oldest first, sends
what it has not sent yet (key = partition key, so a subject's or unit's events stay in one
partition and in order), waits for acks=all, and drops a slot once it is closed (older than
`CLOSE_AFTER` seconds, longer than any request can take) and fully published. A crash forgets
what was sent from open slots, so they are sent again with the same event ids: consumers skip
them. Nothing is dropped before Kafka acknowledged it.

Reading is the relay's cost on FerretDB (every query scans the slot and decodes its documents,
whatever the projection), so pointers are small and a round reads each open slot's pointers in
one query (reading only `_id`s first and then the new pointers by `$in` cost a second round trip
for the same scan: the A/B in bench/README.md); a slot that has settled (`SETTLE_AFTER` seconds
past its end, longer than a request takes between choosing the slot and inserting) is read once
more and then only again right before it is dropped, which still catches a late insert. Between
the two, an older slot is read once a second (`PAST_EVERY`), not every round: after a burst, the
rounds that publish a steady trickle from the current slot no longer re-read the burst's slot
each time (which held freshness at ≈ 1 s p99 for half a minute after `make bench`'s batches).
"""
from __future__ import annotations

import logging
import signal
import time
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import orjson

from . import audit, bus, metrics, mongo
from .config import Settings, settings

if TYPE_CHECKING:
    from kafka import KafkaProducer
from .envelope import KAFKA_HEADERS
from .mongo import by_id
from .outbox import SLOT_PREFIX, SLOT_SECONDS
from .retry import backoff_s

log = logging.getLogger("pantau.relay")
CLOSE_AFTER = 120.0  # seconds after a slot's end before it is dropped
SETTLE_AFTER = 30.0  # seconds after a slot's end after which it is read only once more before the drop
CURRENT_FOR = 2.0  # seconds after a slot's end during which it is still read every round
PAST_EVERY = 1.0  # seconds between reads of an older slot that has not settled (only late inserts come)


class Relay:
    def __init__(self, service: str, s: Settings | None = None, idle_sleep: float = 0.05,
                 past_every: float = PAST_EVERY):
        self.service = service
        self.s = s or settings()
        self.topic = self.s.topic(service)
        self.idle_sleep = idle_sleep
        self.db = mongo.db(service)
        self.sent: dict[str, set[str]] = {}
        self.settled: set[str] = set()  # slots fully sent after SETTLE_AFTER: skipped until their drop
        self.past_every = past_every
        self.last_read: dict[str, float] = {}  # slot -> time.monotonic() of its last read
        self._producer: KafkaProducer | None = None
        self._stop = False

    def producer(self):
        if self._producer is None:
            self._producer = bus.producer(self.s, client_id=f"pantau-relay-{self.service}")
        return self._producer

    def stop(self, *_):
        self._stop = True

    def slots(self) -> list[str]:
        return sorted((n for n in self.db.list_collection_names() if n.startswith(SLOT_PREFIX)),
                      key=lambda n: int(n[len(SLOT_PREFIX):]))

    def publish_once(self) -> int:
        """One round over the open slots; returns how many events Kafka acknowledged."""
        return self._settle(self._dispatch(self._collect()))

    def _collect(self, in_flight: set[str] | None = None) -> tuple[datetime, list[tuple[str, list[dict]]]]:
        """Read the open slots: per slot the pointers not yet sent (nor `in_flight`: dispatched in
        the round whose acks are awaited meanwhile)."""
        now = datetime.now(timezone.utc)
        rounds = []
        for name in self.slots():
            age = now.timestamp() - (int(name[len(SLOT_PREFIX):]) + 1) * SLOT_SECONDS
            if name in self.settled and age <= CLOSE_AFTER:
                continue
            read_at = time.monotonic()
            if age > CURRENT_FOR and read_at - self.last_read.get(name, float("-inf")) < self.past_every:
                continue
            self.last_read[name] = read_at
            done = self.sent.setdefault(name, set())
            rounds.append((name, self._unsent(name, done | in_flight if in_flight else done)))
            if age > SETTLE_AFTER:
                self.settled.add(name)
        pending = [d for _, new in rounds for d in new]
        metrics.OUTBOX_BACKLOG.labels(self.service).set(len(pending))
        oldest = min((d["stored_at"] for d in pending), default=None)
        metrics.OUTBOX_OLDEST_AGE.labels(self.service).set((now - oldest).total_seconds() if oldest else 0.0)
        return now, rounds

    def _dispatch(self, collected: tuple[datetime, list[tuple[str, list[dict]]]]) -> tuple[datetime, list, list]:
        """Hand a round's events to the producer (sent in the background; not yet acknowledged)."""
        now, rounds = collected
        docs = [d for _, new in rounds for d in new]
        return now, rounds, self._send_async(docs) if docs else []

    def _settle(self, dispatched: tuple[datetime, list, list]) -> int:
        """Wait for the round's acks, mark its events sent and drop the slots closed and fully
        published; returns how many events Kafka acknowledged. Raises if any was not."""
        now, rounds, futures = dispatched
        if futures:
            self._await(futures)
        total = 0
        for name, new in rounds:
            if new:
                self.sent[name].update(d["_id"] for d in new)
                total += len(new)
            if (int(name[len(SLOT_PREFIX):]) + 1) * SLOT_SECONDS < now.timestamp() - CLOSE_AFTER:
                self.db.drop_collection(name)  # closed and fully published
                self.sent.pop(name, None)
                self.settled.discard(name)
                self.last_read.pop(name, None)
        return total

    def _unsent(self, name: str, done: set[str]) -> list[dict]:
        """The slot's pointers not yet sent, in order, each with its event's envelope (read from
        the event log by `_id`). A pointer whose event is gone is skipped: its write was undone and
        answered 503 (outbox.point)."""
        col = self.db[name]
        docs = [d for d in col.find({}) if d["_id"] not in done]
        missing = [d["_id"] for d in docs if "envelope" not in d]  # older pointers carried it
        events = by_id(self.db["events"], missing, projection={"envelope": 1, "audit": 1})
        out = []
        for d in docs:
            if "envelope" not in d:
                if d["_id"] not in events:
                    continue
                d["envelope"] = events[d["_id"]]["envelope"]
                if "audit" in events[d["_id"]]:
                    d["audit"] = events[d["_id"]]["audit"]  # a bureau write's entry (pantau/audit.py)
            out.append(d)
        return sorted(out, key=lambda d: (d["stored_at"], d["subject"], d["seq"]))

    def _send_async(self, docs: list[dict]) -> list:
        audit.materialize(docs)  # before the send counts: a crash repeats both (each idempotent)
        p = self.producer()
        return [p.send(self.topic, key=d["key"].encode(), value=orjson.dumps(d["envelope"]),
                       headers=KAFKA_HEADERS) for d in docs]

    def _await(self, futures: list) -> None:
        self.producer().flush(timeout=30)
        for f in futures:
            f.get(timeout=0)  # raises if that record was not acknowledged: nothing is marked sent
        metrics.RELAY_PUBLISHED_EVENTS.labels(self.service).inc(len(futures))
        metrics.RELAY_PUBLISH.labels(self.service, "ok").inc()

    def run(self) -> None:
        """Rounds back to back, the next round's slots read while the current round's records
        wait for Kafka's acks (sent only once those are in, so a subject's events keep their order)."""
        attempt = 0
        flying: tuple[datetime, list, list] | None = None  # dispatched, acks awaited
        while not self._stop:
            try:
                in_flight = {d["_id"] for _, new in flying[1] for d in new} if flying else set()
                collected = self._collect(in_flight)
                n = self._settle(flying) if flying else 0
                flying = None
                if any(new for _, new in collected[1]):
                    flying = self._dispatch(collected)
                else:
                    self._settle(self._dispatch(collected))  # nothing to send: drops what is due
                attempt = 0
                if not n and flying is None:
                    time.sleep(self.idle_sleep)
            except Exception as exc:  # noqa: BLE001 - never drop, never die: back off and retry
                flying = None  # not marked sent: the open slots are sent again
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
        # after a failure we cannot know which sends landed: send the open slots again
        self.sent.clear()
        self.settled.clear()


def main(service: str, metrics_port: int | None) -> None:
    if metrics_port:
        metrics.serve(metrics_port)
    bus.require_durable_topics()
    relay = Relay(service)
    signal.signal(signal.SIGTERM, relay.stop)
    signal.signal(signal.SIGINT, relay.stop)
    log.info("relay started", extra={"service": service, "topic": relay.topic})
    relay.run()
