"""Consumer loop: poll → decode → apply per topic → DLQ poison → commit (design.md §5).

- Offsets are committed only after the batch's effect is stored (manual commits).
- Poison records (undecodable, invalid envelope or data, unknown type/version, or rejected by a
  projection as impossible) are copied to `<topic>.dlq` with the reason in headers, then skipped.
- Infrastructure errors (store or broker down) never skip anything: the consumer seeks back to
  the batch's first offsets, backs off, and tries again.
"""
from __future__ import annotations

import logging
import signal
import time
from collections import defaultdict
from typing import Callable, Protocol

from kafka import TopicPartition
from kafka.errors import CommitFailedError, KafkaError

from . import bus, metrics, mongo
from .config import Settings, settings
from .envelope import Event, PoisonEvent, at_position, decode

log = logging.getLogger("pantau.consumer")


RECORDS_PER_BATCH = 5000
"""Records per poll, i.e. per applied batch. A batch costs a fixed number of store round trips
plus one read and one write per bucket it touches (tests/integration/test_store_round_trips.py),
so larger batches spread those over more events: 2,000 → 5,000 applied ~15 % more events/s on
FerretDB (bench/README.md), and the consumer's peak RSS in `make bench` rose from 98 to ≈ 160 MB;
when the consumer keeps up, batches are small anyway and freshness does not depend on it. Kafka's
`max_poll_interval_ms` (300 s) bounds a batch's apply time: 5,000 records need ≥ 17 events/s."""


