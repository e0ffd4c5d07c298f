"""The store adapter's contract (pantau/store/): every implementation passes the same tests, on a
real store and broker.

- `ferretdb` runs on the profile's store (FerretDB, or mongod where it is on PATH).
- `mongodb` needs a real MongoDB server: it runs only where `mongod` is on PATH (the profile's store
  is then mongod, pantau/infra/store.py) and is skipped, saying so, elsewhere.
- `mongodb-queries` runs the MongoDB implementation's queries and updates on the profile's store
  whatever it is, with plain indexes in place of its partial one (which FerretDB does not
  implement): it checks the implementation's logic where no mongod is, not MongoDB itself.
"""
from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import orjson
import pytest

pytestmark = pytest.mark.infra


@pytest.fixture(params=["ferretdb", "mongodb", "mongodb-queries"])
def kind(request, infra):
    from pantau_platform.infra import store as engine
    if request.param == "mongodb" and engine.engine() != "mongod":
        pytest.skip("mongod is not on PATH: the profile's store is FerretDB, and the MongoDB implementation's "
                    "contract needs a real MongoDB server")
    return request.param


@pytest.fixture
def impl(kind):
    from pantau import store
    if kind != "mongodb-queries":
        return store.impl(kind)
    from pantau.store.mongodb import MongoDBStore

    class QueriesOnly(MongoDBStore):
        def ensure_indexes(self, events):
            events.create_index([("subject", 1), ("seq", 1)], unique=True, name="subject_seq")
            events.create_index([("stored_at", 1)], name="stored_at")
    return QueriesOnly()


@pytest.fixture
def db(infra):
    from pantau import mongo
    d = mongo.client()[f"contract_{uuid.uuid4().hex[:10]}"]
    yield d
    mongo.client().drop_database(d.name)


@pytest.fixture
def events(impl, db):
    impl.ensure_indexes(db["events"])
    return db["events"]


def event(subject: str, seq: int, **data):
    from pantau.envelope import Event
    return Event(id=str(uuid.uuid4()), source="pantau/survey", type="skm.settings_set", subject=subject,
                 time=datetime.now(timezone.utc), seq=seq, dataversion=1, data=data or {"n": seq})


def doc(subject: str, seq: int, **extra) -> dict:
    from pantau import store
    return store.event_doc(event(subject, seq), "unit-a", extra or None)


def drain(reader) -> list[dict]:
    """Everything the outbox hands out now, marked published."""
    r = reader.collect(set())
    reader.published(r)
    return r.docs


def test_append_then_head_and_stream_in_seq_order(impl, events):
    first = impl.append(events, event("s:a", 1), "unit-a")
    impl.append(events, event("s:a", 2), "unit-a", not_before=first["stored_at"])
    third = impl.append(events, event("s:a", 3), "unit-a", {"private": {"x": 1}})
    impl.append(events, event("s:b", 1), "unit-b")
    assert impl.head(events, "s:a")["_id"] == "s:a:3" and impl.head(events, "s:a")["private"] == {"x": 1}
    assert impl.head(events, "s:a")["envelope"] == third["envelope"]
    assert [d["seq"] for d in impl.stream(events, "s:a")] == [1, 2, 3]
    assert [d["envelope"]["id"] for d in impl.stream(events, "s:a", projection={"envelope": 1})][0] == \
        first["envelope"]["id"]
    assert impl.head(events, "s:none") is None and impl.stream(events, "s:none") == []
    assert impl.stream(events, "s:b")[0]["key"] == "unit-b"


@pytest.mark.parametrize("length", [31, 32, 33, 65])
def test_head_and_stream_of_a_long_subject(impl, events, length):
    impl.append_many(events, [doc("s:long", n) for n in range(1, length + 1)] + [doc("s:long1", 1)])
    assert [d["seq"] for d in impl.stream(events, "s:long")] == list(range(1, length + 1))
    assert impl.head(events, "s:long")["seq"] == length


