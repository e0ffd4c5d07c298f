"""HTTP schemas of the consultation (FKP) service (unknown fields are errors on input; free text
bounded and without control characters, dates within a plausible window: pantau/inputs.py)."""
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from pantau.inputs import PastDateTime, PlannedDate, Text, Url, not_blank_pattern
from pantau.messages import N_
from pantau.rules.fkp import COMMUNITY_ELEMENTS, DECISIONS, STAGES, TOPICS, UNIT_TARGETS, VERDICTS
from pantau.rules.ikm import ELEMENTS as SKM_ELEMENTS

FORMATS = ("tatap_muka", "daring")
ELEMENTS = COMMUNITY_ELEMENTS  # kept for importers of the skeleton's name
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"  # in Text: "$" alone would also take a trailing newline
MAX_PROMISES = 100


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ParticipantSchema(Strict):
    element = fields.String(required=True, validate=validate.OneOf(COMMUNITY_ELEMENTS))
    name = Text(1, 200, required=True)
    institution = Text(0, 200, allow_none=True)


class PromiseSchema(Strict):
    promise_id = Text(1, 100, required=True, validate=validate.Regexp(
        ID_PATTERN, error=N_("Use 1-100 characters: letters, digits, . _ : -")))
    description = Text(3, 2000, multiline=True, required=True)
    owner = Text(2, 200, required=True, metadata={"description": "Bidang/jabatan penanggung jawab"})
    target_date = PlannedDate(required=True)
    elements = fields.List(fields.String(validate=validate.OneOf(SKM_ELEMENTS)), load_default=list,
                           validate=validate.Length(max=len(SKM_ELEMENTS)),
                           metadata={"uniqueItems": True,
                                     "description": "Unsur SKM yang diperbaiki (kunci seperti di API survei)"})
    sp_component = Text(2, 200, allow_none=True,
                        metadata={"description": "Komponen standar pelayanan yang diperbaiki"})

    @validates_schema
    def _unique_elements(self, data, **_):
        els = data.get("elements") or []
        if len(set(els)) != len(els):
            raise ValidationError(N_("An SKM unsur may not repeat."), "elements")


class ForumSchema(Strict):
    unit_id = Text(2, 40, required=True)
    fkp_id = Text(1, 100, required=True, validate=validate.Regexp(ID_PATTERN))
    topic = fields.String(required=True, validate=validate.OneOf(TOPICS))
    title = Text(3, 300, required=True)
    held_on = PlannedDate(required=True)
    place = Text(0, 300, allow_none=True)
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    stage = fields.String(load_default="planned", validate=validate.OneOf(STAGES))
    participants = fields.List(fields.Nested(ParticipantSchema), load_default=list,
                               validate=validate.Length(max=500))
    minutes = Text(0, 20000, multiline=True, allow_none=True)
    promises = fields.List(fields.Nested(PromiseSchema), load_default=list,
                           validate=validate.Length(max=MAX_PROMISES))


class PromiseBatchSchema(Strict):
    promises = fields.List(fields.Nested(PromiseSchema), required=True,
                           validate=validate.Length(1, MAX_PROMISES))


class StageSchema(Strict):
    stage = fields.String(required=True, validate=validate.OneOf(STAGES[1:]))
    held_on = PlannedDate(allow_none=True, metadata={"description": "Tanggal pelaksanaan sebenarnya"})
    place = Text(0, 300, allow_none=True)
    participants = fields.List(fields.Nested(ParticipantSchema), allow_none=True,
                               validate=validate.Length(max=500),
                               metadata={"description": "Daftar hadir (menggantikan daftar undangan)"})
    minutes = Text(0, 20000, multiline=True, allow_none=True)


class EvidenceSchema(Strict):
    name = Text(1, 200, required=True)
    url = Url(allow_none=True)
    sha256 = Text(64, 64, validate=validate.Regexp(r"^[0-9a-f]{64}$"), allow_none=True,
                  metadata={"description": "Dokumen yang diunggah lewat POST /v1/fkp/{fkp_id}/documents"})

    @validates_schema
    def _points_somewhere(self, data, **_):
        if not data.get("url") and not data.get("sha256"):
            raise ValidationError(N_("Give the evidence document's url or sha256."), "url")


