"""Response schemas of the consultation (FKP) service (pantau/answers.py: documentation of what the
views send, checked by the fuzz suite)."""
from marshmallow import fields, validate

from pantau.answers import Answer, StoredFile, boolean, day, integer, items, moment, nested, obj, optional, string
from pantau.rules.fkp import PROMISE_STATUSES, STAGES, VERDICTS


class ForumRecorded(Answer):
    """`POST /v1/fkp`: the forum, its promises and (once) the participants' confirmation code."""
    fkp_id = string()
    unit_id = string()
    stage = string(validate=validate.OneOf(STAGES))
    promises = items(fields.String())
    promises_created = items(fields.String())
    confirmation_code = string(nullable=True, metadata={"description": "Hanya saat dibuat; null pada pengulangan"})
    confirmation_code_note = string()


class BeritaAcara(StoredFile):
    signatories = items(fields.Dict())
    filename = string(nullable=True)
    uploaded_at = moment()
    version = integer()


class PromiseView(Answer):
    """A promise as its events leave it."""
    promise_id = string()
    description = string()
    owner = string()
    target_date = day()
    elements = items(fields.String())
    sp_component = optional(string(nullable=True))
    status = string(validate=validate.OneOf(PROMISE_STATUSES))
    progress_pct = integer()
    recorded_at = moment()
    updates = items(fields.Dict())
    seq = integer()
    history = items(fields.Dict())


class ForumAnswer(Answer):
    """`GET /v1/fkp/{fkp_id}`: the forum with its promises and event history."""
    unit_id = string()
    fkp_id = string()
    topic = string()
    title = string()
    held_on = day()
    place = optional(string(nullable=True))
    format = string()
    stage = string(validate=validate.OneOf(STAGES))
    participants = items(fields.Dict())
    minutes = optional(string(nullable=True))
    elements = items(fields.String())
    participant_count = integer()
    berita_acara = nested(BeritaAcara, nullable=True)
    recorded_at = moment()
    promises = items(PromiseView)
    history = items(fields.Dict())


class StageAnswer(Answer):
    """`POST /v1/fkp/{fkp_id}/stage`."""
    fkp_id = string()
    unit_id = string()
    stage = string(validate=validate.OneOf(STAGES))
    held_on = day()
    elements = items(fields.String())
    participant_count = integer()


class Code(Answer):
    fkp_id = string()
    confirmation_code = string()
    confirmation_code_note = string()


class PromisesAdded(Answer):
    fkp_id = string()
    created = items(fields.String())
    promises = items(PromiseView)


class PromiseAnswer(PromiseView):
    """A promise after a progress report or a review."""
    fkp_id = string()


class FeedbackTaken(Answer):
    fkp_id = string()
    promise_id = string()
    verdict = string(validate=validate.OneOf(VERDICTS))
    status = string(validate=validate.OneOf(PROMISE_STATUSES))


class Uploaded(StoredFile):
    """An uploaded document: its SHA-256 (which progress reports cite as evidence)."""
    fkp_id = string()


class BeritaAcaraUploaded(Uploaded):
    signatory_count = integer()
    version = integer()


__all__ = ["ForumRecorded", "ForumAnswer", "StageAnswer", "Code", "PromisesAdded", "PromiseAnswer", "FeedbackTaken", "Uploaded",
           "BeritaAcaraUploaded", "boolean", "obj"]