def test_a_taken_seq_is_a_conflict_and_the_first_event_stays(impl, events):
    from pantau import store
    kept = impl.append(events, event("s:c", 1), "unit-a")
    with pytest.raises(store.Conflict):
        impl.append(events, event("s:c", 1), "unit-a")
    assert [d["envelope"]["id"] for d in impl.stream(events, "s:c")] == [kept["envelope"]["id"]]


def test_not_before_orders_a_subjects_events_whatever_the_clock(impl, events):
    ahead = datetime.now(timezone.utc) + timedelta(seconds=5)  # another host's clock
    impl.append(events, event("s:d", 1), "unit-a")
    second = impl.append(events, event("s:d", 2), "unit-a", not_before=ahead)
    assert second["stored_at"] > ahead


def test_append_many_inserts_the_absent_and_returns_the_present(impl, events):
    docs = [doc("s:e", 1), doc("s:f", 1)]
    assert impl.append_many(events, docs) == set()
    again = [doc("s:e", 1), doc("s:g", 1)]
    assert impl.append_many(events, again) == {"s:e:1"}
    assert impl.stream(events, "s:e")[0]["envelope"]["id"] == docs[0]["envelope"]["id"]  # not overwritten
    assert impl.count(events) == 3


def test_the_outbox_hands_out_each_stored_event_until_it_is_published(impl, events, db):
    docs = [doc(f"s:h{i}", 1) for i in range(30)]
    impl.append_many(events, docs)
    reader = impl.outbox(db)
    r = reader.collect(set())
    assert sorted(d["_id"] for d in r.docs) == sorted(d["_id"] for d in docs)
    assert {d["_id"]: d["envelope"] for d in r.docs} == {d["_id"]: d["envelope"] for d in docs}
    assert all(d["key"] == "unit-a" and d["seq"] == 1 and "stored_at" in d for d in r.docs)
    assert "private" not in r.docs[0]  # what stays in the service is not handed to the relay
    assert [d["_id"] for d in reader.collect(set()).docs] != []  # not published yet: handed out again
    reader.published(r)
    assert reader.collect(set()).docs == []
    later = doc("s:h-later", 1)
    impl.append_many(events, [later])
    assert [d["_id"] for d in drain(reader)] == [later["_id"]]


def test_the_outbox_leaves_out_what_is_in_flight(impl, events, db):
    docs = [doc(f"s:i{i}", 1) for i in range(5)]
    impl.append_many(events, docs)
    reader = impl.outbox(db)
    flying = {docs[0]["_id"], docs[1]["_id"]}
    assert {d["_id"] for d in reader.collect(flying).docs} == {d["_id"] for d in docs[2:]}


def test_the_outbox_hands_out_in_stored_order(impl, events, db):
    first = impl.append(events, event("s:j", 1), "unit-a")
    time.sleep(0.005)  # the store keeps milliseconds; equal times go by subject
    impl.append(events, event("s:k", 1), "unit-a")
    time.sleep(0.005)
    impl.append(events, event("s:j", 2), "unit-a", not_before=first["stored_at"])
    got = drain(impl.outbox(db))
    assert [d["_id"] for d in got] == ["s:j:1", "s:k:1", "s:j:2"]


def stored_without_outbox_entry(events, subject: str) -> dict:
    """An event whose outbox write never happened (an attempt that failed half-way)."""
    d = doc(subject, 1)
    events.insert_one(dict(d))
    return d


def test_republish_heals_an_event_stored_without_its_outbox_entry(impl, events, db):
    reader = impl.outbox(db)
    lost = stored_without_outbox_entry(events, "s:l")
    assert drain(reader) == []
    impl.republish(events, [lost])
    assert [d["envelope"]["id"] for d in drain(reader)] == [lost["envelope"]["id"]]
    impl.republish(events, [])
    assert drain(reader) == []


