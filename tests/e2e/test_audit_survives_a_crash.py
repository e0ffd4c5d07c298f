"""Issue 17's targeted crash: a bureau write's audit entry cannot be lost between the answer and
the log. The entry is stored inside the event document in the same insert (pantau/audit.py), so
with the survey service and its relay both killed (SIGKILL) right after the answer, the entry is
in the log once the relay is back, exactly once however often it republishes."""
from __future__ import annotations

import time

import pytest
import requests

from pantau import audit, mongo
from pantau_platform.infra import platform as plat
from pantau_platform.infra import procs

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


def test_a_worker_killed_mid_write_leaves_the_write_with_its_entry_or_neither(platform):
    """Bureau writes from four clients while both survey workers are killed (SIGKILL) in turn, with
    requests in flight: every answered write is stored with its entry, every refused one (409
    between the clients) is not, a request cut off may be either; and each stored write reaches
    the audit log exactly once."""
    import threading

    from tests.faults.fault_injectors import gunicorn_worker_kill9

    name, year = platform.profile.name, 2025
    url = platform.url("survey", f"/v1/pekppp/{UNIT}/{year}/scores")
    outcome: dict[str, int | None] = {}  # note tag → status, None when cut off
    stop = threading.Event()

    def writer(k: int) -> None:
        i = 0
        while not stop.is_set():
            tag, i = f"crash-{k}-{i}", i + 1
            try:
                r = requests.put(url, json={"scores": {"14": 1 + i % 4}, "note": tag},
                                 headers=platform.headers(platform.bureau), timeout=30)
                outcome[tag] = r.status_code
            except requests.RequestException:
                outcome[tag] = None

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    try:
        for _ in range(2):
            time.sleep(1.5)
            gunicorn_worker_kill9(platform.profile, "survey")
        time.sleep(1.5)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    stored = {d["envelope"]["data"]["note"]: d for d in mongo.db("survey")["events"].find(
        {"subject": f"pekppp:{UNIT}:{year}:evaluator"}) if str(d["envelope"]["data"].get("note")).startswith("crash-")}
    answered = [t for t, s in outcome.items() if s == 200]
    assert len(answered) >= 10, outcome
    assert all(t in stored for t in answered), "an answered write is missing"
    assert not [t for t, s in outcome.items() if s not in (200, None, 503) and t in stored], "a refused write is stored"
    assert all(d.get("audit", {}).get("action") == "pekppp.scores" for d in stored.values()), "a write without entry"
    ids = {d["_id"] for d in stored.values()}

    def logged() -> list[str]:
        return [e["details"].get("event") for e in audit.entries(action="pekppp.scores", target=f"{UNIT}/{year}",
                                                                  limit=100000) if e["details"].get("event") in ids]
    platform.wait_for(lambda: set(logged()) == ids, what="every stored write's entry in the audit log")
    assert len(logged()) == len(ids), "an entry logged twice"
    print(f"{len(outcome)} requests: {len(answered)} answered, {sum(s is None for s in outcome.values())} cut off, "
          f"{len(ids)} stored, {len(ids)} entries", name)
