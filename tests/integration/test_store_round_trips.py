"""Store round trips per batch, counted on the real store with pymongo's command monitoring: the
survey intake and the SKM projection pay a fixed number of round trips per batch, whatever its
size (issue #9: where the store is the bottleneck, the code does the minimum of round trips).
A 1,000-response batch must cost exactly what a 10-response batch costs."""
from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from pymongo import MongoClient, monitoring

pytestmark = pytest.mark.infra

WITA = timezone(timedelta(hours=8))
UNITS = ("samsat-samarinda", "samsat-balikpapan", "rsud-aws", "rsud-kanujoso")
NOT_DATA = {"hello", "ismaster", "isMaster", "ping", "saslStart", "saslContinue", "endSessions", "buildInfo"}


class Commands(monitoring.CommandListener):
    """Every command but handshakes and pings: those sent to `db`, and how many went elsewhere."""

    def __init__(self):
        self.db: str | None = None
        self.seen: list[tuple[str, str]] = []
        self.everywhere: list[tuple[str, str, str]] = []  # (database, command, collection)
        self.elsewhere = 0

    def started(self, event):
        if event.command_name in NOT_DATA:
            return
        coll = event.command.get(event.command_name)
        self.everywhere.append((event.database_name, event.command_name, coll if isinstance(coll, str) else ""))
        if event.database_name != self.db:
            self.elsewhere += 1
            return
        self.seen.append((event.command_name, coll if isinstance(coll, str) else ""))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass

    def count(self, fn) -> list[tuple[str, str]]:
        self.seen, self.everywhere, self.elsewhere = [], [], 0
        fn()
        return list(self.seen)


def responses(n: int, tag: str, when: datetime, units: tuple[str, ...] = UNITS) -> list[dict]:
    from pantau.rules.ikm import ELEMENTS
    return [{"unit_id": units[i % len(units)], "response_id": f"rt-{tag}-{i}",
             "submitted_at": (when + timedelta(seconds=i)).isoformat(timespec="seconds"),
             "answers": {k: 1 + (i + j) % 4 for j, k in enumerate(ELEMENTS)}, "channel": "web"} for i in range(n)]


def shape(seen: list[tuple[str, str]]) -> Counter:
    """Commands by name and collection, with the time-slot collections named by kind."""
    return Counter((name, "outbox_<slot>" if coll.startswith("outbox_") else
                    "skm_recorded_<day>" if coll.startswith("skm_recorded_") else coll) for name, coll in seen)


@pytest.fixture
def listener(infra, monkeypatch):
    """The services' store clients (pantau.mongo) created with the listener, for this test only."""
    from pantau import mongo
    spy = Commands()
    monkeypatch.setattr(mongo, "MongoClient", lambda *a, **kw: MongoClient(*a, event_listeners=[spy], **kw))
    mongo.reset()
    yield spy
    monkeypatch.undo()
    mongo.reset()


def test_a_survey_batch_costs_three_round_trips_whatever_its_size(listener):
    from pantau import auth, units
    from pantau.config import settings
    from pantau.web import create_app
    from pantau_platform.infra.procs import ROOT
    from services.survey.api import blp
    units.import_units(units.load_file(ROOT / "deploy" / "registry" / "kaltim.yaml"))
    client = create_app("survey", [blp], title="t").test_client()
    unit = UNITS[0]  # a unit's own key: the bureau's writes also append to the audit log
    h = {"Authorization": f"Bearer {auth.issue('unit', unit, note='round trips')}"}
    listener.db = settings().db_name("survey")
    when = datetime.now(WITA) - timedelta(hours=1)
    tag = uuid.uuid4().hex[:6]

    def post(items):
        r = client.post("/v1/skm/responses", json={"responses": items}, headers=h)
        assert r.status_code == 202, r.get_data(as_text=True)
    post(responses(2, tag + "w", when, (unit,)))  # warm-up: key and registry cached, collections made
    small = listener.count(lambda: post(responses(10, tag + "s", when, (unit,))))
    small_elsewhere = listener.elsewhere
    large = listener.count(lambda: post(responses(1000, tag + "l", when, (unit,))))
    # the repeat check ($in on _id), the events, their pointers: one round trip each
    assert shape(small) == shape(large) == Counter({("find", "events"): 1, ("insert", "events"): 1,
                                                    ("insert", "outbox_<slot>"): 1}), (small, large)
    # and nothing per item in other databases (at most a registry refresh that came due)
    assert small_elsewhere <= 2 and listener.elsewhere <= 2, (small_elsewhere, listener.elsewhere)


