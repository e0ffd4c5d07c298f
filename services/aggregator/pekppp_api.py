"""PEKPPP evaluations as JSON (figures in `pekppp_reports`).

`GET /v1/pekppp/units/{unit_id}?year=Y[&as_of=RFC3339]` (the unit's own key or the bureau) and
`GET /v1/pekppp/province?year=Y[&opd=ID][&as_of=...]` (bureau). Scores are written to the survey
service (`PUT /v1/pekppp/{unit_id}/{year}/scores`); `as_of` defaults to now and is echoed.
"""
from __future__ import annotations

from pantau import auth
from pantau.config import settings
from pantau.params import YearOpdQuery, YearQuery
from pantau.web import Blueprint, json_response

from . import pekppp_reports
from .card_api import as_of, db, live, unit_or_404
from .responses import PekpppProvinceReport, PekpppUnitsUnitIdReport

blp = Blueprint("pekppp_reports", __name__, url_prefix="/v1/pekppp",
                description="Evaluasi PEKPPP: Indeks Pelayanan Publik (IPP) dan predikat per unit dan provinsi")


@blp.route("/units/<unit_id>", methods=["GET"])
@blp.response(200, PekpppUnitsUnitIdReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require()
@blp.arguments(YearQuery, location="query")
def unit_evaluation(query: dict, unit_id: str):
    """Evaluasi satu unit: 30 indikator F-02 per aspek (skor, sumber: diukur / evaluator / penggantian,
    rubrik, bukti), penilaian mandiri unit terpisah, skor aspek, IPP, predikat, kelengkapan."""
    unit_or_404(unit_id)
    auth.check_unit(unit_id, "unit_id")
    return json_response(pekppp_reports.unit_evaluation(db(), settings(), unit_id, query["year"], as_of(query),
                                                        live=live(query)))


@blp.route("/province", methods=["GET"])
@blp.response(200, PekpppProvinceReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require("bureau")
@blp.arguments(YearOpdQuery, location="query")
def province_evaluation(query: dict):
    """IPP dan predikat setiap unit, sebaran predikat, rata-rata IPP, dan aspek terlemah."""
    return json_response(pekppp_reports.province_evaluation(db(), settings(), query["year"], as_of(query),
                                                            query.get("opd"), live=live(query)))
