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
Loaded by `@blp.arguments(RequestsQuery | JurisdictionQuery, location="query")`; no Flask, no store.
Errors are ProblemError(400|404), which the Open311 routes answer as GeoReport error documents.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

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


def _invalid(detail: Message) -> ValidationError:
    return ValidationError([detail])


def georeport_error(messages: Any) -> ProblemError:
    """The 400 for a schema's field errors: the first catalog message is the detail (the GeoReport
    error document has one description)."""
    def first(node: Any) -> Message | None:
        if isinstance(node, Message):
            return node
        for sub in (node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()):
            found = first(sub)
            if found is not None:
                return found
        return None
    return bad(first(messages) or msg("Check the fields listed."))


class Jurisdiction(fields.Field[str | None]):
    """`jurisdiction_id`: JURISDICTION or not given; another one is the spec's 404."""

    def __init__(self, **kwargs: Any):
        super().__init__(metadata={"type": "string", "description": f"opsional; hanya `{JURISDICTION}`"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str | None:
        if value and value != JURISDICTION:
            raise ProblemError(404, msg("jurisdiction_id %(j)r not found; this endpoint serves %(jurisdiction)s.",
                                         j=value, jurisdiction=JURISDICTION))
        return value or None


class CommaList(fields.Field[frozenset[str]]):
    """A comma list of non-empty items (empty or not given: none)."""

    def __init__(self, **kwargs: Any):
        super().__init__(metadata={"type": "string", **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> frozenset[str]:
        if not value:
            return frozenset()
        items = [i.strip() for i in str(value).split(",")]
        if any(not i for i in items):
            raise _invalid(msg("%(name)s has an empty item in its comma list.", name=attr))
        return frozenset(items)


class Statuses(CommaList):
    def __init__(self, **kwargs: Any):
        super().__init__(metadata={"description": "open, closed atau keduanya (dipisah koma)",
                                   "enum": ["open", "closed", "open,closed", "closed,open"]}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> frozenset[str]:
        statuses = super()._deserialize(value, attr, data, **kwargs)
        if statuses - set(STATUSES):
            raise _invalid(msg("status is open, closed or both (comma-separated)."))
        return statuses


class W3cDateTime(fields.Field[datetime | None]):
    """A W3C date-time with a time and an offset; a `+` decoded to a space is read back as `+`."""

    def __init__(self, **kwargs: Any):
        super().__init__(metadata={"type": "string", "format": "date-time"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> datetime | None:
        if not value:
            return None
        raw = str(value).replace(" ", "+")
        try:
            t = datetime.fromisoformat(raw.replace("Z", "+00:00")) if W3C_DATETIME.match(raw) else None
        except ValueError:
            t = None
        if t is None:
            raise _invalid(msg("%(name)s must be a W3C date-time with an offset, e.g. 2026-01-31T08:00:00+08:00.",
                               name=attr))
        return t


class JurisdictionQuery(Schema):
    """The query of every GeoReport operation but discovery."""
    jurisdiction_id = Jurisdiction()


class RequestsQuery(JurisdictionQuery):
    """The query of `GET requests.{format}`."""
    service_request_id = CommaList()
    service_code = CommaList()
    status = Statuses()
    start_date = W3cDateTime()
    end_date = W3cDateTime()

    @validates_schema
    def _rules(self, data: dict, **kwargs: Any) -> None:
        if len(data.get("service_request_id") or ()) > MAX_IDS:
            raise _invalid(msg("At most %(max_ids)s service_request_id.", max_ids=MAX_IDS))
        start, end = data.get("start_date"), data.get("end_date")
        if start is not None and end is not None:
            if end < start:
                raise _invalid(msg("end_date is before start_date."))
            if end - start > timedelta(days=MAX_DAYS):
                raise _invalid(msg("The start_date–end_date range may not span more than %(max_days)s days.",
                                   max_days=MAX_DAYS))


def window(query: dict, now: datetime) -> RequestQuery:
    """What a loaded RequestsQuery asks for: only one date given, the MAX_DAYS after start / before
    end; neither, the last MAX_DAYS."""
    start, end = query.get("start_date"), query.get("end_date")
    span = timedelta(days=MAX_DAYS)
    if start is None and end is not None:
        start = end - span
    elif start is not None and end is None:
        end = start + span
    elif start is None:
        start, end = now - span, now
    assert start is not None and end is not None
    return RequestQuery(ids=query.get("service_request_id") or frozenset(), start=start, end=end,
                        service_codes=query.get("service_code") or frozenset(),
                        statuses=query.get("status") or frozenset())


def request_query(args: Mapping[str, str], now: datetime) -> RequestQuery:
    """The query of `GET requests.{format}` from its raw parameters, or ProblemError(400/404), as
    the route loads it (`@blp.arguments(RequestsQuery, location="query")`)."""
    try:
        return window(RequestsQuery().load(dict(args)), now)
    except ValidationError as err:
        raise georeport_error(err.messages) from None