def skm_events(n: int, tag: str, when: datetime, offset0: int, every: timedelta = timedelta(0)) -> list:
    """Recorded at one moment (one ten-minute slot of recording), or one after the other `every` apart."""
    import orjson

    from pantau import events as _contracts  # noqa: F401  (registers the event schemas)
    from pantau.envelope import at_position, decode
    from services.survey.intake import build_doc
    from services.survey.schemas import ResponseSchema
    out = []
    for i, item in enumerate(responses(n, tag, when)):
        doc = build_doc(ResponseSchema().load(item), None, "Asia/Makassar")
        doc["envelope"]["data"]["recorded_at"] = (when + every * i).isoformat()
        out.append(at_position(decode(orjson.dumps(doc["envelope"])), "skm.events", 0, offset0 + i))
    return out


def test_an_skm_batch_costs_the_same_round_trips_whatever_its_size(infra, listener):
    from services.aggregator.projections.skm import SkmProjection
    name = f"rt_{uuid.uuid4().hex[:8]}"
    client = MongoClient(infra.mongo_url, tz_aware=True, event_listeners=[listener])
    try:
        proj = SkmProjection(client[name])
        listener.db = name
        when = datetime.now(WITA) - timedelta(hours=1)
        proj.apply(skm_events(4, "w", when, 0))  # warm-up: creates the collections
        small = listener.count(lambda: proj.apply(skm_events(10, "s", when, 100)))
        large = listener.count(lambda: proj.apply(skm_events(1000, "l", when, 1000)))
        # facts; the units' year documents, their bursts, the slots and the parked notes read by
        # `_id $in`; slots, bursts, the year documents' compact copies and the year documents
        # written in one bulk each (no snapshot: the batches were recorded on the live day)
        assert shape(small) == shape(large) == Counter({
            ("insert", "skm_facts"): 1, ("find", "skm_units"): 1, ("find", "skm_bursts"): 1,
            ("find", "skm_unit_slots"): 1, ("find", "skm_parked"): 1, ("update", "skm_unit_slots"): 1,
            ("update", "skm_bursts"): 1, ("update", "skm_unit_tallies"): 1,
            ("update", "skm_units"): 1}), (small, large)
        years = client[name]["skm_units"].find({})
        assert sum(m["respondents"] for y in years for m in y["months"].values()) == 1014  # each counted once
    finally:
        client.drop_database(name)
        client.close()


def test_an_skm_batch_in_parts_reads_each_year_document_and_its_bursts_once(infra, listener):
    """A batch recorded over more days than a part holds is applied part by part (skm.in_parts),
    each part written before the next; the year documents and bursts a part wrote are carried to
    the next one, not read again; the figures equal those of the same responses applied alone."""
    from services.aggregator.projections.skm import DAYS_PER_PART, SkmProjection, in_parts
    name = f"rt_{uuid.uuid4().hex[:8]}"
    client = MongoClient(infra.mongo_url, tz_aware=True, event_listeners=[listener])
    try:
        proj = SkmProjection(client[name])
        listener.db = name
        start = datetime.now(WITA) - timedelta(days=3 * DAYS_PER_PART + 1)
        proj.apply(skm_events(4, "w", start - timedelta(days=1), 0))  # warm-up: creates the collections
        n = 12 * DAYS_PER_PART  # four a day: every unit on every day
        batch = skm_events(n, "p", start, 100, every=timedelta(hours=6))
        from services.aggregator.projections.skm import change_of, fact_from, year_of
        changes: dict = {}
        for e in batch:
            f = fact_from(e)
            changes.setdefault(year_of(f), []).append(change_of(e, f))
        parts = len(in_parts(changes, proj.tz))
        assert parts >= 3, parts
        got = shape(listener.count(lambda: proj.apply(batch)))
        # read once for the whole batch; written once per part
        assert got[("find", "skm_units")] == got[("find", "skm_bursts")] == 1, got
        assert got[("update", "skm_units")] == got[("update", "skm_bursts")] == parts, got
        years = list(client[name]["skm_units"].find({}))
        assert sum(m["respondents"] for y in years for m in y["months"].values()) == 4 + n
        # the same events again (a redelivery) change nothing
        before = {y["_id"]: y for y in years}
        proj.apply(batch)
        assert {y["_id"]: y for y in client[name]["skm_units"].find({})} == before
    finally:
        client.drop_database(name)
        client.close()


