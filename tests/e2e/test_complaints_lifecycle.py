"""A complaint through the real services, end to end: received → verified → forwarded to another
unit → followed up → resolved → rated → reopened → resolved again → closed, with its deadlines
and the aggregator's figures checked after each step.

The first steps are dated in March–April 2026 with `at` (as when synced from LAPOR!), around
Nyepi, Idul Fitri and Good Friday, so every due date is written out below; the reporter's steps
happen now (a reporter cannot backdate), so their window is checked against today.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests

pytestmark = pytest.mark.e2e

FILED, HOLDER, OPD = "samsat-samarinda", "ptsp-kaltim", "dpmptsp"
PERIOD = "2026-03"
TOKEN_HEADER = "X-Reporter-Token"


class Flow:
    def __init__(self, platform):
        self.p = platform
        self.bureau = platform.headers(platform.bureau)
        self.filed = platform.headers(platform.key(FILED))
        self.holder = platform.headers(platform.key(HOLDER))
        self.tid = f"LAPOR-E2E-{uuid.uuid4().hex[:8].upper()}"
        self.token = None

    def act(self, headers: dict, **body) -> requests.Response:
        return requests.post(self.p.url("complaints", f"/v1/complaints/{self.tid}/actions"), json=body,
                             headers=headers, timeout=15)

    def get(self, headers: dict, as_of: str | None = None) -> requests.Response:
        return requests.get(self.p.url("complaints", f"/v1/complaints/{self.tid}"), headers=headers,
                            params={"as_of": as_of} if as_of else None, timeout=15)

    def view(self, as_of: str | None = None) -> dict:
        r = self.get(self.bureau, as_of)
        assert r.status_code == 200, r.text
        return r.json()

    def report(self, unit: str, as_of: str | None = None, period: str = PERIOD) -> dict:
        params = {"period": period, **({"as_of": as_of} if as_of else {})}
        r = requests.get(self.p.url("aggregator", f"/v1/complaints/units/{unit}"), params=params,
                         headers=self.bureau, timeout=15)
        assert r.status_code == 200, r.text
        return r.json()

    def province(self, as_of: str | None = None) -> dict:
        params = {"period": PERIOD, **({"as_of": as_of} if as_of else {})}
        r = requests.get(self.p.url("aggregator", "/v1/complaints/province"), params=params,
                         headers=self.bureau, timeout=15)
        assert r.status_code == 200, r.text
        return r.json()

    def until(self, unit: str, status: str, n: int = 1) -> dict:
        """Wait until the aggregator shows the complaint (now) in `status` at `unit`."""
        return self.p.wait_for(lambda: (r := self.report(unit)) and r["by_status"][status] == n and r,
                               what=f"{status} at {unit} in the aggregator")


def deadline(view: dict, kind: str, rnd: int = 1) -> dict:
    return next(d for d in view["deadlines"] if d["kind"] == kind and d["round"] == rnd)


def only(by_status: dict, **expected) -> None:
    assert {k: v for k, v in by_status.items() if v} == expected


def test_received_verified_forwarded_followed_up_resolved_rated_reopened_closed(platform):
    f = Flow(platform)

    # 1. received (from LAPOR!) on Friday 13 March 2026 at the Samsat in Samarinda
    body = {"unit_id": FILED, "tracking_id": f.tid, "channel": "lapor", "classification": "pengaduan",
            "category": "antrean", "tags": ["loket"], "subject": "Antrean pembayaran pajak terlalu lama",
            "description": "Saya menunggu empat jam di loket pembayaran PKB.", "place": "Samsat Samarinda",
            "received_at": "2026-03-13T10:00:00+08:00",
            "reporter": {"name": "Rudi Hartono", "phone": "081234500001"}}
    r = requests.post(platform.url("complaints", "/v1/complaints"), json=body, headers=f.filed, timeout=15)
    assert r.status_code == 201, r.text
    f.token = r.json()["reporter_token"]
    assert f.token and r.json()["status"] == "RECEIVED"
    again = requests.post(platform.url("complaints", "/v1/complaints"), json=body, headers=f.filed, timeout=15)
    assert again.status_code == 201 and again.headers["Idempotent-Replay"] == "true"
    assert again.json()["reporter_token"] is None  # shown once only

    v = f.view("2026-03-16T09:00:00+08:00")
    assert (v["status"], v["holder_unit_id"], v["complaint"]["reporter"]["name"]) == ("RECEIVED", FILED, "Rudi Hartono")
    ver = deadline(v, "verification")
    # 3 working days after Fri 13 Mar: 16, 17, (18 cuti, 19 Nyepi, 20 cuti, 21-22, 23-24 cuti) 25 Mar
    assert (ver["due_date"], ver["due_at"], ver["outcome"], ver["tier"]) == (
        "2026-03-25", "2026-03-26T00:00:00+08:00", "open", "instansi")
    assert (deadline(v, "resolution")["due_date"], deadline(v, "resolution")["outcome"]) == ("2026-05-12", "open")
    f.until(FILED, "RECEIVED")
    rep = f.report(FILED, "2026-03-16T09:00:00+08:00")
    assert (rep["complaints"], rep["overdue"]["total"], rep["by_classification"]["pengaduan"]) == (1, 0, 1)
    late = f.report(FILED, "2026-03-26T09:00:00+08:00")  # had nobody verified it by then...
    assert late["overdue"]["by_kind"] == {"verification": 1, "first_follow_up": 0, "resolution": 0}
    assert late["overdue"]["by_tier"] == {"instansi": 1}
    assert late["overdue"]["complaints"] == [{"complaint_id": f.tid, "kinds": ["verification"]}]

    # 2. verified and disposed by the bureau (admin instansi) on Wed 25 March: on time
    r = f.act(f.bureau, action="verify", at="2026-03-25T14:00:00+08:00", note="Terverifikasi, didisposisikan.")
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["holder_unit_id"], r.json()["seq"]) == ("DISPOSED", FILED, 2)
    v = f.view("2026-03-26T09:00:00+08:00")
    assert deadline(v, "verification")["outcome"] == "met"
    ffu = deadline(v, "first_follow_up")
    assert (ffu["charged_to"], ffu["due_date"], ffu["outcome"]) == (FILED, "2026-04-01", "open")
    f.until(FILED, "DISPOSED")
    rep = f.report(FILED, "2026-03-26T09:00:00+08:00")
    assert rep["overdue"]["total"] == 0
    assert rep["median_time"]["to_verification"] == {"n": 1, "median_hours": 292.0, "median_working_days": 3}

    # 3. not the Samsat's authority: forwarded to the one-stop licensing unit on Mon 30 March
    r = f.act(f.filed, action="forward", to_unit_id=HOLDER, at="2026-03-30T10:00:00+08:00",
              note="Bukan wewenang Samsat; terkait perizinan.")
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["holder_unit_id"]) == ("DISPOSED", HOLDER)
    assert f.get(f.filed).status_code == 403  # the complaint moved on, with its history
    r = f.get(f.holder, "2026-03-31T09:00:00+08:00")
    assert r.status_code == 200, r.text
    v = r.json()
    assert [(h["from"], h["to"], h["via"], h["at"]) for h in v["hops"]] == [
        (None, FILED, "filed", "2026-03-13T10:00:00+08:00"),
        (FILED, HOLDER, "forwarded", "2026-03-30T10:00:00+08:00")]
    assert [(t["action"], t["status"], t["holder"]) for t in v["transitions"]] == [
        ("receive", "RECEIVED", FILED), ("verify", "DISPOSED", FILED), ("forward", "DISPOSED", HOLDER)]
    assert [e["type"] for e in v["history"]] == ["complaint.received", "complaint.verified", "complaint.forwarded"]
    first, second = deadline(v, "first_follow_up", 1), deadline(v, "first_follow_up", 2)
    assert (first["charged_to"], first["stopped_by"], first["outcome"]) == (FILED, "forward", "met")
    # 5 working days after Mon 30 Mar: 31, 1, 2, (3 Good Friday), 6, 7 Apr
    assert (second["charged_to"], second["due_date"], second["outcome"]) == (HOLDER, "2026-04-07", "open")
    f.until(HOLDER, "DISPOSED")
    assert f.report(FILED)["complaints"] == 0  # counts for the unit that holds it now
    rep = f.report(HOLDER, "2026-04-08T08:00:00+08:00")
    assert rep["overdue"]["by_kind"] == {"verification": 0, "first_follow_up": 1, "resolution": 0}
    assert rep["overdue"]["by_tier"] == {"upp": 1}
    prov = f.province("2026-03-31T09:00:00+08:00")
    assert prov["complaints"] == 1
    opd = next(o for o in prov["opds"] if o["opd_id"] == OPD)
    assert opd["complaints"] == 1 and [u["unit_id"] for u in opd["units"] if u["complaints"]] == [HOLDER]
    assert next(o for o in prov["opds"] if o["opd_id"] == "bapenda")["complaints"] == 0

    # 4. first follow-up by the new holder on Wed 8 April: one working day late, charged to it
    r = f.act(f.holder, action="follow_up", at="2026-04-08T09:00:00+08:00", note="Sedang kami koordinasikan.")
    assert r.status_code == 200, r.text
    v = f.view("2026-04-09T09:00:00+08:00")
    second = deadline(v, "first_follow_up", 2)
    assert (second["outcome"], second["working_days_late"], second["charged_to"], second["tier"]) == (
        "breached", 1, HOLDER, "upp")
    f.until(HOLDER, "IN_PROGRESS")
    rep = f.report(HOLDER, "2026-04-09T09:00:00+08:00")
    assert rep["overdue"]["total"] == 0
    assert rep["breaches_charged"]["by_kind"] == {"verification": 0, "first_follow_up": 1, "resolution": 0}
    # 25 Mar 14:00 → 8 Apr 09:00: 331 hours, working days 26, 27, 30, 31 Mar, 1, 2, 6, 7, 8 Apr
    assert rep["median_time"]["to_first_follow_up"] == {"n": 1, "median_hours": 331.0, "median_working_days": 9}
    assert f.report(FILED, "2026-04-09T09:00:00+08:00")["breaches_charged"]["total"] == 0

    # 5. final answer, now: long after the 60 days (12 May), so resolution is breached
    r = f.act(f.holder, action="resolve", note="Antrean kini dilayani dengan nomor antrean daring.")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ANSWERED"
    v = f.view()
    res = deadline(v, "resolution")
    assert (res["due_date"], res["outcome"], res["charged_to"], res["overdue"]) == ("2026-05-12", "breached", HOLDER, False)
    window = deadline(v, "reply_window")
    assert window["outcome"] == "open" and window["tier"] == "pelapor"
    days = (datetime.fromisoformat(window["due_at"]) - datetime.now(timezone.utc)).days
    assert 12 <= days <= 30, window  # 10 working days from today (12 calendar days at the least)
    rep = f.until(HOLDER, "ANSWERED")
    assert rep["resolved"] == {"closed_resolved": 0, "eligible": 1, "pct": 0.0}
    assert rep["pekppp_ind28"]["score"] == 3 and rep["pekppp_ind28"]["via_lapor"] is True
    assert rep["reopen"] == {"reopened": 0, "answered": 1, "rate_pct": 0.0}
    assert rep["breaches"]["by_kind"] == {"verification": 0, "first_follow_up": 1, "resolution": 1}

    # 6. the reporter rates the handling (one question, SKM unsur "pengaduan" scale)
    track = requests.get(platform.url("complaints", f"/v1/complaints/track/{f.tid}"),
                         headers={TOKEN_HEADER: f.token}, timeout=15).json()
    assert [a["action"] for a in track["answers"]] == ["follow_up", "resolve"]
    assert [a["action"] for a in track["feedback"]["actions"]] == ["rate", "reopen", "accept"]
    bad = f.act({TOKEN_HEADER: "not-the-token"}, action="rate", satisfaction=2)
    assert bad.status_code == 401
    r = f.act({TOKEN_HEADER: f.token}, action="rate", satisfaction=2)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "ANSWERED"
    rep = platform.wait_for(lambda: (x := f.report(HOLDER)) and x["satisfaction"]["n"] == 1 and x,
                            what="the rating in the aggregator")
    assert rep["satisfaction"] == {"n": 1, "mean": 2.0, "skm_element": "pengaduan", "ikm_scale": 50.0,
                                   "distribution": {"1": 0, "2": 1, "3": 0, "4": 0}}

    # 7. not resolved: the reporter reopens within the reply window
    assert f.act({TOKEN_HEADER: f.token}, action="verify").status_code == 409  # not in ANSWERED
    r = f.act({TOKEN_HEADER: f.token}, action="reopen", note="Masih antre berjam-jam.")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "REOPENED"
    v = f.view()
    assert deadline(v, "first_follow_up", 3)["charged_to"] == HOLDER
    assert deadline(v, "first_follow_up", 3)["outcome"] == "open"
    assert deadline(v, "reply_window")["outcome"] == "used"
    assert deadline(v, "resolution")["overdue"] is True  # the resolution clock runs again
    rep = f.until(HOLDER, "REOPENED")
    assert rep["reopen"] == {"reopened": 1, "answered": 1, "rate_pct": 100.0}
    assert rep["overdue"]["by_kind"] == {"verification": 0, "first_follow_up": 0, "resolution": 1}
    assert rep["backlog"]["total"] == 1 and rep["backlog"]["age_days"]["61+"] == 1

    # 8. answered again; left alone it would close itself when the window ends...
    r = f.act(f.holder, action="resolve", note="Loket tambahan dibuka mulai pekan ini.")
    assert r.status_code == 200, r.text
    later = (datetime.now(timezone.utc) + timedelta(days=45)).isoformat()
    v = f.view(later)
    assert (v["status"], v["auto_closed"]) == ("CLOSED_RESOLVED", True)
    assert deadline(v, "reply_window", 2)["outcome"] == "expired"
    # ...but the reporter accepts the answer now
    r = f.act({TOKEN_HEADER: f.token}, action="accept")
    assert r.status_code == 200, r.text
    v = f.view()
    assert (v["status"], v["auto_closed"], v["closed_at"] is not None) == ("CLOSED_RESOLVED", False, True)
    assert f.act({TOKEN_HEADER: f.token}, action="reopen").status_code == 409
    rep = f.until(HOLDER, "CLOSED_RESOLVED")
    only(rep["by_status"], CLOSED_RESOLVED=1)
    assert rep["resolved"] == {"closed_resolved": 1, "eligible": 1, "pct": 100.0}
    assert rep["pekppp_ind28"]["score"] == 5
    assert rep["overdue"]["total"] == 0 and rep["backlog"]["total"] == 0
    assert rep["breaches_charged"]["by_kind"] == {"verification": 0, "first_follow_up": 1, "resolution": 1}
    assert rep["top_categories"] == [{"category": "antrean", "complaints": 1, "previous": 0, "change": 1}]
    assert rep["trend"] == {"complaints": 1, "previous_complaints": 0, "change": 1}
    # a rating after closure still counts (the latest one)
    assert f.act({TOKEN_HEADER: f.token}, action="rate", satisfaction=4).status_code == 200
    rep = platform.wait_for(lambda: (x := f.report(HOLDER)) and x["satisfaction"]["mean"] == 4.0 and x,
                            what="the second rating")
    assert rep["satisfaction"]["n"] == 1
    prov = f.province()
    only(prov["by_status"], CLOSED_RESOLVED=1)
    assert prov["resolved"]["pct"] == 100.0 and prov["pekppp_ind28"]["score"] == 5
    assert prov["breaches"]["by_tier"] == {"upp": 2}
    unit_row = next(u for o in prov["opds"] for u in o["units"] if u["unit_id"] == HOLDER)
    assert (unit_row["complaints"], unit_row["breaches_charged"], unit_row["pekppp_ind28"]["score"]) == (1, 2, 5)
    # the history still shows who held it when
    hist = f.view()
    assert [t["holder"] for t in hist["transitions"]] == [FILED, FILED, HOLDER, HOLDER, HOLDER, HOLDER,
                                                          HOLDER, HOLDER, HOLDER, HOLDER]
    assert [t["action"] for t in hist["transitions"]] == [
        "receive", "verify", "forward", "follow_up", "resolve", "rate", "reopen", "resolve", "accept", "rate"]
