"""Replays fold a complaint's log on one state they own (no copy per event): the result must be
what folding event by event on copies gives, the log must stay untouched, and the state must
share nothing with it. Also the two settle paths inside a replay, worked out by hand."""
from __future__ import annotations

import copy
import dataclasses
import random
from datetime import datetime, timedelta, timezone

import pytest

from pantau.rules import lapor
from pantau.rules.workdays import calendar_dir, load_dir

CAL = load_dir(calendar_dir())
TZ = timezone(timedelta(hours=8))
U, OTHER = "samsat-samarinda", "ptsp-kaltim"
START = datetime(2026, 3, 2, 9, tzinfo=TZ)


def received(at: datetime) -> dict:
    return {"type": lapor.RECEIVED_TYPE, "seq": 1, "time": at.isoformat(),
            "data": {"complaint_id": "C1", "unit_id": U, "channel": "lapor", "classification": "pengaduan",
                     "category": "antrean", "received_at": at.isoformat(), "anonymous": False,
                     "confidential": False, "status": "RECEIVED"}}


def ev(action: str, seq: int, at: datetime, **data) -> dict:
    return {"type": lapor.EVENT_TYPES[action], "seq": seq, "time": at.isoformat(), "data": data}


DATA = {"verify": {"holder_unit_id": U, "tags": ["loket"]}, "forward": {"to_unit_id": OTHER},
        "rate": {"satisfaction": 3}, "archive": {"reason": "duplikat"}, "forward_out": {"to_instansi": "bpjs"}}


def random_log(rnd: random.Random) -> list[dict]:
    """A legal log: each next action drawn from those the table allows after settling, with gaps of
    hours to weeks so that reply and pending-info windows sometimes end between events."""
    log, t = [received(START)], START
    st = lapor.replay(log, CAL)
    for seq in range(2, 2 + rnd.randint(2, 9)):
        waiting = st.status in ("ANSWERED", "PENDING_INFO")  # a window runs: let it end half the time
        t = t + timedelta(hours=rnd.choice([3, 20, 70, 1500] if waiting else [3, 20, 70, 300]))
        settled = lapor.settle(st, t, CAL)
        actions = [a for (s, a) in lapor.TRANSITIONS if s == settled.status]
        if not actions:
            break
        action = rnd.choice(sorted(actions))
        log.append(ev(action, seq, t, **copy.deepcopy(DATA.get(action, {}))))
        st = lapor.fold(st, log[-1], CAL)
    return log


def fold_on_copies(log: list[dict], strict: bool) -> lapor.ComplaintState | None:
    st = None
    for e in log:
        st = lapor.fold(st, e, CAL, strict)
    return st


def objects(x, seen=None) -> set[int]:
    """The ids of every mutable container in `x`: dicts, lists and the state's dataclasses."""
    seen = set() if seen is None else seen
    if dataclasses.is_dataclass(x):
        seen.add(id(x))
        for f in dataclasses.fields(x):
            objects(getattr(x, f.name), seen)
    elif isinstance(x, (dict, list)):
        seen.add(id(x))
        for v in (x.values() if isinstance(x, dict) else x):
            objects(v, seen)
    return seen


@pytest.mark.parametrize("seed", range(150))
def test_replay_and_state_at_equal_folding_on_copies(seed):
    rnd = random.Random(seed)
    log = random_log(rnd)
    pristine = copy.deepcopy(log)
    assert lapor.replay(log, CAL) == fold_on_copies(log, True)
    as_of = START + timedelta(hours=rnd.randint(0, 24 * 200))
    upto = [e for e in log if datetime.fromisoformat(e["time"]) <= as_of]
    st = lapor.state_at(log, as_of, CAL)
    assert st == lapor.settle(fold_on_copies(upto, False), as_of, CAL)
    assert log == pristine
    assert not objects(st) & objects(log)


def test_a_window_that_ended_between_events_is_settled_inside_the_replay():
    answered = START + timedelta(days=2)
    log = [received(START), ev("verify", 2, START + timedelta(days=1), holder_unit_id=U),
           ev("resolve", 3, answered), ev("rate", 4, answered + timedelta(days=40), satisfaction=2)]
    st = lapor.replay(log, CAL)
    # the 10-working-day reply window ended before the rating: auto-closed, then rated
    assert st.status == "CLOSED_RESOLVED" and st.auto_closed is True
    assert [t["action"] for t in st.transitions] == ["receive", "verify", "resolve", "auto_close", "rate"]
    assert st.ratings[0]["satisfaction"] == 2


def test_lenient_replay_applies_an_event_to_the_state_before_the_window_ended():
    answered = START + timedelta(days=2)
    log = [received(START), ev("verify", 2, START + timedelta(days=1), holder_unit_id=U),
           ev("resolve", 3, answered), ev("reopen", 4, answered + timedelta(days=40))]
    with pytest.raises(lapor.IllegalTransition):
        lapor.replay(log, CAL)  # strict: CLOSED_RESOLVED cannot be reopened
    st = lapor.replay(log, CAL, strict=False)
    assert st.status == "REOPENED" and st.auto_closed is False and st.reopens == 1
    assert [t["action"] for t in st.transitions] == ["receive", "verify", "resolve", "reopen"]