def test_insert_then_publish_with_a_repeats_events(impl, events, db):
    """The group commit's path: insert-if-absent, then publish the new and republish the repeats."""
    reader = impl.outbox(db)
    old = stored_without_outbox_entry(events, "s:m")
    group = [doc("s:m", 1), doc("s:n", 1)]
    taken = impl.insert(events, group)
    assert taken == {"s:m:1"}
    impl.publish(events, [d for d in group if d["_id"] not in taken], also=[impl.head(events, "s:m")])
    got = drain(reader)
    assert sorted(d["_id"] for d in got) == ["s:m:1", "s:n:1"]
    assert {d["_id"]: d["envelope"]["id"] for d in got}["s:m:1"] == old["envelope"]["id"]


class Killed(BaseException):
    """The process killed at this write (kill -9): nothing after it runs, no handler undoes anything."""


@pytest.mark.parametrize("at", [1, 2])
@pytest.mark.parametrize("op", ["append", "append_many"])
def test_a_kill_at_any_write_of_an_append_leaves_no_event_the_outbox_does_not_hand_out(impl, events, db, monkeypatch,
                                                                                       op, at):
    """Killed at its first or second store write, an append leaves either nothing or an event the
    outbox hands out (a pointer without its event is skipped); the client's retry stores it once."""
    from pymongo.collection import Collection
    e = event(f"s:kill-{op}-{at}", 1)
    calls = {"n": 0}

    def write(real):
        def wrapped(self, *a, **kw):
            calls["n"] += 1
            if calls["n"] == at:
                raise Killed
            return real(self, *a, **kw)
        return wrapped
    for name in ("insert_one", "insert_many", "update_one", "update_many"):
        monkeypatch.setattr(Collection, name, write(getattr(Collection, name)))

    def run() -> None:
        if op == "append":
            impl.append(events, e, "unit-a")
        else:
            from pantau import store
            impl.append_many(events, [store.event_doc(e, "unit-a")])
    try:
        run()
    except Killed:
        pass
    else:
        assert calls["n"] < at, "the write that was to be killed ran"  # one write: nothing to cut
    monkeypatch.undo()
    reader = impl.outbox(db)
    stored = {d["_id"] for d in events.find({"subject": e.subject})}
    handed = [d["_id"] for d in drain(reader)]
    assert stored <= set(handed), "an event was stored that no relay will hand out"
    try:
        run()  # the client's retry
    except Exception:  # noqa: BLE001 - a Conflict when the killed attempt had stored it
        assert stored
    assert [d["_id"] for d in events.find({"subject": e.subject})] == [f"{e.subject}:1"]
    handed += [d["_id"] for d in drain(reader)]
    assert handed == [f"{e.subject}:1"]  # handed out once, before or after the retry


def test_a_bureau_writes_audit_entry_travels_with_its_event(impl, events, db):
    entry = {"_id": f"w:{uuid.uuid4()}", "actor": "key:k1:bureau", "action": "t.x", "target": "s:o"}
    impl.append_many(events, [doc("s:o", 1, audit=entry)])
    assert drain(impl.outbox(db))[0]["audit"] == entry


def test_an_undone_write_is_not_handed_out(impl, events, db):
    """An event removed again (its outbox write failed, answered 503) is never published."""
    gone = doc("s:p", 1)
    impl.append_many(events, [gone, doc("s:q", 1)])
    events.delete_one({"_id": gone["_id"]})
    assert [d["_id"] for d in drain(impl.outbox(db))] == ["s:q:1"]


def test_recorded_since_returns_what_was_stored_from_then_in_order(impl, events):
    impl.append(events, event("s:r", 1), "unit-a")
    time.sleep(0.01)
    since = datetime.now(timezone.utc)
    time.sleep(0.01)
    a = impl.append(events, event("s:r", 2), "unit-a")
    b = impl.append(events, event("s:s", 1), "unit-a")
    got = impl.recorded_since(events, since, projection={"envelope": 1})
    assert [d["_id"] for d in got] == [a["_id"], b["_id"]]
    assert got[0]["envelope"] == a["envelope"]
    assert impl.recorded_since(events, datetime.now(timezone.utc) + timedelta(seconds=1)) == []


