"""The bureau's joined reports as JSON (figures in `card_reports`).

`GET /v1/units/{unit_id}/card?year=Y[&as_of=RFC3339][&weight=MODE]` (the unit's own key or the bureau),
`GET /v1/compliance?year=Y[&opd=ID][&as_of=...][&weight=...]` and
`GET /v1/province?year=Y[&opd=ID][&as_of=...][&weight=...]` (bureau). `as_of` defaults to now and
`weight` to the configured IKM weight mode; both are echoed (`as_of`, `weight_mode`); the dashboard
renders the same functions.
"""

from __future__ import annotations

from pantau import auth, mongo
from pantau.errors import NotFound
from pantau.messages import msg
from pantau.params import YearOpdReportQuery, YearReportQuery, report_settings
from pantau.units import Registry
from pantau.web import Blueprint, json_response

from . import card_reports
from .responses import ComplianceReport, ProvinceReport, UnitsUnitIdCardReport

blp = Blueprint(
    "card_reports", __name__, url_prefix="/v1",
    description="Laporan gabungan: kartu unit, matriks kepatuhan, ikhtisar provinsi",
)


def db():
    return mongo.db("aggregator")


def live(query: dict) -> bool:
    """No `as_of` asked for: the SKM tallies are read live (skm_read.py)."""
    return "as_of" not in query


def as_of(query: dict):
    """The `as_of` asked for, else now."""
    return query.get("as_of") or card_reports.now()


def unit_or_404(unit_id: str):
    unit = Registry.instance().get(unit_id)
    if unit is None or unit.kind != "upp":
        raise NotFound(msg("Unit not found."))
    return unit


@blp.route("/units/<unit_id>/card", methods=["GET"])
@blp.response(200, UnitsUnitIdCardReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require()
@blp.arguments(YearReportQuery, location="query")
def unit_card(query: dict, unit_id: str):
    """Kartu unit: IKM (periode terakhir, tren, unsur terlemah, kecukupan sampel), RTL, FKP dan janji,
    pengaduan, skor PEKPPP 2, 4, 6–9, 28 dengan buktinya, dan kepatuhan per kewajiban."""
    unit_or_404(unit_id)
    auth.check_unit(unit_id, "unit_id")
    return json_response(card_reports.unit_card(db(), report_settings(query), unit_id, query["year"], as_of(query),
                                                live=live(query)))


@blp.route("/compliance", methods=["GET"])
@blp.response(200, ComplianceReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require("bureau")
@blp.arguments(YearOpdReportQuery, location="query")
def compliance(query: dict):
    """Matriks kepatuhan: setiap unit × setiap kewajiban (terpenuhi / tidak terpenuhi / tidak ada data),
    dengan total per perangkat daerah."""
    return json_response(card_reports.compliance_matrix(db(), report_settings(query), query["year"], as_of(query),
                                                        query.get("opd"), live=live(query)))


@blp.route("/province", methods=["GET"])
@blp.response(200, ProvinceReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require("bureau")
@blp.arguments(YearOpdReportQuery, location="query")
def province(query: dict):
    """Ikhtisar provinsi: angka utama, sebaran unit menurut mutu, unit yang perlu perhatian."""
    return json_response(card_reports.province_overview(db(), report_settings(query), query["year"], as_of(query),
                                                        query.get("opd"), live=live(query)))
