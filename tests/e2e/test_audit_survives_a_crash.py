"""Issue 17's targeted crash: a bureau write's audit entry cannot be lost between the answer and
the log. The entry is stored inside the event document in the same insert (pantau/audit.py), so
with the survey service and its relay both killed (SIGKILL) right after the answer, the entry is
in the log once the relay is back, exactly once however often it republishes."""
from __future__ import annotations

import time

import pytest
import requests

from pantau import audit, mongo
from pantau.infra import platform as plat
from pantau.infra import procs

pytestmark = pytest.mark.e2e
UNIT = "sman-1-balikpapan"


def _entries() -> list[dict]:
    return audit.entries(action="pekppp.scores", target=f"{UNIT}/2026", limit=1000)


def test_a_bureau_writes_audit_entry_survives_killing_the_service_and_the_relay(platform):
    name = platform.profile.name
    before = len(_entries())
    procs.kill9(name, "relay-survey")  # nothing is published (nor copied into the log) from now on
    try:
        r = requests.put(platform.url("survey", f"/v1/pekppp/{UNIT}/2026/scores"), json={"scores": {"14": 3}},
                         headers=platform.headers(platform.bureau), timeout=30)
        assert r.status_code == 200, r.text
        procs.kill9(name, "survey")  # the answered request's process dies too
        doc = mongo.db("survey")["events"].find_one({"subject": f"pekppp:{UNIT}:2026:evaluator"}, sort=[("seq", -1)])
        assert doc["audit"]["action"] == "pekppp.scores"  # the entry rides in the stored event
        assert len(_entries()) == before  # not yet in the log: the relay copies it as it publishes
    finally:
        for proc in ("survey", "relay-survey"):
            plat.start_process(platform.profile, proc)
            plat.wait_process(platform.profile, proc)
    platform.wait_for(lambda: len(_entries()) == before + 1, what="the entry in the audit log after the restart")
    platform.restart("relay-survey")  # a republish (the open slot is sent again) adds no second entry
    time.sleep(3)  # a few relay rounds (50 ms apart when idle): the resend has happened
    mine = [e for e in _entries() if e["details"].get("event") == doc["_id"]]
    assert len(mine) == 1 and mine[0]["actor"].startswith("key:")
