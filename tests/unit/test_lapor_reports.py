"""The aggregator's complaint figures for a set of complaints judged at one instant (pure: the
complaints are folded here, no store). Every expected number is worked out by hand below."""
from __future__ import annotations

from datetime import datetime

from pantau.rules import lapor
from pantau.rules.periods import parse_period
from pantau.rules.workdays import calendar_dir, load_dir
from services.aggregator.complaint_reports import Judged, figures, in_period

CAL = load_dir(calendar_dir())
AS_OF = datetime.fromisoformat("2026-06-10T09:00:00+08:00")
U = "labkesda"


def received(cid, at, channel="lapor", classification="pengaduan", category=None):
    return {"type": "complaint.received", "seq": 1, "time": at,
            "data": {"complaint_id": cid, "unit_id": U, "channel": channel, "classification": classification,
                     "category": category, "received_at": at, "anonymous": False, "confidential": False,
                     "status": "RECEIVED"}}


def ev(action, seq, at, **data):
    return {"type": lapor.EVENT_TYPES[action], "seq": seq, "time": at, "data": data}


LOGS = {
    # verified next day, answered, reopened, answered again, accepted, rated 4
    "C1": [received("C1", "2026-05-04T09:00:00+08:00", category="antrean"),
           ev("verify", 2, "2026-05-05T09:00:00+08:00", holder_unit_id=U),
           ev("resolve", 3, "2026-05-06T09:00:00+08:00"), ev("reopen", 4, "2026-05-07T09:00:00+08:00"),
           ev("resolve", 5, "2026-05-08T09:00:00+08:00"), ev("accept", 6, "2026-05-11T09:00:00+08:00"),
           ev("rate", 7, "2026-05-11T09:05:00+08:00", satisfaction=4)],
    # an aspiration, answered on 5 June and rated 2: its reply window is still open on 10 June
    "C2": [received("C2", "2026-05-04T10:00:00+08:00", classification="aspirasi", category="antrean"),
           ev("verify", 2, "2026-05-06T10:00:00+08:00", holder_unit_id=U),
           ev("follow_up", 3, "2026-05-08T10:00:00+08:00"), ev("resolve", 4, "2026-06-05T10:00:00+08:00"),
           ev("rate", 5, "2026-06-05T11:00:00+08:00", satisfaction=2)],
    # received on Pancasila day (Mon 1 June): verification due Thu 4 June, overdue on the 10th
    "C3": [received("C3", "2026-06-01T09:00:00+08:00", channel="web", category="biaya")],
    "C4": [received("C4", "2026-05-20T09:00:00+08:00"), ev("archive", 2, "2026-05-21T09:00:00+08:00", reason="duplikat")],
    "P1": [received("P1", "2026-03-20T09:00:00+08:00", category="biaya")],  # previous quarter
}


def judged() -> list[Judged]:
    out = []
    for log in LOGS.values():
        st = lapor.state_at(log, AS_OF, CAL)
        out.append(Judged(st, lapor.deadlines(st, AS_OF, CAL, lambda u: "upp", "kaltim")))
    return out


def test_figures_of_a_quarter():
    period = parse_period("2026-Q2")
    items = in_period(judged(), period, "Asia/Makassar")
    previous = in_period(judged(), period.previous(), "Asia/Makassar")
    assert sorted(j.st.complaint_id for j in items) == ["C1", "C2", "C3", "C4"]
    assert [j.st.complaint_id for j in previous] == ["P1"]
    f = figures(items, previous, AS_OF, CAL)
    assert f["complaints"] == 4
    assert {k: v for k, v in f["by_status"].items() if v} == {"CLOSED_RESOLVED": 1, "ANSWERED": 1, "RECEIVED": 1,
                                                             "ARCHIVED": 1}
    assert f["by_classification"] == {"pengaduan": 3, "aspirasi": 1, "permintaan_informasi": 0}
    # ours to resolve: C1, C2, C3 (C4 archived); two of the three came through LAPOR!
    assert f["resolved"] == {"closed_resolved": 1, "eligible": 3, "pct": 33.3}
    assert (f["pekppp_ind28"]["score"], f["pekppp_ind28"]["via_lapor"], f["pekppp_ind28"]["lapor_share"]) == (
        3, True, 0.667)
    assert f["overdue"] == {"total": 1, "by_kind": {"verification": 1, "first_follow_up": 0, "resolution": 0},
                            "by_tier": {"instansi": 1}, "complaints": [{"complaint_id": "C3", "kinds": ["verification"]}]}
    assert f["breaches"] == {"total": 1, "by_kind": {"verification": 1, "first_follow_up": 0, "resolution": 0},
                             "by_tier": {"instansi": 1}}
    # C1 24 h / 1 working day, C2 48 h / 2 working days (both ways)
    assert f["median_time"] == {"to_verification": {"n": 2, "median_hours": 36.0, "median_working_days": 1.5},
                                "to_first_follow_up": {"n": 2, "median_hours": 36.0, "median_working_days": 1.5}}
    assert f["backlog"] == {"total": 1, "age_days": {"0-7": 0, "8-14": 1, "15-30": 0, "31-60": 0, "61+": 0}}
    assert f["reopen"] == {"reopened": 1, "answered": 2, "rate_pct": 50.0}
    assert f["satisfaction"] == {"n": 2, "mean": 3.0, "skm_element": "pengaduan", "ikm_scale": 75.0,
                                 "distribution": {"1": 0, "2": 1, "3": 0, "4": 1}}
    assert f["top_categories"] == [{"category": "antrean", "complaints": 2, "previous": 0, "change": 2},
                                   {"category": "biaya", "complaints": 1, "previous": 1, "change": 0},
                                   {"category": "tanpa_kategori", "complaints": 1, "previous": 0, "change": 1}]
    assert f["trend"] == {"complaints": 4, "previous_complaints": 1, "change": 3}
    c3 = next(j for j in items if j.st.complaint_id == "C3")
    ver = next(d for d in c3.deadlines if d["kind"] == "verification")
    assert (ver["due_date"], ver["working_days_late"]) == ("2026-06-04", 4)  # 5, 8, 9, 10 June


def test_no_complaints_no_score():
    f = figures([], [], AS_OF, CAL)
    assert f["complaints"] == 0 and f["resolved"]["pct"] is None
    assert f["pekppp_ind28"]["score"] is None and f["satisfaction"]["mean"] is None
    assert f["median_time"]["to_verification"] == {"n": 0, "median_hours": None, "median_working_days": None}
