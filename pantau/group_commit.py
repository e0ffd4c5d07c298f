"""Group commit: concurrent callers in one process hand their item to `submit`; the items that
arrive within a short window are written by one `flush` call, and each caller gets back its own
outcome, only once the whole flush has returned (so nothing is answered before it is durable).

The first caller of a window is its *leader*: it waits up to `window_s` (less once `max_items`
have come, e.g. every request thread of the worker), takes every item that arrived, calls `flush(items)` in its own thread and hands each
follower its outcome. `flush` returns one outcome per item, in order: a value, or an exception
for that item alone (a conflict, a validation error); if `flush` itself raises (the store is
down), every caller of the group gets that exception. While a leader flushes, the next caller
opens the next window, so a slow flush does not hold new arrivals back. `window_s <= 0` disables
grouping: each caller flushes its own item at once.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

DEFAULT_WINDOW_MS = 3.0

T = TypeVar("T")


def window_s() -> float:
    """The grouping window of this process's group commits (PANTAU_GROUP_COMMIT_MS, 0 disables)."""
    return max(0.0, float(os.environ.get("PANTAU_GROUP_COMMIT_MS") or DEFAULT_WINDOW_MS)) / 1000.0


def max_group() -> int:
    """A worker's request threads (deploy/gunicorn.conf.py): once each has an item waiting, no other
    can come, so the group is written at once."""
    return max(1, int(os.environ.get("PANTAU_THREADS") or 4))

R = TypeVar("R")


class _Waiter(Generic[T]):
    __slots__ = ("item", "done", "outcome")

    def __init__(self, item: T):
        self.item = item
        self.done = threading.Event()
        self.outcome: object = None


class GroupCommit(Generic[T, R]):
    def __init__(self, flush: Callable[[list[T]], Sequence[R | BaseException]], window_s: float,
                 max_items: int = 64):
        self.flush = flush
        self.window_s = window_s
        self.max_items = max(1, max_items)
        self._cond = threading.Condition()
        self._pending: list[_Waiter[T]] = []
        self._leading = False  # a leader is collecting the current window
        self.groups = 0  # flushes so far (metrics and tests)

    def submit(self, item: T) -> R:
        """Write `item` with whatever else arrives in the window; its outcome, or raise its error."""
        if self.window_s <= 0:
            outcome = self.flush([item])[0]
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome
        me = _Waiter(item)
        with self._cond:
            self._pending.append(me)
            lead = not self._leading
            if lead:
                self._leading = True
            elif len(self._pending) >= self.max_items:
                self._cond.notify_all()  # the window is full: the leader need not wait any longer
        if lead:
            self._lead()
        me.done.wait()
        if isinstance(me.outcome, BaseException):
            raise me.outcome
        return me.outcome  # type: ignore[return-value]

    def _lead(self) -> None:
        with self._cond:
            self._cond.wait_for(lambda: len(self._pending) >= self.max_items, timeout=self.window_s)
            group, self._pending = self._pending, []
            self._leading = False  # the next caller opens the next window
            self.groups += 1
        try:
            outcomes: Sequence[object] = self.flush([w.item for w in group])
            if len(outcomes) != len(group):
                raise RuntimeError(f"flush returned {len(outcomes)} outcomes for {len(group)} items")
        except BaseException as exc:  # noqa: BLE001 - every caller of the group gets it
            outcomes = [exc] * len(group)
        for w, o in zip(group, outcomes, strict=True):
            w.outcome = o
            w.done.set()
