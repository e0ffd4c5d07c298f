"""Working-day calendar (*hari kerja*) for complaint deadlines (domain.md §3.5).

A working day is Monday–Friday that is neither a national holiday (*hari libur nasional*, incl.
days set by Keppres such as election days) nor a *cuti bersama* day of the SKB 3 Menteri.
Both lists come from the shipped YAML files `deploy/calendar/<year>.yaml` (see the README
there), read once per process: updating a year (the SKB is amended now and then) needs an edit
and a restart, no code change. `PANTAU_CALENDAR_DIR` points elsewhere.

For a year without a file, only weekends and the national holidays known to the `holidays`
package are used (`covers(year)` is False); cuti bersama are never guessed.

Counting convention (the same for every deadline kind):
- Days are local calendar dates in the province time zone (`PANTAU_TZ`, WITA for Kaltim): an
  event at 2024-05-02T16:30Z happened on Friday 3 May in Samarinda.
- "n working days after t" ends with the n-th working day *strictly after* t's local date; the
  day of t is day 0 whatever its hour, and when t falls on a holiday the first working day
  after it is day 1. The deadline instant (`due_at`) is the local midnight that ends that day:
  an act is on time when it happens before it.
- "n calendar days after t" ends with local date(t) + n, same instant rule.
- Elapsed working days between two instants = working days in (date(a), date(b)].

Pure apart from `default_calendar()`, which reads the files once.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

__all__ = ["Calendar", "CalendarError", "load_dir", "default_calendar", "calendar_dir"]

log = logging.getLogger("pantau.workdays")
DEFAULT_TZ = "Asia/Makassar"
KINDS = ("libur_nasional", "cuti_bersama")
STATUSES = ("verified", "provisional")


class CalendarError(ValueError):
    """A calendar file that cannot be trusted (bad date, wrong year, duplicate)."""


@dataclass(frozen=True)
class Calendar:
    """Non-working dates (besides weekends) per covered year, and the time zone of 'a day'."""

    off: dict[date, tuple[str, str]] = field(default_factory=dict)  # date -> (kind, nama)
    years: dict[int, str] = field(default_factory=dict)             # year -> status
    tz: str = DEFAULT_TZ
    fallback: bool = True  # national holidays from the `holidays` package for uncovered years

    # --- days ----------------------------------------------------------------------------
    def covers(self, year: int) -> bool:
        return year in self.years

    def reason(self, d: date) -> str | None:
        """Why `d` is not a working day (None when it is one)."""
        if d in self.off:
            kind, nama = self.off[d]
            return f"{kind}: {nama}"
        if d.weekday() >= 5:
            return "akhir pekan"
        if self.fallback and d.year not in self.years:
            holiday = _package_holidays(d.year).get(d)
            if holiday:
                return f"libur_nasional: {holiday} (paket holidays; tahun tanpa berkas kalender)"
        return None

    def is_working_day(self, d: date) -> bool:
        return self.reason(d) is None

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day strictly after `d` (n ≥ 1)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        cur, left = d, n
        while left:
            cur += timedelta(days=1)
            if self.is_working_day(cur):
                left -= 1
        return cur

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; 0 when b ≤ a."""
        count, cur = 0, a
        while cur < b:
            cur += timedelta(days=1)
            if self.is_working_day(cur):
                count += 1
        return count

    # --- instants ------------------------------------------------------------------------
    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def local_date(self, t: datetime) -> date:
        if t.tzinfo is None:
            raise ValueError("datetime must be timezone-aware")
        return t.astimezone(self.zone).date()

    def end_of(self, d: date) -> datetime:
        """The local midnight that ends `d` (the first instant that is late)."""
        return datetime.combine(d + timedelta(days=1), time(0), tzinfo=self.zone)

    def due(self, start: datetime, n: int, unit: str) -> tuple[date, datetime]:
        """(last allowed local date, first late instant) for n working/calendar days after start."""
        d0 = self.local_date(start)
        if unit == "working":
            last = self.add_working_days(d0, n)
        elif unit == "calendar":
            last = d0 + timedelta(days=n)
        else:
            raise ValueError(f"unknown unit {unit!r}")
        return last, self.end_of(last)

    def elapsed_working_days(self, a: datetime, b: datetime) -> int:
        return self.working_days_between(self.local_date(a), self.local_date(b))


