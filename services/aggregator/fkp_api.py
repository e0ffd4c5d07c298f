"""Aggregator FKP reports (forums held, community elements, promises kept and overdue).

`GET /v1/fkp/units/{unit_id}?year=Y[&as_of=RFC3339]` (the unit's own key or the bureau) and
`GET /v1/fkp/province?year=Y[&as_of=...]` (bureau). `as_of` defaults to now and is echoed; the
figures are those the data supported at that moment (see fkp_reports).
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import request

from pantau import auth, mongo
from pantau.problems import ProblemError
from pantau.units import Registry
from pantau.web import Blueprint, json_response

from . import fkp_reports

blp = Blueprint("fkp_reports", __name__, url_prefix="/v1/fkp", description="Laporan FKP dan janji perbaikan")
PARAMS = [{"in": "query", "name": "year", "required": True, "schema": {"type": "integer"},
           "description": "Tahun pelaksanaan FKP"},
          {"in": "query", "name": "as_of", "required": False, "schema": {"type": "string", "format": "date-time"},
           "description": "Keadaan data pada saat ini (RFC 3339, bawaan: sekarang)"}]


def db():
    return mongo.db("aggregator")


def _bad(name: str, message: str, en: str) -> ProblemError:
    return ProblemError(422, message, detail_en=en, errors=[{"pointer": name, "field": name, "message": message}])


def _year() -> int:
    raw = request.args.get("year", "")
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise _bad("year", "Parameter year wajib diisi dengan tahun empat digit (mis. 2026).",
                   "The year parameter must be a four-digit year (e.g. 2026).")
    return int(raw)


def _as_of() -> datetime:
    raw = request.args.get("as_of")
    if not raw:
        return datetime.now(timezone.utc)
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise _bad("as_of", "as_of harus tanggal-waktu RFC 3339 dengan zona waktu (mis. 2026-06-30T23:59:59+08:00).",
                   "as_of must be an RFC 3339 date-time with a zone offset.")
    return value


@blp.route("/units/<unit_id>", methods=["GET"])
@blp.doc(security=[{"bearer": []}], parameters=PARAMS)
@auth.require()
def unit_fkp(unit_id: str):
    """FKP unit: forum terlaksana, unsur masyarakat dan skor PEKPPP ind. 2, janji perbaikan, dampak pada SKM."""
    if Registry.instance().get(unit_id) is None:
        raise ProblemError(404, "Unit tidak ditemukan.", detail_en="Unit not found.")
    auth.check_unit(unit_id, "unit_id")
    return json_response(fkp_reports.unit_report(db(), unit_id, _year(), _as_of()))


@blp.route("/province", methods=["GET"])
@blp.doc(security=[{"bearer": []}], parameters=PARAMS)
@auth.require("bureau")
def province_fkp():
    """FKP provinsi: per perangkat daerah dan total, unit tanpa FKP, janji yang lewat target (terlama dulu)."""
    return json_response(fkp_reports.province_report(db(), _year(), _as_of()))
