"""Query parameters the report APIs share: `period`, `year`, `as_of`, each a 422 problem with a
field pointer when missing or malformed."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import request

from .problems import ProblemError
from .rules.periods import Period, parse_period

PERIOD_DOC = {"in": "query", "name": "period", "required": True, "schema": {"type": "string"},
              "description": "2026, 2026-S1, 2026-Q1 atau 2026-03 (waktu setempat)"}
YEAR_DOC = {"in": "query", "name": "year", "required": True, "schema": {"type": "integer"}, "description": "Tahun"}
AS_OF_DOC = {"in": "query", "name": "as_of", "required": False, "schema": {"type": "string", "format": "date-time"},
             "description": "Keadaan data pada saat ini (RFC 3339 dengan zona waktu; bawaan: sekarang)"}


AS_OF_MIN = datetime(2000, 1, 1, tzinfo=timezone.utc)
AS_OF_AHEAD = timedelta(days=366)


def bad(name: str, message: str, en: str) -> ProblemError:
    return ProblemError(422, message, detail_en=en, errors=[{"pointer": name, "field": name, "message": message}])


def period_arg() -> Period:
    raw = request.args.get("period")
    if not raw:
        raise bad("period", "Parameter period wajib diisi (mis. 2026, 2026-S1, 2026-Q1, 2026-03).",
                  "The period parameter is required (e.g. 2026, 2026-S1, 2026-Q1, 2026-03).")
    try:
        return parse_period(raw)
    except ValueError as exc:
        raise bad("period", f"Periode tidak valid: {exc}", f"Invalid period: {exc}") from None


def year_arg() -> int:
    raw = request.args.get("year", "")
    if not raw.isdigit() or len(raw) != 4 or not 2000 <= int(raw) <= 2100:
        raise bad("year", "Parameter year wajib diisi dengan tahun empat digit (mis. 2026).",
                  "The year parameter must be a four-digit year (e.g. 2026).")
    return int(raw)


def as_of_arg(default: datetime | None = None) -> datetime:
    """`as_of` as an aware datetime (a `+` in the offset may arrive as a space in a URL)."""
    raw = request.args.get("as_of")
    if not raw:
        return default or datetime.now(timezone.utc)
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise bad("as_of", "as_of harus tanggal-waktu RFC 3339 dengan zona waktu.",
                  "as_of must be an RFC 3339 date-time with an offset.")
    # deadlines are counted in working days up to as_of: a date centuries away kept a worker busy
    # for minutes (found by fuzzing), so as_of stays between 2000 and one year from now
    try:
        utc = value.astimezone(timezone.utc)
    except OverflowError:
        utc = None
    if utc is None or not AS_OF_MIN <= utc <= datetime.now(timezone.utc) + AS_OF_AHEAD:
        raise bad("as_of", "as_of harus antara tahun 2000 dan satu tahun dari sekarang.",
                  "as_of must lie between the year 2000 and one year from now.")
    return value
