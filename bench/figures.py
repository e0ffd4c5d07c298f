"""Figures 1–3: ingest, aggregation and freshness, each with its reference measured in the same run."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import requests
import store_refs
from common import Offsets, ms, pct, wait
from province import WITA, Generator

RAW_TOPIC = "bench.raw"
POLL_EVERY = 0.06  # s between the freshness poller's report reads: ≤ 1,200 a minute with its read time


def ensure_topic(name: str, partitions: int = 3) -> None:
    from kafka.admin import NewTopic
    from kafka.errors import TopicAlreadyExistsError

    from pantau import bus
    a = bus.admin()
    try:
        if name not in set(a.list_topics()):
            try:
                a.create_topics([NewTopic(name, partitions, 1)])
            except TopicAlreadyExistsError:
                pass
    finally:
        a.close()


def raw_produce(records: list[tuple], topic: str) -> float:
    """A kafka-python producer alone, with the relay's settings (acks=all, idempotence):
    publish `records` and wait for every ack; returns records per second."""
    from pantau import bus
    p = bus.producer(client_id="bench-raw")
    try:
        p.send(topic, key=b"warm", value=b"{}").get(timeout=30)  # connection and metadata, not timed
        t0 = time.perf_counter()
        futures = [p.send(topic, key=k, value=v, headers=h) for k, v, h in records]
        p.flush(timeout=120)
        for f in futures:
            f.get(timeout=0)
        return len(records) / (time.perf_counter() - t0)
    finally:
        p.close(timeout=10)


def _consumer_at(start: dict, max_poll_records: int):
    """A group-less kafka-python consumer positioned at the per-partition `start` offsets, with
    the aggregator's fetch sizes (pantau.bus)."""
    from kafka import KafkaConsumer

    from pantau import bus
    from pantau.config import settings
    c = KafkaConsumer(bootstrap_servers=settings().kafka_bootstrap, group_id=None, enable_auto_commit=False,
                      max_poll_records=max_poll_records, max_partition_fetch_bytes=bus.PARTITION_FETCH_BYTES,
                      fetch_max_bytes=bus.FETCH_MAX_BYTES)
    c.assign(list(start))
    for tp, off in start.items():
        c.seek(tp, off)
    return c


def read_records(topic: str, start: dict, count: int) -> list:
    """`count` records of `topic` from the per-partition `start` offsets (no group)."""
    c = _consumer_at(start, 5000)
    try:
        out: list = []
        deadline = time.monotonic() + 120
        while len(out) < count and time.monotonic() < deadline:
            for recs in c.poll(timeout_ms=500).values():
                out.extend(recs)
        return out[:count]
    finally:
        c.close()


def raw_consume_decode(topic: str, start: dict, count: int) -> float:
    """A kafka-python consumer alone reading and decoding (pantau.envelope.decode, as the
    aggregator does) the same records; returns records per second."""
    from pantau.consumer import RECORDS_PER_BATCH
    from pantau.envelope import decode
    c = _consumer_at(start, RECORDS_PER_BATCH)  # what the aggregator polls
    try:
        c.poll(timeout_ms=0)  # connect before the clock starts
        n, t0 = 0, time.perf_counter()
        deadline = time.monotonic() + 300
        while n < count and time.monotonic() < deadline:
            for recs in c.poll(timeout_ms=500).values():
                for r in recs:
                    decode(r.value)
                    n += 1
        return n / (time.perf_counter() - t0)
    finally:
        c.close()


class Poster:
    def __init__(self, url: str, token: str):
        self.url = url
        self.token = token

    def session(self) -> requests.Session:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {self.token}"
        return s


def own_key(what: str) -> str:
    """Each client its own key: the per-key rate limit (PANTAU_RATE_LIMIT) is not what is measured."""
    from pantau import auth
    return auth.issue("bureau", note=f"bench {what}")


