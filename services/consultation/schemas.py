"""HTTP schemas of the consultation (FKP) service (unknown fields are errors on input)."""
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from pantau.rules.fkp import COMMUNITY_ELEMENTS, DECISIONS, STAGES, TOPICS, UNIT_TARGETS, VERDICTS
from pantau.rules.ikm import ELEMENTS as SKM_ELEMENTS

FORMATS = ("tatap_muka", "daring")
ELEMENTS = COMMUNITY_ELEMENTS  # kept for importers of the skeleton's name
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"
MAX_PROMISES = 100


class Strict(Schema):
    class Meta:
        unknown = RAISE


class ParticipantSchema(Strict):
    element = fields.String(required=True, validate=validate.OneOf(COMMUNITY_ELEMENTS))
    name = fields.String(required=True, validate=validate.Length(1, 200))
    institution = fields.String(validate=validate.Length(max=200), allow_none=True)


class PromiseSchema(Strict):
    promise_id = fields.String(required=True, validate=validate.Regexp(
        ID_PATTERN, error="Gunakan 1-100 karakter huruf, angka, . _ : -"))
    description = fields.String(required=True, validate=validate.Length(3, 2000))
    owner = fields.String(required=True, validate=validate.Length(2, 200),
                          metadata={"description": "Bidang/jabatan penanggung jawab"})
    target_date = fields.Date(required=True)
    elements = fields.List(fields.String(validate=validate.OneOf(SKM_ELEMENTS)), load_default=list,
                           validate=validate.Length(max=len(SKM_ELEMENTS)),
                           metadata={"description": "Unsur SKM yang diperbaiki (kunci seperti di API survei)"})
    sp_component = fields.String(validate=validate.Length(2, 200), allow_none=True,
                                 metadata={"description": "Komponen standar pelayanan yang diperbaiki"})

    @validates_schema
    def _unique_elements(self, data, **_):
        els = data.get("elements") or []
        if len(set(els)) != len(els):
            raise ValidationError("Unsur SKM tidak boleh berulang.", "elements")


class ForumSchema(Strict):
    unit_id = fields.String(required=True, validate=validate.Length(2, 40))
    fkp_id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))
    topic = fields.String(required=True, validate=validate.OneOf(TOPICS))
    title = fields.String(required=True, validate=validate.Length(3, 300))
    held_on = fields.Date(required=True)
    place = fields.String(validate=validate.Length(max=300), allow_none=True)
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    stage = fields.String(load_default="planned", validate=validate.OneOf(STAGES))
    participants = fields.List(fields.Nested(ParticipantSchema), load_default=list,
                               validate=validate.Length(max=500))
    minutes = fields.String(validate=validate.Length(max=20000), allow_none=True)
    promises = fields.List(fields.Nested(PromiseSchema), load_default=list,
                           validate=validate.Length(max=MAX_PROMISES))


class PromiseBatchSchema(Strict):
    promises = fields.List(fields.Nested(PromiseSchema), required=True,
                           validate=validate.Length(1, MAX_PROMISES))


class StageSchema(Strict):
    stage = fields.String(required=True, validate=validate.OneOf(STAGES[1:]))
    held_on = fields.Date(allow_none=True, metadata={"description": "Tanggal pelaksanaan sebenarnya"})
    place = fields.String(validate=validate.Length(max=300), allow_none=True)
    participants = fields.List(fields.Nested(ParticipantSchema), allow_none=True,
                               validate=validate.Length(max=500),
                               metadata={"description": "Daftar hadir (menggantikan daftar undangan)"})
    minutes = fields.String(validate=validate.Length(max=20000), allow_none=True)


class EvidenceSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    url = fields.Url(allow_none=True)
    sha256 = fields.String(validate=validate.Regexp(r"^[0-9a-f]{64}$"), allow_none=True,
                           metadata={"description": "Dokumen yang diunggah lewat POST /v1/fkp/{fkp_id}/documents"})

    @validates_schema
    def _points_somewhere(self, data, **_):
        if not data.get("url") and not data.get("sha256"):
            raise ValidationError("Isi url atau sha256 dokumen bukti.", "url")


class ProgressSchema(Strict):
    status = fields.String(required=True, validate=validate.OneOf(UNIT_TARGETS))
    progress_pct = fields.Integer(strict=True, validate=validate.Range(0, 100), allow_none=True)
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)
    reason = fields.String(validate=validate.Length(max=1000), allow_none=True,
                           metadata={"description": "Wajib bila status dropped"})
    at = fields.AwareDateTime(required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), load_default=list, validate=validate.Length(max=20))


class FeedbackSchema(Strict):
    code = fields.String(required=True, validate=validate.Length(4, 40),
                         metadata={"description": "Kode konfirmasi FKP yang dibagikan kepada peserta"})
    participant_name = fields.String(validate=validate.Length(1, 200), allow_none=True)
    verdict = fields.String(required=True, validate=validate.OneOf(VERDICTS))
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)

    @validates_schema
    def _dispute_needs_note(self, data, **_):
        if data.get("verdict") == "dispute" and len((data.get("note") or "").strip()) < 3:
            raise ValidationError("Sanggahan wajib disertai catatan (minimal 3 karakter).", "note")


class ReviewSchema(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))
    note = fields.String(required=True, validate=validate.Length(3, 2000))


class SignatorySchema(Strict):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    position = fields.String(validate=validate.Length(max=200), allow_none=True)
    institution = fields.String(validate=validate.Length(max=200), allow_none=True)
    element = fields.String(validate=validate.OneOf(COMMUNITY_ELEMENTS), allow_none=True,
                            metadata={"description": "Unsur masyarakat; kosong untuk pihak unit"})


class SignatoriesSchema(Strict):
    signatories = fields.List(fields.Nested(SignatorySchema), required=True, validate=validate.Length(1, 100))
