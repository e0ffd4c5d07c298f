"""A request's time budget: its store operations are bounded by `pymongo.timeout`, its long pure
loops by a cooperative `check()`; both run out at the same moment (a context variable per request)."""
from __future__ import annotations

import time
from contextvars import ContextVar, Token

import pymongo

_at: ContextVar[float | None] = ContextVar("pantau_deadline_at", default=None)


class DeadlineExceeded(Exception):
    """The budget ran out inside a pure loop (a store operation raises pymongo's timeout instead)."""


class Within:
    """`with Within(seconds):` sets the budget; can also be entered and left by request hooks."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._token: Token | None = None
        self._store = pymongo.timeout(seconds)

    def __enter__(self) -> Within:
        self._token = _at.set(time.monotonic() + self.seconds)
        self._store.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._store.__exit__(*exc)
        if self._token is not None:
            _at.reset(self._token)
            self._token = None


def expired(slack: float = 0.05) -> bool:
    """The current budget has (all but `slack` seconds) run out; False without a budget."""
    at = _at.get()
    return at is not None and time.monotonic() >= at - slack


def check() -> None:
    """Raise DeadlineExceeded when the current budget has run out (one clock read; cheap)."""
    at = _at.get()
    if at is not None and time.monotonic() >= at:
        raise DeadlineExceeded