EVIDENCE_POINTS = [{"required": ["url"], "properties": {"url": {"type": "string"}}},
                   {"required": ["sha256"], "properties": {"sha256": {"type": "string"}}}]
"""EvidenceSchema._points_somewhere as JSON Schema: a url or a sha256 (not null)."""


class ProgressSchema(Strict):
    status = fields.String(required=True, validate=validate.OneOf(UNIT_TARGETS))
    progress_pct = fields.Integer(strict=True, validate=validate.Range(0, 100), allow_none=True)
    note = Text(0, 2000, multiline=True, allow_none=True)
    reason = Text(0, 1000, multiline=True, allow_none=True, metadata={"description": "Wajib bila status dropped"})
    at = PastDateTime(required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema, metadata={"anyOf": EVIDENCE_POINTS}), load_default=list,
                           validate=validate.Length(max=20))


def not_blank(min_chars: int, max_length: int, message: str, **kwargs) -> Text:
    """Multiline text of at least `min_chars` characters once stripped (the pattern the document
    states is the one checked), `message` when it is missing or too short."""
    return Text(min_chars, max_length, multiline=True, required=True,
                validate=validate.Regexp(not_blank_pattern(min_chars), error=message),
                error_messages={"required": message}, **kwargs)


def one_value(value: str) -> fields.String:
    return fields.String(required=True, validate=validate.OneOf([value]))


class ProgressPlanned(ProgressSchema):
    """planned: nothing done yet (progress_pct 0)."""
    status = one_value("planned")
    progress_pct = fields.Integer(strict=True, validate=validate.Range(0, 0), allow_none=True)


class ProgressInProgress(ProgressSchema):
    status = one_value("in_progress")


class ProgressFulfilled(ProgressSchema):
    """fulfilled: progress_pct 100 (or left out) and at least one piece of evidence."""
    status = one_value("fulfilled")
    progress_pct = fields.Integer(strict=True, validate=validate.Range(100, 100), allow_none=True)
    evidence = fields.List(fields.Nested(EvidenceSchema, metadata={"anyOf": EVIDENCE_POINTS}), required=True,
                           validate=validate.Length(
        1, 20, error=N_("Give 1–20 pieces of evidence that the promise was kept.")),
        error_messages={"required": "Sertakan minimal satu bukti pemenuhan janji (evidence)."})


class ProgressDropped(ProgressSchema):
    """dropped: a reason is required."""
    status = one_value("dropped")
    reason = not_blank(1, 1000, N_("A dropped promise needs a reason."))


PROGRESS_SCHEMAS = {"planned": ProgressPlanned, "in_progress": ProgressInProgress,
                    "fulfilled": ProgressFulfilled, "dropped": ProgressDropped}


class FeedbackSchema(Strict):
    code = Text(4, 40, required=True, metadata={"description": "Kode konfirmasi FKP yang dibagikan kepada peserta"})
    participant_name = Text(1, 200, allow_none=True)
    verdict = fields.String(required=True, validate=validate.OneOf(VERDICTS))
    note = Text(0, 2000, multiline=True, allow_none=True)

    @validates_schema
    def _dispute_needs_note(self, data, **_):
        if data.get("verdict") == "dispute" and len((data.get("note") or "").strip()) < 3:
            raise ValidationError(N_("A dispute needs a note (at least 3 characters)."), "note")


class FeedbackConfirm(FeedbackSchema):
    verdict = one_value("confirm")


class FeedbackDispute(FeedbackSchema):
    """A dispute needs a note of at least 3 characters."""
    verdict = one_value("dispute")
    note = not_blank(3, 2000, N_("A dispute needs a note (at least 3 characters)."))


FEEDBACK_SCHEMAS = {"confirm": FeedbackConfirm, "dispute": FeedbackDispute}


class ReviewSchema(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    note = Text(3, 2000, multiline=True, required=True)


class SignatorySchema(Strict):
    name = Text(1, 200, required=True)
    position = Text(0, 200, allow_none=True)
    institution = Text(0, 200, allow_none=True)
    element = fields.String(validate=validate.OneOf(COMMUNITY_ELEMENTS), allow_none=True,
                            metadata={"description": "Unsur masyarakat; kosong untuk pihak unit"})


class SignatoriesSchema(Strict):
    signatories = fields.List(fields.Nested(SignatorySchema), required=True, validate=validate.Length(1, 100))
