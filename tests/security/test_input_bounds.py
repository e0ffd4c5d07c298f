"""Inputs that once kept a worker busy for minutes, answered 500 or were stored although
implausible are refused up front with a 422 and a field pointer (found by the fuzzer and the
security probe of issue 13)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from security_world import UNIT_B

from pantau.rules.ikm import ELEMENTS

pytestmark = pytest.mark.e2e

FAR = ["3133-06-06T05:00:00Z", "2442-08-09T01:40:31Z", "0001-01-01T00:00:00+14:00", "1999-12-31T23:00:00Z"]


@pytest.mark.parametrize("as_of", FAR)
def test_as_of_out_of_range_is_a_422(world, as_of):
    for service, path in (("complaints", f"/v1/complaints/{world.tracking_id}"),
                          ("aggregator", f"/v1/complaints/units/{UNIT_B}?period=2026"),
                          ("aggregator", f"/v1/fkp/units/{UNIT_B}?year=2026"),
                          ("aggregator", f"/v1/units/{UNIT_B}/card?year=2026")):
        r = world.call(service, "GET", path, "bureau", params={"as_of": as_of})
        assert r.status_code == 422, (path, r.status_code, r.text[:300])
        assert r.json()["errors"][0]["pointer"] == "as_of"


def test_dashboard_refuses_an_as_of_date_far_ahead(sessions, world):
    for path in (f"/dasbor/unit/{UNIT_B}/pengaduan", f"/dasbor/unit/{UNIT_B}"):
        r = sessions["bureau"].get(world.url("aggregator", path), params={"per": "2999-12-31"}, timeout=60)
        assert r.status_code == 400 and 'data-status="400"' in r.text, (path, r.status_code)


# ---- dates a write accepts (issue 13: some answered 500, some were stored) ----------------------

EXTREME_MOMENTS = ["9999-12-31T23:00Z", "0001-01-01T00:00+14:00", "2300-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
                   "1999-12-31T23:59:59Z"]
EXTREME_DATES = ["0001-01-01", "2300-01-01", "9999-12-31", "1999-12-31"]


def refused(r, pointer: str) -> None:
    assert r.status_code == 422, (r.status_code, r.text[:300])
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert pointer in [e["pointer"] for e in r.json()["errors"]], r.text[:300]


def stored_event(service: str, _id: str) -> bool:
    from pantau import mongo
    return mongo.db(service)["events"].find_one({"_id": _id}, projection={"_id": 1}) is not None


@pytest.mark.parametrize("at", EXTREME_MOMENTS)
def test_submitted_at_outside_2000_to_tomorrow_is_a_422_and_nothing_is_stored(world, at):
    rid = f"far-{uuid.uuid4().hex[:8]}"
    one = {**world.response, "response_id": rid, "submitted_at": at}
    refused(world.call("survey", "POST", "/v1/skm/responses", UNIT_B, json=one), "/submitted_at")
    refused(world.call("survey", "POST", "/v1/skm/responses", UNIT_B, json={"responses": [world.response, one]}),
            "/responses/1/submitted_at")
    assert not stored_event("survey", f"skm:{UNIT_B}:{rid}:1")


def test_a_submitted_at_two_days_ahead_is_refused_and_one_within_the_clock_skew_taken(world):
    ahead = datetime.now(timezone.utc) + timedelta(days=2)
    far = {**world.response, "response_id": f"far-{uuid.uuid4().hex[:8]}", "submitted_at": ahead.isoformat()}
    r = world.call("survey", "POST", "/v1/skm/responses", UNIT_B, json=far)
    refused(r, "/submitted_at")
    r = world.call("survey", "POST", "/v1/skm/responses", UNIT_B, json={
        **world.response, "response_id": f"skew-{uuid.uuid4().hex[:8]}",
        "submitted_at": (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()})
    assert r.status_code == 202, r.text[:300]


def test_a_paper_form_dated_year_one_is_refused_at_its_row(world):
    head = "response_id,submitted_at," + ",".join(ELEMENTS)
    data = f"{head}\r\nfar-paper,01/01/0001,{','.join('3' for _ in ELEMENTS)}\r\n".encode()
    r = world.call("survey", "POST", "/v1/skm/paper-forms", UNIT_B, data={"unit_id": UNIT_B},
                   files={"file": ("kuesioner.csv", data, "text/csv")})
    refused(r, "/rows/2/submitted_at")


@pytest.mark.parametrize("day", EXTREME_DATES)
def test_forum_and_promise_dates_outside_the_window_are_a_422(world, day):
    fkp_id = f"fkp-far-{uuid.uuid4().hex[:8]}"
    refused(world.call("consultation", "POST", "/v1/fkp", UNIT_B,
                       json={**world.forum, "fkp_id": fkp_id, "held_on": day}), "/held_on")
    far_promise = {**world.promise, "promise_id": "janji-far", "target_date": day}
    refused(world.call("consultation", "POST", "/v1/fkp", UNIT_B,
                       json={**world.forum, "fkp_id": fkp_id, "promises": [far_promise]}), "/promises/0/target_date")
    assert not stored_event("consultation", f"fkp:{fkp_id}:1")
    refused(world.call("consultation", "POST", f"/v1/fkp/{world.fkp_id}/promises", UNIT_B, json=far_promise),
            "/target_date")
    refused(world.call("consultation", "POST", f"/v1/fkp/{world.fkp_id}/stage", UNIT_B,
                       json={"stage": "closed", "held_on": day}), "/held_on")
    refused(world.call("survey", "POST", f"/v1/skm/rtl/{UNIT_B}/2026/items", UNIT_B,
                       json={**world.rtl_item, "item_id": f"rtl-far-{uuid.uuid4().hex[:6]}", "target_date": day}),
            "/target_date")
    refused(world.call("survey", "POST", f"/v1/skm/publications/{UNIT_B}/2026", UNIT_B,
                       json={"medium": "spanduk", "published_on": day}), "/published_on")


@pytest.mark.parametrize("at", EXTREME_MOMENTS)
def test_progress_complaint_and_action_moments_outside_the_window_are_a_422(world, at):
    refused(world.call("consultation", "POST", f"/v1/fkp/{world.fkp_id}/promises/janji-sec/progress", UNIT_B,
                       json={**world.promise_progress, "at": at}), "/at")
    refused(world.call("survey", "POST", f"/v1/skm/rtl/{UNIT_B}/2026/items/rtl-{world.tag}/progress", UNIT_B,
                       json={**world.rtl_progress, "at": at}), "/at")
    for field in ("event_time", "received_at"):
        r = world.call("complaints", "POST", "/v1/complaints", UNIT_B,
                       json={**world.complaint, "tracking_id": f"FAR-{uuid.uuid4().hex[:8]}", field: at})
        refused(r, f"/{field}")
    refused(world.call("complaints", "POST", f"/v1/complaints/{world.tracking_id}/actions", "bureau",
                       json={"action": "verify", "at": at}), "/at")


# ---- malformed bodies of complaint actions (issue 13: `{"action": {}}` answered 500) ---------------

ACTION_BODIES = ['{"action":{}}', '{"action":[]}', '["verify"]', '"x"', "5", "null", '{"action":["verify"]}',
                 '{"action":{"verify":1}}', '{"action":5}', "{}"]


@pytest.mark.parametrize("raw", ACTION_BODIES)
@pytest.mark.parametrize("who", ["bureau", "reporter", "wrong-token", "bureau+token"])
def test_a_malformed_complaint_action_is_a_422_whoever_sends_it(world, raw, who):
    headers = {"Content-Type": "application/json"}
    if who in ("reporter", "wrong-token", "bureau+token"):
        headers["X-Reporter-Token"] = world.reporter_token if who == "reporter" else "not-the-token"
    r = world.call("complaints", "POST", f"/v1/complaints/{world.tracking_id}/actions",
                   "bureau" if who.startswith("bureau") else None, data=raw, headers=headers)
    assert r.status_code == 422, (r.status_code, r.text[:300])
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["pointer"] in ("/", "/action")


@pytest.mark.parametrize("name", ["x" * 300 + ".png", "bukti\x1b[31m.png"])
def test_an_upload_whose_file_name_is_too_long_or_holds_control_characters_is_a_422(world, name):
    from security_world import PNG
    r = world.call("consultation", "POST", f"/v1/fkp/{world.fkp_id}/documents", UNIT_B,
                   files={"file": (name, PNG + b"-" + name.encode()[:8], "image/png")})
    refused(r, "/file")
