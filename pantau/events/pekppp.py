"""PEKPPP evaluation events (topic skm.events beside the unit's SKM, key = unit id).

Subject `pekppp:<unit_id>:<year>:<role>`, one per unit, year and role (`evaluator`: the bureau's
F-02 scores; `self`: the unit's own F-01 self-assessment), each with its own `seq`. One event
per accepted `PUT /v1/pekppp/{unit_id}/{year}/scores`: the scores it sets, who set them, the
note (the reason of an override) and evidence links. These are an official evaluation by staff,
not citizen data, so the note and links travel in the event: the aggregator shows them beside
the score. `actor` names a key (`key:<id>`) or a staff account (`user:<username>`), never a secret.
"""
from marshmallow import Schema, fields, validate

from ..envelope import register

SCORES_RECORDED = "pekppp.scores_recorded"
ROLES = ("evaluator", "self")


class ScoreData(Schema):
    indicator = fields.Integer(required=True, validate=validate.Range(1, 30))
    score = fields.Integer(required=True, validate=validate.Range(0, 5))


class ScoresRecordedData(Schema):
    unit_id = fields.String(required=True)
    year = fields.Integer(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    scores = fields.List(fields.Nested(ScoreData), required=True)
    note = fields.String(allow_none=True, load_default=None)
    evidence = fields.List(fields.String(), load_default=list)
    actor = fields.String(required=True)
    recorded_at = fields.String(required=True)


register(SCORES_RECORDED, 1, ScoresRecordedData)
