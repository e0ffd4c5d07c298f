"""FKP rules (pantau/rules/fkp.py): the promise state machine, stages, progress checks, evaluation
at a moment, overdue, median and the SKM impact windows. Expected values are written out here."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from pantau.messages import msg
from pantau.rules import fkp as rules

T0 = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)

# every (action, current status, requested) → resulting status, or "409" when refused
EXPECTED = {
    ("progress", "planned", "planned"): "planned",
    ("progress", "planned", "in_progress"): "in_progress",
    ("progress", "planned", "fulfilled"): "fulfilled",
    ("progress", "planned", "dropped"): "dropped",
    ("progress", "in_progress", "planned"): "409",
    ("progress", "in_progress", "in_progress"): "in_progress",
    ("progress", "in_progress", "fulfilled"): "fulfilled",
    ("progress", "in_progress", "dropped"): "dropped",
    ("feedback", "fulfilled", "confirm"): "fulfilled",
    ("feedback", "fulfilled", "dispute"): "disputed",
    ("review", "disputed", "dispute_upheld"): "in_progress",
    ("review", "disputed", "dispute_rejected"): "fulfilled",
}
REQUESTS = {"progress": rules.UNIT_TARGETS, "feedback": rules.VERDICTS, "review": rules.DECISIONS}


def reason(exc: rules.Illegal, lang: str = "id") -> str:
    """The refusal as the service answers it (pantau/messages.py catalogs)."""
    return msg(exc.reason, **exc.params).render(lang)


@pytest.mark.parametrize("action, current, requested", [
    (a, c, r) for a, reqs in REQUESTS.items() for c in rules.PROMISE_STATUSES for r in reqs])
def test_transition_table(action, current, requested):
    expected = EXPECTED.get((action, current, requested), "409")
    if expected == "409":
        with pytest.raises(rules.Illegal) as exc:
            rules.next_status(action, current, requested, forum_stage="held")
        assert exc.value.kind == "conflict" and reason(exc.value) != reason(exc.value, "en")
        assert "%(" not in reason(exc.value) + reason(exc.value, "en")  # every parameter given
    else:
        assert rules.next_status(action, current, requested, forum_stage="held") == expected


def test_dispute_reopens_and_only_fulfilled_promises_take_feedback():
    assert rules.next_status("feedback", "fulfilled", "dispute") in rules.OPEN
    for status in ("planned", "in_progress", "disputed", "dropped"):
        with pytest.raises(rules.Illegal) as exc:
            rules.next_status("feedback", status, "confirm")
        assert "fulfilled" in reason(exc.value) and status in reason(exc.value)


@pytest.mark.parametrize("stage, ok", [("planned", False), ("held", True), ("closed", True)])
def test_fulfilled_needs_a_held_forum(stage, ok):
    if ok:
        assert rules.next_status("progress", "in_progress", "fulfilled", forum_stage=stage) == "fulfilled"
    else:
        with pytest.raises(rules.Illegal) as exc:
            rules.next_status("progress", "in_progress", "fulfilled", forum_stage=stage)
        assert exc.value.kind == "conflict" and "belum dilaksanakan" in reason(exc.value)
    # starting the work is fine before the forum is held
    assert rules.next_status("progress", "planned", "in_progress", forum_stage="planned") == "in_progress"


def test_dropped_and_fulfilled_are_final_for_the_unit():
    for status, word in (("dropped", "dibatalkan"), ("fulfilled", "sudah dipenuhi")):
        with pytest.raises(rules.Illegal) as exc:
            rules.next_status("progress", status, "in_progress", forum_stage="held")
        assert word in reason(exc.value)


@pytest.mark.parametrize("current, target, ok", [
    ("planned", "held", True), ("held", "closed", True), ("planned", "closed", False), ("held", "planned", False),
    ("closed", "held", False), ("held", "held", False)])
def test_stages_move_forward_one_step(current, target, ok):
    if ok:
        assert rules.next_stage(current, target) == target
    else:
        with pytest.raises(rules.Illegal):
            rules.next_stage(current, target)


def test_no_promise_on_a_closed_forum():
    rules.check_can_add_promise("planned")
    rules.check_can_add_promise("held")
    with pytest.raises(rules.Illegal):
        rules.check_can_add_promise("closed")


HELD_ON, TODAY = date(2026, 2, 10), date(2026, 3, 1)


@pytest.mark.parametrize("status, pct, evidence, reason, at_day, result", [
    ("fulfilled", None, 1, None, date(2026, 2, 20), 100),
    ("fulfilled", 100, 2, None, date(2026, 2, 20), 100),
    ("fulfilled", 90, 1, None, date(2026, 2, 20), "/progress_pct"),
    ("fulfilled", 100, 0, None, date(2026, 2, 20), "/evidence"),
    ("dropped", 10, 0, None, date(2026, 2, 20), "/reason"),
    ("dropped", 10, 0, "  ", date(2026, 2, 20), "/reason"),
    ("dropped", 10, 0, "anggaran dialihkan", date(2026, 2, 20), 10),
    ("planned", 20, 0, None, date(2026, 2, 20), "/progress_pct"),
    ("in_progress", 40, 0, None, date(2026, 2, 9), "/at"),
    ("in_progress", 40, 0, None, date(2026, 3, 2), 40),
    ("in_progress", 40, 0, None, date(2026, 3, 3), "/at"),
    ("in_progress", None, 0, None, date(2026, 2, 20), 0),
])
def test_check_progress(status, pct, evidence, reason, at_day, result):
    if isinstance(result, str):
        with pytest.raises(rules.Illegal) as exc:
            rules.check_progress(status, pct, evidence, reason, at_day, HELD_ON, TODAY)
        assert exc.value.kind == "invalid" and exc.value.pointer == result
    else:
        assert rules.check_progress(status, pct, evidence, reason, at_day, HELD_ON, TODAY) == result


def _h(minutes: int, kind: str, status: str, **kw) -> dict:
    return {"t": T0 + timedelta(minutes=minutes), "kind": kind, "status": status, **kw}


HISTORY = [
    _h(0, "recorded", "planned"),
    _h(10, "progress", "in_progress", at="2026-02-20T09:00:00+08:00", progress_pct=50),
    _h(20, "progress", "fulfilled", at="2026-02-27T09:00:00+08:00", progress_pct=100),
    _h(30, "feedback", "fulfilled", verdict="confirm"),
    _h(40, "feedback", "disputed", verdict="dispute"),
    _h(50, "review", "fulfilled", decision="dispute_rejected"),
    _h(60, "feedback", "disputed", verdict="dispute"),
    _h(70, "review", "in_progress", decision="dispute_upheld"),
]


@pytest.mark.parametrize("minute, status, pct, fulfilled_at, confirmations, disputes", [
    (-1, None, None, None, None, None),
    (0, "planned", 0, None, 0, 0),
    (15, "in_progress", 50, None, 0, 0),
    (20, "fulfilled", 100, "2026-02-27T09:00:00+08:00", 0, 0),
    (35, "fulfilled", 100, "2026-02-27T09:00:00+08:00", 1, 0),
    (45, "disputed", 100, None, 1, 1),
    (55, "fulfilled", 100, "2026-02-27T09:00:00+08:00", 1, 1),
    (65, "disputed", 100, None, 1, 2),
    (75, "in_progress", 100, None, 0, 2),
])
def test_state_at_folds_only_what_was_recorded_by_as_of(minute, status, pct, fulfilled_at, confirmations, disputes):
    state = rules.state_at(HISTORY, T0 + timedelta(minutes=minute))
    if status is None:
        assert state is None
        return
    assert (state["status"], state["progress_pct"], state["fulfilled_at"], state["confirmations"],
            state["disputes"]) == (status, pct, fulfilled_at, confirmations, disputes)


def test_entry_at():
    entries = [{"t": T0, "v": 1}, {"t": T0 + timedelta(days=1), "v": 2}]
    assert rules.entry_at(entries, T0 - timedelta(seconds=1)) is None
    assert rules.entry_at(entries, T0)["v"] == 1
    assert rules.entry_at(entries, T0 + timedelta(days=2))["v"] == 2


@pytest.mark.parametrize("status, target, day, days", [
    ("planned", date(2026, 3, 10), date(2026, 3, 10), None),  # due today: not yet overdue
    ("planned", date(2026, 3, 10), date(2026, 3, 11), 1),
    ("in_progress", date(2026, 3, 10), date(2026, 4, 9), 30),
    ("disputed", date(2026, 3, 10), date(2026, 3, 12), 2),
    ("fulfilled", date(2026, 3, 10), date(2026, 5, 1), None),
    ("dropped", date(2026, 3, 10), date(2026, 5, 1), None),
])
def test_overdue_days(status, target, day, days):
    assert rules.overdue_days(status, target, day) == days


def test_median_and_rate():
    assert rules.median([]) is None
    assert rules.median([35]) == 35.0
    assert rules.median([10, 40, 20]) == 20.0
    assert rules.median([10, 15, 20, 40]) == 17.5
    assert rules.rate_pct(1, 2) == 50.0 and rules.rate_pct(0, 0) is None and rules.rate_pct(2, 3) == 66.7


def test_order_elements_follows_the_rubric():
    assert rules.order_elements(["media", "akademisi", "media", "pengguna_layanan"]) == [
        "pengguna_layanan", "akademisi", "media"]


def test_impact_windows_skip_the_fulfilment_month_and_the_future():
    assert rules.add_months("2026-01", -1) == "2025-12" and rules.add_months("2025-11", 3) == "2026-02"
    before, after = rules.impact_windows("2026-05", "2026-11")
    assert before == ["2026-02", "2026-03", "2026-04"] and after == ["2026-06", "2026-07", "2026-08"]
    assert rules.impact_windows("2026-05", "2026-06")[1] == ["2026-06"]
    assert rules.impact_windows("2026-05", "2026-05")[1] == []


def tally(n: int, **sums: int):
    from pantau.rules.ikm import ELEMENTS
    from pantau.rules.skm_tally import SkmTally
    return SkmTally(n, {k: sums.get(k, n) for k in ELEMENTS})


def test_element_impact():
    # before: 20 respondents answering waktu 2 + 15 answering 3 → (40 + 45) / 35
    before = [tally(20, waktu=40, prosedur=60), tally(15, waktu=45, prosedur=45)]
    after = [tally(30, waktu=105, prosedur=90)]
    out = rules.element_impact(before, after, ["waktu", "prosedur"])
    assert out["state"] == "measured" and (out["respondents_before"], out["respondents_after"]) == (35, 30)
    assert out["elements"]["waktu"] == {"nrr_before": round(85 / 35, 4), "nrr_after": 3.5,
                                        "change": round(3.5 - round(85 / 35, 4), 4)}
    assert out["elements"]["prosedur"]["change"] == 0.0
    thin = rules.element_impact(before, [tally(29, waktu=100)], ["waktu"])
    assert thin["state"] == "not_enough_data" and thin["elements"]["waktu"]["change"] is None
    assert thin["elements"]["waktu"]["nrr_after"] == round(100 / 29, 4)
    empty = rules.element_impact([], [], ["waktu"])
    assert empty["state"] == "not_enough_data" and empty["elements"]["waktu"]["nrr_before"] is None
