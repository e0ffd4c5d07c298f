"""Open311 GeoReport v2, read-only, XML and JSON: the public view of non-confidential complaints.

Routes (no API key; `.xml` or `.json`, the format by the extension):
- `GET /open311/discovery.{format}`: the service discovery document (one production endpoint).
- `GET /open311/v2/services.{format}`, `services/{service_code}.{format}`: the three LAPOR!
  classifications as services; none has attributes (`metadata` false), so a definition has an
  empty `attributes` list.
- `GET /open311/v2/requests.{format}`: the last 90 days by default, at most 1000, newest first;
  parameters in services/complaints/open311_params.py.
- `GET /open311/v2/requests/{id}.{format}`: one request, in a one-item list as the spec has it.
A confidential complaint is never listed and its id answers 404; `description` is the subject
line; no address, coordinates or media (they could identify the reporter). The listing reads the
whole event log once and is cached for 10 s per worker (services/complaints/store.py); a single
request is always fresh.

Every error on an /open311/ path (400, 404, 405, 429, 500, 503, unknown routes and formats too)
is a GeoReport error document in the path's format (XML unless the path ends in `.json`), with
the status as its `code` and the problem's detail as its `description`: `answer_errors_as_georeport`
rewrites the app's problem+json answers for that prefix only.
"""
from __future__ import annotations

from datetime import datetime

import orjson
from flask import Response, request

from pantau.messages import msg
from pantau.problems import PROBLEM_JSON, ProblemError
from pantau.rules import lapor
from pantau.rules.workdays import default_calendar
from pantau.web import Blueprint, ProblemParser

from . import lifecycle, store
from . import open311_format as gr
from .open311_params import JurisdictionQuery, RequestsQuery, georeport_error, window
from .schemas import CLASSIFICATIONS

PREFIX = "/open311/"


class GeoReportParser(ProblemParser):
    """Query errors as the spec's 400 (one description), not a 422 with pointers."""

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        raise georeport_error(error.messages)


class GeoReportBlueprint(Blueprint):
    ARGUMENTS_PARSER = GeoReportParser()


open311_blp = GeoReportBlueprint("open311", __name__, url_prefix="/open311",
                                 description="Open311 GeoReport v2 (hanya baca, XML dan JSON, pengaduan tidak rahasia)")

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-04T00:00:00+08:00"  # the date this implementation last changed (discovery)
SERVICE_NAMES = {"pengaduan": "Pengaduan pelayanan publik", "aspirasi": "Aspirasi",
                 "permintaan_informasi": "Permintaan informasi"}
CLOSED = lapor.TERMINAL
MAX_REQUESTS = 1000
FORMAT = "<any(xml, json):fmt>"

_STRING, _NULLABLE = {"type": "string"}, {"type": "string", "nullable": True}
ERRORS_SCHEMA = {"type": "array", "items": {"type": "object", "required": ["code", "description"], "properties": {
    "code": {"type": "integer"}, "description": {"type": "string"}}}}
REQUEST_SCHEMA = {"type": "object", "required": ["service_request_id", "status", "service_code", "requested_datetime"],
                  "properties": {k: _NULLABLE for k in (
                      "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                      "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                      "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url")}}
SERVICE_SCHEMA = {"type": "object", "required": ["service_code", "service_name", "metadata", "type"],
                  "properties": {"service_code": _STRING, "service_name": _STRING, "description": _STRING,
                                 "metadata": {"type": "boolean"}, "type": _STRING, "keywords": _STRING,
                                 "group": _STRING}}
DEFINITION_SCHEMA = {"type": "object", "required": ["service_code", "attributes"],
                     "properties": {"service_code": _STRING, "attributes": {"type": "array", "items": {"type": "object"}}}}
DISCOVERY_SCHEMA = {"type": "object", "required": ["changeset", "endpoints"], "properties": {
    "changeset": _STRING, "contact": _STRING, "key_service": _STRING,
    "endpoints": {"type": "array", "items": {"type": "object"}}}}
_XML_BODY = {"schema": {"type": "string"}}
ERROR_RESPONSE = {"description": "Dokumen galat GeoReport (XML `<errors>` atau JSON), kode = status HTTP.",
                  "content": {"text/xml": _XML_BODY, "application/json": {"schema": ERRORS_SCHEMA}}}


def _ok(summary_schema: dict) -> dict:
    """The answer of one Open311 operation: a GeoReport document as XML or JSON."""
    return {"description": "Dokumen GeoReport v2 (XML atau JSON).",
            "content": {"text/xml": _XML_BODY, "application/json": {"schema": summary_schema}}}


def _doc() -> dict:
    """The rest of one Open311 operation's OpenAPI: GeoReport errors (not problem+json); the query
    parameters come from the schemas in open311_params."""
    return {"security": [], "responses": {"400": ERROR_RESPONSE, "404": ERROR_RESPONSE, "default": ERROR_RESPONSE}}


def answer(body_ct: tuple[bytes, str]) -> Response:
    body, ctype = body_ct
    return Response(body, status=200, content_type=ctype)


# werkzeug's own English texts for what no Open311 view answered
_OWN_WORDS = {404: msg("No Open311 resource at this address (formats: .xml or .json)."),
              405: msg("Method not allowed: this Open311 endpoint is read-only (GET).")}


