"""Complaint events (topic complaints.events, key = complaint id). Never reporter identity."""
from marshmallow import Schema, fields

from ..envelope import register

RECEIVED = "complaint.received"


class ReceivedData(Schema):
    complaint_id = fields.String(required=True)
    unit_id = fields.String(required=True)
    channel = fields.String(required=True)
    classification = fields.String(required=True)
    category = fields.String(allow_none=True)
    received_at = fields.String(required=True)
    anonymous = fields.Boolean(required=True)
    confidential = fields.Boolean(required=True)
    status = fields.String(required=True)


register(RECEIVED, 1, ReceivedData)
