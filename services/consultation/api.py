"""Consultation (FKP) service routes."""
from __future__ import annotations

import hashlib

import orjson
from flask import g

from pantau import auth, metrics, mongo, outbox
from pantau.envelope import new_event
from pantau.events import SOURCES
from pantau.events import fkp as ev
from pantau.problems import ProblemError
from pantau.units import Registry
from pantau.web import Blueprint, json_body, json_response

from .schemas import ForumSchema

blp = Blueprint("fkp", __name__, url_prefix="/v1/fkp", description="Forum Konsultasi Publik (FKP)")


def events():
    return mongo.db("consultation")["events"]


def subject(fkp_id: str) -> str:
    return f"fkp:{fkp_id}"


@blp.route("", methods=["POST"])
@blp.doc(security=[{"bearer": []}])
@auth.require()
@json_body(blp, ForumSchema)
def post_forum(body):
    """Catat FKP (idempoten per fkp_id)."""
    unit = Registry.instance().get(body["unit_id"])
    if unit is None or unit.kind == "province":
        raise ProblemError(422, "Unit tidak dikenal.", detail_en="Unknown unit.",
                           errors=[{"pointer": "/unit_id", "field": "unit_id", "message": "unit tidak terdaftar"}])
    auth.check_unit(body["unit_id"])
    canon = {**body, "held_on": body["held_on"].isoformat()}
    digest = hashlib.sha256(orjson.dumps(canon, option=orjson.OPT_SORT_KEYS)).hexdigest()
    data = {"unit_id": body["unit_id"], "fkp_id": body["fkp_id"], "topic": body["topic"], "title": body["title"],
            "held_on": canon["held_on"], "format": body["format"], "stage": body["stage"],
            "elements": sorted({p["element"] for p in body["participants"]}),
            "participant_count": len(body["participants"])}
    event = new_event(source=SOURCES["consultation"], type=ev.FORUM_RECORDED, subject=subject(body["fkp_id"]),
                      seq=1, data=data, correlationid=g.get("correlation_id"))
    answer = {"fkp_id": body["fkp_id"], "unit_id": body["unit_id"], "stage": body["stage"]}
    try:
        # names of participants stay in this service's record, out of the event
        outbox.append(events(), event, body["fkp_id"], {"content_hash": digest, "private": {"forum": canon}})
    except outbox.Conflict:
        prior = events().find_one({"_id": f"{subject(body['fkp_id'])}:1"}, projection={"content_hash": 1})
        if prior and prior.get("content_hash") == digest:
            return json_response(answer, 201, {"Idempotent-Replay": "true"})
        raise ProblemError(409, "fkp_id sudah dipakai dengan isi berbeda.",
                           detail_en="fkp_id already used with different content.") from None
    metrics.EVENTS_STORED.labels("consultation", ev.FORUM_RECORDED).inc()
    return json_response(answer, 201)


@blp.route("/<fkp_id>", methods=["GET"])
@blp.doc(security=[{"bearer": []}])
@auth.require()
def get_forum(fkp_id: str):
    """Baca FKP beserta riwayat kejadiannya."""
    first = events().find_one({"_id": f"{subject(fkp_id)}:1"})
    if first is None:
        raise ProblemError(404, "FKP tidak ditemukan.", detail_en="FKP not found.")
    auth.check_unit(first["envelope"]["data"]["unit_id"])
    return json_response({**first["private"]["forum"], "history": outbox.history(events(), subject(fkp_id))})
