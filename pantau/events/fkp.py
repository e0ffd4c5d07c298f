"""FKP events (topic fkp.events, key = FKP id)."""
from marshmallow import Schema, fields

from ..envelope import register

FORUM_RECORDED = "fkp.forum_recorded"


class ParticipantData(Schema):
    element = fields.String(required=True)
    institution = fields.String(allow_none=True)


class ForumRecordedData(Schema):
    unit_id = fields.String(required=True)
    fkp_id = fields.String(required=True)
    topic = fields.String(required=True)
    title = fields.String(required=True)
    held_on = fields.String(required=True)
    format = fields.String(required=True)
    stage = fields.String(required=True)
    elements = fields.List(fields.String(), required=True)  # community elements present
    participant_count = fields.Integer(required=True)


register(FORUM_RECORDED, 1, ForumRecordedData)