def test_count_is_exact_after_inserts_and_deletes(impl, events, db):
    impl.append_many(events, [doc(f"s:t{i}", 1) for i in range(12)])
    events.delete_many({"_id": {"$in": ["s:t1:1", "s:t2:1"]}})
    assert impl.count(events) == 10
    assert impl.count(db["never_created"]) == 0


def test_batch_read_by_ids_and_insert_if_absent(impl, db):
    from pantau import store
    col = db["things"]
    assert store.insert_ignoring_duplicates(col, [{"_id": "a", "v": 1}, {"_id": "b", "v": 2}]) == set()
    assert store.insert_ignoring_duplicates(col, [{"_id": "b", "v": 9}, {"_id": "c", "v": 3}]) == {"b"}
    got = store.by_id(col, ["a", "b", "zz"], projection={"v": 1, "_id": 0})
    assert {k: v["v"] for k, v in got.items()} == {"a": 1, "b": 2}
    assert store.by_id(col, []) == {}


@pytest.mark.parametrize("length", [0, 1, 31, 32, 33, 70])
def test_series_reads_a_dense_numbered_series_up_to_its_first_gap(impl, db, length):
    col = db["slots"]
    col.insert_many([{"_id": f"f.1:{n}", "v": n} for n in range(1, length + 1)]
                    + [{"_id": f"f.1:{length + 2}", "v": 0},  # past the gap
                       {"_id": "f.10:1", "v": 0}, {"_id": "fx1:1", "v": 0}, {"_id": "f.1:1:x", "v": 0}])
    got = impl.series(col, "f.1", projection={"v": 1})
    assert [d["_id"] for d in got] == [f"f.1:{n}" for n in range(1, length + 1)]
    assert [d["v"] for d in got] == list(range(1, length + 1))
    assert impl.series(db["never_created"], "f.1") == []


def test_the_adapters_own_state_is_transient_and_the_log_is_not(impl, events, db):
    impl.append(events, event("s:u", 1), "unit-a")
    names = db.list_collection_names()
    assert "events" in names and not impl.transient("events")
    assert all(impl.transient(n) for n in names if n != "events")  # what the adapter adds is its own


def test_ensure_indexes_is_idempotent(impl, events):
    impl.ensure_indexes(events)
    impl.ensure_indexes(events)
    impl.append(events, event("s:v", 1), "unit-a")
    assert impl.head(events, "s:v")["seq"] == 1


def test_the_relay_publishes_each_stored_event_once_through_the_adapter(impl, events, db):
    """pantau/relay.py on this implementation's outbox, with the real broker."""
    from kafka import KafkaConsumer
    from kafka.admin import NewTopic

    from pantau import bus
    from pantau.config import settings
    from pantau.relay import Relay
    relay = Relay("survey")
    relay.db, relay.outbox = db, impl.outbox(db)
    relay.topic = f"contract-{uuid.uuid4().hex[:8]}"
    admin = bus.admin(settings())
    admin.create_topics([NewTopic(relay.topic, 1, 1)])
    admin.close()
    docs = [doc(f"s:w{i}", 1) for i in range(40)]
    impl.append_many(events, docs)
    try:
        assert relay.publish_once() == 40
        assert relay.publish_once() == 0
        docs.append(doc("s:w-late", 1))
        impl.append_many(events, docs[-1:])
        assert relay.publish_once() == 1
    finally:
        if relay._producer is not None:
            relay._producer.close(timeout=5)
    c = KafkaConsumer(relay.topic, bootstrap_servers=settings().kafka_bootstrap, auto_offset_reset="earliest",
                      consumer_timeout_ms=3000, group_id=None)
    got = [orjson.loads(r.value)["id"] for r in c]
    c.close()
    assert sorted(got) == sorted(d["envelope"]["id"] for d in docs)  # each once


