"""The LAPOR! transition table: every allowed and every forbidden (status, action) pair, through the
real fold, and the role table. The expected table is written out here, independently."""
from __future__ import annotations

import itertools

import pytest

import pantau.events  # noqa: F401  (registers the schemas)
from pantau.envelope import registered_types
from pantau.rules import lapor
from pantau.rules.workdays import calendar_dir, load_dir

CAL = load_dir(calendar_dir())
UNIT, OTHER = "samsat-samarinda", "ptsp-kaltim"

EXPECTED = {
    ("RECEIVED", "verify"): "DISPOSED",
    ("RECEIVED", "pend"): "PENDING_INFO",
    ("RECEIVED", "archive"): "ARCHIVED",
    ("RECEIVED", "forward"): "RECEIVED",
    ("RECEIVED", "forward_out"): "FORWARDED_OUT",
    ("PENDING_INFO", "complete_info"): "RECEIVED",
    ("PENDING_INFO", "archive"): "ARCHIVED",
    ("DISPOSED", "forward"): "DISPOSED",
    ("DISPOSED", "forward_out"): "FORWARDED_OUT",
    ("DISPOSED", "follow_up"): "IN_PROGRESS",
    ("DISPOSED", "resolve"): "ANSWERED",
    ("IN_PROGRESS", "forward"): "DISPOSED",
    ("IN_PROGRESS", "forward_out"): "FORWARDED_OUT",
    ("IN_PROGRESS", "follow_up"): "IN_PROGRESS",
    ("IN_PROGRESS", "resolve"): "ANSWERED",
    ("REOPENED", "forward"): "DISPOSED",
    ("REOPENED", "forward_out"): "FORWARDED_OUT",
    ("REOPENED", "follow_up"): "IN_PROGRESS",
    ("REOPENED", "resolve"): "ANSWERED",
    ("ANSWERED", "rate"): "ANSWERED",
    ("ANSWERED", "reopen"): "REOPENED",
    ("ANSWERED", "accept"): "CLOSED_RESOLVED",
    ("CLOSED_RESOLVED", "rate"): "CLOSED_RESOLVED",
}
EXPECTED_ROLES = {
    "verify": {"bureau"}, "pend": {"bureau"}, "complete_info": {"pelapor", "bureau"}, "archive": {"bureau"},
    "forward": {"bureau", "holder"}, "forward_out": {"bureau"}, "follow_up": {"holder"}, "resolve": {"holder"},
    "rate": {"pelapor", "bureau"}, "reopen": {"pelapor", "bureau"}, "accept": {"pelapor", "bureau"},
}
STATUSES = ["RECEIVED", "PENDING_INFO", "DISPOSED", "IN_PROGRESS", "ANSWERED", "REOPENED", "CLOSED_RESOLVED",
            "ARCHIVED", "FORWARDED_OUT"]
ACTIONS = ["verify", "pend", "complete_info", "archive", "forward", "forward_out", "follow_up", "resolve",
           "rate", "reopen", "accept"]
TYPES = {"verify": "complaint.verified", "pend": "complaint.pended", "complete_info": "complaint.info_completed",
         "archive": "complaint.archived", "forward": "complaint.forwarded", "forward_out": "complaint.forwarded_out",
         "follow_up": "complaint.followed_up", "resolve": "complaint.resolved", "rate": "complaint.rated",
         "reopen": "complaint.reopened", "accept": "complaint.closed"}
PAYLOAD = {"verify": {"holder_unit_id": UNIT}, "pend": {"missing": ["uraian"]}, "archive": {"reason": "duplikat"},
           "forward": {"to_unit_id": OTHER}, "forward_out": {"to_instansi": "Pemerintah Kota Samarinda"},
           "rate": {"satisfaction": 3}}
# how to reach each status (Monday 6 July 2026 onwards, one hour apart: every window still open)
PATHS = {
    "RECEIVED": [], "PENDING_INFO": ["pend"], "DISPOSED": ["verify"], "IN_PROGRESS": ["verify", "follow_up"],
    "ANSWERED": ["verify", "resolve"], "REOPENED": ["verify", "resolve", "reopen"],
    "CLOSED_RESOLVED": ["verify", "resolve", "accept"], "ARCHIVED": ["archive"], "FORWARDED_OUT": ["forward_out"],
}


def received() -> dict:
    return {"type": "complaint.received", "seq": 1, "time": "2026-07-06T08:00:00+08:00",
            "data": {"complaint_id": "T-1", "unit_id": UNIT, "channel": "lapor", "classification": "pengaduan",
                     "category": "pelayanan", "received_at": "2026-07-06T08:00:00+08:00", "anonymous": False,
                     "confidential": False, "status": "RECEIVED"}}


