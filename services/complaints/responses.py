"""Response schemas of the complaints service (pantau/answers.py: documentation of what the views
send, checked by the fuzz suite)."""
from marshmallow import fields, validate

from pantau.answers import Answer, boolean, day, integer, items, moment, nested, obj, optional, string
from pantau.rules.lapor import STATUSES

OUTCOMES = ("met", "breached", "open", "cancelled")  # a deadline's outcome (pantau/rules/lapor.py)


class Received(Answer):
    """`POST /v1/complaints`: the tracking id and, on the first answer only, the reporter token."""
    tracking_id = string()
    unit_id = string()
    status = string(validate=validate.OneOf(["RECEIVED"]))
    track_url = string()
    reporter_token = string(nullable=True, metadata={"description": "Hanya pada jawaban pertama; null pada pengulangan"})
    reporter_token_note = string()


class AllowedAction(Answer):
    action = string()
    roles = items(fields.String())
    to = string(validate=validate.OneOf(STATUSES))


class Deadline(Answer):
    kind = string()
    round = integer()
    tier = string(nullable=True)
    charged_to = string(nullable=True)
    limit = obj()
    rules_version = string()
    start = moment()
    due_date = day()
    due_at = moment()
    stopped_at = moment(nullable=True)
    stopped_by = string(nullable=True)
    outcome = string(validate=validate.OneOf(OUTCOMES))
    overdue = boolean()
    working_days_late = integer()


class PublicDeadline(Answer):
    kind = string()
    round = integer()
    due_date = day()
    outcome = string(validate=validate.OneOf(OUTCOMES))
    stopped_at = moment(nullable=True)


class ComplaintStatus(Answer):
    """Where a complaint stands as of a moment: its status and the unit that holds it."""
    tracking_id = string()
    as_of = moment()
    status = string(validate=validate.OneOf(STATUSES))
    status_label = string()
    holder_unit_id = string(nullable=True)


class ActionTaken(ComplaintStatus):
    """`POST /v1/complaints/{id}/actions`: the complaint after the action."""
    seq = integer()
    last_action = string()
    last_at = moment()
    allowed_actions = items(AllowedAction)
    deadlines = items(Deadline)


class Dates(Answer):
    received_at = moment(nullable=True)
    verified_at = moment(nullable=True)
    first_follow_up_at = moment(nullable=True)
    answered_at = moment(nullable=True)
    closed_at = moment(nullable=True)
    archived_at = moment(nullable=True)


class Content(Answer):
    subject = string(nullable=True)
    description = string(nullable=True)
    place = string(nullable=True)
    event_time = string(nullable=True)
    reporter = obj(nullable=True, metadata={"description": "null bila anonim"})


class Feedback(Answer):
    question = string()
    labels = obj()
    latest = obj(nullable=True)
    reopens = integer()


class Note(Answer):
    seq = integer()
    action = string(nullable=True)
    at = moment()
    actor_role = string(nullable=True)
    note = string()


class HandlerView(ComplaintStatus, Dates):
    """`GET /v1/complaints/{id}`: the complaint as its handlers see it."""
    seq = integer()
    holder_unit_name = string(nullable=True)
    filed_unit_id = string()
    to_instansi = string(nullable=True)
    channel = string()
    classification = string()
    category = string(nullable=True)
    tags = items(fields.String())
    berkadar_pengawasan = boolean(nullable=True)
    anonymous = boolean()
    confidential = boolean()
    auto_closed = boolean()
    archive_reason = string(nullable=True)
    complaint = nested(Content)
    reporter_hidden = boolean()
    reporter_erased = boolean(metadata={"description": "data pribadi pelapor telah dihapus (pantau privacy erase)"})
    hops = items(fields.Dict())
    transitions = items(fields.Dict())
    deadlines = items(Deadline)
    rules_version = string()
    allowed_actions = items(AllowedAction)
    feedback = nested(Feedback)
    notes = items(Note)
    history = items(fields.Dict(), metadata={"description": "Amplop CloudEvents setiap kejadian"})


class TimelineEntry(Answer):
    status = string(validate=validate.OneOf(STATUSES))
    at = moment()
    holder_unit_id = string(nullable=True)


class ReporterAnswer(Answer):
    seq = integer()
    action = string()
    at = moment()
    note = string()


class ReporterFeedback(Answer):
    question = string()
    labels = obj()
    actions = items(AllowedAction)


class PublicView(ComplaintStatus, Dates):
    """`GET /v1/complaints/track/{id}`: what the public sees (the subject, category and
    classification unless confidential; with the reporter token also the answers)."""
    confidential = boolean()
    holder_unit_name = string(nullable=True)
    to_instansi = string(nullable=True)
    auto_closed = boolean()
    timeline = items(TimelineEntry)
    deadlines = items(PublicDeadline)
    subject = optional(string(nullable=True))
    category = optional(string(nullable=True))
    classification = optional(string())
    answers = optional(items(ReporterAnswer))
    feedback = optional(nested(ReporterFeedback))
