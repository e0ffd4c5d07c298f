"""SKM events (topic skm.events, key = unit id so a unit's responses and voids stay in order)."""
from marshmallow import Schema, fields, validate

from ..envelope import register
from ..rules.ikm import ELEMENTS

RESPONSE_RECORDED = "skm.response_recorded"
RESPONSE_VOIDED = "skm.response_voided"


AnswersData = Schema.from_dict(
    {k: fields.Integer(required=True, validate=validate.Range(1, 4)) for k in ELEMENTS}, name="AnswersData")


class RespondentData(Schema):
    sex = fields.String(allow_none=True)
    age = fields.Integer(allow_none=True)
    education = fields.String(allow_none=True)
    occupation = fields.String(allow_none=True)


class ResponseRecordedData(Schema):
    unit_id = fields.String(required=True)
    response_id = fields.String(required=True)
    submitted_at = fields.String(required=True)
    period_month = fields.String(required=True)  # YYYY-MM in the province's time zone
    local_hour = fields.Integer(required=True)  # hour of day in the province's time zone
    answers = fields.Nested(AnswersData, required=True)
    service_type = fields.String(allow_none=True)
    channel = fields.String(allow_none=True)
    respondent = fields.Nested(RespondentData, allow_none=True)
    has_suggestion = fields.Boolean(load_default=False)


class ResponseVoidedData(Schema):
    unit_id = fields.String(required=True)
    response_id = fields.String(required=True)
    reason = fields.String(required=True)


register(RESPONSE_RECORDED, 1, ResponseRecordedData)
register(RESPONSE_VOIDED, 1, ResponseVoidedData)
