"""The report budget in-process against the real store: per-key slots shared through the store
(taken by a unique insert, freed at the end, taken over after a dead holder's lease), and the
deadline cutting both a long pure loop and a long store read short with a 503."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from flask_smorest import Blueprint

from pantau import auth, deadline, mongo

pytestmark = pytest.mark.infra

blp = Blueprint("reports", __name__, url_prefix="/t")  # a report blueprint's name


@blp.route("/loop", methods=["GET"])
def loop():
    while True:
        deadline.check()


@blp.route("/scan", methods=["GET"])
def scan():
    return {"n": len(list(mongo.db("aggregator")["budget_scan"].find({"v": {"$gte": 0}})))}


@blp.route("/quick", methods=["GET"])
def quick():
    return {"ok": True}


@pytest.fixture
def budget(infra, monkeypatch):
    from services.aggregator import report_budget
    mongo.db("registry")["report_slots"].delete_many({})
    monkeypatch.setattr(report_budget, "DEADLINE_S", 0.5)
    return report_budget


@pytest.fixture
def client(budget):
    from pantau.web import create_app
    app = create_app("aggregator", [blp], title="t")
    budget.install(app)
    return app.test_client()


def test_slots_are_taken_by_insert_freed_at_the_end_and_taken_over_after_a_dead_holders_lease(budget):
    a, b = budget.acquire("k1", 2), budget.acquire("k1", 2)
    assert a and b and a[0] != b[0]
    assert budget.acquire("k1", 2) is None  # both held
    assert budget.acquire("k2", 2) is not None  # another key has its own
    budget.release(a)
    c = budget.acquire("k1", 2)
    assert c is not None and c[0] == a[0]
    budget.release((b[0], "not-its-holder"))  # only the holder frees a slot
    assert budget.acquire("k1", 2) is None
    # b's holder died: once its lease has run out, the slot is taken over
    mongo.db("registry")["report_slots"].update_one(
        {"_id": b[0]}, {"$set": {"until": datetime.now(timezone.utc) - timedelta(seconds=1)}})
    d = budget.acquire("k1", 2)
    assert d is not None and d[0] == b[0] and d[1] != b[1]


def test_a_long_pure_loop_is_cut_at_the_deadline(client):
    t0 = time.monotonic()
    r = client.get("/t/loop")
    assert r.status_code == 503 and r.json["reason"] == "deadline" and int(r.headers["Retry-After"]) >= 1
    assert time.monotonic() - t0 < 2


def test_a_long_store_read_is_cut_at_the_deadline_as_too_slow_not_as_an_outage(client):
    coll = mongo.db("aggregator")["budget_scan"]
    coll.drop()
    coll.insert_many([{"v": i, "pad": "x" * 200} for i in range(30_000)])
    t0 = time.monotonic()
    r = client.get("/t/scan")
    took = time.monotonic() - t0
    coll.drop()
    assert r.status_code == 503 and r.json["reason"] == "deadline", (r.status_code, took, r.get_data()[:300])
    assert took < 2.5, took


def test_a_key_over_its_slots_is_refused_and_the_slot_is_freed_after_each_request(client, budget):
    token = auth.issue("unit", "samsat-penajam", note="budget test")
    key_id = token.split("_")[1]
    h = {"Authorization": f"Bearer {token}"}
    assert [client.get("/t/quick", headers=h).status_code for _ in range(3)] == [200] * 3
    held = [budget.acquire(key_id, budget.CONCURRENCY) for _ in range(budget.CONCURRENCY)]  # as two running requests
    r = client.get("/t/quick", headers=h)
    assert r.status_code == 503 and r.json["reason"] == "concurrency" and int(r.headers["Retry-After"]) >= 1
    assert client.get("/t/quick", headers={"Authorization": f"Bearer {auth.issue('bureau', note='t')}"}).status_code == 200
    budget.release(held[0])
    assert client.get("/t/quick", headers=h).status_code == 200
    assert mongo.db("registry")["report_slots"].count_documents({"_id": f"{key_id}:0"}) == 0
