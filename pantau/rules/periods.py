"""Reporting periods for SKM (domain.md §1.1: triwulan, semester or tahun; minimum yearly).

Period strings: ``2024`` (year), ``2024-S1``/``2024-S2`` (semester), ``2024-Q1``..``Q4``
(quarter, *triwulan*), ``2024-01``..``2024-12`` (month). Periods are half-open
``[start, end)`` in the province's local time (Kalimantan Timur: WITA, Asia/Makassar,
UTC+8), so a response is assigned by its local calendar month.

Pure functions, stdlib + zoneinfo only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_TZ",
    "KINDS",
    "Period",
    "parse_period",
    "month_key",
    "period_containing",
    "periods_for_year",
]

DEFAULT_TZ = "Asia/Makassar"  # WITA, UTC+8, no DST

# kind -> (number of periods per year, months per period)
_SHAPE: dict[str, tuple[int, int]] = {
    "year": (1, 12),
    "semester": (2, 6),
    "quarter": (4, 3),
    "month": (12, 1),
}
KINDS: tuple[str, ...] = tuple(_SHAPE)

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("year", re.compile(r"([0-9]{4})")),
    ("semester", re.compile(r"([0-9]{4})-S([0-9])")),
    ("quarter", re.compile(r"([0-9]{4})-Q([0-9])")),
    ("month", re.compile(r"([0-9]{4})-([0-9]{2})")),
)

PERIOD_PATTERN = r"^([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])(-S[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$"
"""What parse_period takes, as a JSON Schema pattern (the OpenAPI documents state it)."""

TzLike = str | tzinfo


def _zone(tz: TzLike) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


@dataclass(frozen=True)
class Period:
    """A reporting period: ``kind`` in year/semester/quarter/month, ``year`` and a
    1-based ``index`` within the year (always 1 for kind "year")."""

    kind: str
    year: int
    index: int = 1

    def __post_init__(self) -> None:
        if self.kind not in _SHAPE:
            raise ValueError(f"unknown period kind {self.kind!r}; expected one of {KINDS}")
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise ValueError(f"period year must be an int, got {self.year!r}")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"period year must be within 1..9999, got {self.year}")
        count = _SHAPE[self.kind][0]
        if isinstance(self.index, bool) or not isinstance(self.index, int):
            raise ValueError(f"period index must be an int, got {self.index!r}")
        if not 1 <= self.index <= count:
            raise ValueError(
                f"{self.kind} index must be within 1..{count}, got {self.index}"
            )

    @property
    def first_month(self) -> int:
        """Calendar month (1..12) in which the period starts."""
        return (self.index - 1) * _SHAPE[self.kind][1] + 1

    @property
    def months(self) -> tuple[str, ...]:
        """The "YYYY-MM" month keys covered by the period, in order."""
        first = self.first_month
        return tuple(
            f"{self.year:04d}-{m:02d}" for m in range(first, first + _SHAPE[self.kind][1])
        )

    def __str__(self) -> str:
        if self.kind == "year":
            return f"{self.year:04d}"
        if self.kind == "semester":
            return f"{self.year:04d}-S{self.index}"
        if self.kind == "quarter":
            return f"{self.year:04d}-Q{self.index}"
        return f"{self.year:04d}-{self.index:02d}"

    def previous(self) -> Period:
        """The previous period of the same kind (2024-Q1 -> 2023-Q4)."""
        if self.index > 1:
            return Period(self.kind, self.year, self.index - 1)
        return Period(self.kind, self.year - 1, _SHAPE[self.kind][0])

    def next(self) -> Period:
        """The next period of the same kind (2024-Q4 -> 2025-Q1)."""
        if self.index < _SHAPE[self.kind][0]:
            return Period(self.kind, self.year, self.index + 1)
        return Period(self.kind, self.year + 1, 1)

    def start(self, tz: TzLike = DEFAULT_TZ) -> datetime:
        """Inclusive start: local midnight of the first day, as an aware datetime."""
        return datetime(self.year, self.first_month, 1, tzinfo=_zone(tz))

    def end(self, tz: TzLike = DEFAULT_TZ) -> datetime:
        """Exclusive end (= start of the next period), as an aware datetime."""
        return self.next().start(tz)

    def contains(self, dt_aware: datetime, tz: TzLike = DEFAULT_TZ) -> bool:
        """True if the aware datetime falls in ``[start, end)`` in time zone ``tz``."""
        _require_aware(dt_aware)
        return self.start(tz) <= dt_aware < self.end(tz)


def parse_period(s: str) -> Period:
    """Parse a period string (``2024``, ``2024-S1``, ``2024-Q3``, ``2024-07``).

    Raises ``ValueError`` with an explanatory message on anything else.
    """
    if not isinstance(s, str):
        raise ValueError(f"period must be a string, got {type(s).__name__}")
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(s)
        if match:
            year = int(match.group(1))
            index = int(match.group(2)) if kind != "year" else 1
            try:
                return Period(kind, year, index)
            except ValueError as exc:
                raise ValueError(f"invalid period {s!r}: {exc}") from None
    raise ValueError(
        f"invalid period {s!r}: expected YYYY, YYYY-S1..S2, YYYY-Q1..Q4 or YYYY-MM"
    )


def _require_aware(dt: datetime) -> None:
    if not isinstance(dt, datetime):
        raise ValueError(f"expected a datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware (naive datetimes are ambiguous)")


def month_key(dt_aware: datetime, tz_name: str = DEFAULT_TZ) -> str:
    """Month key "YYYY-MM" of an aware datetime in the province time zone.

    Example: 2024-06-30T23:30+00:00 is 2024-07-01 07:30 in Makassar -> "2024-07".
    """
    _require_aware(dt_aware)
    local = dt_aware.astimezone(ZoneInfo(tz_name))
    return f"{local.year:04d}-{local.month:02d}"


def period_containing(dt_aware: datetime, kind: str, tz_name: str = DEFAULT_TZ) -> Period:
    """The period of ``kind`` that contains the aware datetime (local time ``tz_name``)."""
    if kind not in _SHAPE:
        raise ValueError(f"unknown period kind {kind!r}; expected one of {KINDS}")
    key = month_key(dt_aware, tz_name)
    year, month = int(key[:4]), int(key[5:])
    return Period(kind, year, (month - 1) // _SHAPE[kind][1] + 1)


def periods_for_year(year: int, kind: str) -> list[Period]:
    """All periods of ``kind`` in ``year``, in calendar order."""
    if kind not in _SHAPE:
        raise ValueError(f"unknown period kind {kind!r}; expected one of {KINDS}")
    return [Period(kind, year, i) for i in range(1, _SHAPE[kind][0] + 1)]
