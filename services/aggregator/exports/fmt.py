"""Indonesian (id-ID) formatting for pages and PDF reports, with Babel.

Values are first rounded half-up (the IKM rule, domain.md §1.3) and only then handed to Babel,
whose own rounding (half-even) would otherwise turn 88.305 into "88,30". `None` is shown as
an en dash. Dates and times are shown in the province's time zone (WITA).
"""

from __future__ import annotations

import os
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

from pantau.rules.ikm import _to_decimal_half_up

LOCALE = "id_ID"
NONE = "–"
MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
ROMAN = ("I", "II", "III", "IV")


def tz() -> ZoneInfo:
    return ZoneInfo(os.environ.get("PANTAU_TZ") or "Asia/Makassar")


def _dec(v, digits: int) -> Decimal:
    return _to_decimal_half_up(v if not isinstance(v, Decimal) else v, digits)


def angka(v, digits: int = 2) -> str:
    """91.4812 → "91,48"; 12345 with digits=0 → "12.345"."""
    if v is None:
        return NONE
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(_dec(v, digits), format=pattern, locale=LOCALE)


def bulat(v) -> str:
    return angka(v, 0)


def persen(v, digits: int = 1) -> str:
    """A percentage given as 0–100: 50.0 → "50,0%"."""
    if v is None:
        return NONE
    return angka(v, digits) + "%"


def _as_date(v) -> date | None:
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        return v.astimezone(tz()).date() if v.tzinfo else v.date()
    if isinstance(v, date):
        return v
    s = str(v)
    if len(s) == 10:
        return date.fromisoformat(s)
    return datetime.fromisoformat(s).astimezone(tz()).date()


def tanggal(v) -> str:
    """ "2026-03-15" or a datetime → "15 Maret 2026" (the local date)."""
    d = _as_date(v)
    return NONE if d is None else format_date(d, format="d MMMM y", locale=LOCALE)


def waktu(v) -> str:
    """An aware datetime (or RFC 3339 text) → "15 Maret 2026 10.00 WITA"."""
    if v is None or v == "":
        return NONE
    dt = v if isinstance(v, datetime) else datetime.fromisoformat(str(v))
    return format_datetime(dt, format="d MMMM y HH.mm zzz", tzinfo=tz(), locale=LOCALE)


def periode(p) -> str:
    """ "2026" → "Tahun 2026", "2026-S1" → "Semester I 2026", "2026-Q3" → "Triwulan III 2026",
    "2026-03" → "Maret 2026"."""
    s = str(p)
    if len(s) == 4:
        return f"Tahun {s}"
    year, part = s[:4], s[5:]
    if part.startswith("S"):
        return f"Semester {ROMAN[int(part[1:]) - 1]} {year}"
    if part.startswith("Q"):
        return f"Triwulan {ROMAN[int(part[1:]) - 1]} {year}"
    return f"{MONTHS[int(part) - 1]} {year}"


def bulan(month: str | None) -> str:
    """ "2026-03" → "Maret 2026"."""
    return NONE if not month else periode(month)
