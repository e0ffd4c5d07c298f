"""Survey service routes: thin (load → use-case → answer)."""
from __future__ import annotations

from flask import g
from marshmallow import ValidationError

from pantau import auth, metrics, mongo
from pantau.events import skm as ev
from pantau.messages import msg
from pantau.problems import ProblemError, flatten_errors
from pantau.web import Blueprint, json_response, read_json

from . import intake, response_check
from .responses import Accepted, Voided
from .schemas import BatchSchema, ResponseSchema, VoidSchema

blp = Blueprint("skm", __name__, url_prefix="/v1/skm", description="Survei Kepuasan Masyarakat (SKM)")


def events():
    return mongo.db("survey")["events"]


@blp.route("/responses", methods=["POST"])
@blp.response(202, Accepted, description="Diterima (semua atau tidak sama sekali).")
# read raw, not by @blp.arguments: one response or a batch, first through the one-pass check
@blp.doc(security=[{"bearer": []}], requestBody={"required": True, "content": {"application/json": {
    "schema": {"oneOf": [ResponseSchema, BatchSchema]}}}})
@auth.require()
def post_responses():
    """Terima satu respons SKM atau batch {"responses": [...]} (maks. 5.000), semua-atau-tidak-sama-sekali."""
    body = read_json()
    is_batch = "responses" in body
    try:
        # the one-pass check accepts what the schema accepts; anything else is loaded by the schema,
        # which words the field errors (response_check.py)
        if is_batch:
            items = response_check.batch(body) or BatchSchema().load(body)["responses"]
        else:
            items = [response_check.response(body) or ResponseSchema().load(body)]
    except ValidationError as exc:
        raise ProblemError(422, msg("Check the fields listed; nothing was stored."),
                           errors=flatten_errors(exc.messages)) from None
    if is_batch:
        answer = intake.record(events(), items, g.principal, g.get("correlation_id"), lambda i: f"/responses/{i}")
    else:  # stored with the single posts of other request threads (single_posts.py)
        answer = intake.record_one(events(), items[0], g.principal, g.get("correlation_id"))
    if answer["new"]:
        metrics.EVENTS_STORED.labels("survey", ev.RESPONSE_RECORDED).inc(answer["new"])
    headers = {"Idempotent-Replay": "true"} if answer["new"] == 0 else {}
    return json_response(answer, 202, headers)


@blp.route("/responses/<unit_id>/<response_id>/void", methods=["POST"])
@blp.response(202, Voided, description="Respons dibatalkan.")
@blp.doc(security=[{"bearer": []}])
@auth.require()
@blp.arguments(VoidSchema)
def void_response(body, unit_id: str, response_id: str):
    """Batalkan respons (koreksi) dengan alasan; respons yang dibatalkan keluar dari semua angka."""
    auth.check_unit(unit_id, "/unit_id")
    answer, _ = intake.void(events(), unit_id, response_id, body["reason"], g.get("correlation_id"))  # counted there
    return json_response(answer, 202)


def ensure_indexes() -> None:
    from pantau import store
    store.prepare(events())