@open311_blp.after_app_request
def answer_errors_as_georeport(resp: Response) -> Response:
    """On /open311/ paths, a problem+json answer becomes the GeoReport error document (same status
    and headers, e.g. Retry-After, Allow); every other path keeps problem+json."""
    if not request.path.startswith(PREFIX) or resp.mimetype != PROBLEM_JSON:
        return resp
    try:
        problem = orjson.loads(resp.get_data())
    except orjson.JSONDecodeError:
        problem = {}
    own = _OWN_WORDS.get(resp.status_code) if request.url_rule is None or resp.status_code == 405 else None
    if own is not None:
        description = own.render()
    else:
        description = str(problem.get("detail") or problem.get("title") or resp.status_code)
    body, ctype = gr.errors(resp.status_code, description, gr.format_of_path(request.path))
    resp.set_data(body)
    resp.headers["Content-Type"] = ctype
    return resp


def _service(code: str) -> dict:
    return {"service_code": code, "service_name": SERVICE_NAMES[code], "description": SERVICE_NAMES[code],
            "metadata": False, "type": "realtime", "keywords": "sp4n-lapor", "group": "SP4N-LAPOR!"}


@open311_blp.route(f"/discovery.{FORMAT}", methods=["GET"])
@open311_blp.response_doc(200, _ok(DISCOVERY_SCHEMA))
@open311_blp.doc(**_doc())
def discovery(fmt: str):
    """Dokumen penemuan layanan Open311 (satu endpoint produksi GeoReport v2)."""
    doc = {"changeset": CHANGESET,
           "contact": "Biro Organisasi Sekretariat Daerah Provinsi Kalimantan Timur",
           "key_service": "Tidak ada: API ini hanya baca dan tidak memerlukan kunci.",
           "endpoints": [{"specification": SPECIFICATION, "url": request.host_url.rstrip("/") + "/open311/v2",
                          "changeset": CHANGESET, "type": "production",
                          "formats": [gr.MEDIA_TYPES[gr.XML], gr.MEDIA_TYPES[gr.JSON]]}]}
    return answer(gr.discovery(doc, fmt))


@open311_blp.route(f"/v2/services.{FORMAT}", methods=["GET"])
@open311_blp.response_doc(200, _ok({"type": "array", "items": SERVICE_SCHEMA}))
@open311_blp.doc(**_doc())
@open311_blp.arguments(JurisdictionQuery, location="query")
def services(_query: dict, fmt: str):
    """Jenis layanan Open311 (klasifikasi LAPOR!)."""
    return answer(gr.services([_service(c) for c in CLASSIFICATIONS], fmt))


@open311_blp.route(f"/v2/services/<service_code>.{FORMAT}", methods=["GET"])
@open311_blp.response_doc(200, _ok(DEFINITION_SCHEMA))
@open311_blp.doc(**_doc())
@open311_blp.arguments(JurisdictionQuery, location="query")
def service_definition(_query: dict, service_code: str, fmt: str):
    """Definisi satu jenis layanan: tanpa atribut tambahan (metadata false)."""
    if service_code not in CLASSIFICATIONS:
        raise ProblemError(404, msg("service_code %(service_code)r not found.", service_code=service_code))
    return answer(gr.service_definition(service_code, [], fmt))


def _request(envs: list[dict], first: dict, at: datetime) -> dict | None:
    cal = default_calendar()
    st = lapor.state_at(envs, at, cal)
    if st is None or st.confidential:
        return None
    resolution = [d for d in lapor.deadlines(st, at, cal, lifecycle.tier_of, "")
                  if d["kind"] == "resolution" and d["outcome"] in ("open", "breached") and d["stopped_at"] is None]
    return {"service_request_id": st.complaint_id, "status": "closed" if st.status in CLOSED else "open",
            "status_notes": lapor.LAPOR_LABELS[st.status], "service_name": SERVICE_NAMES.get(st.classification),
            "service_code": st.classification, "description": first.get("subject"),
            "agency_responsible": lifecycle.unit_name(st.holder_unit_id) or st.to_instansi,
            "service_notice": None, "requested_datetime": st.received_at, "updated_datetime": st.last_at,
            "expected_datetime": resolution[-1]["due_at"] if resolution else None,
            "address": None, "address_id": None, "zipcode": None, "lat": None, "long": None, "media_url": None}


@open311_blp.route(f"/v2/requests.{FORMAT}", methods=["GET"])
@open311_blp.response_doc(200, _ok({"type": "array", "items": REQUEST_SCHEMA}))
@open311_blp.doc(**_doc())
@open311_blp.arguments(RequestsQuery, location="query")
def requests_list(loaded: dict, fmt: str):
    """Daftar pengaduan tidak rahasia (Open311 GeoReport v2)."""
    at = lifecycle.now()
    query = window(loaded, at)
    out = []
    for envs, first in store.all_complaints():
        data = envs[0]["data"]
        if data.get("confidential"):
            continue
        if query.ids and data["complaint_id"] not in query.ids:
            continue
        item = _request(envs, first, at)
        if item is None or not query.matches(item, datetime.fromisoformat(data["received_at"])):
            continue
        out.append(item)
    out.sort(key=lambda r: datetime.fromisoformat(r["requested_datetime"]), reverse=True)
    return answer(gr.service_requests(out[:MAX_REQUESTS], fmt))


@open311_blp.route(f"/v2/requests/<request_id>.{FORMAT}", methods=["GET"])
@open311_blp.response_doc(200, _ok({"type": "array", "items": REQUEST_SCHEMA, "maxItems": 1}))
@open311_blp.doc(**_doc())
@open311_blp.arguments(JurisdictionQuery, location="query")
def request_one(_query: dict, request_id: str, fmt: str):
    """Satu pengaduan tidak rahasia (Open311 GeoReport v2); yang rahasia tidak ditemukan."""
    stored = store.docs(request_id)
    item = _request([d["envelope"] for d in stored], (stored[0].get("private") or {}).get("complaint") or {},
                    lifecycle.now()) if stored else None
    if item is None:
        raise ProblemError(404, msg("Service request not found."))
    return answer(gr.service_requests([item], fmt))
