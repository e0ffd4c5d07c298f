"""Consumer loop: poll → decode → apply → commit, as separate steps (docs/decisions/0001).

- **decode**: a record that cannot be an event (undecodable, invalid envelope or data, unknown
  type or version) goes to `<topic>.dlq` at once, with the reason in its headers.
- **apply**: each topic's projections get the batch's events in order. A projection may reject
  an event it can never apply (`Rejected`: DLQ at once). A transient error (store or broker
  unreachable or too slow) propagates: the batch is sought back and retried with backoff,
  without limit, and nothing is committed or skipped. Any other error is retried a few times;
  if it persists, the batch is split in order until the record(s) that fail alone are found,
  and each is *parked*: copied to the DLQ with reason `apply_failed` and the error, so that its
  partition moves on, an alert fires, and `pantau dlq replay` re-applies it once the cause is
  fixed (pantau/dlq.py). Never a silent skip, never a stalled partition.
- **commit**: offsets are committed only after the batch's effects and its DLQ copies are stored.

A replayed record carries the position of the original in a header (`pantau_origin`); it is
applied at that position (`Event.replay`), so projections that guard by position apply it
exactly once (projections/skm.py).
"""
from __future__ import annotations

import functools
import logging
import signal
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, runtime_checkable

from kafka import OffsetAndMetadata, TopicPartition
from kafka.errors import CommitFailedError
from pymongo.errors import AutoReconnect

from . import bus, dlq, metrics, mongo
from .config import Settings, settings
from .consumer_health import Heartbeat
from .dlq import ORIGIN_HEADER, PARKED_REASON
from .envelope import Event, PoisonEvent, at_position, decode
from .retry import backoff_s, bounded, transient

log = logging.getLogger("pantau.consumer")


RECORDS_PER_BATCH = 5000
"""Records per poll, i.e. per applied batch: a batch costs a fixed number of store round trips,
so larger batches spread them over more events (bench/README.md). Kafka's
`max_poll_interval_ms` (300 s) bounds a batch's apply time."""
ATTEMPTS = 3
"""Attempts at a batch (and at each part of a split batch) before a non-transient error is
taken to be the records' own and the batch is split."""


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


@runtime_checkable
class NotesParked(Protocol):
    def parked(self, event: Event) -> None:
        """Called once an event this projection saw is parked, before the partition moves on."""


class _Fn:
    """A plain function used as a projection."""

    def __init__(self, fn: Callable[[list[Event]], dict]):
        self.fn = fn

    def apply(self, events: list[Event]) -> dict:
        return self.fn(events) or {}


Handlers = dict[str, Any]  # topic -> a projection, a list of projections, or a function of the events


def _projections(h: Any) -> list:
    items = h if isinstance(h, (list, tuple)) else [h]
    return [p if hasattr(p, "apply") else _Fn(p) for p in items]


def origin_of(record) -> tuple[str, int, int] | None:
    """The original position a replayed record carries, else None."""
    for k, v in record.headers or ():
        if k == ORIGIN_HEADER:
            topic, partition, offset = v.decode().rsplit(":", 2)
            return topic, int(partition), int(offset)
    return None


def to_event(record) -> Event:
    """A record as an event at its position (a replay: at its original's); PoisonEvent if it is none."""
    e = decode(record.value)
    try:
        origin = origin_of(record)
    except ValueError:
        raise PoisonEvent("invalid_envelope", f"malformed {ORIGIN_HEADER} header") from None
    if origin is not None:
        return at_position(e, *origin, replay=True)
    return at_position(e, record.topic, record.partition, record.offset)


