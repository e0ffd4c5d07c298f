"""Illegal complaint actions are refused with a clear reason and change nothing; two actions racing
on one complaint: exactly one wins, the others get 409; exact repeats are idempotent."""
from __future__ import annotations

import threading
import uuid

import pytest
import requests

pytestmark = pytest.mark.e2e

UNIT, STRANGER = "labkesda", "rsud-aws"
RACE_UNIT = "rs-mata-kaltim"
PERIOD = "2026-02"


def intake(platform, unit: str, received_at: str) -> tuple[str, str]:
    tid = f"GRD-{uuid.uuid4().hex[:10].upper()}"
    body = {"unit_id": unit, "tracking_id": tid, "channel": "web", "classification": "pengaduan",
            "category": "hasil_lab", "subject": "Hasil laboratorium terlambat", "description": "Sudah dua minggu.",
            "received_at": received_at, "reporter": {"name": "Wati", "phone": "081300000002"}}
    r = requests.post(platform.url("complaints", "/v1/complaints"), json=body,
                      headers=platform.headers(platform.key(unit)), timeout=15)
    assert r.status_code == 201, r.text
    return tid, r.json()["reporter_token"]


def act(platform, tid: str, headers: dict, **body) -> requests.Response:
    return requests.post(platform.url("complaints", f"/v1/complaints/{tid}/actions"), json=body, headers=headers,
                         timeout=15)


def stored_events(tid: str) -> int:
    from pantau import mongo
    return mongo.db("complaints")["events"].count_documents({"subject": f"complaint:{tid}"})


def problem(resp: requests.Response, status: int) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    body = resp.json()
    assert body["status"] == status and body["detail"]
    return body


def test_illegal_actions_are_refused_and_change_nothing(platform):
    tid, token = intake(platform, UNIT, "2026-02-10T09:00:00+08:00")
    mine = platform.headers(platform.key(UNIT))
    other = platform.headers(platform.key(STRANGER))
    bureau = platform.headers(platform.bureau)

    # resolve before disposition → 409, with what is allowed instead
    body = problem(act(platform, tid, mine, action="resolve", note="Sudah kami tangani."), 409)
    assert body["current_status"] == "RECEIVED"
    assert [(a["action"], a["roles"]) for a in body["allowed_actions"]] == [
        ("verify", ["bureau"]), ("pend", ["bureau"]), ("archive", ["bureau"]), ("forward", ["bureau", "holder"]),
        ("forward_out", ["bureau"])]
    # another unit's complaint → 403 (whatever the action), and it cannot read it either
    problem(act(platform, tid, other, action="forward", to_unit_id=STRANGER), 403)
    problem(act(platform, tid, other, action="resolve", note="Bukan milik kami."), 403)
    assert requests.get(platform.url("complaints", f"/v1/complaints/{tid}"), headers=other).status_code == 403
    # forward to an unknown unit, or to the province itself → 422 with a pointer
    body = problem(act(platform, tid, mine, action="forward", to_unit_id="unit-yang-tidak-ada"), 422)
    assert body["errors"][0]["pointer"] == "/to_unit_id"
    problem(act(platform, tid, bureau, action="forward", to_unit_id="kaltim"), 422)
    problem(act(platform, tid, bureau, action="verify", dispose_to="unit-yang-tidak-ada"), 422)
    problem(act(platform, tid, mine, action="forward", to_unit_id=UNIT), 409)  # it already holds it
    # the holder may not verify (admin instansi's job), the reporter may not either
    body = problem(act(platform, tid, mine, action="verify"), 403)
    assert body["allowed_roles"] == ["bureau"]
    problem(act(platform, tid, {"X-Reporter-Token": token}, action="verify"), 403)
    problem(act(platform, tid, {"X-Reporter-Token": "salah"}, action="rate", satisfaction=4), 401)
    problem(act(platform, tid, {}, action="verify"), 401)
    # time travel and malformed bodies
    # before the latest event: a conflict with the stored history (the field is well formed)
    assert problem(act(platform, tid, bureau, action="verify", at="2026-02-09T09:00:00+08:00"), 409)[
        "errors"][0]["pointer"] == "/at"
    problem(act(platform, tid, bureau, action="verify", at="2099-01-01T00:00:00+08:00"), 422)
    problem(act(platform, tid, bureau, action="teleport"), 422)
    problem(act(platform, tid, bureau, action="archive", reason="bosan"), 422)
    problem(act(platform, tid, bureau, action="verify", surprise=1), 422)
    problem(act(platform, "TIDAK-ADA-123", bureau, action="verify"), 404)

    assert stored_events(tid) == 1  # nothing was stored
    view = requests.get(platform.url("complaints", f"/v1/complaints/{tid}"), headers=mine).json()
    assert (view["status"], view["seq"], view["holder_unit_id"]) == ("RECEIVED", 1, UNIT)
    rep = platform.wait_for(lambda: (r := requests.get(
        platform.url("aggregator", f"/v1/complaints/units/{UNIT}"), params={"period": PERIOD},
        headers=bureau).json()) and r["complaints"] == 1 and r, what="the complaint in the aggregator")
    assert rep["by_status"]["RECEIVED"] == 1 and rep["complaints"] == 1
    # a unit key reads only its own unit's report
    assert requests.get(platform.url("aggregator", f"/v1/complaints/units/{UNIT}"), params={"period": PERIOD},
                        headers=other).status_code == 403
    assert requests.get(platform.url("aggregator", "/v1/complaints/province"), params={"period": PERIOD},
                        headers=mine).status_code == 403
    assert requests.get(platform.url("aggregator", f"/v1/complaints/units/{UNIT}"),
                        headers=bureau).status_code == 422  # period is required


