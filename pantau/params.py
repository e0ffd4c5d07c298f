"""Query parameters the report APIs share (`period`, `year`, `as_of`, `weight`, `opd`) as
marshmallow fields and schemas, loaded by `@blp.arguments(Schema, location="query")`: the same
schema validates and documents them in `/openapi.json`. A malformed value is a 422 problem whose
pointer is the parameter (pantau.web.ProblemParser); an empty or repeated one is refused before
(pantau.web.check_query_shape); unknown parameters are ignored (webargs' default for the query)."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from .config import Settings, settings
from .messages import Message, msg
from .rules.periods import Period, parse_period

YEAR_RANGE = (2000, 2100)  # also in PeriodArg's pattern and YearArg's bounds
AS_OF_MIN = datetime(2000, 1, 1, tzinfo=timezone.utc)
AS_OF_AHEAD = timedelta(days=366)
RFC3339 = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)
REPORT_PERIOD_PATTERN = r"^(20[0-9]{2}|2100)(-S[12]|-Q[1-4]|-(0[1-9]|1[0-2]))?$"
"""pantau.rules.periods.PERIOD_PATTERN narrowed to YEAR_RANGE, as the query's `period` takes it."""


def report_period(raw: str) -> Period:
    """A period string whose year lies in YEAR_RANGE (ValueError otherwise): year 1 has no previous
    period for the trend, and no report covers years before the platform or centuries ahead."""
    period = parse_period(raw)
    if not YEAR_RANGE[0] <= period.year <= YEAR_RANGE[1]:
        raise ValueError(f"year {period.year} is outside {YEAR_RANGE[0]}..{YEAR_RANGE[1]}")
    return period


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


def invalid(message: Message) -> ValidationError:
    """A field error whose message is a catalog message (rendered in the request's language by
    pantau.web.ProblemParser, which also makes it the problem's detail)."""
    return ValidationError([message])


class PeriodArg(fields.Field[Period]):
    """`period`: 2026, 2026-S1, 2026-Q1 or 2026-03 with a year in YEAR_RANGE, loaded as a Period."""

    def __init__(self, **kwargs: Any):
        required = msg("The period parameter is required (e.g. 2026, 2026-S1, 2026-Q1, 2026-03).")
        super().__init__(required=True, error_messages={"required": required},  # type: ignore[dict-item]
                         metadata={"type": "string", "pattern": REPORT_PERIOD_PATTERN,
                                   "description": "2026, 2026-S1, 2026-Q1 atau 2026-03 (waktu setempat)"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> Period:
        try:
            return report_period(value)
        except (ValueError, TypeError, AttributeError):
            raise invalid(msg("The period must look like 2026, 2026-S1, 2026-Q1 or 2026-03, with a year in "
                               "%(year_range_0)s–%(year_range_1)s.",
                               year_range_0=YEAR_RANGE[0], year_range_1=YEAR_RANGE[1])) from None


YEAR_MESSAGE = msg("The year parameter must be a four-digit year (e.g. 2026).")


class YearArg(fields.Integer):
    """`year`: four digits in YEAR_RANGE."""

    def __init__(self, **kwargs: Any):
        super().__init__(required=True, error_messages={"required": YEAR_MESSAGE},  # type: ignore[dict-item]
                         validate=validate.Range(*YEAR_RANGE), metadata={"description": "Tahun (2000–2100)"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        if not isinstance(value, str) or not value.isdigit() or len(value) != 4 \
                or not YEAR_RANGE[0] <= int(value) <= YEAR_RANGE[1]:
            raise invalid(YEAR_MESSAGE)
        return int(value)


class AsOfArg(fields.Field[datetime]):
    """`as_of`: an aware datetime, strictly RFC 3339 (a `+` in the offset may arrive as a space in
    a URL), between the year 2000 and one year from now; absent: the route's default."""

    def __init__(self, **kwargs: Any):
        super().__init__(metadata={"type": "string", "format": "date-time", "description": (
            "Keadaan data pada saat ini (RFC 3339 dengan zona waktu, dari tahun 2000 sampai satu tahun dari "
            "sekarang; bawaan: sekarang)")}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> datetime:
        parsed = parse_as_of(value) if isinstance(value, str) else None
        if parsed is None:
            raise invalid(msg("as_of must be an RFC 3339 date-time with an offset (e.g. "
                               "2026-03-31T23:59:59+08:00)."))
        # deadlines are counted in working days up to as_of: a date centuries away kept a worker busy
        # for minutes (found by fuzzing), so as_of stays between 2000 and one year from now
        try:
            utc = parsed.astimezone(timezone.utc)
        except OverflowError:
            utc = None
        if utc is None or not AS_OF_MIN <= utc <= datetime.now(timezone.utc) + AS_OF_AHEAD:
            raise invalid(msg("as_of must lie between the year 2000 and one year from now."))
        return parsed


class WeightArg(fields.String):
    """`weight`: exact | printed_0_111; absent: the configured mode (report_settings)."""

    def __init__(self, **kwargs: Any):
        from .rules.ikm import WEIGHT_MODES
        super().__init__(metadata={"enum": list(WEIGHT_MODES), "description": (
            "Bobot unsur IKM: exact (1/9) atau printed_0_111 (0,111 seperti tercetak pada Lampiran PermenPANRB "
            "14/2017, untuk mencocokkan laporan lama); bawaan: mode yang dikonfigurasi (PANTAU_IKM_WEIGHT_MODE). "
            "Jawaban menyebut mode yang dipakai (weight_mode).")}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        mode = parse_weight(value) if isinstance(value, str) else None
        if mode is None:
            raise invalid(WEIGHT_MESSAGE)
        return mode


class OpdArg(fields.String):
    """`opd`: one registered perangkat daerah (its ids are the document's enum, pantau/openapi.py)."""

    def __init__(self, **kwargs: Any):
        super().__init__(metadata={"minLength": 1, "description": "Hanya satu perangkat daerah (id OPD)"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        from .units import Registry
        unit = Registry.instance().get(value) if isinstance(value, str) else None
        if unit is None or unit.kind != "opd":
            raise invalid(msg("opd is not a registered perangkat daerah."))
        return value


class AsOfQuery(Schema):
    as_of = AsOfArg()


class PeriodQuery(Schema):
    period = PeriodArg()


class PeriodAsOfQuery(PeriodQuery):
    as_of = AsOfArg()


class PeriodReportQuery(PeriodAsOfQuery):
    """A report computing an IKM for a period."""
    weight = WeightArg()


class PeriodOpdQuery(PeriodAsOfQuery):
    opd = OpdArg()


class YearQuery(Schema):
    year = YearArg()
    as_of = AsOfArg()


class YearOpdQuery(YearQuery):
    opd = OpdArg()


class YearReportQuery(YearQuery):
    """A report computing an IKM for a year."""
    weight = WeightArg()


class YearOpdReportQuery(YearReportQuery):
    opd = OpdArg()


def report_settings(query: dict) -> Settings:
    """The settings with the IKM weight mode the query asked for (`weight`, default as configured):
    every report computing an IKM takes its settings from here, so the echoed `weight_mode` is the one used."""
    s = settings()
    return replace(s, ikm_weight_mode=query.get("weight") or s.ikm_weight_mode)

