"""The outbox relay (pantau/relay.py) over the FerretDB store's time-slot outbox
(pantau/store/ferretdb.py), with small pointers: it publishes each stored event once per round of a
slot, takes the envelope from the event log by `_id`, skips a pointer whose event was undone (its
write answered 503) and publishes it once the client's retry stored the event again; an older slot
that has not settled is read once a second, not every round.
Real store and real broker; the relay runs in-process on a topic of its own."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timezone

import orjson
import pytest

pytestmark = pytest.mark.infra


@pytest.fixture
def relay(infra, monkeypatch):
    from pantau import bus, mongo
    from pantau.config import settings
    from pantau.relay import Relay
    from pantau.store.ferretdb import SlotReader
    monkeypatch.setenv("PANTAU_DB_PREFIX", f"relaytest{uuid.uuid4().hex[:6]}")
    mongo.reset()
    r = Relay("survey")
    r.outbox = SlotReader(r.db, past_every=0.0)  # every slot every round (the pacing has its own test)
    r.topic = f"relaytest-{uuid.uuid4().hex[:8]}"
    from kafka.admin import NewTopic
    a = bus.admin(settings())
    a.create_topics([NewTopic(r.topic, 1, 1)])
    a.close()
    yield r
    if r._producer is not None:
        r._producer.close(timeout=5)
    mongo.client().drop_database(r.db.name)
    mongo.reset()


def topic_values(relay) -> list[dict]:
    from kafka import KafkaConsumer
    c = KafkaConsumer(relay.topic, bootstrap_servers=relay.s.kafka_bootstrap, auto_offset_reset="earliest",
                      consumer_timeout_ms=3000, group_id=None)
    out = [orjson.loads(r.value) for r in c]
    c.close()
    return out


def event_doc(i: int) -> dict:
    from pantau import store
    from pantau.envelope import Event
    e = Event(id=str(uuid.uuid4()), source="pantau/survey", type="skm.settings_set", subject=f"relaytest:{i}",
              time=datetime.now(timezone.utc), seq=1, dataversion=1, data={"n": i})
    return store.event_doc(e, "k")


def test_pointers_are_small_and_the_relay_publishes_the_stored_envelopes(relay):
    from pantau.store import ferretdb as outbox
    docs = [event_doc(i) for i in range(150)]
    assert outbox.FerretDBStore().append_many(relay.db["events"], docs) == set()
    slot = [n for n in relay.db.list_collection_names() if n.startswith(outbox.SLOT_PREFIX)]
    pointers = list(relay.db[slot[0]].find({}))
    assert len(pointers) == 150 and all("envelope" not in p for p in pointers)
    assert relay.publish_once() == 150
    assert relay.publish_once() == 0  # nothing new: nothing sent again
    got = topic_values(relay)
    assert sorted(v["id"] for v in got) == sorted(d["envelope"]["id"] for d in docs)


def test_an_undone_write_is_skipped_until_its_retry_stores_it_again(relay):
    from pantau.store import ferretdb as outbox
    doc = event_doc(1)
    outbox.FerretDBStore().append_many(relay.db["events"], [doc])
    relay.db["events"].delete_one({"_id": doc["_id"]})  # the write was undone (its pointer insert failed half-way)
    assert relay.publish_once() == 0
    retry = {**doc, "envelope": {**doc["envelope"], "id": str(uuid.uuid4())}}  # the client's retry, same slot
    assert outbox.FerretDBStore().append_many(relay.db["events"], [retry]) == set()  # its pointer exists already
    assert relay.publish_once() == 1
    assert [v["id"] for v in topic_values(relay)] == [retry["envelope"]["id"]]


def test_a_later_round_sends_only_what_was_added_to_a_slot_it_has_sent_from(relay):
    from pantau.store import ferretdb as outbox
    first = [event_doc(i) for i in range(150)]
    outbox.FerretDBStore().append_many(relay.db["events"], first)
    assert relay.publish_once() == 150
    later = [event_doc(i) for i in range(150, 200)]  # the same slot, or the next one
    outbox.FerretDBStore().append_many(relay.db["events"], later)
    assert relay.publish_once() == 50
    assert relay.publish_once() == 0
    ids = [v["id"] for v in topic_values(relay)]
    assert len(ids) == 200 and set(ids) == {d["envelope"]["id"] for d in first + later}


def test_an_older_slot_is_read_once_a_second_not_every_round(relay):
    from pantau.store import ferretdb as outbox
    relay.outbox.past_every = 1.0
    events = relay.db["events"]
    old_slot = f"{outbox.SLOT_PREFIX}{int(time.time()) // outbox.SLOT_SECONDS - 2}"  # ended 10-20 s ago
    first = [event_doc(i) for i in range(3)]
    events.insert_many(first)
    relay.db[old_slot].insert_many([outbox.pointer(d) for d in first])
    assert relay.publish_once() == 3  # never read: read now
    late = event_doc(3)
    events.insert_one(late)
    relay.db[old_slot].insert_one(outbox.pointer(late))  # a late insert into that slot
    assert relay.publish_once() == 0  # read less than a second ago
    current = event_doc(4)
    outbox.FerretDBStore().append_many(events, [current])  # the current slot is read every round
    assert relay.publish_once() == 1
    time.sleep(1.1)
    assert relay.publish_once() == 1  # the late one, a second later
    ids = [v["id"] for v in topic_values(relay)]
    assert sorted(ids) == sorted(d["envelope"]["id"] for d in [*first, late, current])


def test_the_run_loop_reads_the_next_round_while_acks_are_awaited_and_sends_each_event_once(relay):
    """`Relay.run` overlaps I/O: the slots are read again while the last round's records wait for
    Kafka's acks (the events in flight left out), and the next round is sent once those are in.
    Events stored in waves while it runs reach the topic once each."""
    import threading

    from pantau.store import ferretdb as outbox
    reads_with_flight: list[int] = []
    collect = relay._collect

    def spy(in_flight=None):
        if in_flight:
            reads_with_flight.append(len(in_flight))
        return collect(in_flight)
    relay._collect = spy
    th = threading.Thread(target=relay.run, daemon=True)
    th.start()
    docs: list[dict] = []
    try:
        for wave in range(5):
            batch = [event_doc(wave * 40 + i) for i in range(40)]
            assert outbox.FerretDBStore().append_many(relay.db["events"], batch) == set()
            docs += batch
            deadline = time.monotonic() + 30
            while not reads_with_flight or sum(len(s) for s in relay.outbox.sent.values()) < len(docs):
                assert time.monotonic() < deadline, "the relay did not publish the wave"
                time.sleep(0.02)
    finally:
        relay.stop()
        th.join(30)
    got = [v["id"] for v in topic_values(relay)]
    assert sorted(got) == sorted(d["envelope"]["id"] for d in docs)  # each once
    assert reads_with_flight  # a round was read while another's acks were awaited
