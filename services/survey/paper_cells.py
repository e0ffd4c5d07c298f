"""Reading one spreadsheet cell of a paper questionnaire: integers, text, dates, enumerations
(pure; raises ValueError with an Indonesian message where the cell cannot be read)."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from .schemas import EDUCATION, OCCUPATION

_SEX = {"L": "L", "LAKI-LAKI": "L", "LAKI LAKI": "L", "LAKI": "L", "PRIA": "L",
        "P": "P", "PEREMPUAN": "P", "WANITA": "P"}
_EDUCATION = {e: e for e in EDUCATION}
_EDUCATION.update({"S1": "D4-S1", "D4": "D4-S1", "D1": "D1-D3", "D2": "D1-D3", "D3": "D1-D3",
                   "SLTA": "SMA", "SMK": "SMA", "MA": "SMA", "SLTP": "SMP", "MTS": "SMP"})
_OCCUPATION = {o: o for o in OCCUPATION}
_OCCUPATION.update({"WIRASWASTA": "WIRAUSAHA", "LAIN-LAIN": "LAINNYA"})


def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


_INT_RE = re.compile(r"^\+?\d{1,6}(?:[.,]0+)?$")


def _to_int(v: Any) -> int:
    """An integer cell value ("3", 3, 3.0, "3,0"); ValueError for 2.5, "tiga", True."""
    if isinstance(v, bool):
        raise ValueError
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isfinite(v) and v.is_integer():
            return int(v)
        raise ValueError
    if isinstance(v, str) and _INT_RE.match(v.strip()):
        return int(re.split(r"[.,]", v.strip().lstrip("+"))[0])
    raise ValueError


def _to_text(v: Any) -> str:
    if isinstance(v, float) and math.isfinite(v) and v.is_integer():
        return str(int(v))
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    return str(v).strip()


_ISO_DT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:[Zz]|[+-]\d{2}:\d{2})?$")
_ISO_D = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$")

_DATE_HELP = ("Isi tanggal seperti 2026-03-10 atau 10/03/2026, atau tanggal-waktu seperti "
              "2026-03-10T09:30:00+08:00.")


def _noon(d: date, zone: ZoneInfo) -> datetime:
    return datetime(d.year, d.month, d.day, 12, 0, tzinfo=zone)


def _to_submitted(v: Any, zone: ZoneInfo, has_time: bool | None = None) -> str:
    """An RFC 3339 string with offset; ValueError(message) if the cell is not a date."""
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            return v.isoformat()
        if has_time is False or (has_time is None and v.time() == time(0, 0)):
            return _noon(v.date(), zone).isoformat()
        return v.replace(tzinfo=zone).isoformat()
    if isinstance(v, date):
        return _noon(v, zone).isoformat()
    if not isinstance(v, str):
        raise ValueError(_DATE_HELP)
    s = v.strip()
    try:
        if m := _ISO_D.match(s):
            return _noon(date(int(m[1]), int(m[2]), int(m[3])), zone).isoformat()
        if _ISO_DT.match(s):
            dt = datetime.fromisoformat(s.replace(" ", "T", 1))
            return (dt if dt.tzinfo is not None else dt.replace(tzinfo=zone)).isoformat()
        if m := _DMY.match(s):
            d = date(int(m[3]), int(m[2]), int(m[1]))
            if m[4] is None:
                return _noon(d, zone).isoformat()
            return datetime(d.year, d.month, d.day, int(m[4]), int(m[5]), int(m[6] or 0),
                            tzinfo=zone).isoformat()
    except ValueError:
        raise ValueError(f"Tanggal tidak ada di kalender: {s}.") from None
    raise ValueError(_DATE_HELP)


def _choice(v: Any, table: dict[str, str]) -> str:
    """The enumeration value for a cell (case-insensitive, synonyms); unknown text is returned
    unchanged so that the schema reports it with the allowed values."""
    s = _to_text(v)
    key = re.sub(r"\s*([/-])\s*", r"\1", re.sub(r"\s+", " ", s.upper()))
    return table.get(key) or table.get(key.replace("/", "-")) or s


def _norm_header(h: Any) -> str:
    return re.sub(r"[\s\-]+", "_", _to_text(h).lstrip("\ufeff").strip().lower())


@dataclass(slots=True)
class _Cell:
    value: Any
    has_time: bool | None = None  # XLSX: does the cell's number format show a time?