def event(action: str, seq: int) -> dict:
    return {"type": TYPES[action], "seq": seq, "time": f"2026-07-06T{8 + seq:02d}:00:00+08:00",
            "data": {"complaint_id": "T-1", "action": action, **PAYLOAD.get(action, {})}}


def state_in(status: str) -> dict:
    st = lapor.fold(None, received(), CAL)
    for i, a in enumerate(PATHS[status], start=2):
        st = lapor.fold(st, event(a, i), CAL)
    assert st.status == status
    return st


def test_the_table_is_the_expected_one():
    assert lapor.TRANSITIONS == EXPECTED
    assert {a: set(r) for a, r in lapor.ROLES.items()} == EXPECTED_ROLES
    assert list(lapor.STATUSES) == STATUSES and list(lapor.ACTIONS) == ACTIONS
    assert lapor.EVENT_TYPES == TYPES


def test_every_action_has_a_registered_event_type():
    registered = {t for t, _ in registered_types()}
    assert set(TYPES.values()) | {"complaint.received"} == {t for t in registered if t.startswith("complaint.")}


@pytest.mark.parametrize("status, action", [p for p in itertools.product(STATUSES, ACTIONS) if p in EXPECTED])
def test_allowed(status, action):
    st = state_in(status)
    after = lapor.fold(st, event(action, st.seq + 1), CAL)
    assert after.status == EXPECTED[(status, action)]
    assert after.seq == st.seq + 1
    assert after.transitions[-1]["action"] == action
    assert lapor.target(status, action) == EXPECTED[(status, action)]


@pytest.mark.parametrize("status, action", [p for p in itertools.product(STATUSES, ACTIONS) if p not in EXPECTED])
def test_forbidden(status, action):
    st = state_in(status)
    with pytest.raises(lapor.IllegalTransition) as exc:
        lapor.fold(st, event(action, st.seq + 1), CAL)
    assert (exc.value.status, exc.value.action) == (status, action)
    with pytest.raises(lapor.IllegalTransition):
        lapor.target(status, action)


def test_forbidden_pairs_count():
    assert len(STATUSES) * len(ACTIONS) - len(EXPECTED) == 99 - 23


@pytest.mark.parametrize("status, expected", [
    ("RECEIVED", ["verify", "pend", "archive", "forward", "forward_out"]),
    ("PENDING_INFO", ["complete_info", "archive"]),
    ("ANSWERED", ["rate", "reopen", "accept"]),
    ("CLOSED_RESOLVED", ["rate"]),
    ("ARCHIVED", []),
    ("FORWARDED_OUT", []),
])
def test_allowed_actions_lists_actions_and_roles(status, expected):
    listed = lapor.allowed_actions(status)
    assert [a["action"] for a in listed] == expected
    for a in listed:
        assert set(a["roles"]) == EXPECTED_ROLES[a["action"]]


def test_a_second_received_event_and_an_action_before_receipt_are_refused():
    st = lapor.fold(None, received(), CAL)
    with pytest.raises(lapor.IllegalTransition):
        lapor.fold(st, {**received(), "seq": 2}, CAL)
    with pytest.raises(lapor.IllegalTransition):
        lapor.fold(None, event("verify", 1), CAL)
    with pytest.raises(ValueError):
        lapor.fold(st, {**event("verify", 2), "type": "complaint.teleported"}, CAL)


def test_forward_moves_the_holder_and_records_every_hop():
    st = state_in("DISPOSED")
    st = lapor.fold(st, event("forward", 3), CAL)
    assert st.holder_unit_id == OTHER
    st = lapor.fold(st, {**event("forward", 4), "data": {"to_unit_id": "rsud-aws"}}, CAL)
    assert [(h["from"], h["to"], h["via"]) for h in st.hops] == [
        (None, UNIT, "filed"), (UNIT, OTHER, "forwarded"), (OTHER, "rsud-aws", "forwarded")]
    assert st.holder_unit_id == "rsud-aws" and st.status == "DISPOSED"


def test_forward_before_verification_keeps_it_received_and_moves_the_holder():
    st = lapor.fold(state_in("RECEIVED"), event("forward", 2), CAL)
    assert (st.status, st.holder_unit_id) == ("RECEIVED", OTHER)
    st = lapor.fold(st, {**event("verify", 3), "data": {"holder_unit_id": OTHER}}, CAL)
    assert (st.status, st.holder_unit_id) == ("DISPOSED", OTHER)