# ---- single posts stored in groups (services/survey/single_posts.py) ----------------------------

@pytest.fixture
def survey_app(listener, monkeypatch):
    """The survey app on the real store, grouping single posts (and their requests' rate-limit hits)
    with a window long enough that a group is closed by its size (PANTAU_THREADS posts), not by the
    clock."""
    from pantau import auth, units
    from pantau.config import settings
    from pantau.web import create_app
    from pantau_platform.infra.procs import ROOT
    from services.survey.api import blp
    # a lone request (the warm-up) waits the window out: long enough for a group, short for a test
    monkeypatch.setenv("PANTAU_GROUP_COMMIT_MS", "3000")
    monkeypatch.setenv("PANTAU_THREADS", "4")
    units.import_units(units.load_file(ROOT / "deploy" / "registry" / "kaltim.yaml"))
    app = create_app("survey", [blp], title="t")
    listener.db = settings().db_name("survey")
    h = {"Authorization": f"Bearer {auth.issue('unit', UNITS[0], note='groups')}"}
    r = app.test_client().post("/v1/skm/responses", json={"responses": responses(2, uuid.uuid4().hex[:6] + "w",
                                                                                  datetime.now(WITA), (UNITS[0],))},
                               headers=h)  # warm-up: key and registry cached, collections made
    assert r.status_code == 202, r.get_data(as_text=True)
    return app, h


def post_together(app, h, bodies: list[dict]) -> list:
    """Each body from its own thread (as gunicorn's request threads), all released at once."""
    import threading
    out: list = [None] * len(bodies)
    start = threading.Barrier(len(bodies))

    def one(i: int) -> None:
        client = app.test_client()
        start.wait()
        out[i] = client.post("/v1/skm/responses", json=bodies[i], headers=h)
    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(bodies))]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    assert not any(t.is_alive() for t in threads)
    return out


def stored(ids: list[str]) -> dict:
    from pantau import mongo
    return mongo.by_id(mongo.db("survey")["events"], ids)


def slot_pointers(ids: list[str]) -> set:
    from pantau import mongo
    db = mongo.db("survey")
    return {d["_id"] for n in db.list_collection_names() if n.startswith("outbox_")
            for d in db[n].find({"_id": {"$in": ids}})}


def test_concurrent_single_posts_are_stored_in_one_insert_of_events_and_one_of_pointers(survey_app, listener):
    app, h = survey_app
    bodies = responses(4, uuid.uuid4().hex[:6], datetime.now(WITA) - timedelta(hours=1), (UNITS[0],))
    answers: list = []
    seen = listener.count(lambda: answers.extend(post_together(app, h, bodies)))
    assert [(r.status_code, r.get_json()["new"]) for r in answers] == [(202, 1)] * 4
    # four posts, one group: no repeat check needed when no `_id` existed
    assert shape(seen) == Counter({("insert", "events"): 1, ("insert", "outbox_<slot>"): 1}), seen
    ids = [f"skm:{UNITS[0]}:{b['response_id']}:1" for b in bodies]
    assert set(stored(ids)) == set(ids) and slot_pointers(ids) == set(ids)


def group_app(monkeypatch, k: int):
    """A survey app whose group commits close at k requests (PANTAU_THREADS = k)."""
    from pantau.web import create_app
    from services.survey.api import blp
    monkeypatch.setenv("PANTAU_THREADS", str(k))
    return create_app("survey", [blp], title="t")


def post_each(app, headers: list[dict], bodies: list[dict]) -> list:
    """Each body from its own thread with its own key, all released at once."""
    import threading
    out: list = [None] * len(bodies)
    start = threading.Barrier(len(bodies))

    def one(i: int) -> None:
        client = app.test_client()
        start.wait()
        out[i] = client.post("/v1/skm/responses", json=bodies[i], headers=headers[i])
    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(bodies))]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    assert not any(t.is_alive() for t in threads)
    return out


