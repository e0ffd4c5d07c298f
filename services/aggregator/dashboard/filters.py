"""The dashboard's filters: `tahun`, `periode`, `opd`, `per` (the data as it stood at the end of
that local day) and, on the pages that show an IKM, `weight` (the IKM weight mode, as in the API),
offered in the form. An empty value is the default (the form sends empty fields); any other invalid
value is a 400 page (`FilterError`), never a silent default."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime

from flask import request

from pantau.config import Settings, settings
from pantau.params import AS_OF_AHEAD, AS_OF_MIN, WEIGHT_MESSAGE, YEAR_RANGE, parse_weight, report_period
from pantau.rules.periods import Period
from pantau.units import Registry

from .. import card_reports
from ..exports import fmt

YEARS_BACK = 4


class FilterError(ValueError):
    """A filter value the dashboard does not offer; the message is shown to the user (Indonesian).
    `param` names the query parameter (for the problem+json answer of the PDF reports)."""

    def __init__(self, message: str, param: str | None = None):
        super().__init__(message)
        self.param = param


def this_year() -> int:
    return datetime.now(fmt.tz()).year


def arg_year() -> int:
    raw = request.args.get("tahun", "")
    if not raw:
        return this_year()
    if raw.isdigit() and len(raw) == 4 and YEAR_RANGE[0] <= int(raw) <= YEAR_RANGE[1]:
        return int(raw)
    raise FilterError(f"Tahun tidak valid: gunakan tahun empat digit antara {YEAR_RANGE[0]} dan {YEAR_RANGE[1]} "
                      "(mis. 2026).")


def arg_period(default_year: int | None = None) -> Period:
    raw = request.args.get("periode", "")
    if not raw:
        return Period("year", default_year or arg_year())
    try:
        return report_period(raw)
    except ValueError:
        raise FilterError(f"Periode tidak valid: gunakan 2026, 2026-S1, 2026-Q1 atau 2026-03 dengan tahun "
                          f"{YEAR_RANGE[0]}–{YEAR_RANGE[1]}.", "periode") from None


def arg_recap_order() -> str:
    """`urut=peringkat` (default: ranked by IKM) or `urut=opd` (grouped by perangkat daerah)."""
    from ..exports.pdf import RECAP_ORDERS

    raw = request.args.get("urut", "") or RECAP_ORDERS[0]
    if raw not in RECAP_ORDERS:
        raise FilterError("Urutan tidak dikenal: gunakan urut=peringkat (menurut IKM) atau urut=opd "
                          "(menurut perangkat daerah).", "urut")
    return raw


def arg_opd() -> str | None:
    raw = request.args.get("opd") or None
    if raw is None:
        return None
    o = Registry.instance().get(raw)
    if o is None or o.kind != "opd":
        raise FilterError("Perangkat daerah tidak dikenal; pilih dari daftar.")
    return raw


def arg_as_of() -> tuple[datetime, str | None]:
    """`per=YYYY-MM-DD`: the data as it stood at the end of that local day; else now."""
    raw = request.args.get("per", "")
    if not raw:
        return card_reports.now(), None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            d = date.fromisoformat(raw)
            at = datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=fmt.tz())
            # the API's as_of range: a date centuries ahead kept a worker counting working days for minutes
            if AS_OF_MIN <= at <= card_reports.now() + AS_OF_AHEAD:
                return at, raw
        except ValueError:
            pass
    raise FilterError("Tanggal keadaan data (per) harus YYYY-MM-DD, antara 2000-01-01 dan satu tahun dari sekarang.")


# the IKM weight modes (domain.md §1.3) as the form offers them
WEIGHT_LABELS = (("exact", "1/9 (tepat)"), ("printed_0_111", "0,111 (seperti tercetak)"))


def arg_weight() -> str | None:
    """`weight=exact|printed_0_111` (the API's parameter): the mode asked for, None when absent or empty."""
    raw = request.args.get("weight", "")
    if not raw:
        return None
    mode = parse_weight(raw)
    if mode is None:
        raise FilterError(WEIGHT_MESSAGE.render("id"))
    return mode


def ikm_settings() -> Settings:
    """The settings with the weight mode asked for (`weight=`), else the configured one."""
    s = settings()
    return replace(s, ikm_weight_mode=arg_weight() or s.ikm_weight_mode)


def filter_bar(
    *,
    year: int | None = None,
    period: Period | None = None,
    opd: str | None = None,
    as_of: str | None = None,
    with_opd: bool = False,
    with_as_of: bool = False,
    weight: str | None = None,
) -> dict:
    """`weight`: the IKM weight mode the page used; given, the form offers the "Bobot" select."""
    reg = Registry.instance()
    y = year or (period.year if period else this_year())
    years = sorted({*range(this_year() - YEARS_BACK, this_year() + 1), y}, reverse=True)
    out: dict = {"year": year, "years": years, "as_of": as_of, "with_as_of": with_as_of}
    if weight is not None:
        out["weight"] = weight
        out["weights"] = list(WEIGHT_LABELS)
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
