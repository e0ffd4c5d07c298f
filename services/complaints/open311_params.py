"""Open311 GeoReport v2 query parameters: parsing and the spec's rules, as 400/404 errors.

- `jurisdiction_id`: optional (Pantau serves one jurisdiction); `kaltim` or absent, any other
  value is 404 (the spec's "jurisdiction_id provided was not found").
- An empty parameter counts as not given (the spec's "Optional Arguments": the response is the
  same whether a parameter is passed empty or not at all).
- `status`: `open`, `closed` or both, comma-separated; anything else 400.
- `start_date`, `end_date`: W3C date-times with a time and an offset (`Z` or `±hh:mm`); a `+`
  decoded to a space by the query string is read back as `+`. End before start, or a range over
  90 days, is 400. Only one given: the 90 days after start / before end; neither: the last 90 days.
- `service_request_id`: comma list (at most MAX_IDS); it overrides every other filter (the other
  parameters are still checked).
- `service_code`: comma list; unknown codes match nothing.
Pure: no Flask, no store; errors are ProblemError(400|404), which the Open311 routes answer as
GeoReport error documents.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pantau.messages import Message, msg
from pantau.problems import ProblemError

JURISDICTION = "kaltim"
MAX_DAYS = 90
MAX_IDS = 1000
STATUSES = ("open", "closed")
W3C_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class RequestQuery:
    """What `GET requests.{format}` asks for: ids (overriding the rest), or a window and filters."""
    ids: frozenset[str]
    start: datetime
    end: datetime
    service_codes: frozenset[str]
    statuses: frozenset[str]

    def matches(self, item: dict, received: datetime) -> bool:
        if self.ids:
            return item["service_request_id"] in self.ids
        return (self.start <= received <= self.end
                and (not self.service_codes or item["service_code"] in self.service_codes)
                and (not self.statuses or item["status"] in self.statuses))


def bad(detail: Message) -> ProblemError:
    return ProblemError(400, detail)


def _arg(args: Mapping[str, str], name: str) -> str | None:
    raw = args.get(name)
    return raw if raw else None


def check_jurisdiction(args: Mapping[str, str]) -> None:
    j = _arg(args, "jurisdiction_id")
    if j is not None and j != JURISDICTION:
        raise ProblemError(404, msg("jurisdiction_id %(j)r not found; this endpoint serves %(jurisdiction)s.",
                                     j=j, jurisdiction=JURISDICTION))


def comma_list(args: Mapping[str, str], name: str) -> frozenset[str]:
    raw = _arg(args, name)
    if raw is None:
        return frozenset()
    items = [i.strip() for i in raw.split(",")]
    if any(not i for i in items):
        raise bad(msg("%(name)s has an empty item in its comma list.", name=name))
    return frozenset(items)


def w3c_datetime(args: Mapping[str, str], name: str) -> datetime | None:
    raw = _arg(args, name)
    if raw is None:
        return None
    raw = raw.replace(" ", "+")
    try:
        t = datetime.fromisoformat(raw.replace("Z", "+00:00")) if W3C_DATETIME.match(raw) else None
    except ValueError:
        t = None
    if t is None:
        raise bad(msg("%(name)s must be a W3C date-time with an offset, e.g. 2026-01-31T08:00:00+08:00.", name=name))
    return t


def request_query(args: Mapping[str, str], now: datetime) -> RequestQuery:
    """The query of `GET requests.{format}`, or ProblemError(400/404)."""
    check_jurisdiction(args)
    ids = comma_list(args, "service_request_id")
    if len(ids) > MAX_IDS:
        raise bad(msg("At most %(max_ids)s service_request_id.", max_ids=MAX_IDS))
    codes = comma_list(args, "service_code")
    statuses = comma_list(args, "status")
    if statuses - set(STATUSES):
        raise bad(msg("status is open, closed or both (comma-separated)."))
    start, end = w3c_datetime(args, "start_date"), w3c_datetime(args, "end_date")
    span = timedelta(days=MAX_DAYS)
    if start is not None and end is not None:
        if end < start:
            raise bad(msg("end_date is before start_date."))
        if end - start > span:
            raise bad(msg("The start_date–end_date range may not span more than %(max_days)s days.",
                          max_days=MAX_DAYS))
    elif start is not None:
        end = start + span
    elif end is not None:
        start = end - span
    else:
        start, end = now - span, now
    assert start is not None and end is not None
    return RequestQuery(ids=ids, start=start, end=end, service_codes=codes, statuses=statuses)
