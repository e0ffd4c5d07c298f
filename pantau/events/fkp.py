"""FKP events (topic fkp.events, key = unit id so that a unit's forums and promises stay in order).

Subjects: `fkp:<fkp_id>` (the forum: recorded, stage changes, Berita Acara) and
`fkp-promise:<fkp_id>:<promise_id>` (one promise: recorded, progress, participant feedback,
bureau review), each with its own `seq`. Every promise event carries the promise's resulting
`status`, so a projection never re-implements the transition table (pantau/rules/fkp.py).
No personal data: participant and signatory names, confirmers' names, notes, reasons and the
Berita Acara file stay in the consultation service; events carry elements, counts and hashes.
"""
from marshmallow import Schema, fields, validate

from ..envelope import register
from ..rules.fkp import COMMUNITY_ELEMENTS, DECISIONS, PROMISE_STATUSES, STAGES, VERDICTS
from ..rules.ikm import ELEMENTS as SKM_ELEMENTS

FORUM_RECORDED = "fkp.forum_recorded"
STAGE_CHANGED = "fkp.stage_changed"
BERITA_ACARA_UPLOADED = "fkp.berita_acara_uploaded"
PROMISE_RECORDED = "fkp.promise_recorded"
PROMISE_PROGRESSED = "fkp.promise_progressed"
PROMISE_FEEDBACK = "fkp.promise_feedback"
PROMISE_REVIEWED = "fkp.promise_reviewed"

FORUM_TYPES = (FORUM_RECORDED, STAGE_CHANGED, BERITA_ACARA_UPLOADED)
PROMISE_TYPES = (PROMISE_RECORDED, PROMISE_PROGRESSED, PROMISE_FEEDBACK, PROMISE_REVIEWED)


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


class StageChangedData(Schema):
    unit_id = fields.String(required=True)
    fkp_id = fields.String(required=True)
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    previous_stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    held_on = fields.String(required=True)  # the date it was (or is to be) held
    elements = fields.List(fields.String(validate=validate.OneOf(COMMUNITY_ELEMENTS)), required=True)
    participant_count = fields.Integer(required=True)


class BeritaAcaraData(Schema):
    unit_id = fields.String(required=True)
    fkp_id = fields.String(required=True)
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    size = fields.Integer(required=True, validate=validate.Range(min=1))
    content_type = fields.String(required=True)
    signatory_count = fields.Integer(required=True, validate=validate.Range(min=1))


class PromiseRecordedData(Schema):
    unit_id = fields.String(required=True)
    fkp_id = fields.String(required=True)
    promise_id = fields.String(required=True)
    description = fields.String(required=True)  # the agreed improvement (public commitment, no names)
    owner = fields.String(required=True)  # the responsible office or position
    target_date = fields.String(required=True)
    elements = fields.List(fields.String(validate=validate.OneOf(SKM_ELEMENTS)), required=True)
    sp_component = fields.String(allow_none=True)
    status = fields.String(required=True, validate=validate.Equal("planned"))


class _PromiseChange(Schema):
    unit_id = fields.String(required=True)
    fkp_id = fields.String(required=True)
    promise_id = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(PROMISE_STATUSES))
    previous_status = fields.String(required=True, validate=validate.OneOf(PROMISE_STATUSES))


class PromiseProgressedData(_PromiseChange):
    progress_pct = fields.Integer(required=True, validate=validate.Range(0, 100))
    at = fields.String(required=True)  # when the unit says it happened (RFC 3339)
    evidence_count = fields.Integer(required=True)
    has_reason = fields.Boolean(load_default=False)


class PromiseFeedbackData(_PromiseChange):
    verdict = fields.String(required=True, validate=validate.OneOf(VERDICTS))
    participant_identified = fields.Boolean(required=True)  # a listed participant's name was given


class PromiseReviewedData(_PromiseChange):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))


register(FORUM_RECORDED, 1, ForumRecordedData)
register(STAGE_CHANGED, 1, StageChangedData)
register(BERITA_ACARA_UPLOADED, 1, BeritaAcaraData)
register(PROMISE_RECORDED, 1, PromiseRecordedData)
register(PROMISE_PROGRESSED, 1, PromiseProgressedData)
register(PROMISE_FEEDBACK, 1, PromiseFeedbackData)
register(PROMISE_REVIEWED, 1, PromiseReviewedData)
