"""The bureau's joined reports as JSON (figures in `card_reports`).

`GET /v1/units/{unit_id}/card?year=Y[&as_of=RFC3339][&weight=MODE]` (the unit's own key or the bureau),
`GET /v1/compliance?year=Y[&opd=ID][&as_of=...][&weight=...]` and
`GET /v1/province?year=Y[&opd=ID][&as_of=...][&weight=...]` (bureau). `as_of` defaults to now and
`weight` to the configured IKM weight mode; both are echoed (`as_of`, `weight_mode`); the dashboard
renders the same functions.
"""

from __future__ import annotations

from flask import request

from pantau import auth, mongo, params
from pantau.errors import NotFound
from pantau.messages import msg
from pantau.params import AS_OF_DOC, WEIGHT_DOC, YEAR_DOC, as_of_arg, report_settings, year_arg
from pantau.units import Registry
from pantau.web import Blueprint, json_response

from . import card_reports
from .responses import ComplianceReport, ProvinceReport, UnitsUnitIdCardReport

blp = Blueprint(
    "card_reports", __name__, url_prefix="/v1",
    description="Laporan gabungan: kartu unit, matriks kepatuhan, ikhtisar provinsi",
)
OPD_DOC = {"in": "query", "name": "opd", "required": False, "schema": {"type": "string"},
           "description": "Batasi pada satu perangkat daerah"}


def db():
    return mongo.db("aggregator")


def opd_arg() -> str | None:
    """`opd=<id>` (pantau.params.opd_arg: a registered perangkat daerah, else a 422 naming it, as
    the document's enum says)."""
    return params.opd_arg()


def live() -> bool:
    """No `as_of` asked for: the SKM tallies are read live (skm_read.py)."""
    return not request.args.get("as_of")


def unit_or_404(unit_id: str):
    unit = Registry.instance().get(unit_id)
    if unit is None or unit.kind != "upp":
        raise NotFound(msg("Unit not found."))
    return unit


@blp.route("/units/<unit_id>/card", methods=["GET"])
@blp.response(200, UnitsUnitIdCardReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}], parameters=[YEAR_DOC, AS_OF_DOC, WEIGHT_DOC])
@auth.require()
def unit_card(unit_id: str):
    """Kartu unit: IKM (periode terakhir, tren, unsur terlemah, kecukupan sampel), RTL, FKP dan janji,
    pengaduan, skor PEKPPP 2, 4, 6–9, 28 dengan buktinya, dan kepatuhan per kewajiban."""
    unit_or_404(unit_id)
    auth.check_unit(unit_id, "unit_id")
    year, as_of = year_arg(), as_of_arg(card_reports.now())
    return json_response(card_reports.unit_card(db(), report_settings(), unit_id, year, as_of, live=live()))


@blp.route("/compliance", methods=["GET"])
@blp.response(200, ComplianceReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}], parameters=[YEAR_DOC, OPD_DOC, AS_OF_DOC, WEIGHT_DOC])
@auth.require("bureau")
def compliance():
    """Matriks kepatuhan: setiap unit × setiap kewajiban (terpenuhi / tidak terpenuhi / tidak ada data),
    dengan total per perangkat daerah."""
    year, as_of = year_arg(), as_of_arg(card_reports.now())
    return json_response(card_reports.compliance_matrix(db(), report_settings(), year, as_of, opd_arg(), live=live()))


@blp.route("/province", methods=["GET"])
@blp.response(200, ProvinceReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}], parameters=[YEAR_DOC, OPD_DOC, AS_OF_DOC, WEIGHT_DOC])
@auth.require("bureau")
def province():
    """Ikhtisar provinsi: angka utama, sebaran unit menurut mutu, unit yang perlu perhatian."""
    year, as_of = year_arg(), as_of_arg(card_reports.now())
    return json_response(card_reports.province_overview(db(), report_settings(), year, as_of, opd_arg(), live=live()))