class Rejected(Exception):
    """Raised by a projection for an event that can never be applied (goes to the DLQ)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class Projection(Protocol):
    def apply(self, events: list[Event]) -> dict[str, Rejected]:
        """Apply events in order; return {event id: Rejected} for those that must go to the DLQ.
        Must be idempotent: re-applying an already applied event changes nothing."""


Handler = Callable[[list[Event]], dict]


class ConsumerLoop:
    def __init__(self, handlers: dict[str, Handler], s: Settings | None = None, group_id: str | None = None,
                 poll_ms: int = 200, max_records: int = RECORDS_PER_BATCH):
        self.s = s or settings()
        self.handlers = handlers
        self.group_id = group_id or self.s.consumer_group
        self.poll_ms = poll_ms
        self.max_records = max_records
        self._stop = False
        self.consumer = bus.consumer(list(handlers), self.group_id, self.s, max_poll_records=max_records)
        self.dlq_producer = bus.producer(self.s, client_id="pantau-dlq")
        self.last_event_time: dict[str, float] = {}
        metrics.init_consumer_series(list(handlers))
        self._recent_ids = metrics.RecentIds()  # counts republished duplicates (metrics only)
        self._batch_ids: dict[str, None] = {}  # ids applied in the batch in progress
        # source positions already in the DLQ: from earlier attempts at a batch, and (read from the
        # DLQs' headers at start) from a crashed predecessor or an earlier group, because the DLQ
        # send and the offset commit are not atomic; so the DLQ gets each poison record once
        self._dead: set[tuple[str, int, int]] = dead_lettered(self.s, list(handlers))

    def stop(self, *_):
        self._stop = True

    def run(self, until: Callable[[], bool] | None = None) -> None:
        attempt = 0
        while not self._stop and not (until and until()):
            batch = self.consumer.poll(timeout_ms=self.poll_ms, max_records=self.max_records)
            self._check_assignment()
            if not batch:
                self._update_lag()
                continue
            try:
                self._process(batch)
                self.consumer.commit()
                attempt = 0
                for event_id in self._batch_ids:
                    self._recent_ids.add(event_id)
                metrics.READY.labels("apply").set(1)
            except CommitFailedError:
                log.warning("commit failed after a rebalance; the batch will be redelivered")
            except Exception as exc:  # noqa: BLE001 - never skip, never die: retry the batch
                # store or broker trouble (and any bug) stops progress here, visibly: the batch is
                # retried with backoff, lag grows and alerts fire; nothing is committed or skipped.
                attempt += 1
                metrics.READY.labels("apply").set(0)
                log.warning("apply failed, retrying batch", extra={"error": repr(exc), "attempt": attempt,
                                                                  "transient": isinstance(exc, (*mongo.STORE_ERRORS, KafkaError))})
                for tp, records in batch.items():
                    metrics.CONSUMER_RETRIES.labels(tp.topic).inc()
                    self.consumer.seek(tp, records[0].offset)
                time.sleep(min(5.0, 0.2 * 2 ** min(attempt, 5)))
            self._update_lag()
        self.close()

    def _check_assignment(self) -> None:
        """A member left without partitions for its first 30 s (it joined before the topics'
        metadata arrived) subscribes again once, which makes the group rebalance. Only once: an
        instance beyond the partition count is legitimately idle and must not churn the group."""
        if getattr(self, "_resubscribed", False) or self.consumer.assignment():
            self._unassigned_since = None
            return
        now = time.monotonic()
        since = getattr(self, "_unassigned_since", None)
        if since is None:
            self._unassigned_since = now
        elif now - since > 30:
            log.warning("no partitions assigned for 30 s; subscribing again")
            topics = list(self.handlers)
            self.consumer.unsubscribe()
            self.consumer.subscribe(topics)
            self._resubscribed = True

    def close(self) -> None:
        try:
            self.dlq_producer.flush(timeout=10)
            self.dlq_producer.close(timeout=5)
        finally:
            self.consumer.close()

    def _process(self, batch) -> None:
        by_topic: dict[str, list] = defaultdict(list)
        for tp, records in batch.items():
            by_topic[tp.topic].extend(records)
        self._pending_dlq: list = []
        self._batch_ids = {}
        try:
            self._apply_batch(by_topic)
        finally:
            self._settle_dlq()  # even when applying failed: the retry must not send them again

    def _apply_batch(self, by_topic: dict) -> None:
        for topic, records in by_topic.items():
            # records of one partition are in order; across partitions order does not matter
            # because each key (aggregate or unit) lives in one partition.
            good: list[tuple] = []
            for r in records:
                try:
                    good.append((r, at_position(decode(r.value), r.topic, r.partition, r.offset)))
                except PoisonEvent as p:
                    self._dead_letter(r, p.reason, p.detail)
                    metrics.CONSUMER_RECORDS.labels(topic, "<invalid>", "poison").inc()
            started = time.perf_counter()
            rejected = self.handlers[topic]([e for _, e in good]) if good else {}
            metrics.CONSUMER_APPLY.labels(topic).observe(time.perf_counter() - started)
            for r, e in good:
                rej = rejected.get(e.id)
                if rej is not None:
                    self._dead_letter(r, rej.reason, rej.detail)
                    metrics.CONSUMER_RECORDS.labels(topic, e.type, "rejected").inc()
                elif e.id in self._batch_ids or self._recent_ids.seen(e.id):  # applied before: a no-op now
                    metrics.CONSUMER_RECORDS.labels(topic, e.type, "duplicate").inc()
                else:
                    metrics.CONSUMER_RECORDS.labels(topic, e.type, "applied").inc()
                    self._batch_ids[e.id] = None
            if good:
                # freshness clock: when Kafka got the record (the relay published it), not the event's
                # business time (a paper form entered today may carry last month's submitted_at)
                self.last_event_time[topic] = max((r.timestamp / 1000.0 if (r.timestamp or 0) > 0
                                                   else e.time.timestamp()) for r, e in good)
                metrics.PROJECTION_FRESHNESS.labels(topic).set(max(0.0, time.time() - self.last_event_time[topic]))
                _log_batch(topic, good, rejected)

    def _settle_dlq(self) -> None:
        if self._pending_dlq:
            self.dlq_producer.flush(timeout=30)
            failed = None
            for where, future, topic, reason in self._pending_dlq:
                try:
                    future.get(timeout=0)
                except Exception as exc:  # noqa: BLE001 - the DLQ did not take it
                    failed = exc
                    continue
                self._dead.add(where)
                metrics.CONSUMER_DLQ.labels(topic, reason).inc()
            self._pending_dlq = []
            if failed is not None:
                raise failed  # the batch is retried; records already in the DLQ are not sent again

    def _dead_letter(self, record, reason: str, detail: str) -> None:
        where = (record.topic, record.partition, record.offset)
        if where in self._dead:
            return  # already in the DLQ from an earlier attempt at this batch
        headers = [("dlq_reason", reason.encode()), ("dlq_detail", detail[:2000].encode()),
                   ("dlq_topic", record.topic.encode()), ("dlq_partition", str(record.partition).encode()),
                   ("dlq_offset", str(record.offset).encode())]
        future = self.dlq_producer.send(record.topic + ".dlq", key=record.key, value=record.value or b"",
                                        headers=headers)
        self._pending_dlq.append((where, future, record.topic, reason))
        log.warning("record dead-lettered", extra={"topic": record.topic, "partition": record.partition,
                                                   "offset": record.offset, "reason": reason})

    def _update_lag(self) -> None:
        for tp in self.consumer.assignment():
            hw = self.consumer.highwater(tp)
            if hw is None:
                continue
            try:
                pos = self.consumer.position(tp)
            except Exception:  # noqa: BLE001 - lag is best effort
                continue
            metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(max(0, hw - pos))
        now = time.time()
        for topic, last in self.last_event_time.items():
            metrics.PROJECTION_FRESHNESS.labels(topic).set(max(0.0, now - last))


CORRELATION_IDS_PER_LINE = 20


def _log_batch(topic: str, good: list, rejected: dict) -> None:
    """One info line per applied batch and topic with (up to 20 of) the correlation ids it carried,
    so a request's id (X-Correlation-ID, the envelope's `correlationid`) can be followed into the
    aggregator at bounded log volume; every event at debug level."""
    ids: dict[str, None] = {}
    for _, e in good:
        if e.correlationid:
            ids.setdefault(e.correlationid, None)
    log.info("batch applied", extra={"topic": topic, "records": len(good), "rejected": len(rejected),
                                     "correlation_ids": list(ids)[:CORRELATION_IDS_PER_LINE],
                                     "correlation_ids_total": len(ids)})
    if log.isEnabledFor(logging.DEBUG):
        for r, e in good:
            log.debug("event applied", extra={"topic": topic, "partition": r.partition, "offset": r.offset,
                                              "event_id": e.id, "type": e.type, "correlation_id": e.correlationid,
                                              "rejected": e.id in rejected})


def dead_lettered(s: Settings, topics: list[str], timeout_s: float = 60.0) -> set[tuple[str, int, int]]:
    """The source positions (topic, partition, offset) already in these topics' DLQs, from the
    records' headers. On failure, an empty set (then a redelivered poison record may be
    dead-lettered twice, as before) rather than a consumer that cannot start."""
    from kafka import KafkaConsumer
    out: set[tuple[str, int, int]] = set()
    c = None
    try:
        c = KafkaConsumer(bootstrap_servers=s.kafka_bootstrap, group_id=None, enable_auto_commit=False,
                          client_id="pantau-dlq-index")
        c.topics()
        tps = [TopicPartition(t + ".dlq", n) for t in topics for n in (c.partitions_for_topic(t + ".dlq") or [])]
        if not tps:
            return out
        c.assign(tps)
        c.seek_to_beginning(*tps)
        ends = c.end_offsets(tps)
        deadline = time.monotonic() + timeout_s
        while any(c.position(tp) < ends[tp] for tp in tps):
            if time.monotonic() > deadline:
                raise TimeoutError("reading the DLQs took too long")
            for records in c.poll(timeout_ms=500).values():
                for r in records:
                    h = {k: v for k, v in (r.headers or [])}
                    try:
                        out.add((h["dlq_topic"].decode(), int(h["dlq_partition"]), int(h["dlq_offset"])))
                    except (KeyError, ValueError):
                        continue
    except Exception as exc:  # noqa: BLE001 - see the docstring
        log.warning("could not read the DLQs; a redelivered poison record may be dead-lettered again",
                    extra={"error": repr(exc)})
    finally:
        if c is not None:
            c.close()
    return out


def install_signal_handlers(loop: ConsumerLoop) -> None:
    signal.signal(signal.SIGTERM, loop.stop)
    signal.signal(signal.SIGINT, loop.stop)


__all__ = ["ConsumerLoop", "Rejected", "Projection", "install_signal_handlers", "TopicPartition"]
