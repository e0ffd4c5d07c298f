"""PEKPPP scores: the bureau evaluator's F-02 scores and the unit's F-01 self-assessment, per unit
and year (`PUT /v1/pekppp/{unit_id}/{year}/scores`). Each accepted write is one
`pekppp.scores_recorded` event (pantau/events/pekppp.py); the aggregator folds them with the
indicators Pantau measures into the unit's evaluation and IPP (services/aggregator/pekppp_reports.py).

Who may write what (an API key, or a person's staff session forwarded by the dashboard's scoring
form: `Authorization: Session <id>`, pantau/sessions.py; then the account is the actor, and only an
evaluator, a bureau admin or the unit's operator may write): a bureau key records evaluator scores (or, with `"role": "self"`, a unit's
self-assessment received on paper); a unit key records its own unit's self-assessment only. An
evaluator score for an indicator Pantau measures (`pantau.rules.pekppp.MEASURED`) overrides the
measured one and needs a note giving the reason; both stay visible in the report.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import g
from marshmallow import ValidationError, fields, validate, validates_schema

from pantau import audit, auth, commands, store
from pantau.errors import Forbidden, Invalid
from pantau.events import pekppp as ev
from pantau.inputs import Text, Url, earliest_date, not_blank_pattern
from pantau.messages import N_, msg
from pantau.rules.pekppp import MEASURED
from pantau.rules.pekppp_instrument import instrument
from pantau.web import Blueprint, json_response

from .api import events
from .commands import append_event, digest, own_unit
from .responses import ScoresAnswer
from .schemas import Strict

blp = Blueprint("pekppp", __name__, url_prefix="/v1/pekppp",
                description="Skor evaluasi PEKPPP (F-02 evaluator dan penilaian mandiri F-01 unit)")
NUMBERS = tuple(str(n) for n in instrument().numbers())
MAX_EVIDENCE = 20


class ScoreMap(fields.Dict):
    """Indicator number → score: each key an F-02 indicator number, each score a whole number 0–5
    (errors per key, as marshmallow's Dict(keys=, values=) gives them). The check is here, not in
    Dict(values=), so that the document lists the indicators as properties (SCORES_DOC)."""

    def _deserialize(self, value, attr, data, **kwargs):
        scores = super()._deserialize(value, attr, data, **kwargs)
        errors: dict = {}
        for key, score in scores.items():
            if key not in NUMBERS:
                errors.setdefault(key, {})["key"] = [N_("Unknown indicator; use a number 1–30.")]
            if isinstance(score, bool) or not isinstance(score, int):
                errors.setdefault(key, {})["value"] = ["Not a valid integer."]
            elif not 0 <= score <= 5:
                errors.setdefault(key, {})["value"] = [N_("A score is 0 to 5.")]
        if errors:
            raise ValidationError(errors)
        return scores


SCORES_DOC = {"type": "object", "minProperties": 1, "maxProperties": len(NUMBERS), "additionalProperties": False,
              "properties": {n: {"type": "integer", "minimum": 0, "maximum": 5} for n in NUMBERS}}


class ScoresSchema(Strict):
    scores = ScoreMap(
        required=True, validate=validate.Length(1, len(NUMBERS), error=N_("Give at least one score.")),
        metadata={**SCORES_DOC, "description": "Nomor indikator F-02 (\"1\"–\"30\") → skor 0–5"})
    note = Text(0, 2000, multiline=True, allow_none=True,
                metadata={"description": "Catatan; wajib sebagai alasan bila mengganti skor yang diukur Pantau"})
    evidence = fields.List(Url(), load_default=list,
                           validate=validate.Length(0, MAX_EVIDENCE, error=N_("At most {max} evidence links.")))
    role = fields.String(validate=validate.OneOf(ev.ROLES), load_default=None,
                         metadata={"description": "evaluator (kunci Biro) atau self (penilaian mandiri unit); "
                                                  "bawaan menurut kunci"})

    @validates_schema
    def _override_needs_reason(self, data, **_):
        measured = sorted(int(k) for k in data.get("scores", {}) if int(k) in MEASURED)
        if measured and data.get("role") != "self" and not (data.get("note") or "").strip():
            raise ValidationError(
                N_("Indicators {indicators} are measured by Pantau from its data; an evaluator score replaces "
                   "them and needs a reason (note).").format(indicators=", ".join(map(str, measured))),
                field_name="note")


OVERRIDE_NEEDS_REASON = [
    {"required": ["role"], "properties": {"role": {"type": "string", "enum": ["self"]}}},
    {"required": ["note"], "properties": {"note": {"type": "string", "pattern": not_blank_pattern(1)}}},
    {"properties": {"scores": {"not": {"anyOf": [{"required": [str(n)]} for n in MEASURED]}}}},
]
"""ScoresSchema._override_needs_reason as JSON Schema: role self, or a note, or no measured indicator."""


def _scope(unit_id: str, year: int) -> None:
    own_unit(unit_id)
    hi = datetime.now(timezone.utc).year + 1
    if not earliest_date().year <= year <= hi:
        raise Invalid(msg("The evaluation year must be between %(year)s and %(hi)s.", year=earliest_date().year, hi=hi),
                      errors=[{"pointer": "/year", "field": "year", "message": msg("out of range")}])


SCORING_ACCOUNTS = ("bureau_admin", "evaluator", "unit_operator")


def _role(asked: str | None) -> str:
    p = g.principal
    account_role = getattr(p, "account_role", None)
    if getattr(p, "account", None) and account_role not in SCORING_ACCOUNTS:
        raise Forbidden(msg("This account's role is read-only; evaluators and bureau admins record scores."))
    if p.role == "bureau":
        return asked or "evaluator"
    if asked == "evaluator":
        raise Forbidden(msg("A unit key may only record its self-assessment, not evaluator scores."),
                        errors=[{"pointer": "/role", "field": "role", "message": msg("only 'self' for a unit key")}])
    return "self"


@blp.route("/<unit_id>/<int(signed=True):year>/scores", methods=["PUT"])
@blp.response(200, ScoresAnswer, description="Skor yang berlaku.")
@blp.doc(security=[{"bearer": []}])
@auth.require(sessions=True)
@blp.arguments_doc(ScoresSchema, {"allOf": [ScoresSchema], "anyOf": OVERRIDE_NEEDS_REASON, "description": (
    "Skor evaluator untuk indikator yang diukur Pantau (" + ", ".join(map(str, MEASURED)) + ") wajib disertai "
    "alasan (note), kecuali role self.")})
def put_scores(body, unit_id: str, year: int):
    """Catat skor indikator F-02 (evaluator Biro) atau penilaian mandiri unit (F-01) untuk satu tahun.
    Skor yang sudah ada untuk indikator lain tidak berubah; mengulang permintaan yang sama tidak
    mencatat apa pun lagi."""
    _scope(unit_id, year)
    role = _role(body.get("role"))
    subject = f"pekppp:{unit_id}:{year}:{role}"
    scores = sorted(({"indicator": int(k), "score": v} for k, v in body["scores"].items()),
                    key=lambda s: s["indicator"])
    private = {"scores": scores, "note": body.get("note"), "evidence": body["evidence"]}
    prior = store.head(events(), subject)
    answer = {"unit_id": unit_id, "year": year, "role": role, **private}
    if commands.repeats(events(), prior, digest(private)):
        return json_response(answer, 200, {"Idempotent-Replay": "true"})
    audit.note("pekppp.scores", f"{unit_id}/{year}", role=role, indicators=[s["indicator"] for s in scores])
    data = {"unit_id": unit_id, "year": year, "role": role, **private, "actor": audit.actor_of_request(),
            "recorded_at": datetime.now(timezone.utc).isoformat()}
    append_event(subject, ev.SCORES_RECORDED, data, unit_id, private, prior)
    return json_response(answer)
