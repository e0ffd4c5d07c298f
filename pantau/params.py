"""Query parameters the report APIs share: `period`, `year`, `as_of`, `weight`, each a 422 problem
with a field pointer when missing or malformed."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from flask import request

from .config import Settings, settings
from .messages import Message, msg
from .problems import ProblemError
from .rules.periods import Period, parse_period

PERIOD_DOC = {"in": "query", "name": "period", "required": True,
              "schema": {"type": "string", "pattern": r"^(20[0-9]{2}|2100)(-S[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$"},
              "description": "2026, 2026-S1, 2026-Q1 atau 2026-03 (waktu setempat)"}
YEAR_DOC = {"in": "query", "name": "year", "required": True, "schema": {"type": "integer", "minimum": 2000, "maximum": 2100},
            "description": "Tahun (2000–2100)"}
AS_OF_DOC = {"in": "query", "name": "as_of", "required": False, "schema": {"type": "string", "format": "date-time"},
             "description": "Keadaan data pada saat ini (RFC 3339 dengan zona waktu, dari tahun 2000 sampai satu "
                            "tahun dari sekarang; bawaan: sekarang)"}


WEIGHT_DOC = {"in": "query", "name": "weight", "required": False,
              "schema": {"type": "string", "enum": ["exact", "printed_0_111"]},
              "description": "Bobot unsur IKM: exact (1/9) atau printed_0_111 (0,111 seperti tercetak pada Lampiran "
                             "PermenPANRB 14/2017, untuk mencocokkan laporan lama); bawaan: mode yang dikonfigurasi "
                             "(PANTAU_IKM_WEIGHT_MODE). Jawaban menyebut mode yang dipakai (weight_mode)."}


YEAR_RANGE = (2000, 2100)  # also in PERIOD_DOC's pattern and YEAR_DOC's bounds
AS_OF_MIN = datetime(2000, 1, 1, tzinfo=timezone.utc)
AS_OF_AHEAD = timedelta(days=366)
RFC3339 = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)


OPD_DOC = {"in": "query", "name": "opd", "required": False, "schema": {"type": "string", "minLength": 1},
           "description": "Hanya satu perangkat daerah (id OPD)"}


def opd_arg() -> str | None:
    """`opd=<id>`: one perangkat daerah, which must be one (422 otherwise); absent: none."""
    from flask import request

    from .units import Registry
    raw = request.args.get("opd")
    if raw is None:
        return None
    unit = Registry.instance().get(raw)
    if unit is None or unit.kind != "opd":
        raise bad("opd", msg("opd is not a registered perangkat daerah."))
    return raw


def bad(name: str, message: Message) -> ProblemError:
    """A 422 for the query parameter `name`: `message` is the detail and the field's message."""
    return ProblemError(422, message, errors=[{"pointer": name, "field": name, "message": message.render()}])


def report_period(raw: str) -> Period:
    """A period string whose year lies in YEAR_RANGE (ValueError otherwise): year 1 has no previous
    period for the trend, and no report covers years before the platform or centuries ahead."""
    period = parse_period(raw)
    if not YEAR_RANGE[0] <= period.year <= YEAR_RANGE[1]:
        raise ValueError(f"year {period.year} is outside {YEAR_RANGE[0]}..{YEAR_RANGE[1]}")
    return period


def period_arg() -> Period:
    raw = request.args.get("period")
    if not raw:
        raise bad("period", msg("The period parameter is required (e.g. 2026, 2026-S1, 2026-Q1, 2026-03)."))
    try:
        return report_period(raw)
    except ValueError:
        raise bad("period", msg("The period must look like 2026, 2026-S1, 2026-Q1 or 2026-03, with a year in "
                                "%(year_range_0)s–%(year_range_1)s.",
                                year_range_0=YEAR_RANGE[0], year_range_1=YEAR_RANGE[1])) from None


def year_arg() -> int:
    raw = request.args.get("year", "")
    if not raw.isdigit() or len(raw) != 4 or not YEAR_RANGE[0] <= int(raw) <= YEAR_RANGE[1]:
        raise bad("year", msg("The year parameter must be a four-digit year (e.g. 2026)."))
    return int(raw)


def as_of_arg(default: datetime | None = None) -> datetime:
    """`as_of` as an aware datetime, strictly RFC 3339 (a `+` in the offset may arrive as a space
    in a URL); absent: `default` or now; present but empty or malformed: 422."""
    raw = request.args.get("as_of")
    if raw is None:
        return default or datetime.now(timezone.utc)
    value = parse_as_of(raw)
    if value is None:
        raise bad("as_of", msg("as_of must be an RFC 3339 date-time with an offset (e.g. "
                               "2026-03-31T23:59:59+08:00)."))
    # deadlines are counted in working days up to as_of: a date centuries away kept a worker busy
    # for minutes (found by fuzzing), so as_of stays between 2000 and one year from now
    try:
        utc = value.astimezone(timezone.utc)
    except OverflowError:
        utc = None
    if utc is None or not AS_OF_MIN <= utc <= datetime.now(timezone.utc) + AS_OF_AHEAD:
        raise bad("as_of", msg("as_of must lie between the year 2000 and one year from now."))
    return value


def parse_as_of(raw: str) -> datetime | None:
    """An RFC 3339 date-time with an offset, else None (digits beyond microseconds are cut)."""
    m = RFC3339.fullmatch(raw.replace(" ", "+"))
    if m is None:
        return None
    day, clock, frac, zone = m.groups()
    text = f"{day}T{clock}" + (f".{frac[:6].ljust(6, '0')}" if frac else "") + ("+00:00" if zone in "Zz" else zone)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_weight(raw: str) -> str | None:
    """A weight mode (`exact` | `printed_0_111`, domain.md §1.3), else None."""
    from .rules.ikm import WEIGHT_MODES
    return raw if raw in WEIGHT_MODES else None


WEIGHT_MESSAGE = msg("Unknown weight: use exact (1/9) or printed_0_111 (0.111 as printed in the regulation).")


def weight_arg(default: str | None = None) -> str:
    """`weight` (exact | printed_0_111); absent: `default`, else the configured mode; present but
    empty or unknown: 422."""
    raw = request.args.get("weight")
    if raw is None:
        return default or settings().ikm_weight_mode
    mode = parse_weight(raw)
    if mode is None:
        raise bad("weight", WEIGHT_MESSAGE)
    return mode


def report_settings() -> Settings:
    """The settings with the IKM weight mode the request asked for (`weight=`, default as configured):
    every report computing an IKM takes its settings from here, so the echoed `weight_mode` is the one used."""
    s = settings()
    return replace(s, ikm_weight_mode=weight_arg(s.ikm_weight_mode))
