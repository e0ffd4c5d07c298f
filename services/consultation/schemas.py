"""HTTP schemas of the consultation (FKP) service (unknown fields are errors on input; free text
bounded and without control characters, dates within a plausible window: pantau/inputs.py)."""
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from pantau.inputs import PastDateTime, PlannedDate, Text, Url
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
        ID_PATTERN, error="Gunakan 1-100 karakter huruf, angka, . _ : -"))
    description = Text(3, 2000, multiline=True, required=True)
    owner = Text(2, 200, required=True, metadata={"description": "Bidang/jabatan penanggung jawab"})
    target_date = PlannedDate(required=True)
    elements = fields.List(fields.String(validate=validate.OneOf(SKM_ELEMENTS)), load_default=list,
                           validate=validate.Length(max=len(SKM_ELEMENTS)),
                           metadata={"description": "Unsur SKM yang diperbaiki (kunci seperti di API survei)"})
    sp_component = Text(2, 200, allow_none=True,
                        metadata={"description": "Komponen standar pelayanan yang diperbaiki"})

    @validates_schema
    def _unique_elements(self, data, **_):
        els = data.get("elements") or []
        if len(set(els)) != len(els):
            raise ValidationError("Unsur SKM tidak boleh berulang.", "elements")


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
            raise ValidationError("Isi url atau sha256 dokumen bukti.", "url")


class ProgressSchema(Strict):
    status = fields.String(required=True, validate=validate.OneOf(UNIT_TARGETS))
    progress_pct = fields.Integer(strict=True, validate=validate.Range(0, 100), allow_none=True)
    note = Text(0, 2000, multiline=True, allow_none=True)
    reason = Text(0, 1000, multiline=True, allow_none=True, metadata={"description": "Wajib bila status dropped"})
    at = PastDateTime(required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), load_default=list, validate=validate.Length(max=20))


class FeedbackSchema(Strict):
    code = Text(4, 40, required=True, metadata={"description": "Kode konfirmasi FKP yang dibagikan kepada peserta"})
    participant_name = Text(1, 200, allow_none=True)
    verdict = fields.String(required=True, validate=validate.OneOf(VERDICTS))
    note = Text(0, 2000, multiline=True, allow_none=True)

    @validates_schema
    def _dispute_needs_note(self, data, **_):
        if data.get("verdict") == "dispute" and len((data.get("note") or "").strip()) < 3:
            raise ValidationError("Sanggahan wajib disertai catatan (minimal 3 karakter).", "note")


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