class ConsumerLoop:
    def __init__(self, handlers: Handlers, s: Settings | None = None, group_id: str | None = None,
                 poll_ms: int = 200, max_records: int = RECORDS_PER_BATCH, heartbeat: Heartbeat | None = None):
        self.s = s or settings()
        self.projections = {topic: _projections(h) for topic, h in handlers.items()}
        self.group_id = group_id or self.s.consumer_group
        self.poll_ms = poll_ms
        self.max_records = max_records
        self.heartbeat = heartbeat
        self._stop = False
        self.consumer = bus.consumer(list(handlers), self.group_id, self.s, max_poll_records=max_records)
        self.dlq_producer = bus.producer(self.s, client_id="pantau-dlq")
        self.last_event_time: dict[str, float] = {}
        metrics.init_consumer_series(list(handlers))
        self._recent_ids = metrics.RecentIds()  # counts republished duplicates (metrics only)
        self._batch_ids: dict[str, None] = {}  # ids applied in the batch in progress
        self._pending_dlq: list = []
        self._parked_total = 0
        self._failing_since: float | None = None
        # source positions already in the DLQ: from earlier attempts at a batch, and (read from the
        # DLQs' headers at start) from a crashed predecessor or an earlier group, because the DLQ
        # send and the offset commit are not atomic; so the DLQ gets each record once
        self._dead: set[tuple[str, int, int]] = dead_lettered(self.s, list(handlers))
        # applies one batch at a time while `run` fetches and decodes the next
        self._applier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pantau-apply")

    def stop(self, *_):
        self._stop = True

    # ---- the loop ----------------------------------------------------------------------------

    def run(self, until: Callable[[], bool] | None = None) -> None:
        """Poll → decode → apply → commit, with the next batch fetched and decoded (in this thread,
        the only one that touches the Kafka consumer) while the current one is applied in the apply
        thread. A batch's offsets are committed, explicitly, only after it is applied; a failed
        batch seeks every partition back to its first unapplied record (the prefetched batch is
        dropped), so a crash or a retry still loses nothing and commits nothing unapplied."""
        attempt = 0
        self._beat(force=True, state="running")
        ahead: tuple[dict, list] | None = None  # the prefetched batch and its decoded records
        while not self._stop and not (until and until() and ahead is None):
            if ahead is None:
                batch = self._poll()
                if not batch:
                    self._update_lag()
                    self._beat()
                    continue
                decoded = self._decode_batch(batch)
            else:
                batch, decoded = ahead
            work = self._applier.submit(self._process, decoded)
            nxt = self._poll()  # while the store works on the current batch
            ahead = (nxt, self._decode_batch(nxt)) if nxt else None
            try:
                work.result()
                self.consumer.commit(next_offsets(batch))
                attempt = 0
                self._failing_since = None
                for event_id in self._batch_ids:
                    self._recent_ids.add(event_id)
                metrics.READY.labels("apply").set(1)
                self._update_lag()
                self._beat(state="running", failing_since=None, last_error=None,
                           last_commit_at=_utcnow())
            except CommitFailedError:
                log.warning("commit failed after a rebalance; the batch will be redelivered")
                ahead = self._still_assigned(ahead)
            except Exception as exc:  # noqa: BLE001 - transient (or an error while parking): retry the batch
                attempt += 1
                self._retry_later(batch, exc, attempt, ahead[0] if ahead else None)
                ahead = None  # dropped: read again after the batch (_retry_later seeks back)
        self._beat(force=True, state="stopped")
        self.close()

    def _poll(self) -> dict:
        batch = self.consumer.poll(timeout_ms=self.poll_ms, max_records=self.max_records)
        self._check_assignment()
        return batch

    def _still_assigned(self, ahead: tuple[dict, list] | None) -> tuple[dict, list] | None:
        """After a rebalance: the prefetched records of partitions this member still holds."""
        if ahead is None:
            return None
        mine = set(self.consumer.assignment())
        batch = {tp: recs for tp, recs in ahead[0].items() if tp in mine}
        return (batch, self._decode_batch(batch)) if batch else None

    def _retry_later(self, batch, exc: BaseException, attempt: int, ahead: dict | None = None) -> None:
        """Nothing of the batch is committed: seek back to its first offsets (and a partition only
        the prefetched batch `ahead` holds to that one's, as it is dropped) and wait."""
        metrics.READY.labels("apply").set(0)
        if self._failing_since is None:
            self._failing_since = time.time()
        log.warning("batch not applied, retrying", extra={"error": repr(exc), "attempt": attempt,
                                                           "transient": transient(exc)})
        start = {tp: records[0].offset for tp, records in (ahead or {}).items() if records}
        for tp, records in batch.items():
            metrics.CONSUMER_RETRIES.labels(tp.topic).inc()
            start[tp] = records[0].offset
        for tp, offset in start.items():
            self.consumer.seek(tp, offset)
        self._update_lag()
        self._beat(force=True, state="retrying", failing_since=_utcnow(self._failing_since),
                   last_error=repr(exc)[:500])
        time.sleep(backoff_s(attempt))

    def _decode_batch(self, batch: dict) -> list[tuple[str, list[tuple[Any, Event]], list[tuple[Any, PoisonEvent]]]]:
        """Per topic: the records decoded to events, and the poison records with their reason
        (dead-lettered when the batch is processed). No side effect: it runs ahead of the apply."""
        by_topic: dict[str, list] = defaultdict(list)
        for tp, records in batch.items():
            by_topic[tp.topic].extend(records)
        return [(topic, *self._decode(records)) for topic, records in by_topic.items()]

    def _process(self, decoded: list[tuple[str, list[tuple[Any, Event]], list[tuple[Any, PoisonEvent]]]]) -> None:
        self._pending_dlq = []
        self._batch_ids = {}
        self._batch_parked: set[tuple[str, int, int]] = set()
        try:
            for topic, items, poison in decoded:
                # records of one partition are in order; across partitions order does not matter
                # because each key (aggregate or unit) lives in one partition.
                for r, p in poison:
                    self._dead_letter(r, p.reason, p.detail)
                    metrics.CONSUMER_RECORDS.labels(topic, "<invalid>", "poison").inc()
                if items:
                    started = time.perf_counter()
                    rejected = self._apply(topic, items)
                    metrics.CONSUMER_APPLY.labels(topic).observe(time.perf_counter() - started)
                    self._count(topic, items, rejected)
        finally:
            self._settle_dlq()  # even when applying failed: the retry must not send them again

    # ---- steps -------------------------------------------------------------------------------

    def _decode(self, records: list) -> tuple[list[tuple[Any, Event]], list[tuple[Any, PoisonEvent]]]:
        items, poison = [], []
        for r in records:
            try:
                items.append((r, to_event(r)))
            except PoisonEvent as p:
                poison.append((r, p))
        return items, poison

    def _apply_once(self, topic: str, items: list[tuple[Any, Event]]) -> dict[str, Rejected]:
        events = [e for _, e in items]
        rejected: dict[str, Rejected] = {}
        for p in self.projections[topic]:
            rejected.update(p.apply(events))
        return rejected

    def _apply(self, topic: str, items: list[tuple[Any, Event]]) -> dict[str, Rejected]:
        """Apply with bounded retries; a batch that keeps failing is split to park the culprits."""
        try:
            return bounded(lambda: self._apply_once(topic, items), ATTEMPTS, sleep=self._sleep)
        except Exception as exc:
            if transient(exc):
                raise
            log.warning("batch keeps failing; looking for the records that fail alone",
                        extra={"topic": topic, "records": len(items), "error": repr(exc)})
            return self._isolate(topic, items, exc)

    def _isolate(self, topic: str, items: list[tuple[Any, Event]], exc: BaseException) -> dict[str, Rejected]:
        """Apply the halves in order; a single record that still fails is parked."""
        if len(items) == 1:
            self._park(topic, items[0], exc)
            return {}
        rejected: dict[str, Rejected] = {}
        mid = len(items) // 2
        for part in (items[:mid], items[mid:]):
            try:
                rejected.update(bounded(functools.partial(self._apply_once, topic, part), ATTEMPTS, sleep=self._sleep))
            except Exception as part_exc:
                if transient(part_exc):
                    raise
                rejected.update(self._isolate(topic, part, part_exc))
        return rejected

    def _park(self, topic: str, item: tuple[Any, Event], exc: BaseException) -> None:
        record, event = item
        if not mongo.ping(timeout_ms=2000):
            # the store, not the record: treat as transient (the batch is retried without limit)
            raise AutoReconnect(f"store unreachable while parking {event.id}: {exc!r}")
        self._note_parked(topic, event)
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        self._dead_letter(record, PARKED_REASON, detail, origin=event.position)
        self._batch_parked.add((record.topic, record.partition, record.offset))
        self._parked_total += 1
        metrics.CONSUMER_RECORDS.labels(topic, event.type, "parked").inc()
        log.error("record parked in the DLQ: it fails to apply on its own",
                  extra={"topic": record.topic, "partition": record.partition, "offset": record.offset,
                         "event_id": event.id, "type": event.type, "error": detail[:500]})

    def _note_parked(self, topic: str, event: Event) -> None:
        for p in self.projections[topic]:
            if isinstance(p, NotesParked):
                p.parked(event)

    def _count(self, topic: str, items: list[tuple[Any, Event]], rejected: dict[str, Rejected]) -> None:
        good = []
        for r, e in items:
            rej = rejected.get(e.id)
            if rej is not None:
                self._note_parked(topic, e)
                self._dead_letter(r, rej.reason, rej.detail, origin=e.position)
                metrics.CONSUMER_RECORDS.labels(topic, e.type, "rejected").inc()
                continue
            if (r.topic, r.partition, r.offset) in self._batch_parked:
                continue
            good.append((r, e))
            if e.id in self._batch_ids or self._recent_ids.seen(e.id):  # applied before: a no-op now
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

    # ---- the DLQ -----------------------------------------------------------------------------

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

    def _dead_letter(self, record, reason: str, detail: str, origin: Iterable | None = None) -> None:
        where = (record.topic, record.partition, record.offset)
        if where in self._dead or any(w == where for w, *_ in self._pending_dlq):
            return  # already in the DLQ from an earlier attempt at this batch
        topic, partition, offset = tuple(origin) if origin else where
        headers = [("dlq_reason", reason.encode()), ("dlq_detail", detail[:2000].encode()),
                   ("dlq_topic", record.topic.encode()), ("dlq_partition", str(record.partition).encode()),
                   ("dlq_offset", str(record.offset).encode()),
                   ("dlq_origin", f"{topic}:{partition}:{offset}".encode())]
        future = self.dlq_producer.send(record.topic + ".dlq", key=record.key, value=record.value or b"",
                                        headers=headers)
        self._pending_dlq.append((where, future, record.topic, reason))
        log.warning("record dead-lettered", extra={"topic": record.topic, "partition": record.partition,
                                                   "offset": record.offset, "reason": reason})

    # ---- bookkeeping -------------------------------------------------------------------------

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def _beat(self, force: bool = False, **state) -> None:
        if self.heartbeat is None:
            return
        lag = sum(int(v) for v in self._lag.values()) if hasattr(self, "_lag") else 0
        self.heartbeat.beat(force=force, lag=lag, parked=self._parked_total,
                            last_record_at=[{"topic": t, "at": _utcnow(v)} for t, v in sorted(self.last_event_time.items())],
                            **state)

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
            topics = list(self.projections)
            self.consumer.unsubscribe()
            self.consumer.subscribe(topics)
            self._resubscribed = True

    def close(self) -> None:
        self._applier.shutdown(wait=True)
        try:
            self.dlq_producer.flush(timeout=10)
            self.dlq_producer.close(timeout=5)
        finally:
            self.consumer.close()

    def _update_lag(self) -> None:
        lag: dict[TopicPartition, int] = {}
        for tp in self.consumer.assignment():
            hw = self.consumer.highwater(tp)
            if hw is None:
                continue
            try:
                pos = self.consumer.position(tp)
            except Exception:  # noqa: BLE001 - lag is best effort
                continue
            if pos is None:
                continue
            lag[tp] = max(0, hw - pos)
            metrics.CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(lag[tp])
        self._lag = lag
        now = time.time()
        for topic, last in self.last_event_time.items():
            metrics.PROJECTION_FRESHNESS.labels(topic).set(max(0.0, now - last))


