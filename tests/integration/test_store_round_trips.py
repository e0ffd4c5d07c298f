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
        self.elsewhere = 0

    def started(self, event):
        if event.command_name in NOT_DATA:
            return
        if event.database_name != self.db:
            self.elsewhere += 1
            return
        coll = event.command.get(event.command_name)
        self.seen.append((event.command_name, coll if isinstance(coll, str) else ""))

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass

    def count(self, fn) -> list[tuple[str, str]]:
        self.seen, self.elsewhere = [], 0
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
    from pantau.infra.procs import ROOT
    from pantau.web import create_app
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


def skm_events(n: int, tag: str, when: datetime, offset0: int) -> list:
    """Recorded at one moment (one ten-minute slot of recording)."""
    import orjson

    from pantau import events as _contracts  # noqa: F401  (registers the event schemas)
    from pantau.envelope import at_position, decode
    from services.survey.intake import build_doc
    from services.survey.schemas import ResponseSchema
    out = []
    for i, item in enumerate(responses(n, tag, when)):
        doc = build_doc(ResponseSchema().load(item), None, "Asia/Makassar")
        doc["envelope"]["data"]["recorded_at"] = when.isoformat()
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
