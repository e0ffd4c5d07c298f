"""HTTP schemas of the survey service (unknown fields are errors on input)."""
from marshmallow import RAISE, Schema, fields, validate

from pantau.rules.ikm import ELEMENTS

CHANNELS = ("qr", "web", "enumerator", "paper", "kiosk", "mobile", "other")
EDUCATION = ("SD", "SMP", "SMA", "D1-D3", "D4-S1", "S2", "S3")
OCCUPATION = ("PNS", "TNI", "POLRI", "SWASTA", "WIRAUSAHA", "LAINNYA")
MAX_BATCH = 5000
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"


class Strict(Schema):
    class Meta:
        unknown = RAISE


AnswersSchema = Strict.from_dict(
    {k: fields.Integer(required=True, strict=True, validate=validate.Range(1, 4),
                       metadata={"description": f"Jawaban unsur {k} (1-4)"}) for k in ELEMENTS},
    name="AnswersSchema")


class RespondentSchema(Strict):
    sex = fields.String(validate=validate.OneOf(("L", "P")), allow_none=True)
    age = fields.Integer(strict=True, validate=validate.Range(10, 120), allow_none=True)
    education = fields.String(validate=validate.OneOf(EDUCATION), allow_none=True)
    occupation = fields.String(validate=validate.OneOf(OCCUPATION), allow_none=True)


class ResponseSchema(Strict):
    unit_id = fields.String(required=True, validate=validate.Length(2, 40))
    response_id = fields.String(required=True, validate=validate.Regexp(
        ID_PATTERN, error="Gunakan 1-100 karakter huruf, angka, . _ : -"))
    submitted_at = fields.AwareDateTime(required=True, format="iso",
                                        metadata={"description": "RFC 3339 dengan zona waktu"})
    answers = fields.Nested(AnswersSchema, required=True)
    service_type = fields.String(validate=validate.Length(1, 200), allow_none=True)
    channel = fields.String(validate=validate.OneOf(CHANNELS), allow_none=True)
    respondent = fields.Nested(RespondentSchema, allow_none=True)
    suggestion = fields.String(validate=validate.Length(max=2000), allow_none=True)


class BatchSchema(Strict):
    responses = fields.List(fields.Nested(ResponseSchema), required=True,
                            validate=validate.Length(1, MAX_BATCH,
                                                     error=f"Kirim 1 sampai {MAX_BATCH} respons per batch."))


class VoidSchema(Strict):
    reason = fields.String(required=True, validate=validate.Length(3, 500))


class AcceptedSchema(Schema):
    accepted = fields.List(fields.String())
    count = fields.Integer()
    new = fields.Integer()
    duplicates = fields.Integer()


PERIOD_TYPES = ("month", "quarter", "semester", "year")
EXECUTORS = ("internal", "independent")
MEDIA = ("website", "papan_pengumuman", "media_sosial", "media_cetak", "media_elektronik", "sipp", "aplikasi",
         "spanduk", "lainnya")
ELECTRONIC_MEDIA = {"website", "media_sosial", "media_elektronik", "sipp", "aplikasi"}
RTL_STATUSES = ("in_progress", "done", "cancelled")


class SettingsSchema(Strict):
    population = fields.Integer(strict=True, validate=validate.Range(1, 50_000_000), allow_none=True,
                                metadata={"description": "Jumlah pengguna layanan (N) dalam periode"})
    period_type = fields.String(required=True, validate=validate.OneOf(PERIOD_TYPES))
    executor = fields.String(required=True, validate=validate.OneOf(EXECUTORS))


class RtlItemSchema(Strict):
    item_id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))
    element = fields.String(required=True, validate=validate.OneOf(ELEMENTS))
    programme = fields.String(required=True, validate=validate.Length(3, 500))
    owner = fields.String(required=True, validate=validate.Length(2, 200))
    target_date = fields.Date(required=True)


class EvidenceSchema(Strict):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    url = fields.Url(allow_none=True)
    sha256 = fields.String(validate=validate.Regexp(r"^[0-9a-f]{64}$"), allow_none=True)


class RtlProgressSchema(Strict):
    status = fields.String(required=True, validate=validate.OneOf(RTL_STATUSES))
    progress_pct = fields.Integer(strict=True, required=True, validate=validate.Range(0, 100))
    note = fields.String(validate=validate.Length(max=2000), allow_none=True)
    at = fields.AwareDateTime(required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), load_default=list, validate=validate.Length(max=20))


class PublicationSchema(Strict):
    medium = fields.String(required=True, validate=validate.OneOf(MEDIA))
    published_on = fields.Date(required=True)
    url = fields.Url(allow_none=True)
    note = fields.String(validate=validate.Length(max=500), allow_none=True)
