"""The audit log: every bureau and admin action leaves one entry (who, what, when), and no route
of any service can change or remove an entry."""
from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from click.testing import CliRunner
from security_matrix import ROUTES
from security_world import UNIT_A, UNIT_B, World, noon, today

pytestmark = pytest.mark.e2e


def entries() -> dict:
    from pantau import mongo
    return {d["_id"]: d for d in mongo.db("registry")["audit"].find({})}


def new_entries(before: dict) -> list[dict]:
    return [d for k, d in entries().items() if k not in before]


def bureau_key_id(world: World) -> str:
    return world.platform.bureau.split("_")[1]


def test_each_bureau_action_writes_one_entry(world: World):
    bureau = bureau_key_id(world)
    actions = []

    def expect(resp, status: int, action: str, target: str):
        assert resp.status_code == status, resp.text[:300]
        actions.append((action, target))

    before = entries()
    # complaint verification and archival by the bureau
    tids = [f"SEC-AUD-{uuid.uuid4().hex[:8].upper()}" for _ in range(2)]
    for tid in tids:
        body = {**world.complaint, "tracking_id": tid}
        assert world.call("complaints", "POST", "/v1/complaints", UNIT_B, json=body).status_code == 201
    act = lambda tid, **b: world.call("complaints", "POST", f"/v1/complaints/{tid}/actions", "bureau", json=b)  # noqa: E731
    expect(act(tids[0], action="verify"), 200, "complaint.verify", tids[0])
    expect(act(tids[1], action="archive", reason="duplikat"), 200, "complaint.archive", tids[1])
    # a promise disputed by a participant, then the bureau's review
    fkp = world.fkp_id
    pid = f"janji-aud-{uuid.uuid4().hex[:6]}"
    promise = {**world.promise, "promise_id": pid}
    assert world.call("consultation", "POST", f"/v1/fkp/{fkp}/promises", UNIT_B, json=promise).status_code == 201
    done = {"status": "fulfilled", "at": noon(today() - timedelta(days=1)), "note": "Papan terpasang",
            "evidence": [{"name": "Foto", "sha256": world.doc_sha}]}
    r = world.call("consultation", "POST", f"/v1/fkp/{fkp}/promises/{pid}/progress", UNIT_B, json=done)
    assert r.status_code == 200, r.text
    r = world.call("consultation", "POST", f"/v1/fkp/{fkp}/promises/{pid}/feedback", None,
                   json={"code": world.new_code(), "verdict": "dispute", "note": "Belum ada."})
    assert r.status_code == 201, r.text
    review = {"decision": "dispute_upheld", "note": "Bukti belum cukup."}
    expect(world.call("consultation", "POST", f"/v1/fkp/{fkp}/promises/{pid}/review", "bureau", json=review),
           200, "fkp.promise_review", f"{fkp}/{pid}")
    # a write the bureau makes on a unit's behalf (no handler-specific name: the route names it)
    expect(world.call("survey", "PUT", f"/v1/skm/settings/{UNIT_A}/2026", "bureau",
                      json=world.settings_body), 200, "survey.skm_followup.put_settings",
           f"/v1/skm/settings/{UNIT_A}/2026")
    # each entry travels in its event document and reaches the log as the relay publishes it
    added = world.platform.wait_for(lambda: (n := new_entries(before)) and len(n) >= len(actions) and n, timeout=30)
    got = sorted((e["action"], e["target"]) for e in added)
    assert got == sorted(actions), got
    stored = {e["details"].get("event") for e in added}
    assert None not in stored, "every entry names the event document that carried it"
    for e in added:
        assert e["actor"] == f"key:{bureau}:bureau" and e["details"]["key_id"] == bureau
        assert e["details"]["role"] == "bureau" and e["at"] is not None
    # the unit's own writes and the bureau's idempotent repeat are not bureau actions
    again = entries()
    assert world.call("consultation", "POST", f"/v1/fkp/{fkp}/promises/{pid}/review", "bureau",
                      json=review).status_code == 200
    assert world.call("survey", "PUT", f"/v1/skm/settings/{UNIT_B}/2026", UNIT_B,
                      json=world.settings_body).status_code == 200
    time.sleep(3)  # what the relay would have copied by now
    assert new_entries(again) == []
    # the bureau reads them back, newest first
    r = world.call("aggregator", "GET", "/v1/audit", "bureau", params={"action": "complaint.", "limit": 50})
    assert r.status_code == 200
    listed = [(e["action"], e["target"]) for e in r.json()["entries"]]
    assert ("complaint.verify", tids[0]) in listed and ("complaint.archive", tids[1]) in listed
    assert all(a.startswith("complaint.") for a, _ in listed)


