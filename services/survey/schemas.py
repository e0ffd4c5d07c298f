"""HTTP schemas of the survey service (unknown fields are errors on input; free text bounded and
without control characters, dates within a plausible window: pantau/inputs.py)."""
from marshmallow import RAISE, Schema, fields, validate

from pantau.inputs import PastDateTime, PlannedDate, Text, Url
from pantau.rules.ikm import ELEMENTS

CHANNELS = ("qr", "web", "enumerator", "paper", "kiosk", "mobile", "other")
EDUCATION = ("SD", "SMP", "SMA", "D1-D3", "D4-S1", "S2", "S3")
OCCUPATION = ("PNS", "TNI", "POLRI", "SWASTA", "WIRAUSAHA", "LAINNYA")
MAX_BATCH = 5000
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"  # in Text: "$" alone would also take a trailing newline


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
    unit_id = Text(2, 40, required=True)
    response_id = Text(1, 100, required=True, validate=validate.Regexp(
        ID_PATTERN, error="Gunakan 1-100 karakter huruf, angka, . _ : -"))
    submitted_at = PastDateTime(required=True, format="iso", metadata={
        "description": "RFC 3339 dengan zona waktu; antara 2000-01-01 dan satu hari dari sekarang"})
    answers = fields.Nested(AnswersSchema, required=True)
    service_type = Text(1, 200, allow_none=True)
    channel = fields.String(validate=validate.OneOf(CHANNELS), allow_none=True)
    respondent = fields.Nested(RespondentSchema, allow_none=True)
    suggestion = Text(0, 2000, multiline=True, allow_none=True)


class BatchSchema(Strict):
    responses = fields.List(fields.Nested(ResponseSchema), required=True,
                            validate=validate.Length(1, MAX_BATCH,
                                                     error=f"Kirim 1 sampai {MAX_BATCH} respons per batch."))


class VoidSchema(Strict):
    reason = Text(3, 500, multiline=True, required=True)


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


NIP_PATTERN = r"^[0-9]{18}\Z"  # NIP of a civil servant (PNS): 18 digits, ASCII only


class SignatorySchema(Strict):
    """Who signs the unit's "Laporan Hasil SKM": the head of the unit (an official, not a citizen)."""
    name = Text(2, 120, required=True, metadata={"description": "Nama lengkap dengan gelar"})
    position = Text(2, 200, required=True, metadata={"description": "Jabatan, mis. Kepala UPTD ..."})
    nip = Text(18, 18, allow_none=True, validate=validate.Regexp(NIP_PATTERN, error="NIP terdiri dari 18 angka."),
               metadata={"description": "NIP, 18 angka (kosong bila bukan PNS)"})
    place = Text(2, 80, allow_none=True, metadata={"description": "Tempat penandatanganan, mis. Samarinda"})


class SettingsSchema(Strict):
    population = fields.Integer(strict=True, validate=validate.Range(1, 50_000_000), allow_none=True,
                                metadata={"description": "Jumlah pengguna layanan (N) dalam periode"})
    period_type = fields.String(required=True, validate=validate.OneOf(PERIOD_TYPES))
    executor = fields.String(required=True, validate=validate.OneOf(EXECUTORS))
    signatory = fields.Nested(SignatorySchema, allow_none=True,
                              metadata={"description": "Penanda tangan laporan (kepala unit); kosong: garis kosong"})


class RtlItemSchema(Strict):
    item_id = Text(1, 100, required=True, validate=validate.Regexp(ID_PATTERN))
    element = fields.String(required=True, validate=validate.OneOf(ELEMENTS))
    programme = Text(3, 500, required=True)
    owner = Text(2, 200, required=True)
    target_date = PlannedDate(required=True)


class EvidenceSchema(Strict):
    name = Text(1, 200, required=True)
    url = Url(allow_none=True)
    sha256 = Text(64, 64, validate=validate.Regexp(r"^[0-9a-f]{64}$"), allow_none=True)


class RtlProgressSchema(Strict):
    status = fields.String(required=True, validate=validate.OneOf(RTL_STATUSES))
    progress_pct = fields.Integer(strict=True, required=True, validate=validate.Range(0, 100))
    note = Text(0, 2000, multiline=True, allow_none=True)
    at = PastDateTime(required=True)
    evidence = fields.List(fields.Nested(EvidenceSchema), load_default=list, validate=validate.Length(max=20))


class PublicationSchema(Strict):
    medium = fields.String(required=True, validate=validate.OneOf(MEDIA))
    published_on = PlannedDate(required=True)
    url = Url(allow_none=True)
    note = Text(0, 500, multiline=True, allow_none=True)
