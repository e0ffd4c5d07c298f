"""Authorization on the paths where another unit's data can hide inside an allowed request: batch
items, paper-form rows, FKP documents, forwarded complaints; and keys that were revoked or rotated.
(Dashboard exports of another unit: test_authz_matrix.py, every page × CSV/XLSX/PDF.)
"""
from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta

import pytest
import requests
from click.testing import CliRunner
from security_world import PNG, UNIT_A, UNIT_B, World, csv_form, noon, today

pytestmark = pytest.mark.e2e


def stored(db: str, _id: str) -> bool:
    from pantau import mongo
    return mongo.db(db)["events"].find_one({"_id": _id}, projection={"_id": 1}) is not None


def problem(resp, status: int) -> dict:
    assert resp.status_code == status, (resp.status_code, resp.text[:400])
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    return resp.json()


def test_a_batch_with_one_foreign_item_is_refused_whole(world: World):
    tag = uuid.uuid4().hex[:6]
    item = dict(world.response)
    own = {**item, "unit_id": UNIT_A, "response_id": f"mix-own-{tag}"}
    foreign = {**item, "unit_id": UNIT_B, "response_id": f"mix-foreign-{tag}"}
    r = world.call("survey", "POST", "/v1/skm/responses", UNIT_A, json={"responses": [own, foreign, own | {
        "response_id": f"mix-own2-{tag}"}]})
    body = problem(r, 403)
    assert [e["pointer"] for e in body["errors"]] == ["/responses/1/unit_id"]
    for unit, rid in ((UNIT_A, own["response_id"]), (UNIT_B, foreign["response_id"]), (UNIT_A, f"mix-own2-{tag}")):
        assert not stored("survey", f"skm:{unit}:{rid}:1"), "nothing of a refused batch is stored"
    # the same batch without the foreign item goes through
    r = world.call("survey", "POST", "/v1/skm/responses", UNIT_A, json={"responses": [own]})
    assert r.status_code == 202 and stored("survey", f"skm:{UNIT_A}:{own['response_id']}:1")


def test_paper_forms_cannot_carry_another_units_rows(world: World):
    tag = uuid.uuid4().hex[:6]
    upload = lambda unit, data: world.call("survey", "POST", "/v1/skm/paper-forms", UNIT_A,  # noqa: E731
                                           data={"unit_id": unit}, files={"file": ("k.csv", data, "text/csv")})
    # the unit comes from the form field, never from the file: a unit column is refused
    r = upload(UNIT_A, csv_form(f"col-{tag}", ",unit_id", f",{UNIT_B}"))
    body = problem(r, 422)
    assert "unit_id" in r.text and body["errors"]
    assert not stored("survey", f"skm:{UNIT_B}:col-{tag}:1") and not stored("survey", f"skm:{UNIT_A}:col-{tag}:1")
    # the form field naming another unit
    problem(upload(UNIT_B, csv_form(f"fld-{tag}")), 403)
    assert not stored("survey", f"skm:{UNIT_B}:fld-{tag}:1")


def _forum_of_a(world: World) -> str:
    fkp_id = f"fkp-sec-a-{uuid.uuid4().hex[:6]}"
    body = {**world.forum, "unit_id": UNIT_A, "fkp_id": fkp_id}
    assert world.call("consultation", "POST", "/v1/fkp", UNIT_A, json=body).status_code == 201
    assert world.call("consultation", "POST", f"/v1/fkp/{fkp_id}/stage", UNIT_A,
                      json=world.stage_body).status_code == 200
    return fkp_id


def test_fkp_documents_stay_with_their_forum(world: World):
    from pantau import mongo
    db = mongo.db("consultation")
    mine = _forum_of_a(world)
    secret = PNG + uuid.uuid4().bytes  # bytes never uploaded before
    sha = hashlib.sha256(secret).hexdigest()
    r = world.call("consultation", "POST", f"/v1/fkp/{world.fkp_id}/documents", UNIT_A,
                   files={"file": ("x.png", secret, "image/png")})
    problem(r, 403)
    assert db["documents"].find_one({"_id": sha}) is None and db["doc_links"].find_one({"_id": f"{world.fkp_id}:{sha}"}) is None
    problem(world.call("consultation", "POST", f"/v1/fkp/{world.fkp_id}/berita-acara", UNIT_A,
                       files={"file": ("x.png", secret, "image/png")}, data={"signatories": world.signatories}), 403)
    assert db["documents"].find_one({"_id": sha}) is None
    # B's document cannot be fetched through A's own forum, nor cited as A's evidence
    problem(world.call("consultation", "GET", f"/v1/fkp/{mine}/documents/{world.doc_sha}", UNIT_A), 404)
    problem(world.call("consultation", "GET", f"/v1/fkp/{world.fkp_id}/documents/{world.doc_sha}", UNIT_A), 403)
    progress = {"status": "in_progress", "progress_pct": 20, "at": noon(today() - timedelta(days=1)),
                "evidence": [{"name": "bukti unit lain", "sha256": world.doc_sha}]}
    body = problem(world.call("consultation", "POST", f"/v1/fkp/{mine}/promises/janji-sec/progress", UNIT_A,
                              json=progress), 409)  # not a document of this forum
    assert body["errors"][0]["pointer"] == "/evidence/0/sha256"