def test_exact_repeat_is_idempotent(platform):
    tid, _ = intake(platform, "uptd-pelatihan-kesehatan", "2026-02-11T09:00:00+08:00")
    bureau = platform.headers(platform.bureau)
    first = act(platform, tid, {**bureau, "Idempotency-Key": "v-1"}, action="verify", at="2026-02-12T09:00:00+08:00")
    assert first.status_code == 200, first.text
    again = act(platform, tid, {**bureau, "Idempotency-Key": "v-1"}, action="verify", at="2026-02-12T09:00:00+08:00")
    assert again.status_code == 200 and again.headers.get("Idempotent-Replay") == "true"
    assert again.json()["seq"] == first.json()["seq"] == 2
    assert stored_events(tid) == 2
    # the same request with another key is a new decision, which the table refuses now
    assert act(platform, tid, {**bureau, "Idempotency-Key": "v-2"}, action="verify",
               at="2026-02-12T09:00:00+08:00").status_code == 409


def race(platform, tid: str, attempts: list[tuple[dict, dict]]) -> list[int]:
    barrier = threading.Barrier(len(attempts))
    codes: list[int] = [0] * len(attempts)

    def run(i: int, headers: dict, body: dict) -> None:
        barrier.wait()
        codes[i] = act(platform, tid, headers, **body).status_code

    threads = [threading.Thread(target=run, args=(i, h, b)) for i, (h, b) in enumerate(attempts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return codes


def test_concurrent_actions_exactly_one_wins(platform):
    bureau = platform.headers(platform.bureau)
    expected = {"DISPOSED": 0, "ARCHIVED": 0}
    for i in range(5):
        tid, _ = intake(platform, RACE_UNIT, f"2026-02-{16 + i:02d}T09:00:00+08:00")
        # verify (→ DISPOSED) and archive (→ ARCHIVED) exclude each other and themselves in any order:
        # a loser either collides on the same seq or finds the new status, both → 409
        attempts = [{"action": "verify", "note": f"verifikasi {k}"} for k in range(4)]
        attempts += [{"action": "archive", "reason": "duplikat", "note": f"arsip {k}"} for k in range(4)]
        codes = race(platform, tid, [(bureau, a) for a in attempts])
        assert sorted(codes) == [200] + [409] * (len(attempts) - 1), codes
        assert stored_events(tid) == 2
        expected["DISPOSED" if attempts[codes.index(200)]["action"] == "verify" else "ARCHIVED"] += 1

    def seen():
        r = requests.get(platform.url("aggregator", f"/v1/complaints/units/{RACE_UNIT}"), params={"period": PERIOD},
                         headers=bureau).json()
        return r if {k: r["by_status"][k] for k in expected} == expected else None
    rep = platform.wait_for(seen, what="the race winners in the aggregator")
    assert rep["complaints"] == 5 and rep["by_status"]["RECEIVED"] == 0
