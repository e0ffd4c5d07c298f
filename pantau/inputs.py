"""Marshmallow fields for plausible client input, shared by the write services' schemas.

- `Text` (and `Url`, `Email`): a string of bounded length without control characters (C0, DEL,
  C1) or lone surrogates; `multiline` text (notes, minutes, suggestions) may hold tabs and line
  breaks. Such characters are never what a person typed; NUL is refused by the store, and the
  others break log lines, exports and the dashboard's tables. Both checks run before any other
  validator, so a megabyte of text never reaches a regular expression.
- `PastDateTime`: when something happened (an RFC 3339 date-time with offset), from
  `PANTAU_EARLIEST_DATE` (default 2000-01-01, 00:00 UTC) to now + 1 day (clock skew).
- `PlannedDate`: a date something is held or due, from `PANTAU_EARLIEST_DATE` to
  `PANTAU_PLAN_YEARS_AHEAD` years (default 2) after today in the province's time zone.
- `Bool`, `Number`: JSON's own types only: a boolean is `true` or `false` (not "yes", "1" or 1),
  a number is a JSON number (not the string "3", nor a boolean). marshmallow's fields take both,
  so `"anonymous": "false"` was stored as a choice nobody made (issue 19); whole numbers are
  `fields.Integer(strict=True)`.
Dates outside these windows once answered 500 (a date past year 9999 in the province's time
zone) or were stored (a forum held in year 1); they are 422 field errors now.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import ValidationError, fields, validate

from .config import settings

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROLS_BUT_LAYOUT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")  # \t \n \r allowed
# the same rule as a JSON Schema pattern, for the OpenAPI document (a field without a pattern of
# its own states it; a field with its own pattern allows no control character anyway). Lone
# surrogates are left out of it: ECMA-262 and Rust validators refuse `\ud800` in a pattern (and the
# pattern with it), and no JSON body carries one to a field (orjson refuses it: 400)
TEXT_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f]*$"
MULTILINE_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"
URL_PATTERN = (r"^https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
               r"(?::[0-9]{1,5})?(?:/[!#-~]*)?$")
"""What a URL is here: http(s), a host name with a top-level domain, an optional port and path of
printable ASCII (no spaces): the server checks this very pattern, so the document and the server
agree on it (marshmallow's own URL check accepted more than a pattern can say)."""
_SEEN = r"[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"  # a character that is not whitespace


def not_blank_pattern(chars: int) -> str:
    """A multiline text whose stripped length is at least `chars` (1 or more), as a pattern."""
    assert chars >= 1
    anything = MULTILINE_PATTERN[1:-2]  # the character class
    middle = "" if chars == 1 else f"{anything}{{{chars - 2},}}{_SEEN}"
    return f"^{anything}*{_SEEN}{middle}{anything}*$"


CONTROL_MESSAGE = "Control characters (line breaks, tabs, NUL, ...) are not allowed."
CONTROL_MESSAGE_MULTILINE = "Control characters other than line breaks and tabs (e.g. NUL) are not allowed."
CLOCK_SKEW = timedelta(days=1)


def check_text(value: str, min_length: int, max_length: int, multiline: bool = False) -> str:
    """`value` if it is min_length..max_length characters long without control characters."""
    validate.Length(min_length or None, max_length)(value)
    if (_CONTROLS_BUT_LAYOUT if multiline else _CONTROLS).search(value):
        raise ValidationError(CONTROL_MESSAGE_MULTILINE if multiline else CONTROL_MESSAGE)
    return value


class _Bounded:
    """Mixin for string fields: the length and control-character check, before the validators."""

    def _bound(self, min_length: int, max_length: int, multiline: bool) -> None:
        self.text_bounds = (min_length, max_length, multiline)
        # the same bound as a validator too, so the OpenAPI document states minLength/maxLength
        self.validators.append(validate.Length(min_length or None, max_length))  # type: ignore[attr-defined]
        if not any(isinstance(getattr(v, "regex", None), re.Pattern) for v in self.validators):  # type: ignore[attr-defined]
            self.metadata.setdefault("pattern", MULTILINE_PATTERN if multiline else TEXT_PATTERN)  # type: ignore[attr-defined]

    def _deserialize(self, value: Any, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)  # type: ignore[misc]
        return check_text(text, *self.text_bounds)


class Text(_Bounded, fields.String):
    def __init__(self, min_length: int = 0, max_length: int = 200, *, multiline: bool = False, **kwargs):
        super().__init__(**kwargs)
        self._bound(min_length, max_length, multiline)


class Url(_Bounded, fields.String):
    """An http(s) URL (URL_PATTERN), never empty."""

    def __init__(self, max_length: int = 2000, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("format", "uri")
        super().__init__(validate=validate.Regexp(URL_PATTERN, error="Not a valid URL."), **kwargs)
        self._bound(1, max_length, False)


EMAIL_PATTERN = (r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                 r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
"""What an e-mail address is here (a dot-atom local part, a host name with a top-level domain):
the server checks this very pattern, as for URL_PATTERN (marshmallow's own check and JSON Schema's
`format: email` disagree at the edges, e.g. `0@0.a`)."""


class Email(_Bounded, fields.String):
    def __init__(self, max_length: int = 254, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("format", "email")
        super().__init__(validate=validate.Regexp(EMAIL_PATTERN, error="Not a valid email address."), **kwargs)
        self._bound(0, max_length, False)


def earliest_date() -> date:
    return settings().earliest_date


def _outside(lo, hi) -> ValidationError:
    return ValidationError(f"Must lie between {lo.isoformat()} and {hi.isoformat()}.")


def past_window(now: datetime | None = None) -> tuple[datetime, datetime]:
    """(earliest, latest) moment a `PastDateTime` may name."""
    now = now or datetime.now(timezone.utc)
    return datetime.combine(earliest_date(), time(0), timezone.utc), (now + CLOCK_SKEW).replace(microsecond=0)


def _years_after(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def planned_window(today: date | None = None) -> tuple[date, date]:
    """(earliest, latest) date a `PlannedDate` may name."""
    s = settings()
    today = today or datetime.now(ZoneInfo(s.tz)).date()
    return s.earliest_date, _years_after(today, s.plan_years_ahead)


def _window_doc(kwargs: dict, text: str) -> dict:
    """The window in the field's OpenAPI description (JSON Schema has no bound for a date)."""
    metadata = dict(kwargs.pop("metadata", None) or {})
    metadata["description"] = (metadata["description"] + " " if metadata.get("description") else "") + text
    return {**kwargs, "metadata": metadata}


PAST_WINDOW_DOC = "Dari PANTAU_EARLIEST_DATE (bawaan 2000-01-01) sampai sekarang + 1 hari."
PLANNED_WINDOW_DOC = "Dari PANTAU_EARLIEST_DATE (bawaan 2000-01-01) sampai PANTAU_PLAN_YEARS_AHEAD (bawaan 2) tahun ke depan."


class PastDateTime(fields.AwareDateTime):
    """Compared as aware datetimes (no conversion to another zone, which overflows near the
    ends of the calendar)."""

    def __init__(self, **kwargs):
        super().__init__(**_window_doc(kwargs, PAST_WINDOW_DOC))

    def _deserialize(self, value: Any, attr, data, **kwargs) -> datetime:
        dt = super()._deserialize(value, attr, data, **kwargs)
        lo, hi = past_window()
        if not lo <= dt <= hi:
            raise _outside(lo, hi)
        return dt


class PlannedDate(fields.Date):
    def __init__(self, **kwargs):
        super().__init__(**_window_doc(kwargs, PLANNED_WINDOW_DOC))

    def _deserialize(self, value: Any, attr, data, **kwargs) -> date:
        d = super()._deserialize(value, attr, data, **kwargs)
        lo, hi = planned_window()
        if not lo <= d <= hi:
            raise _outside(lo, hi)
        return d


class PastDate(fields.Date):
    """A date something happened (a survey's first or last day): from the earliest date to
    tomorrow in the province's time zone (clock skew)."""

    def __init__(self, **kwargs):
        super().__init__(**_window_doc(kwargs, PAST_WINDOW_DOC))

    def _deserialize(self, value: Any, attr, data, **kwargs) -> date:
        d = super()._deserialize(value, attr, data, **kwargs)
        lo = earliest_date()
        hi = datetime.now(ZoneInfo(settings().tz)).date() + CLOCK_SKEW
        if not lo <= d <= hi:
            raise _outside(lo, hi)
        return d


class Bool(fields.Boolean):
    """`true` or `false` as JSON has them; any other value (1, "true", "ya") is a field error."""

    def _deserialize(self, value: Any, attr, data, **kwargs) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class Number(fields.Float):
    """A JSON number (an integer or a fraction); a string or a boolean is a field error."""

    def _deserialize(self, value: Any, attr, data, **kwargs) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)