def test_admin_commands_are_audited(world: World):
    from pantau_platform.cli import main
    from pantau_platform.infra.procs import ROOT
    before = entries()
    runner = CliRunner()
    imported = runner.invoke(main, ["units", "import", str(ROOT / "deploy" / "registry" / "kaltim.yaml")])
    assert imported.exit_code == 0, imported.output
    issued = runner.invoke(main, ["keys", "issue", "--unit", UNIT_A])
    assert issued.exit_code == 0, issued.output
    key_id = issued.output.strip().split("_")[1]
    assert runner.invoke(main, ["keys", "revoke", key_id]).exit_code == 0
    got = sorted(e["action"] for e in new_entries(before))
    assert got == ["key.issue", "key.revoke", "units.import"], got
    assert all(e["actor"].startswith("cli:") for e in new_entries(before))


def test_no_route_changes_or_removes_an_entry(world: World):
    snapshot = entries()
    assert snapshot, "the audit log has entries to protect"
    some = next(iter(snapshot))
    paths = {(r.service, r.build(world)[0].split("?")[0]) for r in ROUTES if "<path:" not in r.rule}
    paths |= {("aggregator", f"/v1/audit/{some}"), ("aggregator", "/v1/audit")}
    writes = {(r.service, r.method, r.build(world)[0].split("?")[0]) for r in ROUTES}  # real PUT routes
    for service, path in sorted(paths):
        for method in ("DELETE", "PUT", "PATCH"):
            r = world.call(service, method, path, "bureau", json={"action": "x", "target": "y"})
            if (service, method, path) not in writes:
                assert r.status_code in (404, 405), (method, service, path, r.status_code)
    # POST to the log is no route either, and reading it needs the bureau's key
    assert world.call("aggregator", "POST", "/v1/audit", "bureau", json={}).status_code == 405
    assert world.call("aggregator", "GET", "/v1/audit", UNIT_A).status_code == 403
    assert world.call("aggregator", "GET", "/v1/audit", None).status_code == 401
    after = entries()
    assert all(after.get(k) == v for k, v in snapshot.items()), "an audit entry was changed or removed"


def test_sign_ins_and_sign_outs_are_logged_and_the_log_filters_by_account(world: World):
    s = world.account_session("bureau_analyst")  # a new account, signed in with its password
    from security_world import csrf_of
    page = s.get(world.url("aggregator", "/akun"), timeout=60)
    name = next(e for e in world.call("aggregator", "GET", "/v1/audit?action=signin.ok&limit=1", "bureau")
                .json()["entries"])["target"]
    assert s.post(world.url("aggregator", "/keluar"), data={"csrf_token": csrf_of(page.text)}, timeout=60,
                  allow_redirects=False).status_code == 302
    mine = world.call("aggregator", "GET", f"/v1/audit?account={name}", "bureau").json()["entries"]
    assert [e["action"] for e in mine] == ["signout", "signin.ok"]  # newest first
    assert all(e["actor"] == f"user:{name}" for e in mine) and "password" not in str(mine)
    assert world.call("aggregator", "GET", "/v1/audit?account=", "bureau").status_code == 422
