"""SKM summary reports as JSON (figures in `skm_summaries`): `GET /v1/skm/summaries/units/{unit_id}
?period=P` (the unit's own key or the bureau) and `GET /v1/skm/summaries/flagged?period=P` (the
bureau: "laporan yang perlu diperiksa"). Summaries are written to the survey service
(`POST /v1/skm/summaries`), their report files too (`PUT …/{unit}/{period}/{submission_id}/report`,
which also serves the file: `report.download`)."""
from __future__ import annotations

from pantau import auth
from pantau.params import PeriodQuery
from pantau.web import Blueprint, json_response

from . import skm_summaries
from .card_api import db, unit_or_404
from .responses import SkmSummariesFlaggedReport, SkmSummariesUnitsUnitIdReport

blp = Blueprint("skm_summaries_reports", __name__, url_prefix="/v1/skm/summaries",
                description="Laporan hasil SKM unit: hitung ulang IKM dan mutu, selisih dan penyebabnya")


@blp.route("/units/<unit_id>", methods=["GET"])
@blp.response(200, SkmSummariesUnitsUnitIdReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require()
@blp.arguments(PeriodQuery, location="query")
def unit_summaries(query: dict, unit_id: str):
    """Laporan hasil SKM unit per periode: yang berlaku (terbaru) dan riwayatnya, masing-masing dengan
    IKM dan mutu hasil hitung ulang dan setiap selisih beserta kemungkinan penyebabnya, serta berkas
    laporannya (nama, ukuran, SHA-256, tautan unduh di layanan survei) atau catatan `report_missing`."""
    unit_or_404(unit_id)
    auth.check_unit(unit_id, "unit_id")
    return json_response(skm_summaries.unit_summaries(db(), unit_id, query["period"]))


@blp.route("/flagged", methods=["GET"])
@blp.response(200, SkmSummariesFlaggedReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require("bureau")
@blp.arguments(PeriodQuery, location="query")
def flagged(query: dict):
    """Laporan yang perlu diperiksa: unit yang laporan hasil SKM terbarunya memiliki selisih."""
    return json_response(skm_summaries.flagged(db(), query["period"]))
