"""Write requests' store deadline (pantau/web.py): the full deadline normally, a short one for a
while after a write found the store unavailable, the full one again after a write succeeds."""
from __future__ import annotations

import pymongo
import pytest
from flask_smorest import Blueprint

from pantau import web

blp = Blueprint("t", __name__, url_prefix="/t")
FAIL = {"on": False}
SEEN: list[float] = []


@blp.route("/w", methods=["POST"])
def write():
    SEEN.append(web.store_deadline_s())
    if FAIL["on"]:
        raise pymongo.errors.ExecutionTimeout("deadline")
    return {"ok": True}, 201


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setattr(web, "STORE_DEADLINE_S", 15.0)
    monkeypatch.setattr(web, "_store_failed_at", [None])
    SEEN.clear()
    return web.create_app("t", [blp], title="t").test_client()


def test_after_a_store_failure_writes_get_the_short_deadline_until_one_succeeds(client, monkeypatch):
    assert client.post("/t/w").status_code == 201
    FAIL["on"] = True
    try:
        r = client.post("/t/w")
        assert r.status_code == 503 and r.mimetype == "application/problem+json" and r.headers["Retry-After"]
        assert client.post("/t/w").status_code == 503
    finally:
        FAIL["on"] = False
    assert client.post("/t/w").status_code == 201
    assert client.post("/t/w").status_code == 201
    assert SEEN == [15.0, 15.0, web.SUSPECT_DEADLINE_S, web.SUSPECT_DEADLINE_S, 15.0]


def test_the_suspicion_expires(client, monkeypatch):
    FAIL["on"] = True
    try:
        assert client.post("/t/w").status_code == 503
    finally:
        FAIL["on"] = False
    assert web.store_deadline_s() == web.SUSPECT_DEADLINE_S
    now = web.time.monotonic()
    monkeypatch.setattr(web.time, "monotonic", lambda: now + web.SUSPECT_FOR_S + 1)
    assert web.store_deadline_s() == 15.0


def test_a_short_deadline_that_runs_out_does_not_renew_the_suspicion(client, monkeypatch):
    FAIL["on"] = True
    try:
        assert client.post("/t/w").status_code == 503  # the full deadline ran out: suspicion
        first = web._store_failed_at[0]
        assert client.post("/t/w").status_code == 503  # the short one ran out (a big batch, say)
        assert web._store_failed_at[0] == first
    finally:
        FAIL["on"] = False
