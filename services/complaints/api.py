"""Complaints service routes (intake and read-back; the LAPOR! lifecycle builds on these)."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

import orjson
from flask import g, request

from pantau import auth, metrics, mongo, outbox
from pantau.envelope import new_event
from pantau.events import SOURCES
from pantau.events import complaints as ev
from pantau.problems import ProblemError
from pantau.units import Registry
from pantau.web import Blueprint, json_body, json_response

from .schemas import ComplaintSchema

blp = Blueprint("complaints", __name__, url_prefix="/v1/complaints", description="Pengaduan SP4N-LAPOR!")


def events():
    return mongo.db("complaints")["events"]


def subject(tracking_id: str) -> str:
    return f"complaint:{tracking_id}"


def _tracking_id(body: dict) -> str:
    if body.get("tracking_id"):
        return body["tracking_id"]
    key = request.headers.get("Idempotency-Key")
    if key:
        return "PTU-" + hashlib.sha256(f"{body['unit_id']}|{key}".encode()).hexdigest()[:12].upper()
    return "PTU-" + secrets.token_hex(6).upper()


@blp.route("", methods=["POST"])
@blp.doc(security=[{"bearer": []}])
@auth.require()
@json_body(blp, ComplaintSchema)
def post_complaint(body):
    """Terima pengaduan (idempoten per tracking_id atau header Idempotency-Key)."""
    unit = Registry.instance().get(body["unit_id"])
    if unit is None:
        raise ProblemError(422, "Unit tidak dikenal.", detail_en="Unknown unit.",
                           errors=[{"pointer": "/unit_id", "field": "unit_id", "message": "unit tidak terdaftar"}])
    auth.check_unit(body["unit_id"])
    tracking_id = _tracking_id(body)
    received_at = body.get("received_at") or datetime.now(timezone.utc)
    canon = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in body.items() if k != "received_at"}
    digest = hashlib.sha256(orjson.dumps(canon, option=orjson.OPT_SORT_KEYS)).hexdigest()
    data = {"complaint_id": tracking_id, "unit_id": body["unit_id"], "channel": body["channel"],
            "classification": body["classification"], "category": body.get("category"),
            "received_at": received_at.isoformat(), "anonymous": body["anonymous"],
            "confidential": body["confidential"], "status": "RECEIVED"}
    event = new_event(source=SOURCES["complaints"], type=ev.RECEIVED, subject=subject(tracking_id), seq=1,
                      data=data, time=received_at, correlationid=g.get("correlation_id"))
    answer = {"tracking_id": tracking_id, "unit_id": body["unit_id"], "status": "RECEIVED"}
    private = {"complaint": {**canon, "received_at": received_at.isoformat(), "tracking_id": tracking_id}}
    try:
        # reporter identity and content stay here, never in the event
        outbox.append(events(), event, tracking_id, {"content_hash": digest, "private": private})
    except outbox.Conflict:
        prior = events().find_one({"_id": f"{subject(tracking_id)}:1"}, projection={"content_hash": 1})
        if prior and prior.get("content_hash") == digest:
            return json_response(answer, 201, {"Idempotent-Replay": "true"})
        raise ProblemError(409, "tracking_id sudah dipakai dengan isi berbeda.",
                           detail_en="tracking_id already used with different content.") from None
    metrics.EVENTS_STORED.labels("complaints", ev.RECEIVED).inc()
    return json_response(answer, 201)


@blp.route("/<tracking_id>", methods=["GET"])
@blp.doc(security=[{"bearer": []}])
@auth.require()
def get_complaint(tracking_id: str):
    """Baca pengaduan; identitas pelapor disembunyikan bila anonim."""
    first = events().find_one({"_id": f"{subject(tracking_id)}:1"})
    if first is None:
        raise ProblemError(404, "Pengaduan tidak ditemukan.", detail_en="Complaint not found.")
    auth.check_unit(first["envelope"]["data"]["unit_id"])
    c = dict(first["private"]["complaint"])
    if c.get("anonymous"):
        c["reporter"] = None
    return json_response({**c, "status": first["envelope"]["data"]["status"],
                          "history": outbox.history(events(), subject(tracking_id))})