def ingest(survey_url: str, gen: Generator, units: list[str], single_seconds: float, clients: int,
           batches: int, batch_size: int, topic: str) -> dict:
    """Figure 1: responses/s through HTTP until durable (2xx) and published (in the topic)."""
    off = Offsets(topic, "unused")
    out: dict = {}
    now = datetime.now(WITA) - timedelta(minutes=5)

    # single posts: `clients` closed-loop clients for `single_seconds`
    counts = [0] * clients
    accepted: list[list[str]] = [[] for _ in range(clients)]  # the stored events' `_id`s, per client
    errors = [0]
    tokens = [own_key(f"single-post client {k}") for k in range(clients)]
    stop_at = time.monotonic() + single_seconds

    def single(k: int) -> None:
        s = Poster(survey_url, tokens[k]).session()
        i = 0
        while time.monotonic() < stop_at:
            unit = units[(k * 7919 + i) % len(units)]
            body = gen.response(unit, f"s{k}-{i}", now)
            r = s.post(survey_url, json=body, timeout=60)
            if r.status_code == 202:
                counts[k] += 1
                accepted[k].append(f"skm:{unit}:{body['response_id']}:1")
            else:
                errors[0] += 1
            i += 1
    before = off.end()
    t0 = time.monotonic()
    threads = [threading.Thread(target=single, args=(k,)) for k in range(clients)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    accepted_s = time.monotonic() - t0
    n = sum(counts)
    _, _ = wait(lambda: off.end() >= before + n, 300, what="single posts published")
    total = time.monotonic() - t0
    out["single"] = {"clients": clients, "responses": n, "errors": errors[0], "http_seconds": round(accepted_s, 2),
                     "published_seconds": round(total, 2), "rate_http": round(n / accepted_s, 1),
                     "rate": round(n / total, 1)}
    from pantau import mongo
    survey_db = mongo.db("survey")
    single_docs = store_refs.stored_events(survey_db, [i for ids in accepted for i in ids])
    out["store_insert_one"] = {"writers": clients, "responses": len(single_docs),
                               "rate": round(store_refs.insert_one_rate(survey_db, single_docs, clients), 1)}

    start = off.ends()
    out["batch"] = batch_ingest(survey_url, gen, units, batches, batch_size, off, "b")
    batch_docs = store_refs.stored_events(survey_db, [f"skm:{body['unit_id']}:{body['response_id']}:1"
                                                      for b in out["batch"].pop("payloads") for body in b])
    out["store_insert_many"] = {"writers": 2, "batch_size": batch_size, "responses": len(batch_docs),
                                "rate": round(store_refs.insert_many_rate(survey_db, batch_docs, batch_size, 2), 1)}
    # reference: the same records (bytes, keys, headers) by a raw producer to the same broker
    recs = read_records(topic, start, batches * batch_size)
    ensure_topic(RAW_TOPIC)
    raw = raw_produce([(r.key, r.value, r.headers) for r in recs], RAW_TOPIC)
    out["raw_producer"] = {"records": len(recs), "rate": round(raw, 1),
                           "mean_value_bytes": round(sum(len(r.value) for r in recs) / max(1, len(recs)))}
    off.close()
    return out


def batch_ingest(survey_url: str, gen: Generator, units: list[str], batches: int, batch_size: int, off: Offsets,
                 prefix: str) -> dict:
    """`batches` batches of `batch_size` new responses (ids `<prefix><batch>-<i>`) from two
    clients, timed until all are accepted (2xx) and until all are published."""
    now = datetime.now(WITA) - timedelta(minutes=5)
    payloads = [[gen.response(units[(b * 31 + i) % len(units)], f"{prefix}{b}-{i}", now) for i in range(batch_size)]
                for b in range(batches)]
    before = off.end()
    lock, bad, failed = threading.Lock(), [0], []
    queue = list(range(batches))
    keys = [own_key(f"batch client {prefix}{k}") for k in range(2)]

    def batch_client(k: int) -> None:
        s = Poster(survey_url, keys[k]).session()
        while True:
            with lock:
                if not queue or failed:
                    return
                b = queue.pop(0)
            for _attempt in range(5):  # a 503 or a dropped connection is retried: the batch is idempotent
                try:
                    r = s.post(survey_url, json={"responses": payloads[b]}, timeout=300)
                    if r.status_code == 202:
                        break
                    why = f"{r.status_code} {r.text[:200]}"
                except requests.ConnectionError as exc:
                    why = repr(exc)
                bad[0] += 1
            else:
                failed.append(f"batch {prefix}{b} refused 5 times, last: {why}")
    t0 = time.monotonic()
    threads = [threading.Thread(target=batch_client, args=(k,)) for k in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    http_s = time.monotonic() - t0
    if failed:
        raise RuntimeError(failed[0])
    n = batches * batch_size
    wait(lambda: off.end() >= before + n, 600, what="batches published")
    total = time.monotonic() - t0
    return {"payloads": payloads, "batch_size": batch_size, "batches": batches, "clients": 2, "retried_batch_posts": bad[0],
            "http_seconds": round(http_s, 2), "published_seconds": round(total, 2),
            "rate_http": round(n / http_s, 1), "rate": round(n / total, 1)}


def freshness(survey_url: str, agg_url: str, token: str, gen: Generator, unit: str, rate: float,
              seconds: float) -> dict:
    """Figure 3: 2xx → the unit report counts the response, under a steady single-post load; and
    the broker's own produce→consume latency, measured in the same run at the same rate."""
    month = datetime.now(WITA).strftime("%Y-%m")
    report = f"{agg_url}/v1/ikm/units/{unit}?period={month}"
    s = Poster(survey_url, token).session()
    base = s.get(report, timeout=30).json()["respondents"]
    acked: list[float] = []
    seen: list[tuple[float, int]] = []
    poll_times: list[float] = []
    errors: list[float] = []
    done = threading.Event()

    from pantau import auth
    poll_token = auth.issue("bureau", note="bench freshness poller")  # its own rate limit

    def poller() -> None:
        ps = Poster(agg_url, poll_token).session()
        while not done.is_set():
            time.sleep(POLL_EVERY)  # under the per-key limit (PANTAU_RATE_LIMIT, 1200/minute)
            t = time.monotonic()
            try:
                r = ps.get(report, timeout=30)
                r.raise_for_status()
                n = r.json()["respondents"] - base
            except Exception:  # noqa: BLE001 - a failed read is retried, never the end of the poller
                errors.append(time.monotonic())
                continue
            now = time.monotonic()
            poll_times.append(now - t)
            seen.append((now, n))
            if n >= len(acked) and done.is_set():
                break
    th = threading.Thread(target=poller, daemon=True)
    th.start()
    t_end = time.monotonic() + seconds
    i = 0
    next_at = time.monotonic()
    while time.monotonic() < t_end:
        when = datetime.now(WITA) - timedelta(seconds=1)
        r = s.post(survey_url, json=gen.response(unit, f"fresh-{i}", when), timeout=60)
        if r.status_code == 202:
            acked.append(time.monotonic())
        i += 1
        next_at += 1 / rate
        time.sleep(max(0.0, next_at - time.monotonic()))
    n = len(acked)
    wait(lambda: seen and seen[-1][1] >= n, 300, what="freshness posts reflected")
    done.set()
    th.join(timeout=60)
    lat = []
    for k, t_ack in enumerate(acked, start=1):
        t_seen = next((t for t, c in seen if c >= k and t >= t_ack), None)
        if t_seen is not None:
            lat.append(t_seen - t_ack)
    broker = broker_latency(rate, seconds)
    return {"posts": n, "rate_per_s": rate, "p50_ms": ms(pct(lat, 50)), "p99_ms": ms(pct(lat, 99)),
            "max_ms": ms(max(lat) if lat else None), "slowest_ms": [ms(x) for x in sorted(lat)[-5:]],
            "report_poll_p50_ms": ms(pct(poll_times, 50)), "report_poll_errors": len(errors),
            "broker": broker}


def broker_latency(rate: float, seconds: float) -> dict:
    """Produce→consume latency of the broker alone: a producer with the relay's settings sends
    a timestamp at `rate`/s, a consumer with the aggregator's settings (new group) reads it."""
    import uuid

    from pantau import bus
    topic = "bench.latency"
    ensure_topic(topic, 3)
    c = bus.consumer([topic], f"bench-lat-{uuid.uuid4().hex[:6]}", auto_offset_reset="latest")
    wait(lambda: c.poll(timeout_ms=100) is not None and c.assignment(), 60, what="latency consumer assigned")
    p = bus.producer(client_id="bench-lat")
    lat: list[float] = []
    stop = threading.Event()

    def consume() -> None:
        while not stop.is_set():
            for recs in c.poll(timeout_ms=200).values():
                now = time.time()
                lat.extend(now - float(r.value) for r in recs)
    th = threading.Thread(target=consume, daemon=True)
    th.start()
    n = max(1, int(rate * seconds))
    for _ in range(n):
        p.send(topic, key=b"k", value=repr(time.time()).encode())
        time.sleep(1 / rate)
    p.flush(timeout=30)
    wait(lambda: len(lat) >= n, 60, what="latency records consumed")
    stop.set()
    th.join(timeout=10)
    p.close(timeout=5)
    c.close()
    return {"records": n, "p50_ms": ms(pct(lat, 50)), "p99_ms": ms(pct(lat, 99))}


def load(records_iter, count: int, topic: str, off: Offsets, sample_every: float = 0.5) -> dict:
    """Publish generated records straight to the service topic and time the real aggregator
    consuming them (committed offsets of its group). Figure 2's 'ours'."""
    from pantau import bus
    start = off.ends()
    p = bus.producer(client_id="bench-loader")
    progress: list[tuple[float, int]] = []
    stop = threading.Event()

    def sampler() -> None:
        while not stop.is_set():
            progress.append((time.monotonic(), off.committed()))
            stop.wait(sample_every)
    c0 = off.committed()
    t0 = time.monotonic()
    th = threading.Thread(target=sampler, daemon=True)
    th.start()
    sent = 0
    for k, v, h in records_iter:
        p.send(topic, key=k, value=v, headers=h)
        sent += 1
    p.flush(timeout=300)
    published_s = time.monotonic() - t0
    p.close(timeout=10)
    target = off.end()
    _, _ = wait(lambda: off.committed() >= target, 3600, every=0.5, what="aggregator caught up")
    t_done = time.monotonic()
    stop.set()
    th.join(timeout=5)
    first = next(((t, c) for t, c in progress if c > c0), (t0, c0))
    applied = target - first[1]
    span = max(1e-6, t_done - first[0])
    return {"records": sent, "publish_seconds": round(published_s, 2),
            "catch_up_seconds": round(t_done - t0, 2), "apply_rate": round(applied / span, 1), "start": start}


def ratios(results: dict) -> dict:
    """The three write-path ratios of issue 20, each ours ÷ its reference measured in the same run
    (None when a side is missing, e.g. after an error): single posts (8 clients, until published) ÷
    the store's `insert_one` of the same documents by as many threads; 1,000-batches (until
    published) ÷ the store's `insert_many` of the same documents; the aggregator's apply rate at
    the largest size ÷ a raw consumer reading and decoding the same records."""
    ing = results.get("ingest", {})

    def r(a, b):
        return round(a / b, 3) if a is not None and b else None
    agg = (results.get("aggregation") or [{}])[-1]
    return {"single_post_vs_store_insert_one_ratio": r(ing.get("single", {}).get("rate"),
                                                       ing.get("store_insert_one", {}).get("rate")),
            "batch_vs_store_insert_many_ratio": r(ing.get("batch", {}).get("rate"),
                                                  ing.get("store_insert_many", {}).get("rate")),
            "apply_vs_raw_consume_ratio": r(agg.get("apply_rate"), agg.get("raw_consumer_rate"))}