def next_offsets(batch: dict) -> dict:
    """What to commit once `batch` is applied: per partition the offset after its last record
    (explicit, because the consumer's position is already past the prefetched batch)."""
    return {tp: OffsetAndMetadata(records[-1].offset + 1, "", -1) for tp, records in batch.items() if records}


def _utcnow(ts: float | None = None):
    from datetime import datetime, timezone
    return datetime.fromtimestamp(ts if ts is not None else time.time(), timezone.utc)


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
    dead-lettered twice) rather than a consumer that cannot start."""
    try:
        return {(e.headers["dlq_topic"], int(e.headers["dlq_partition"]), int(e.headers["dlq_offset"]))
                for e in dlq.read(s, [t + ".dlq" for t in topics], timeout_s)
                if {"dlq_topic", "dlq_partition", "dlq_offset"} <= e.headers.keys()}
    except Exception as exc:  # noqa: BLE001 - see the docstring
        log.warning("could not read the DLQs; a redelivered poison record may be dead-lettered again",
                    extra={"error": repr(exc)})
        return set()


def install_signal_handlers(loop: ConsumerLoop) -> None:
    signal.signal(signal.SIGTERM, loop.stop)
    signal.signal(signal.SIGINT, loop.stop)


__all__ = ["ConsumerLoop", "Rejected", "Projection", "install_signal_handlers", "TopicPartition", "ORIGIN_HEADER",
           "PARKED_REASON"]
