"""Store-alone references of the survey intake (issue 20): what the store itself sustains for the
very documents the intake wrote, with nothing of Pantau in between.

- single posts: `writers` threads, each doing `insert_one` of an event document and then
  `insert_one` of its outbox pointer (what the intake writes per response, same shapes), one
  response after the other;
- batches: `writers` threads, each doing `insert_many` of a batch's events and then `insert_many`
  of their pointers.

The documents are read back from the survey service's own event log (the ones the figure just
stored) and written to scratch collections of the same database, dropped afterwards.
"""
from __future__ import annotations

import threading
import time

from pantau.mongo import by_id
from pantau.store.ferretdb import pointer

SCRATCH_EVENTS = "bench_ref_events"
SCRATCH_POINTERS = "bench_ref_outbox"


def stored_events(db, ids: list[str], chunk: int = 2000) -> list[dict]:
    """The stored event documents with these `_id`s, in the order given."""
    found: dict = {}
    for i in range(0, len(ids), chunk):
        found.update(by_id(db["events"], ids[i:i + chunk]))
    return [found[i] for i in ids if i in found]


def _run(db, groups: list[list[dict]], writers: int, write) -> float:
    """`write(events, pointers, group)` for every group, `writers` threads taking groups in turn;
    returns events per second from the moment every thread is ready."""
    events, pointers = db[SCRATCH_EVENTS], db[SCRATCH_POINTERS]
    events.drop()
    pointers.drop()
    # the collections exist before the clock starts (as the intake's do)
    events.insert_one({"_id": "warm"})
    pointers.insert_one({"_id": "warm"})
    lock, queue = threading.Lock(), list(groups)
    errors: list[BaseException] = []
    ready = threading.Barrier(writers + 1)

    def worker() -> None:
        ready.wait()
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    g = queue.pop(0)
                write(events, pointers, g)
        except BaseException as exc:  # noqa: BLE001 - reported below, not a rate
            errors.append(exc)
    threads = [threading.Thread(target=worker) for _ in range(writers)]
    [t.start() for t in threads]
    ready.wait()
    t0 = time.perf_counter()
    [t.join() for t in threads]
    seconds = time.perf_counter() - t0
    events.drop()
    pointers.drop()
    if errors:
        raise errors[0]
    return sum(len(g) for g in groups) / seconds


def insert_one_rate(db, docs: list[dict], writers: int = 8) -> float:
    """Responses per second: each one `insert_one(event)` then `insert_one(pointer)`."""
    def write(events, pointers, g):
        for d in g:
            events.insert_one(d)
            pointers.insert_one(pointer(d))
    return _run(db, [[d] for d in docs], writers, write)


def insert_many_rate(db, docs: list[dict], batch_size: int, writers: int = 2) -> float:
    """Responses per second: per batch one `insert_many(events)` then one `insert_many(pointers)`."""
    def write(events, pointers, g):
        events.insert_many(g, ordered=False)
        pointers.insert_many([pointer(d) for d in g], ordered=False)
    return _run(db, [docs[i:i + batch_size] for i in range(0, len(docs), batch_size)], writers, write)