@pytest.mark.parametrize("k", [2, 4, 8])
def test_a_group_of_k_single_posts_costs_what_one_post_costs(survey_app, listener, monkeypatch, k):
    """From request to stored and in the outbox, k concurrent single posts (each with its own key,
    as the bench's clients) cost what one post costs: the group's rate-limit hits in one insert,
    its events in one, its pointers in one; nothing per request, in any database."""
    from pantau import auth
    from pantau.config import settings
    app = group_app(monkeypatch, k)
    keys = [{"Authorization": f"Bearer {auth.issue('unit', UNITS[0], note=f'group {i}')}"} for i in range(k)]
    for hk in keys:  # a key is verified once per process (pantau/auth.py): not what is counted
        auth.verify(hk["Authorization"][7:])
    bodies = responses(k, uuid.uuid4().hex[:6], datetime.now(WITA) - timedelta(hours=1), (UNITS[0],))
    answers: list = []
    listener.count(lambda: answers.extend(post_each(app, keys, bodies)))
    assert [(r.status_code, r.get_json()["new"]) for r in answers] == [(202, 1)] * k
    survey, registry = settings().db_name("survey"), settings().db_name("registry")
    got = Counter((db, name, "outbox_<slot>" if coll.startswith("outbox_") else coll)
                  for db, name, coll in listener.everywhere)
    assert got == Counter({(registry, "insert", "rate_hits"): 1, (survey, "insert", "events"): 1,
                           (survey, "insert", "outbox_<slot>"): 1}), listener.everywhere


def test_a_group_answers_repeats_conflicts_and_duplicates_each_on_its_own(survey_app, listener):
    app, h = survey_app
    tag = uuid.uuid4().hex[:6]
    when = datetime.now(WITA) - timedelta(hours=1)
    old = responses(2, tag + "o", when, (UNITS[0],))
    assert app.test_client().post("/v1/skm/responses", json={"responses": old}, headers=h).status_code == 202
    changed = {**old[1], "answers": {k: 4 for k in old[1]["answers"]}}
    new = responses(1, tag + "n", when, (UNITS[0],))[0]
    # a repeat of stored content, stored id with other content, and one new response posted twice
    bodies = [old[0], changed, new, dict(new)]
    answers: list = []
    got = listener.count(lambda: answers.extend(post_together(app, h, bodies)))
    assert answers[0].status_code == 202 and answers[0].get_json()["new"] == 0
    assert answers[0].headers.get("Idempotent-Replay") == "true"
    assert answers[1].status_code == 409, answers[1].get_data(as_text=True)
    assert answers[1].get_json()["errors"][0]["pointer"] == "/response_id"
    assert sorted((r.status_code, r.get_json()["new"]) for r in answers[2:]) == [(202, 0), (202, 1)]
    # one group: the insert, the read of the `_id`s that existed, one insert of every pointer
    assert shape(got) == Counter({("insert", "events"): 1, ("find", "events"): 1,
                                  ("insert", "outbox_<slot>"): 1}), got
    ids = {f"skm:{UNITS[0]}:{b['response_id']}:1": b for b in old + [new]}
    docs = stored(list(ids))
    from services.survey.intake import content_hash
    from services.survey.schemas import ResponseSchema
    # the conflicting post changed nothing: every stored event holds the content first posted
    assert {i: d["content_hash"] for i, d in docs.items()} == {
        i: content_hash(ResponseSchema().load(b)) for i, b in ids.items()}
    assert slot_pointers(list(ids)) == set(ids)


def test_a_store_failure_mid_group_answers_every_post_503_and_keeps_none_of_them(survey_app, monkeypatch):
    """The events' insert reaches the store, then the store fails on the pointers' insert: every
    request of the group gets a 503 and none of the group's events stays stored (so none is
    acknowledged and missing); the clients' retries store each once."""
    from pymongo.collection import Collection
    from pymongo.errors import AutoReconnect
    app, h = survey_app
    bodies = responses(4, uuid.uuid4().hex[:6], datetime.now(WITA) - timedelta(hours=1), (UNITS[0],))
    ids = [f"skm:{UNITS[0]}:{b['response_id']}:1" for b in bodies]
    real = Collection.insert_many

    def fail_on_pointers(self, docs, *a, **kw):
        if self.name.startswith("outbox_"):
            assert set(stored(ids)) == set(ids)  # the events are in the store at this point
            raise AutoReconnect("connection closed (injected: the store went away)")
        return real(self, docs, *a, **kw)
    monkeypatch.setattr(Collection, "insert_many", fail_on_pointers)
    down = post_together(app, h, bodies)
    assert [r.status_code for r in down] == [503] * 4, [r.get_data(as_text=True) for r in down]
    assert stored(ids) == {} and slot_pointers(ids) == set()
    monkeypatch.setattr(Collection, "insert_many", real)
    again = post_together(app, h, bodies)
    assert [(r.status_code, r.get_json()["new"]) for r in again] == [(202, 1)] * 4
    assert set(stored(ids)) == set(ids) and slot_pointers(ids) == set(ids)
