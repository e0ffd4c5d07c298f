"""Complaints service routes: intake, lifecycle actions and the handlers' view.

- `POST /v1/complaints` takes a complaint (idempotent per `tracking_id`, or per
  `Idempotency-Key` when we issue the id) and answers once with a reporter token; only its
  SHA-256 is stored, and with it the reporter can rate, reopen or accept without an account.
- `POST /v1/complaints/{id}/actions` `{action, ...}` takes one lifecycle action (see
  `services/complaints/lifecycle.py` for the order of checks and `pantau/rules/lapor.py` for
  the table). Authenticate with an API key (`Authorization: Bearer`) or, for the reporter's
  actions, with `X-Reporter-Token`.
- `GET /v1/complaints/{id}[?as_of=]` status, history, hops, deadlines (due, met/breached/open
  at `as_of`), notes; only for the bureau and the unit holding the complaint now; the reporter
  is hidden when the complaint is anonymous.
"""
from __future__ import annotations

import hashlib
import secrets

from flask import g, request
from marshmallow import ValidationError

from pantau import audit, auth, commands, data_keys
from pantau.events import complaints as ev
from pantau.messages import msg
from pantau.params import AsOfQuery
from pantau.problems import ProblemError, flatten_errors
from pantau.rules import lapor
from pantau.web import Blueprint, json_response, one_of_doc, read_json

from . import lifecycle, store
from .lifecycle import ACTION_SCHEMAS
from .responses import ActionTaken, HandlerView, Received
from .schemas import ComplaintSchema

blp = Blueprint("complaints", __name__, url_prefix="/v1/complaints", description="Pengaduan SP4N-LAPOR!")
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
TOKEN_HEADER = "X-Reporter-Token"
TOKEN_NOTE = ("Simpan token pelapor ini: hanya ditampilkan sekali. Dengan token ini pelapor dapat menilai "
              "penanganan, membuka kembali atau menerima jawaban (header X-Reporter-Token).")


def events():
    return store.events()


def subject(tracking_id: str) -> str:
    return store.subject(tracking_id)


def _tracking_id(body: dict) -> str:
    if body.get("tracking_id"):
        return body["tracking_id"]
    key = request.headers.get("Idempotency-Key")
    if key:
        return "PTU-" + hashlib.sha256(f"{body['unit_id']}|{key}".encode()).hexdigest()[:12].upper()
    return "PTU-" + secrets.token_hex(6).upper()


@blp.route("", methods=["POST"])
@blp.response(201, Received, description="Diterima (juga pada pengulangan, tanpa token).")
@blp.doc(security=SECURITY)
@auth.require()
@blp.arguments(ComplaintSchema)
def post_complaint(body):
    """Terima pengaduan (idempoten per tracking_id atau header Idempotency-Key)."""
    commands.require_service_unit(body["unit_id"])
    auth.check_unit(body["unit_id"])
    now = lifecycle.now()
    if body.get("received_at") and body["received_at"] > now + lifecycle.CLOCK_SKEW:
        raise ProblemError(422, msg("received_at cannot be in the future."),
                           errors=[{"pointer": "/received_at", "field": "received_at", "message": msg("in the future")}])
    tracking_id = _tracking_id(body)
    received_at = body.get("received_at") or now
    canon = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in body.items() if k != "received_at"}
    digest = commands.content_hash(canon)
    data = {"complaint_id": tracking_id, "unit_id": body["unit_id"], "channel": body["channel"],
            "classification": body["classification"], "category": body.get("category"), "tags": body["tags"],
            "received_at": received_at.isoformat(), "anonymous": body["anonymous"],
            "confidential": body["confidential"], "status": "RECEIVED"}
    token = secrets.token_urlsafe(24)
    answer = {"tracking_id": tracking_id, "unit_id": body["unit_id"], "status": "RECEIVED",
              "track_url": f"/v1/complaints/track/{tracking_id}"}
    audit.note("complaint.receive", tracking_id, unit_id=body["unit_id"])  # a bureau filing's audit entry
    try:
        # the reporter's identity is sealed with their own data key (pantau/data_keys.py); the
        # content hash is of the plaintext request, so a repeat is still recognised
        private = {"complaint": {**canon, "received_at": received_at.isoformat(), "tracking_id": tracking_id,
                                 "reporter": lifecycle.seal_reporter(tracking_id, canon.get("reporter"))},
                   "reporter_token_sha256": lifecycle.token_hash(token)}
    except data_keys.Erased:  # an erased reporter's complaint can only be a repeat
        result = commands.check_stored(events(), events().find_one({"_id": f"{subject(tracking_id)}:1"}), digest)
        result = result or commands.Result(commands.Outcome.CONFLICT, None)
    else:
        # reporter identity and content stay here, never in the event
        result = commands.append_next(events(), "complaints", subject(tracking_id), ev.RECEIVED, data,
                                      key=tracking_id, chash=digest, private=private, time=received_at,
                                      correlation_id=g.get("correlation_id"))
    result.or_409(msg("tracking_id already used with different content."))
    if result.replayed:  # a repeat republishes, so an earlier failed attempt is healed
        return json_response({**answer, "reporter_token": None,
                              "reporter_token_note": "Token pelapor hanya diberikan pada jawaban pertama."},
                             201, {"Idempotent-Replay": "true"})
    return json_response({**answer, "reporter_token": token, "reporter_token_note": TOKEN_NOTE}, 201,
                         {"Cache-Control": "no-store"})


