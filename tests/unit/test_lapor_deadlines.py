"""Deadlines in working days, their attribution to tiers, windows that settle by themselves, the
SLA rule table and the PEKPPP indicator-28 rubric. Dates are written out by hand."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from pantau.rules import lapor
from pantau.rules.workdays import calendar_dir, load_dir

CAL = load_dir(calendar_dir())
A, B = "samsat-samarinda", "ptsp-kaltim"
TIERS = {A: "upp", B: "upp", "dinkes": "opd"}


def tier_of(u):
    return TIERS.get(u, "unit")


def T(s: str) -> datetime:
    return datetime.fromisoformat(s)


def received(at: str, unit: str = A, cid: str = "C-1") -> dict:
    return {"type": "complaint.received", "seq": 1, "time": at,
            "data": {"complaint_id": cid, "unit_id": unit, "channel": "lapor", "classification": "pengaduan",
                     "category": "pelayanan", "received_at": at, "anonymous": False, "confidential": False,
                     "status": "RECEIVED"}}


def ev(action: str, seq: int, at: str, **data) -> dict:
    return {"type": lapor.EVENT_TYPES[action], "seq": seq, "time": at, "data": {"complaint_id": "C-1", **data}}


def judged(log: list[dict], as_of: str) -> dict[tuple[str, int], dict]:
    st = lapor.state_at(log, T(as_of), CAL)
    return {(d["kind"], d["round"]): d for d in lapor.deadlines(st, T(as_of), CAL, tier_of, "kaltim")}


# received on Friday 13 March 2026, just before Nyepi and Idul Fitri
MAIN = [
    received("2026-03-13T10:00:00+08:00"),
    ev("verify", 2, "2026-03-25T14:00:00+08:00", holder_unit_id=A),
    ev("forward", 3, "2026-03-30T10:00:00+08:00", to_unit_id=B),
    ev("follow_up", 4, "2026-04-08T09:00:00+08:00"),
    ev("resolve", 5, "2026-04-15T10:00:00+08:00"),
]


def test_verification_met_thanks_to_cuti_bersama_and_overdue_if_late():
    d = judged(MAIN[:2], "2026-03-25T15:00:00+08:00")[("verification", 1)]
    assert (d["due_date"], d["due_at"], d["outcome"], d["tier"], d["charged_to"]) == (
        "2026-03-25", "2026-03-26T00:00:00+08:00", "met", "instansi", "kaltim")
    late = judged(MAIN[:1], "2026-03-27T09:00:00+08:00")[("verification", 1)]
    assert (late["outcome"], late["overdue"], late["working_days_late"]) == ("breached", True, 2)
    before = judged(MAIN[:1], "2026-03-25T23:59:00+08:00")[("verification", 1)]
    assert (before["outcome"], before["overdue"]) == ("open", False)
    at_midnight = [MAIN[0], ev("verify", 2, "2026-03-26T00:00:00+08:00", holder_unit_id=A)]
    d = judged(at_midnight, "2026-03-26T08:00:00+08:00")[("verification", 1)]
    assert (d["outcome"], d["overdue"], d["working_days_late"]) == ("breached", False, 1)


def test_forward_gives_each_holder_its_own_first_follow_up_clock():
    ds = judged(MAIN, "2026-04-16T09:00:00+08:00")
    a, b = ds[("first_follow_up", 1)], ds[("first_follow_up", 2)]
    assert (a["charged_to"], a["start"], a["due_date"], a["stopped_by"], a["outcome"]) == (
        A, "2026-03-25T14:00:00+08:00", "2026-04-01", "forward", "met")
    # 30 Mar + 5 working days: 31 Mar, 1, 2 Apr, (3 Apr Good Friday), 6, 7 Apr
    assert (b["charged_to"], b["tier"], b["due_date"], b["stopped_by"], b["outcome"], b["working_days_late"]) == (
        B, "upp", "2026-04-07", "follow_up", "breached", 1)
    res = ds[("resolution", 1)]
    assert (res["due_date"], res["outcome"], res["charged_to"]) == ("2026-05-12", "met", B)
    win = ds[("reply_window", 1)]
    assert (win["due_date"], win["due_at"], win["outcome"], win["tier"]) == (
        "2026-04-29", "2026-04-30T00:00:00+08:00", "open", "pelapor")


def test_reply_window_closes_the_complaint_by_itself_at_its_end():
    st = lapor.state_at(MAIN, T("2026-04-29T23:59:59+08:00"), CAL)
    assert st.status == "ANSWERED"
    st = lapor.state_at(MAIN, T("2026-04-30T00:00:00+08:00"), CAL)
    assert (st.status, st.closed_at, st.auto_closed) == (
        "CLOSED_RESOLVED", "2026-04-30T00:00:00+08:00", True)
    assert st.transitions[-1] == {"seq": None, "action": "auto_close", "at": "2026-04-30T00:00:00+08:00",
                                     "status": "CLOSED_RESOLVED", "holder": B}
    assert judged(MAIN, "2026-05-02T00:00:00+08:00")[("reply_window", 1)]["outcome"] == "expired"
    # a reopen after the window is refused; a rating is still welcome
    st = lapor.replay(MAIN, CAL)
    with pytest.raises(lapor.IllegalTransition):
        lapor.fold(st, ev("reopen", 6, "2026-04-30T08:00:00+08:00"), CAL)
    rated = lapor.fold(st, ev("rate", 6, "2026-05-04T08:00:00+08:00", satisfaction=4), CAL)
    assert (rated.status, rated.ratings[-1]["satisfaction"]) == ("CLOSED_RESOLVED", 4)


def test_reopen_resumes_the_resolution_clock_and_starts_a_new_follow_up_clock():
    log = MAIN + [ev("rate", 6, "2026-04-20T08:00:00+08:00", satisfaction=2),
                  ev("reopen", 7, "2026-04-20T08:05:00+08:00")]
    ds = judged(log, "2026-05-13T08:00:00+08:00")
    assert lapor.state_at(log, T("2026-05-13T08:00:00+08:00"), CAL).status == "REOPENED"
    res = ds[("resolution", 1)]
    assert (res["outcome"], res["overdue"], res["charged_to"], res["working_days_late"]) == ("breached", True, B, 1)
    ffu = ds[("first_follow_up", 3)]
    # 20 Apr + 5 working days: 21, 22, 23, 24, 27 Apr
    assert (ffu["charged_to"], ffu["due_date"], ffu["outcome"]) == (B, "2026-04-27", "breached")
    assert ds[("reply_window", 1)]["outcome"] == "used"
    closed = log + [ev("resolve", 8, "2026-05-13T09:00:00+08:00"), ev("accept", 9, "2026-05-14T09:00:00+08:00")]
    st = lapor.state_at(closed, T("2026-05-15T00:00:00+08:00"), CAL)
    assert (st.status, st.closed_at, st.auto_closed, st.answers, st.reopens) == (
        "CLOSED_RESOLVED", "2026-05-14T09:00:00+08:00", False, 2, 1)


def test_resolution_breach_is_charged_to_whoever_held_it_when_time_ran_out():
    log = [received("2026-01-05T09:00:00+08:00"),
           ev("verify", 2, "2026-01-06T09:00:00+08:00", holder_unit_id=A),
           ev("follow_up", 3, "2026-01-07T09:00:00+08:00"),
           ev("forward", 4, "2026-03-10T09:00:00+08:00", to_unit_id=B),
           ev("resolve", 5, "2026-03-20T09:00:00+08:00")]
    res = judged(log, "2026-03-21T00:00:00+08:00")[("resolution", 1)]
    # 5 Jan + 60 days = 6 March; A held it then, B resolved it later
    assert (res["due_date"], res["outcome"], res["charged_to"], res["tier"]) == ("2026-03-06", "breached", A, "upp")
    unverified = judged(log[:1], "2026-03-09T00:00:00+08:00")[("resolution", 1)]
    assert (unverified["outcome"], unverified["overdue"], unverified["charged_to"], unverified["tier"]) == (
        "breached", True, "kaltim", "instansi")


def test_pending_information_archives_itself_after_30_days():
    log = [received("2026-01-05T09:00:00+08:00"), ev("pend", 2, "2026-01-06T09:00:00+08:00", missing=["uraian"])]
    assert lapor.state_at(log, T("2026-02-05T23:59:00+08:00"), CAL).status == "PENDING_INFO"
    st = lapor.state_at(log, T("2026-02-06T00:00:00+08:00"), CAL)
    assert (st.status, st.archived_at, st.archive_reason) == (
        "ARCHIVED", "2026-02-06T00:00:00+08:00", "incomplete_after_30_days")
    ds = judged(log, "2026-02-10T00:00:00+08:00")
    assert ds[("verification", 1)]["outcome"] == "met"
    assert ds[("resolution", 1)]["outcome"] == "cancelled"
    assert ds[("pending_info", 1)]["outcome"] == "expired"
    with pytest.raises(lapor.IllegalTransition):
        lapor.fold(lapor.replay(log, CAL), ev("complete_info", 3, "2026-02-06T08:00:00+08:00"), CAL)
    # completed in time: verification and resolution start again from the completion
    done = log + [ev("complete_info", 3, "2026-01-20T09:00:00+08:00")]
    ds = judged(done, "2026-01-20T10:00:00+08:00")
    assert ds[("verification", 2)]["due_date"] == "2026-01-23"
    assert ds[("resolution", 2)]["due_date"] == "2026-03-21"
    assert ds[("pending_info", 1)]["outcome"] == "used"


def test_the_local_day_of_receipt_counts_not_the_utc_day():
    log = [received("2026-03-12T17:00:00+00:00")]  # 01:00 on Friday 13 March in Samarinda
    assert judged(log, "2026-03-13T02:00:00+00:00")[("verification", 1)]["due_date"] == "2026-03-25"


def test_lenient_fold_keeps_an_event_the_writer_accepted_before_a_window_was_settled():
    # the reopen below is 1 minute after the window ends with today's calendar (as if the
    # service had read a calendar with one more holiday): strict refuses, lenient applies it
    log = MAIN + [ev("reopen", 6, "2026-04-30T00:01:00+08:00")]
    with pytest.raises(lapor.IllegalTransition):
        lapor.replay(log, CAL, strict=True)
    assert lapor.replay(log, CAL, strict=False).status == "REOPENED"


def test_sla_rule_table():
    r = lapor.rules_for("2026-03-13T10:00:00+08:00")
    assert r.version == "sp4n-2018" == lapor.DEFAULT_RULES
    assert {k: (v.n, v.unit) for k, v in r.limits.items()} == {
        "verification": (3, "working"), "first_follow_up": (5, "working"), "reply_window": (10, "working"),
        "resolution": (60, "calendar"), "pending_info": (30, "calendar")}
    assert r.effective_from == date(2018, 1, 1)
    assert lapor.rules_for("2010-01-01T00:00:00+07:00").version == "sp4n-2018"
    assert lapor.rules_for("2026-01-01T00:00:00+08:00", version="sp4n-2018") is r
    with pytest.raises(KeyError):
        lapor.rules_for("2026-01-01T00:00:00+08:00", version="sp4n-2025")


@pytest.mark.parametrize("pct, via, score", [
    (None, True, None), (None, False, None),
    (0.0, False, 1), (49.9, False, 1), (50.0, False, 2), (100.0, False, 2),
    (0.0, True, 3), (49.9, True, 3), (50.0, True, 4), (89.9, True, 4), (90.0, True, 5), (100.0, True, 5),
])
def test_pekppp_indicator_28(pct, via, score):
    assert lapor.ind28_followup(pct, via)[0] == score
