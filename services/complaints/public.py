"""Public complaint views, no API key: tracking by tracking id, and Open311 GeoReport v2.

- `GET /v1/complaints/track/{tracking_id}`: status, dates, the unit holding it, the timeline
  and the deadlines; the subject line and category unless the complaint is confidential; never
  the reporter, the description or the notes. With `X-Reporter-Token` the reporter also sees
  the answers to their complaint and the feedback question.
- `GET /open311/v2/services.json`, `requests.json`, `requests/{id}.json` (read-only, JSON only):
  non-confidential complaints only (a confidential one is not listed and its id answers 404);
  `description` is the subject line; no address, coordinates or media (they could identify the
  reporter). `requests.json` follows the spec's defaults: the last 90 days, at most 1000,
  newest first; filters `service_request_id`, `service_code`, `status` (open|closed), each
  comma-separated, and `start_date`, `end_date`. The listing reads the whole event log once and
  is cached for 10 s per worker (services/complaints/store.py); a single request is always fresh.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import request

from pantau.params import as_of_arg
from pantau.problems import ProblemError
from pantau.rules import lapor
from pantau.rules.workdays import default_calendar
from pantau.web import Blueprint, json_response

from . import lifecycle, store
from .api import TOKEN_HEADER
from .schemas import CLASSIFICATIONS

track_blp = Blueprint("complaint_tracking", __name__, url_prefix="/v1/complaints",
                      description="Pelacakan pengaduan untuk publik dan pelapor")
open311_blp = Blueprint("open311", __name__, url_prefix="/open311/v2",
                        description="Open311 GeoReport v2 (hanya baca, pengaduan tidak rahasia)")

SERVICE_NAMES = {"pengaduan": "Pengaduan pelayanan publik", "aspirasi": "Aspirasi",
                 "permintaan_informasi": "Permintaan informasi"}
CLOSED = lapor.TERMINAL
MAX_REQUESTS = 1000
DEFAULT_DAYS = 90
LIST_OK = {"200": {"description": "Daftar JSON (Open311 GeoReport v2).",
                   "content": {"application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}}
_TEXT_ARG = {"in": "query", "required": False, "schema": {"type": "string"}}
LIST_ARGS = [{**_TEXT_ARG, "name": n} for n in ("service_request_id", "service_code", "status")] + \
    [{**_TEXT_ARG, "name": n, "schema": {"type": "string", "format": "date-time"}} for n in ("start_date", "end_date")]


@track_blp.route("/track/<tracking_id>", methods=["GET"])
@track_blp.doc(security=[], parameters=[{"in": "header", "name": TOKEN_HEADER, "required": False,
                                         "schema": {"type": "string"}}])
def track(tracking_id: str):
    """Status pengaduan untuk publik (tanpa data pribadi; tanpa isi bila rahasia)."""
    stored = store.docs(tracking_id)
    if not stored:
        raise ProblemError(404, "Pengaduan tidak ditemukan.", detail_en="Complaint not found.")
    token = request.headers.get(TOKEN_HEADER)
    reporter = False
    if token:
        lifecycle.check_reporter(stored, token)
        reporter = True
    view = lifecycle.public_view(tracking_id, stored, as_of_arg(lifecycle.now()), reporter)
    if view is None:
        raise ProblemError(404, "Pengaduan belum diterima pada as_of.", detail_en="Not yet received at as_of.")
    return json_response(view, headers={"Cache-Control": "no-store"})


@open311_blp.route("/services.json", methods=["GET"])
@open311_blp.doc(security=[], responses=LIST_OK)
def services():
    """Jenis layanan Open311 (klasifikasi LAPOR!)."""
    return json_response([{"service_code": c, "service_name": SERVICE_NAMES[c], "description": SERVICE_NAMES[c],
                           "metadata": False, "type": "realtime", "keywords": "sp4n-lapor", "group": "SP4N-LAPOR!"}
                          for c in CLASSIFICATIONS])


def _request(envs: list[dict], first: dict, at: datetime) -> dict | None:
    cal = default_calendar()
    st = lapor.state_at(envs, at, cal)
    if st is None or st["confidential"]:
        return None
    resolution = [d for d in lapor.deadlines(st, at, cal, lifecycle.tier_of, "")
                  if d["kind"] == "resolution" and d["outcome"] in ("open", "breached") and d["stopped_at"] is None]
    return {"service_request_id": st["complaint_id"], "status": "closed" if st["status"] in CLOSED else "open",
            "status_notes": lapor.LAPOR_LABELS[st["status"]], "service_name": SERVICE_NAMES.get(st["classification"]),
            "service_code": st["classification"], "description": first.get("subject"),
            "agency_responsible": lifecycle.unit_name(st["holder_unit_id"]) or st["to_instansi"],
            "service_notice": None, "requested_datetime": st["received_at"], "updated_datetime": st["last_at"],
            "expected_datetime": resolution[-1]["due_at"] if resolution else None,
            "address": None, "address_id": None, "zipcode": None, "lat": None, "long": None, "media_url": None}


def _date_arg(name: str) -> datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        t = datetime.fromisoformat(raw.replace(" ", "+"))
    except ValueError:
        t = None
    if t is None or t.tzinfo is None:
        raise ProblemError(400, f"{name} harus tanggal-waktu W3C dengan zona waktu.",
                           detail_en=f"{name} must be a W3C date-time with an offset.")
    return t


@open311_blp.route("/requests.json", methods=["GET"])
@open311_blp.doc(security=[], responses=LIST_OK, parameters=LIST_ARGS)
def requests_list():
    """Daftar pengaduan tidak rahasia (Open311 GeoReport v2)."""
    at = lifecycle.now()
    ids = {i for i in (request.args.get("service_request_id") or "").split(",") if i}
    codes = {c for c in (request.args.get("service_code") or "").split(",") if c}
    statuses = {c for c in (request.args.get("status") or "").split(",") if c}
    start, end = _date_arg("start_date"), _date_arg("end_date")
    if not ids and start is None and end is None:
        start = at - timedelta(days=DEFAULT_DAYS)
    out = []
    for envs, first in store.all_complaints():
        data = envs[0]["data"]
        if data.get("confidential"):
            continue
        if ids and data["complaint_id"] not in ids:
            continue
        received = datetime.fromisoformat(data["received_at"])
        if (start and received < start) or (end and received > end):
            continue
        item = _request(envs, first, at)
        if item is None or (codes and item["service_code"] not in codes) or (statuses and item["status"] not in statuses):
            continue
        out.append(item)
    out.sort(key=lambda r: r["requested_datetime"], reverse=True)
    return json_response(out[:MAX_REQUESTS])


@open311_blp.route("/requests/<request_id>.json", methods=["GET"])
@open311_blp.doc(security=[], responses=LIST_OK)
def request_one(request_id: str):
    """Satu pengaduan tidak rahasia (Open311 GeoReport v2); yang rahasia tidak ditemukan."""
    stored = store.docs(request_id)
    item = _request([d["envelope"] for d in stored], (stored[0].get("private") or {}).get("complaint") or {},
                    lifecycle.now()) if stored else None
    if item is None:
        raise ProblemError(404, "Permintaan layanan tidak ditemukan.", detail_en="Service request not found.")
    return json_response([item])