def _load(tracking_id: str) -> tuple[list[dict], lapor.ComplaintState]:
    stored = store.docs(tracking_id)
    if not stored:
        raise ProblemError(404, msg("Complaint not found."))
    state = store.state_of(stored)
    assert state is not None  # a complaint with envelopes has a state
    return stored, state


@blp.route("/<tracking_id>/actions", methods=["POST"])
@blp.response(200, ActionTaken, description="Tindakan tercatat.")
# read raw, not by @blp.arguments: the key or reporter token is checked first, then the action's own schema
@blp.doc(security=SECURITY + [{}], requestBody={"required": True, "content": {"application/json": {
    "schema": one_of_doc("action", ACTION_SCHEMAS)}}},
    parameters=[{"in": "header", "name": TOKEN_HEADER, "required": False, "schema": {"type": "string"}}])
def post_action(tracking_id: str):
    """Satu tindakan siklus pengaduan (verify, pend, complete_info, archive, forward, forward_out,
    follow_up, resolve, rate, reopen, accept)."""
    token = request.headers.get(TOKEN_HEADER)
    principal = None if token and not request.headers.get("Authorization") else auth.current()
    raw = read_json()  # an object (anything else is a 422 there)
    action = raw.get("action")
    if not isinstance(action, str) or action not in ACTION_SCHEMAS:  # a list or an object is unhashable
        raise ProblemError(422, msg("Unknown action."),
                           errors=[{"pointer": "/action", "field": "action",
                                    "message": msg("must be one of: %(choices)s", choices=", ".join(ACTION_SCHEMAS))}])
    try:
        body = ACTION_SCHEMAS[action]().load(raw)
    except ValidationError as exc:
        raise ProblemError(422, msg("Check the fields listed."),
                           errors=flatten_errors(exc.messages)) from None
    body.pop("action")
    stored, state = _load(tracking_id)
    if principal is None:
        assert token is not None  # no principal only where a reporter token came
        actor = lifecycle.check_reporter(stored, token)
    else:
        actor = lifecycle.Actor("bureau") if principal.role == "bureau" else lifecycle.Actor("unit", principal.unit_id)
    # named before the write: a bureau action's audit entry travels in its event document
    audit.note(f"complaint.{action}", tracking_id, status_before=state.status)
    result, replayed = lifecycle.act(tracking_id, action, body, actor, stored, state,
                                     request.headers.get("Idempotency-Key"), g.get("correlation_id"))
    return json_response(result, 200, {"Idempotent-Replay": "true"} if replayed else None)


@blp.route("/<tracking_id>", methods=["GET"])
@blp.response(200, HandlerView, description="Pengaduan lengkap.")
@blp.doc(security=SECURITY)
@auth.require()
@blp.arguments(AsOfQuery, location="query")
def get_complaint(query: dict, tracking_id: str):
    """Pengaduan lengkap: status, riwayat, perpindahan, tenggat; identitas pelapor disembunyikan bila anonim."""
    stored, state = _load(tracking_id)
    p = g.principal
    lifecycle.check_handler(lifecycle.Actor("bureau") if p.role == "bureau" else lifecycle.Actor("unit", p.unit_id),
                            state)
    view = lifecycle.handler_view(tracking_id, stored, query.get("as_of") or lifecycle.now())
    if view is None:
        raise ProblemError(404, msg("Not yet received at as_of."))
    return json_response(view)
