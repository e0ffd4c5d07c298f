"""Aggregator complaint follow-up reports (SP4N-LAPOR!); the figures are in complaint_reports.

`GET /v1/complaints/units/{unit_id}?period=P[&as_of=RFC3339]` (the unit's own key or the bureau)
and `GET /v1/complaints/province?period=P[&as_of=...][&opd=OPD]` (bureau; `opd`: every figure of
that OPD's units). Both list the open overdue deadlines (`overdue_cases`, most days late first). Periods as everywhere
(`2026`, `2026-S1`, `2026-Q1`, `2026-03`); `as_of` defaults to now and is echoed.
"""
from __future__ import annotations

from pantau import auth, mongo
from pantau.config import settings
from pantau.errors import NotFound
from pantau.messages import msg
from pantau.params import PeriodAsOfQuery, PeriodOpdQuery
from pantau.rules.workdays import default_calendar
from pantau.units import Registry
from pantau.web import Blueprint, json_response

from . import complaint_reports as reports
from .responses import ComplaintsProvinceReport, ComplaintsUnitsUnitIdReport

default_calendar()  # read the working-day calendar when the report API starts
blp = Blueprint("complaint_reports", __name__, url_prefix="/v1/complaints",
                description="Laporan tindak lanjut pengaduan")


def db():
    return mongo.db("aggregator")


@blp.route("/units/<unit_id>", methods=["GET"])
@blp.response(200, ComplaintsUnitsUnitIdReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require()
@blp.arguments(PeriodAsOfQuery, location="query")
def unit_complaints(query: dict, unit_id: str):
    """Tindak lanjut pengaduan satu unit: status, penyelesaian, indikator PEKPPP 28, tenggat, kepuasan."""
    unit = Registry.instance().get(unit_id)
    if unit is None or unit.kind == "province":
        raise NotFound(msg("Unit not found."))
    auth.check_unit(unit_id, "unit_id")
    period, as_of = query["period"], query.get("as_of") or reports.now()
    s = settings()
    return json_response(reports.unit_report(db(), unit, period, as_of, default_calendar(), s.tz, s.province_id))


@blp.route("/province", methods=["GET"])
@blp.response(200, ComplaintsProvinceReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require("bureau")
@blp.arguments(PeriodOpdQuery, location="query")
def province_complaints(query: dict):
    """Tindak lanjut pengaduan se-provinsi, per perangkat daerah dan per unit."""
    period, as_of, opd = query["period"], query.get("as_of") or reports.now(), query.get("opd")
    s = settings()
    return json_response(reports.province_report(db(), period, as_of, default_calendar(), s.tz, s.province_id, opd))
