"""The dashboard's filters: `tahun`, `periode`, `opd` and `per` (the data as it stood at the end of
that local day), read leniently (a bad value falls back to the default) and offered in the form."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import request

from pantau.params import AS_OF_AHEAD, AS_OF_MIN
from pantau.rules.periods import Period, parse_period
from pantau.units import Registry

from .. import card_reports
from ..exports import fmt

YEARS_BACK = 4


def this_year() -> int:
    return datetime.now(fmt.tz()).year


def arg_year() -> int:
    raw = request.args.get("tahun", "")
    if raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= 2100:
        return int(raw)
    return this_year()


def arg_period(default_year: int | None = None) -> Period:
    raw = request.args.get("periode", "")
    try:
        return parse_period(raw)
    except ValueError:
        return Period("year", default_year or arg_year())


def arg_opd() -> str | None:
    raw = request.args.get("opd") or None
    if raw is None:
        return None
    o = Registry.instance().get(raw)
    return raw if o is not None and o.kind == "opd" else None


def arg_as_of() -> tuple[datetime, str | None]:
    """`per=YYYY-MM-DD`: the data as it stood at the end of that local day; else now."""
    raw = request.args.get("per", "")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            d = date.fromisoformat(raw)
            at = datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=fmt.tz())
            # the API's as_of range: a date centuries ahead kept a worker counting working days for minutes
            if AS_OF_MIN <= at <= card_reports.now() + AS_OF_AHEAD:
                return at, raw
        except ValueError:
            pass
    return card_reports.now(), None


def filter_bar(
    *,
    year: int | None = None,
    period: Period | None = None,
    opd: str | None = None,
    as_of: str | None = None,
    with_opd: bool = False,
    with_as_of: bool = False,
) -> dict:
    reg = Registry.instance()
    y = year or (period.year if period else this_year())
    years = sorted({*range(this_year() - YEARS_BACK, this_year() + 1), y}, reverse=True)
    out: dict = {"year": year, "years": years, "as_of": as_of, "with_as_of": with_as_of}
    if period is not None:
        out["period"] = str(period)
        out["periods"] = [
            (str(p), fmt.periode(p))
            for yy in years
            for p in [
                Period("year", yy),
                Period("semester", yy, 1),
                Period("semester", yy, 2),
                *[Period("quarter", yy, i) for i in range(1, 5)],
            ]
        ]
        if str(period) not in [p for p, _ in out["periods"]]:
            out["periods"].append((str(period), fmt.periode(period)))
    if with_opd:
        out["opd"] = opd
        out["opds"] = [(o.id, o.name) for o in sorted((u for u in reg.all() if u.kind == "opd"), key=lambda u: u.name)]
    return out