# --- loading ------------------------------------------------------------------------------

def _package_holidays(year: int) -> dict[date, str]:
    # (not `setdefault(year, _load_package(year))`, which would load the year again on every call,
    # once per year since the complaint was received)
    if year not in _PKG_CACHE:
        _PKG_CACHE[year] = _load_package(year)
    return _PKG_CACHE[year]


_PKG_CACHE: dict[int, dict[date, str]] = {}


def _load_package(year: int) -> dict[date, str]:
    try:
        import holidays
        return dict(holidays.country_holidays("ID", years=year, categories=("public",)))
    except Exception:  # noqa: BLE001 - the fallback is best effort; weekends still count
        return {}


def parse_year(doc: dict[str, Any], source: str = "<calendar>") -> tuple[int, str, dict[date, tuple[str, str]]]:
    """Validate one year's document; raises CalendarError naming every problem."""
    problems: list[str] = []
    year = doc.get("year") if isinstance(doc, dict) else None
    if not isinstance(year, int):
        raise CalendarError(f"{source}: 'year' must be an integer")
    status = doc.get("status", "provisional")
    if status not in STATUSES:
        problems.append(f"status must be one of {STATUSES}")
    off: dict[date, tuple[str, str]] = {}
    for kind in KINDS:
        for i, row in enumerate(doc.get(kind) or []):
            where = f"{kind}[{i}]"
            d = row.get("date") if isinstance(row, dict) else None
            if isinstance(d, str):
                try:
                    d = date.fromisoformat(d)
                except ValueError:
                    d = None
            if not isinstance(d, date) or isinstance(d, datetime):
                problems.append(f"{where}: date must be YYYY-MM-DD")
                continue
            if d.year != year:
                problems.append(f"{where}: {d} is not in {year}")
            nama = str(row.get("nama") or row.get("name") or "").strip()
            if not nama:
                problems.append(f"{where}: nama is required")
            if d in off:
                problems.append(f"{where}: {d} listed twice")
            off[d] = (kind, nama)
    if problems:
        raise CalendarError(f"{source}: " + "; ".join(problems))
    return year, status, off


def load_dir(path: str | Path, tz: str = DEFAULT_TZ, fallback: bool = True) -> Calendar:
    """Every `*.yaml` in `path`, one year per file."""
    off: dict[date, tuple[str, str]] = {}
    years: dict[int, str] = {}
    for f in sorted(Path(path).glob("*.yaml")):
        year, status, days = parse_year(yaml.safe_load(f.read_text(encoding="utf-8")), f.name)
        if year in years:
            raise CalendarError(f"{f.name}: year {year} is defined twice")
        years[year] = status
        off.update(days)
    return Calendar(off=off, years=years, tz=tz, fallback=fallback)


def from_days(days: Iterable[tuple[date, str, str]], years: Iterable[int], tz: str = DEFAULT_TZ) -> Calendar:
    """A calendar from (date, kind, nama) triples (tests, tools)."""
    return Calendar(off={d: (k, n) for d, k, n in days}, years={y: "verified" for y in years}, tz=tz)


def calendar_dir() -> Path:
    env = os.environ.get("PANTAU_CALENDAR_DIR")
    if env:
        return Path(env)
    for candidate in (Path(__file__).resolve().parents[2] / "deploy" / "calendar",
                      Path.cwd() / "deploy" / "calendar"):
        if candidate.is_dir():
            return candidate
    return Path.cwd() / "deploy" / "calendar"


_default: Calendar | None = None
_lock = threading.Lock()


def default_calendar() -> Calendar:
    """The process-wide calendar (files read on first use, i.e. at start)."""
    global _default
    with _lock:
        if _default is None:
            path = calendar_dir()
            tz = os.environ.get("PANTAU_TZ") or DEFAULT_TZ
            _default = load_dir(path, tz=tz)
            if not _default.years:
                log.warning("no working-day calendar files found", extra={"path": str(path)})
            provisional = sorted(y for y, s in _default.years.items() if s != "verified")
            if provisional:
                log.warning("provisional calendar years", extra={"years": provisional})
        return _default


def reset_default() -> None:
    global _default
    with _lock:
        _default = None
