"""pantau/group_commit.py with real threads: grouping, per-item outcomes, a failing flush, and
nothing answered before the flush has returned."""
from __future__ import annotations

import threading

import pytest

from pantau.group_commit import GroupCommit


class Recorder:
    """A flush that records its groups; item "bad:*" gets its own error, "boom" fails the flush."""

    def __init__(self, gate: threading.Event | None = None):
        self.groups: list[list[str]] = []
        self.gate = gate
        self.entered = threading.Event()

    def __call__(self, items: list[str]):
        self.groups.append(list(items))
        self.entered.set()
        if self.gate is not None:
            assert self.gate.wait(10)
        if "boom" in items:
            raise ConnectionError("store down")
        return [ValueError(i) if i.startswith("bad:") else i.upper() for i in items]


def submit_all(gc: GroupCommit, items: list[str]) -> dict[str, object]:
    """Each item from its own thread, all released at once; item -> its result or exception."""
    out: dict[str, object] = {}
    start = threading.Barrier(len(items))

    def one(item: str) -> None:
        start.wait()
        try:
            out[item] = gc.submit(item)
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            out[item] = exc
    threads = [threading.Thread(target=one, args=(i,)) for i in items]
    [t.start() for t in threads]
    [t.join(20) for t in threads]
    assert not any(t.is_alive() for t in threads)
    return out


def test_concurrent_items_are_flushed_in_one_group_and_each_gets_its_own_result():
    flush = Recorder()
    # a long window: the group is flushed because all four came (max_items), not by the clock
    gc = GroupCommit(flush, window_s=30, max_items=4)
    out = submit_all(gc, ["a", "b", "c", "d"])
    assert out == {"a": "A", "b": "B", "c": "C", "d": "D"}
    assert len(flush.groups) == 1 and sorted(flush.groups[0]) == ["a", "b", "c", "d"]


def test_an_item_error_answers_only_its_own_caller():
    gc = GroupCommit(Recorder(), window_s=30, max_items=3)
    out = submit_all(gc, ["a", "bad:b", "c"])
    assert out["a"] == "A" and out["c"] == "C"
    assert isinstance(out["bad:b"], ValueError) and str(out["bad:b"]) == "bad:b"


def test_a_failing_flush_answers_every_caller_of_the_group_with_its_error():
    flush = Recorder()
    gc = GroupCommit(flush, window_s=30, max_items=3)
    out = submit_all(gc, ["a", "boom", "c"])
    assert len(flush.groups) == 1
    assert all(isinstance(v, ConnectionError) for v in out.values()), out


def test_nobody_is_answered_before_the_flush_has_returned():
    gate = threading.Event()
    flush = Recorder(gate)
    gc = GroupCommit(flush, window_s=30, max_items=2)
    answered: list[str] = []

    def one(item):
        gc.submit(item)
        answered.append(item)
    threads = [threading.Thread(target=one, args=(i,)) for i in ("a", "b")]
    [t.start() for t in threads]
    assert flush.entered.wait(10)  # the flush is under way (both items in it) ...
    [t.join(0.2) for t in threads]
    assert answered == [] and all(t.is_alive() for t in threads)  # ... and holds both answers
    gate.set()
    [t.join(10) for t in threads]
    assert sorted(answered) == ["a", "b"]


def test_a_lone_item_is_flushed_when_its_window_ends():
    flush = Recorder()
    gc = GroupCommit(flush, window_s=0.01, max_items=4)
    assert gc.submit("x") == "X"
    assert flush.groups == [["x"]]


def test_the_next_window_opens_while_a_group_is_flushing():
    gate = threading.Event()
    flush = Recorder(gate)
    gc = GroupCommit(flush, window_s=30, max_items=1)
    first = threading.Thread(target=gc.submit, args=("a",))
    first.start()
    assert flush.entered.wait(10)
    flush.gate = None  # the second group is not held
    assert gc.submit("b") == "B"  # flushed while the first group still waits on its store
    assert first.is_alive()
    gate.set()
    first.join(10)
    assert flush.groups == [["a"], ["b"]]


@pytest.mark.parametrize("window", [0, -1])
def test_window_zero_disables_grouping(window):
    flush = Recorder()
    gc = GroupCommit(flush, window_s=window, max_items=4)
    out = submit_all(gc, ["a", "b", "c"])
    assert out == {"a": "A", "b": "B", "c": "C"}
    assert sorted(flush.groups) == [["a"], ["b"], ["c"]]
    assert gc.groups == 0  # never a window


def test_a_flush_returning_the_wrong_number_of_outcomes_fails_every_caller():
    gc = GroupCommit(lambda items: [], window_s=30, max_items=2)
    out = submit_all(gc, ["a", "b"])
    assert all(isinstance(v, RuntimeError) for v in out.values())