def test_a_forwarded_complaint_moves_to_the_receiving_unit(world: World):
    tid = f"SEC-FWD-{uuid.uuid4().hex[:8].upper()}"
    intake = {**world.complaint, "unit_id": UNIT_A, "tracking_id": tid}
    assert world.call("complaints", "POST", "/v1/complaints", UNIT_A, json=intake).status_code == 201
    act = lambda who, **body: world.call("complaints", "POST", f"/v1/complaints/{tid}/actions", who,  # noqa: E731
                                         json=body)
    # bureau-only actions refused to the holder unit itself (the state allows them)
    for body in ({"action": "verify"}, {"action": "pend", "missing": ["bukti"]},
                 {"action": "archive", "reason": "duplikat"}, {"action": "forward_out", "to_instansi": "Kementerian X"}):
        b = problem(act(UNIT_A, **body), 403)
        assert b["allowed_roles"] == ["bureau"]
    # unit B cannot act on or read a complaint A holds
    problem(act(UNIT_B, action="forward", to_unit_id=UNIT_B), 403)
    problem(world.call("complaints", "GET", f"/v1/complaints/{tid}", UNIT_B), 403)
    assert act("bureau", action="verify").status_code == 200
    r = act(UNIT_A, action="forward", to_unit_id=UNIT_B, note="Bukan wewenang kami; diteruskan.")
    assert r.status_code == 200 and r.json()["holder_unit_id"] == UNIT_B, r.text
    # the receiving unit reads and acts; the forwarding unit can do neither any more
    got = world.call("complaints", "GET", f"/v1/complaints/{tid}", UNIT_B)
    assert got.status_code == 200 and got.json()["holder_unit_id"] == UNIT_B
    assert act(UNIT_B, action="follow_up", note="Sedang kami tangani.").status_code == 200
    problem(world.call("complaints", "GET", f"/v1/complaints/{tid}", UNIT_A), 403)
    for body in ({"action": "follow_up", "note": "masih di sini?"}, {"action": "resolve", "note": "selesai"},
                 {"action": "forward", "to_unit_id": UNIT_A}):
        problem(act(UNIT_A, **body), 403)
    # the public tracking view stays available to everybody (no identity, no description)
    track = world.call("complaints", "GET", f"/v1/complaints/track/{tid}", None)
    assert track.status_code == 200 and track.json()["holder_unit_id"] == UNIT_B and "Wati" not in track.text


def _until_refused(world: World, token: str) -> None:
    url = world.url("aggregator", f"/v1/units/{UNIT_A}/summary")
    world.platform.wait_for(lambda: requests.get(url, headers={"Authorization": f"Bearer {token}"},
                                                 timeout=30).status_code == 401, 30, "the key to stop working")


def test_revoked_and_rotated_keys_stop_working(world: World):
    from pantau import auth
    from pantau_platform.cli import main
    url = world.url("aggregator", f"/v1/units/{UNIT_A}/summary")
    token = auth.issue("unit", UNIT_A, note="revoke test")
    assert requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30).status_code == 200
    session = requests.Session()
    from security_world import csrf_of
    page = session.get(world.url("aggregator", "/masuk"), timeout=30)
    assert session.post(world.url("aggregator", "/masuk"), data={"csrf_token": csrf_of(page.text), "api_key": token},
                        timeout=30, allow_redirects=False).status_code == 302
    rotated = CliRunner().invoke(main, ["keys", "rotate", token.split("_")[1]])
    assert rotated.exit_code == 0, rotated.output
    new = rotated.output.strip()
    _until_refused(world, token)
    assert requests.get(url, headers={"Authorization": f"Bearer {new}"}, timeout=30).status_code == 200
    # the dashboard session of the old key is signed out
    world.platform.wait_for(lambda: session.get(world.url("aggregator", f"/dasbor/unit/{UNIT_A}"), timeout=60,
                                                allow_redirects=False).status_code == 302, 30, "the session to end")
    assert auth.revoke(new.split("_")[1])
    _until_refused(world, new)