def test_a_window_counter_ranks_hits_across_processes_and_windows(impl, db):
    col = db["rate_hits"]
    exp = datetime.now(timezone.utc) + timedelta(minutes=1)
    one, two = impl.counter(), impl.counter()  # two workers
    assert [one.take(col, "k1", "k1|100", exp) for _ in range(3)] == [1, 2, 3]
    assert two.take(col, "k1", "k1|100", exp) == 4
    assert one.take(col, "k1", "k1|100", exp) == 5
    assert one.take(col, "k1", "k1|160", exp) == 1  # a new window
    assert one.take(col, "k2", "k2|100", exp) == 1  # another key
    assert one.count(col, "k1") == 6 and two.count(col, "k2") == 1
    one.forget("k1")
    assert one.take(col, "k1", "k1|100", exp) == 6  # what it forgot is read back from the store
    ended = datetime.now(timezone.utc) - timedelta(seconds=1)
    two.take(col, "k3", "k3|0", ended)
    assert two.count(col, "k3") == 0  # an ended window counts no more


def test_a_group_of_hits_is_ranked_as_one_hit_each(impl, db):
    """`take_many` (the hits of a group of concurrent requests) ranks like `take`, also after
    another process took the slots this one would propose next."""
    col = db["rate_hits"]
    exp = datetime.now(timezone.utc) + timedelta(minutes=1)
    one, two = impl.counter(), impl.counter()
    assert one.take_many(col, [("k1", "k1|1", exp), ("k2", "k2|1", exp), ("k1", "k1|1", exp)]) == [1, 1, 2]
    assert [two.take(col, "k1", "k1|1", exp) for _ in range(2)] == [3, 4]
    assert one.take_many(col, [("k1", "k1|1", exp), ("k1", "k1|1", exp), ("k2", "k2|1", exp)]) == [5, 6, 2]
    assert one.count(col, "k1") == 6 and one.count(col, "k2") == 2


def test_a_window_counter_is_exact_under_concurrency(kind, impl, db):
    if kind == "mongodb-queries":
        pytest.skip("FerretDB's updates are read-modify-writes without a lock: only the implementations' own "
                    "stores are atomic")
    col = db["rate_hits"]
    exp = datetime.now(timezone.utc) + timedelta(minutes=1)
    ranks: list[int] = []
    lock = threading.Lock()

    def worker():
        c = impl.counter()
        for _ in range(15):
            r = c.take(col, "k", "k|1", exp)
            with lock:
                ranks.append(r)
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(ranks) == list(range(1, 61))
    assert impl.counter().count(col, "k") == 60


def test_bulk_apply_with_guards_writes_only_over_the_seq_it_read(impl, db):
    from pantau import store
    col = db["entities"]
    store.apply_guarded(col, [(None, {"_id": "A", "seq": 1}), (None, {"_id": "B", "seq": 1})])
    a1, b1 = col.find_one({"_id": "A"}), col.find_one({"_id": "B"})
    store.apply_guarded(col, [(a1, {"_id": "A", "seq": 2}), (b1, {"_id": "B", "seq": 2})])
    with pytest.raises(store.ConcurrentWrite, match="concurrent writer"):
        store.apply_guarded(col, [(a1, {"_id": "A", "seq": 3})])  # read seq 1, the store has 2
    with pytest.raises(store.ConcurrentWrite, match="written concurrently"):
        store.apply_guarded(col, [(None, {"_id": "B", "seq": 1})])  # another writer created it
    assert {d["_id"]: d["seq"] for d in col.find({})} == {"A": 2, "B": 2}
    store.apply_guarded(col, [])
