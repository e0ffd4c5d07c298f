"""PEKPPP evaluations as JSON (figures in `pekppp_reports`).

`GET /v1/pekppp/units/{unit_id}?year=Y[&as_of=RFC3339]` (the unit's own key or the bureau) and
`GET /v1/pekppp/province?year=Y[&opd=ID][&as_of=...]` (bureau). Scores are written to the survey
service (`PUT /v1/pekppp/{unit_id}/{year}/scores`); `as_of` defaults to now and is echoed.
"""
from __future__ import annotations

from pantau import auth
from pantau.config import settings
from pantau.params import AS_OF_DOC, OPD_DOC, YEAR_DOC, as_of_arg, opd_arg, year_arg
from pantau.web import Blueprint, json_response

from . import card_reports, pekppp_reports
from .card_api import db, live, unit_or_404
from .responses import PekpppProvinceReport, PekpppUnitsUnitIdReport

blp = Blueprint("pekppp_reports", __name__, url_prefix="/v1/pekppp",
                description="Evaluasi PEKPPP: Indeks Pelayanan Publik (IPP) dan predikat per unit dan provinsi")


@blp.route("/units/<unit_id>", methods=["GET"])
@blp.response(200, PekpppUnitsUnitIdReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}], parameters=[YEAR_DOC, AS_OF_DOC])
@auth.require()
def unit_evaluation(unit_id: str):
    """Evaluasi satu unit: 30 indikator F-02 per aspek (skor, sumber: diukur / evaluator / penggantian,
    rubrik, bukti), penilaian mandiri unit terpisah, skor aspek, IPP, predikat, kelengkapan."""
    unit_or_404(unit_id)
    auth.check_unit(unit_id, "unit_id")
    year, as_of = year_arg(), as_of_arg(card_reports.now())
    return json_response(pekppp_reports.unit_evaluation(db(), settings(), unit_id, year, as_of, live=live()))


@blp.route("/province", methods=["GET"])
@blp.response(200, PekpppProvinceReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}], parameters=[YEAR_DOC, OPD_DOC, AS_OF_DOC])
@auth.require("bureau")
def province_evaluation():
    """IPP dan predikat setiap unit, sebaran predikat, rata-rata IPP, dan aspek terlemah."""
    year, as_of = year_arg(), as_of_arg(card_reports.now())
    return json_response(pekppp_reports.province_evaluation(db(), settings(), year, as_of, opd_arg(), live=live()))
