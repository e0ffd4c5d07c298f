"""Appending the next event of a subject in the survey service's log (settings, RTL items,
publications, PEKPPP scores, summaries) through `pantau.commands`, and the checks of a unit and
a period those routes share."""
from __future__ import annotations

from flask import g

from pantau import auth, commands
from pantau.messages import msg
from pantau.problems import ProblemError
from pantau.rules.periods import parse_period
from pantau.units import Registry

from .api import events


def own_unit(unit_id: str, kinds: tuple[str, ...] = ("upp",)) -> None:
    """404 unless `unit_id` is a registered unit of one of `kinds`; 403 unless the key may act for it."""
    unit = Registry.instance().get(unit_id)
    if unit is None or unit.kind not in kinds:
        raise ProblemError(404, msg("Unit not found."),
                           errors=[{"pointer": "/unit_id", "field": "unit_id", "message": msg("unknown")}])
    auth.check_unit(unit_id, "/unit_id")


def period_or_422(raw: str) -> str:
    """The canonical period (`2026`, `2026-Q1`, …), or 422 naming `period`."""
    try:
        return str(parse_period(raw))
    except ValueError as exc:
        raise ProblemError(422, msg("Invalid period: %(exc)s", exc=exc),
                           errors=[{"pointer": "/period", "field": "period", "message": str(exc)}]) from None


digest = commands.content_hash


def append_event(subject: str, etype: str, data: dict, key: str, private: dict, prior: dict | None,
                 dataversion: int = 1) -> commands.Result:
    """Store the next event of `subject` after `prior` (its head); 409 when another request's got there first."""
    return commands.append_next(events(), "survey", subject, etype, data, key=key, chash=digest(private),
                                private=private, head=prior, correlation_id=g.get("correlation_id"),
                                dataversion=dataversion).or_409()
