"""Aggregator report API: the registry, unit/OPD/province IKM and the unit summary."""
from __future__ import annotations

from collections import Counter

from flask import g

from pantau import auth, mongo
from pantau.config import settings
from pantau.errors import NotFound
from pantau.messages import msg
from pantau.params import PeriodReportQuery, YearQuery, report_settings
from pantau.units import Registry
from pantau.web import Blueprint, json_response

from . import reports, skm_compliance
from .projections import skm
from .responses import (
    IkmOpdOpdIdReport,
    IkmProvinceReport,
    IkmRankingReport,
    IkmUnitsUnitIdReport,
    SkmComplianceReport,
    SkmComplianceUnitsUnitIdReport,
    UnitsReport,
    UnitsUnitIdSummaryReport,
)

blp = Blueprint("reports", __name__, url_prefix="/v1", description="Laporan provinsi (IKM, FKP, pengaduan)")


def db():
    return mongo.db("aggregator")


def _unit(unit_id: str):
    unit = Registry.instance().get(unit_id)
    if unit is None:
        raise NotFound(msg("Unit not found."))
    auth.check_unit(unit_id, "unit_id")
    return unit


@blp.route("/units", methods=["GET"])
@blp.response(200, UnitsReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require()
def list_units():
    """Daftar unit (provinsi → perangkat daerah → UPP)."""
    units = [u for u in Registry.instance().all() if g.principal.role == "bureau" or u.id == g.principal.unit_id]
    return json_response({"units": [{"id": u.id, "name": u.name, "parent": u.parent, "level": u.level,
                                     "kind": u.kind} for u in units], "count": len(units)})


@blp.route("/units/<unit_id>/summary", methods=["GET"])
@blp.response(200, UnitsUnitIdSummaryReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require()
def unit_summary(unit_id: str):
    """Ringkasan unit: respons SKM, FKP dan pengaduan yang sudah diterima agregator."""
    _unit(unit_id)
    d = db()
    respondents = sum(m.get("respondents", 0) for y in d[skm.UNITS].find({"unit_id": unit_id}, projection={"months": 1})
                      for m in y["months"].values())
    forums = d["fkp_forums"].count_documents({"unit_id": unit_id})
    statuses = Counter(c["status"] for c in d["complaints"].find({"unit_id": unit_id}, projection={"status": 1}))
    return json_response({"unit_id": unit_id, "skm_responses": respondents, "fkp_forums": forums,
                          "complaints": sum(statuses.values()), "complaints_by_status": dict(statuses),
                          "as_of": reports.now_iso()})


@blp.route("/ikm/units/<unit_id>", methods=["GET"])
@blp.response(200, IkmUnitsUnitIdReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require()
@blp.arguments(PeriodReportQuery, location="query")
def ikm_unit(query: dict, unit_id: str):
    """IKM unit untuk satu periode (NRR per unsur, mutu, kinerja, kecukupan sampel, tren)."""
    _unit(unit_id)
    return json_response(reports.unit_ikm(db(), report_settings(query), unit_id, query["period"],
                                          as_of=query.get("as_of")))


@blp.route("/ikm/opd/<opd_id>", methods=["GET"])
@blp.response(200, IkmOpdOpdIdReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require("bureau")
@blp.arguments(PeriodReportQuery, location="query")
def ikm_opd(query: dict, opd_id: str):
    """IKM perangkat daerah: rata-rata IKM unit dan IKM gabungan responden."""
    reg = Registry.instance()
    opd = reg.get(opd_id)
    if opd is None or opd.kind != "opd":
        raise NotFound(msg("OPD not found."))
    unit_ids = [u.id for u in reg.upps() if reg.opd_of(u.id) == opd_id]
    return json_response(reports.group_ikm(db(), report_settings(query), unit_ids, query["period"],
                                           {"opd_id": opd_id, "name": opd.name}, as_of=query.get("as_of")))


@blp.route("/ikm/province", methods=["GET"])
@blp.response(200, IkmProvinceReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require("bureau")
@blp.arguments(PeriodReportQuery, location="query")
def ikm_province(query: dict):
    """IKM provinsi dengan kedua metode kompilasi."""
    s = report_settings(query)
    unit_ids = [u.id for u in Registry.instance().upps()]
    return json_response(reports.group_ikm(db(), s, unit_ids, query["period"], {"province_id": s.province_id},
                                           as_of=query.get("as_of")))


@blp.route("/skm/compliance/units/<unit_id>", methods=["GET"])
@blp.response(200, SkmComplianceUnitsUnitIdReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require()
@blp.arguments(YearQuery, location="query")
def skm_compliance_unit(query: dict, unit_id: str):
    """Kepatuhan SKM unit setahun (dilaksanakan, sampel, publikasi, RTL) dan skor PEKPPP 6–9."""
    _unit(unit_id)
    as_of = query.get("as_of")
    card = skm_compliance.year_compliance(db(), [unit_id], query["year"], as_of, settings().tz)[0]
    return json_response({**card, "as_of": reports.stamp(as_of)})


@blp.route("/skm/compliance", methods=["GET"])
@blp.response(200, SkmComplianceReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require("bureau")
@blp.arguments(YearQuery, location="query")
def skm_compliance_province(query: dict):
    """Kepatuhan SKM semua unit setahun, dengan rekap per perangkat daerah."""
    return json_response(skm_compliance.province_compliance(db(), query["year"], query.get("as_of"), settings().tz))


@blp.route("/ikm/ranking", methods=["GET"])
@blp.response(200, IkmRankingReport, description="Laporan.")
@blp.doc(security=[{"bearer": []}])
@auth.require("bureau")
@blp.arguments(PeriodReportQuery, location="query")
def ikm_ranking(query: dict):
    """Peringkat unit (hanya sampel memadai) dan unit dengan kenaikan IKM terbesar."""
    return json_response(skm_compliance.ranking(db(), report_settings(query), query["period"], query.get("as_of")))
