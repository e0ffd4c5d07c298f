"""Complaint events (topic complaints.events, key = complaint id). Never reporter identity.

One event per lifecycle action (`pantau.rules.lapor`): the `time` of the envelope is when the
act happened (possibly earlier than storage when synced from LAPOR!), `recorded_at` when the
service stored it. Every action event carries the status and the holder unit *after* the act.
Free text (the complaint, notes, answers, reasons, the reporter's comment) stays in the
complaints service; events carry only codes, ids, flags and numbers.
"""
from marshmallow import Schema, fields, validate

from ..envelope import register

RECEIVED = "complaint.received"
VERIFIED = "complaint.verified"
PENDED = "complaint.pended"
INFO_COMPLETED = "complaint.info_completed"
ARCHIVED = "complaint.archived"
FORWARDED = "complaint.forwarded"
FORWARDED_OUT = "complaint.forwarded_out"
FOLLOWED_UP = "complaint.followed_up"
RESOLVED = "complaint.resolved"
RATED = "complaint.rated"
REOPENED = "complaint.reopened"
CLOSED = "complaint.closed"


class ReceivedData(Schema):
    complaint_id = fields.String(required=True)
    unit_id = fields.String(required=True)
    channel = fields.String(required=True)
    classification = fields.String(required=True)
    category = fields.String(allow_none=True)
    tags = fields.List(fields.String(), load_default=list)
    received_at = fields.String(required=True)
    anonymous = fields.Boolean(required=True)
    confidential = fields.Boolean(required=True)
    status = fields.String(required=True)


class ActionData(Schema):
    complaint_id = fields.String(required=True)
    action = fields.String(required=True)
    status = fields.String(required=True)
    holder_unit_id = fields.String(allow_none=True, load_default=None)
    actor_role = fields.String(required=True, validate=validate.OneOf(("bureau", "unit", "pelapor")))
    actor_unit_id = fields.String(allow_none=True, load_default=None)
    recorded_at = fields.String(required=True)


class VerifiedData(ActionData):
    classification = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    tags = fields.List(fields.String(), allow_none=True)
    berkadar_pengawasan = fields.Boolean(allow_none=True)


class PendedData(ActionData):
    missing = fields.List(fields.String(), required=True)


class ArchivedData(ActionData):
    reason = fields.String(required=True)


class ForwardedData(ActionData):
    from_unit_id = fields.String(required=True)
    to_unit_id = fields.String(required=True)


class ForwardedOutData(ActionData):
    from_unit_id = fields.String(required=True)
    to_instansi = fields.String(required=True)


class RatedData(ActionData):
    satisfaction = fields.Integer(required=True, validate=validate.Range(1, 4))


register(RECEIVED, 1, ReceivedData)
register(VERIFIED, 1, VerifiedData)
register(PENDED, 1, PendedData)
register(INFO_COMPLETED, 1, ActionData)
register(ARCHIVED, 1, ArchivedData)
register(FORWARDED, 1, ForwardedData)
register(FORWARDED_OUT, 1, ForwardedOutData)
register(FOLLOWED_UP, 1, ActionData)
register(RESOLVED, 1, ActionData)
register(RATED, 1, RatedData)
register(REOPENED, 1, ActionData)
register(CLOSED, 1, ActionData)
