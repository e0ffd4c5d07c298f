"""Domain errors: what a use case refuses, said without HTTP. pantau/web.py answers each as a
problem document with its status (`STATUS`), in the request's language (pantau/messages.py)."""
from __future__ import annotations

from typing import Any

from .messages import Message


class DomainError(Exception):
    """A refused command: `message` (a catalog message), field `errors` ({pointer, field,
    message}) and any `extra` members of the problem document."""

    def __init__(self, message: Message, *, errors: list[dict] | None = None, **extra: Any):
        super().__init__(message.render("en"))
        self.message, self.errors, self.extra = message, errors, extra


class Invalid(DomainError):
    """The request contradicts the rules (422)."""


class NotFound(DomainError):
    """The subject does not exist, or not for this caller (404)."""


class Conflict(DomainError):
    """The stored state forbids it: other content under the same id, a state that does not allow
    the change (409)."""


class Forbidden(DomainError):
    """The caller may not do this (403)."""


class Unavailable(DomainError):
    """It could not be done now; the same request may succeed later (503)."""


STATUS: dict[type[DomainError], int] = {Invalid: 422, NotFound: 404, Conflict: 409, Forbidden: 403, Unavailable: 503}


def status_of(exc: DomainError) -> int:
    """The HTTP status of `exc`; 500 for a DomainError of no kind above (a bug of its raiser)."""
    return next((status for cls, status in STATUS.items() if isinstance(exc, cls)), 500)
