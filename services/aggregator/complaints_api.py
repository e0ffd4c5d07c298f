"""Aggregator complaint follow-up reports (SP4N-LAPOR!); the figures are in complaint_reports.

`GET /v1/complaints/units/{unit_id}?period=P[&as_of=RFC3339]` (the unit's own key or the bureau)
and `GET /v1/complaints/province?period=P[&as_of=...]` (bureau). Periods as everywhere
(`2026`, `2026-S1`, `2026-Q1`, `2026-03`); `as_of` defaults to now and is echoed.
"""
from __future__ import annotations

from datetime import datetime

from flask import request

from pantau import auth, mongo
from pantau.config import settings
from pantau.problems import ProblemError
from pantau.rules.periods import parse_period
from pantau.rules.workdays import default_calendar
from pantau.units import Registry
from pantau.web import Blueprint, json_response

from . import complaint_reports as reports

default_calendar()  # read the working-day calendar when the report API starts
blp = Blueprint("complaint_reports", __name__, url_prefix="/v1/complaints",
                description="Laporan tindak lanjut pengaduan")
PARAMS = [{"in": "query", "name": "period", "required": True, "schema": {"type": "string"},
           "description": "2026, 2026-S1, 2026-Q1 atau 2026-03 (tanggal diterima, waktu setempat)"},
          {"in": "query", "name": "as_of", "required": False, "schema": {"type": "string", "format": "date-time"},
           "description": "Dinilai pada saat ini (RFC 3339, bawaan: sekarang)"}]


def db():
    return mongo.db("aggregator")


def _bad(name: str, message: str, en: str) -> ProblemError:
    return ProblemError(422, message, detail_en=en, errors=[{"pointer": name, "field": name, "message": message}])


def _period():
    raw = request.args.get("period")
    if not raw:
        raise _bad("period", "Parameter period wajib diisi (mis. 2026, 2026-S1, 2026-Q1, 2026-03).",
                   "The period parameter is required (e.g. 2026, 2026-S1, 2026-Q1, 2026-03).")
    try:
        return parse_period(raw)
    except ValueError as exc:
        raise _bad("period", f"Periode tidak valid: {exc}", f"Invalid period: {exc}") from None


def _as_of() -> datetime:
    raw = request.args.get("as_of")
    if not raw:
        return reports.now()
    try:
        value = datetime.fromisoformat(raw.replace(" ", "+"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise _bad("as_of", "as_of harus tanggal-waktu RFC 3339 dengan zona waktu.",
                   "as_of must be an RFC 3339 date-time with an offset.")
    return value


@blp.route("/units/<unit_id>", methods=["GET"])
@blp.doc(security=[{"bearer": []}], parameters=PARAMS)
@auth.require()
def unit_complaints(unit_id: str):
    """Tindak lanjut pengaduan satu unit: status, penyelesaian, indikator PEKPPP 28, tenggat, kepuasan."""
    unit = Registry.instance().get(unit_id)
    if unit is None or unit.kind == "province":
        raise ProblemError(404, "Unit tidak ditemukan.", detail_en="Unit not found.")
    auth.check_unit(unit_id, "unit_id")
    period, as_of = _period(), _as_of()
    s = settings()
    return json_response(reports.unit_report(db(), unit, period, as_of, default_calendar(), s.tz, s.province_id))


@blp.route("/province", methods=["GET"])
@blp.doc(security=[{"bearer": []}], parameters=PARAMS)
@auth.require("bureau")
def province_complaints():
    """Tindak lanjut pengaduan se-provinsi, per perangkat daerah dan per unit."""
    period, as_of = _period(), _as_of()
    s = settings()
    return json_response(reports.province_report(db(), period, as_of, default_calendar(), s.tz, s.province_id))
