"""A person's staff session on the one API route that accepts it (the PEKPPP scores the dashboard's
form forwards): the session's account is the actor of the event and of the audit entry; a
read-only role, an ended session and another route are refused, and nothing is stored."""
from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests

from pantau import accounts, audit, mongo

pytestmark = pytest.mark.e2e
UNIT = "sman-1-tenggarong"
PASSWORD = "Tepian-Mahakam-2026"


def _session(account: accounts.Account, **changes) -> str:
    """A session document as the dashboard writes it at sign-in (services/aggregator/dashboard/session.py)."""
    now = datetime.now(timezone.utc)
    sid = secrets.token_urlsafe(32)
    doc = {"_id": sid, "kind": "account", "account": account.username, "account_role": account.role,
           "role": "bureau" if account.bureau else "unit", "unit_id": account.unit_id,
           "created_at": now, "last_seen": now, "expires_at": now + timedelta(hours=12), **changes}
    mongo.db("registry")["sessions"].insert_one(doc)
    return sid


def _events(unit: str) -> int:
    return mongo.db("survey")["events"].count_documents({"subject": {"$regex": f"^pekppp:{unit}:"}})


def test_an_evaluators_session_records_scores_as_that_person(platform):
    tag = uuid.uuid4().hex[:6]
    evaluator = accounts.create(f"ev{tag}", "Sri Wahyuni", "evaluator", PASSWORD)
    analyst = accounts.create(f"an{tag}", "Budi Santoso", "bureau_analyst", PASSWORD)
    url = platform.url("survey", f"/v1/pekppp/{UNIT}/2026/scores")
    before = _events(UNIT)

    r = requests.put(url, json={"scores": {"13": 2}}, headers={"Authorization": f"Session {_session(analyst)}"})
    assert r.status_code == 403 and r.headers["Content-Type"].startswith("application/problem+json")
    ended = _session(evaluator, last_seen=datetime.now(timezone.utc) - timedelta(hours=2))  # idle too long
    assert requests.put(url, json={"scores": {"13": 2}}, headers={"Authorization": f"Session {ended}"}).status_code == 401
    assert requests.put(url, json={"scores": {"13": 2}}, headers={"Authorization": "Session nope"}).status_code == 401
    sid = _session(evaluator)
    other = requests.post(platform.url("survey", "/v1/skm/responses"), json={}, headers={"Authorization": f"Session {sid}"})
    assert other.status_code == 401  # a session counts only where a route accepts it
    assert _events(UNIT) == before

    r = requests.put(url, json={"scores": {"13": 2}, "note": "SK penghargaan diperiksa."},
                     headers={"Authorization": f"Session {sid}"})
    assert r.status_code == 200 and r.json()["role"] == "evaluator", r.text
    doc = mongo.db("survey")["events"].find_one({"subject": f"pekppp:{UNIT}:2026:evaluator"}, sort=[("seq", -1)])
    assert doc["envelope"]["data"]["actor"] == f"user:{evaluator.username}"
    entry = platform.wait_for(lambda: next((e for e in audit.entries(action="pekppp.scores")
                                            if e["actor"] == f"user:{evaluator.username}"), None),
                              what="the audit entry naming the person")
    assert entry["target"] == f"{UNIT}/2026"
    # disabling the account ends its session at once (within the account cache's seconds)
    accounts.set_active(evaluator.username, False)
    # (an empty body: refused by validation while the session still counts, so nothing is written meanwhile)
    platform.wait_for(lambda: requests.put(url, json={"scores": {}},
                                           headers={"Authorization": f"Session {sid}"}).status_code == 401,
                      what="the disabled account's session refused")
