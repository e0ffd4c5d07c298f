"""Aggregator FKP reports (forums held, community elements, promises kept and overdue).

`GET /v1/fkp/units/{unit_id}?year=Y[&as_of=RFC3339]` (the unit's own key or the bureau) and
`GET /v1/fkp/province?year=Y[&as_of=...]` (bureau). `as_of` defaults to now and is echoed; the
figures are those the data supported at that moment (see fkp_reports).
"""
from __future__ import annotations

from datetime import datetime, timezone

from pantau import auth, mongo
from pantau.errors import NotFound
from pantau.messages import msg
from pantau.params import YearQuery
from pantau.units import Registry
from pantau.web import Blueprint, json_response

from . import fkp_reports
from .responses import FkpProvinceReport, FkpUnitsUnitIdReport

blp = Blueprint("fkp_reports", __name__, url_prefix="/v1/fkp", description="Laporan FKP dan janji perbaikan")


def db():
    return mongo.db("aggregator")


@blp.route("/units/<unit_id>", methods=["GET"])
@blp.response(200, FkpUnitsUnitIdReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require()
@blp.arguments(YearQuery, location="query")
def unit_fkp(query: dict, unit_id: str):
    """FKP unit: forum terlaksana, unsur masyarakat dan skor PEKPPP ind. 2, janji perbaikan, dampak pada SKM."""
    if Registry.instance().get(unit_id) is None:
        raise NotFound(msg("Unit not found."))
    auth.check_unit(unit_id, "unit_id")
    return json_response(fkp_reports.unit_report(db(), unit_id, query["year"], query.get("as_of") or datetime.now(timezone.utc),
                                                 past="as_of" in query))


@blp.route("/province", methods=["GET"])
@blp.response(200, FkpProvinceReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require("bureau")
@blp.arguments(YearQuery, location="query")
def province_fkp(query: dict):
    """FKP provinsi: per perangkat daerah dan total, unit tanpa FKP, janji yang lewat target (terlama dulu)."""
    return json_response(fkp_reports.province_report(db(), query["year"], query.get("as_of") or datetime.now(timezone.utc)))
