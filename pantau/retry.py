"""Retry policy shared by the long-running workers (consumer, relays), built on tenacity.

Two kinds of failure are told apart by `transient`: the store or the broker is unreachable or
too slow (retried without limit, with backoff), and everything else, which a retry may or may
not cure (retried a bounded number of times, then the caller decides: the consumer parks the
record that keeps failing, see pantau/consumer.py).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from kafka.errors import KafkaError
from tenacity import RetryCallState, Retrying, retry_if_not_exception_type, stop_after_attempt, wait_exponential_jitter

from .mongo import STORE_ERRORS

T = TypeVar("T")

TRANSIENT: tuple[type[BaseException], ...] = (*STORE_ERRORS, KafkaError)

_WAIT = wait_exponential_jitter(multiplier=0.2, max=5.0, jitter=0.2)


def transient(exc: BaseException) -> bool:
    return isinstance(exc, TRANSIENT)


def backoff_s(attempt: int) -> float:
    """Seconds to wait before retry number `attempt` (1-based): 0.2 s doubling to 5 s, jittered."""
    state = RetryCallState(Retrying(), None, (), {})
    state.attempt_number = max(1, attempt)
    return float(_WAIT(state))


def bounded(fn: Callable[[], T], attempts: int, wait_max_s: float = 1.0,
            sleep: Callable[[float], None] | None = None) -> T:
    """`fn()`, retried up to `attempts` times in all when it raises a non-transient error; a
    transient error is raised at once (the caller retries those without limit), and the last
    non-transient error is raised when the attempts are spent."""
    retrying = Retrying(stop=stop_after_attempt(attempts), retry=retry_if_not_exception_type(TRANSIENT),
                        wait=wait_exponential_jitter(multiplier=0.05, max=wait_max_s, jitter=0.05), reraise=True)
    if sleep is not None:
        retrying = retrying.copy(sleep=sleep)
    return retrying(fn)
