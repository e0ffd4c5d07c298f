"""HTTP schemas of the survey service (unknown fields are errors on input; free text bounded and
without control characters, dates within a plausible window: pantau/inputs.py)."""
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from pantau.inputs import Number, PastDate, PastDateTime, PlannedDate, Text, Url
from pantau.messages import N_
from pantau.rules.ikm import ELEMENTS
from pantau.rules.periods import PERIOD_PATTERN

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
        ID_PATTERN, error=N_("Use 1-100 characters: letters, digits, . _ : -")))
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
                                                     error=N_("Send {min} to {max} responses per batch.")))


class VoidSchema(Strict):
    reason = Text(3, 500, multiline=True, required=True)


PERIOD_TYPES = ("month", "quarter", "semester", "year")
EXECUTORS = ("internal", "independent")
MEDIA = ("website", "papan_pengumuman", "media_sosial", "media_cetak", "media_elektronik", "sipp", "aplikasi",
         "spanduk", "lainnya")
ELECTRONIC_MEDIA = {"website", "media_sosial", "media_elektronik", "sipp", "aplikasi"}
RTL_STATUSES = ("in_progress", "done", "cancelled")


NIP_PATTERN = r"^[0-9]{18}$"  # NIP of a civil servant (PNS): 18 ASCII digits (Text refuses a trailing newline)


class SignatorySchema(Strict):
    """Who signs the unit's "Laporan Hasil SKM": the head of the unit (an official, not a citizen)."""
    name = Text(2, 120, required=True, metadata={"description": "Nama lengkap dengan gelar"})
    position = Text(2, 200, required=True, metadata={"description": "Jabatan, mis. Kepala UPTD ..."})
    nip = Text(18, 18, allow_none=True, validate=validate.Regexp(NIP_PATTERN, error=N_("A NIP is 18 digits.")),
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


class RtlDone(RtlProgressSchema):
    """done: progress_pct 100."""
    status = fields.String(required=True, validate=validate.OneOf(["done"]))
    progress_pct = fields.Integer(strict=True, required=True, validate=validate.Range(
        100, 100, error=N_("done means progress_pct 100.")))


class RtlInProgress(RtlProgressSchema):
    status = fields.String(required=True, validate=validate.OneOf(["in_progress"]))


class RtlCancelled(RtlProgressSchema):
    status = fields.String(required=True, validate=validate.OneOf(["cancelled"]))


RTL_PROGRESS_SCHEMAS = {"in_progress": RtlInProgress, "done": RtlDone, "cancelled": RtlCancelled}


class PublicationSchema(Strict):
    medium = fields.String(required=True, validate=validate.OneOf(MEDIA))
    published_on = PlannedDate(required=True)
    url = Url(allow_none=True)
    note = Text(0, 500, multiline=True, allow_none=True)


# ---- SKM summary reports (Laporan Hasil SKM of a survey run outside Pantau) ----

MUTU = ("A", "B", "C", "D")
NrrSchema = Strict.from_dict(
    {k: Number(required=True, validate=validate.Range(1, 4, error=N_("NRR must be between {min} and {max}.")),
                     metadata={"description": f"NRR unsur {k} (1-4)"}) for k in ELEMENTS},
    name="NrrSchema")
CountsOfAnswersSchema = Strict.from_dict(
    {a: fields.Integer(required=True, strict=True, validate=validate.Range(0, 10_000_000),
                       metadata={"description": f"Jumlah jawaban {a}"}) for a in ("1", "2", "3", "4")},
    name="CountsOfAnswersSchema")
SOME_ANSWER = [{"required": [a], "properties": {a: {"minimum": 1}}} for a in ("1", "2", "3", "4")]
"""An unsur with at least one answer (SummarySchema._one_basis), as JSON Schema."""
CountsSchema = Strict.from_dict(
    {k: fields.Nested(CountsOfAnswersSchema, required=True, metadata={"anyOf": SOME_ANSWER}) for k in ELEMENTS},
    name="CountsSchema")


def _count(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(0, 10_000_000), **kwargs)


def _count_map(keys: tuple[str, ...] | None = None):
    """Value → count: of a closed list of values an object with those keys (so the document names
    them); of service types (any text of 1–200 characters: JSON Schema 3.0 cannot bound an
    object's keys, so the description does) a map."""
    if keys:
        return fields.Nested(Strict.from_dict({k: _count() for k in keys}, name=f"Counts_{'_'.join(keys)[:40]}"),
                             allow_none=True)
    return fields.Dict(keys=Text(1, 200), values=_count(), validate=validate.Length(max=50), allow_none=True,
                       metadata={"maxProperties": 50,
                                 "description": "Jenis layanan (1–200 karakter, tanpa karakter kendali) → jumlah"})


class ProfileSchema(Strict):
    sex = _count_map(("L", "P"))
    education = _count_map(EDUCATION)
    occupation = _count_map(OCCUPATION)
    service_type = _count_map()


class SummarySchema(Strict):
    unit_id = Text(2, 40, required=True)
    period = Text(4, 7, required=True, validate=validate.Regexp(PERIOD_PATTERN, error=N_("Invalid period.")),
                  metadata={"description": "2026, 2026-S1, 2026-Q1 atau 2026-03"})
    submission_id = Text(1, 100, required=True, validate=validate.Regexp(
        ID_PATTERN, error=N_("Use 1-100 characters: letters, digits, . _ : -")),
        metadata={"description": "Nomor laporan, unik per unit dan periode"})
    respondents = fields.Integer(required=True, strict=True, validate=validate.Range(
        1, 10_000_000, error=N_("The number of respondents must be 1 or more.")))
    nrr = fields.Nested(NrrSchema, metadata={"description": "NRR per unsur (atau counts)"})
    counts = fields.Nested(CountsSchema, metadata={
        "description": "Jumlah jawaban 1-4 per unsur (diutamakan bila unit memilikinya)"})
    profile = fields.Nested(ProfileSchema, allow_none=True)
    reported_ikm = Number(validate=validate.Range(0, 100), allow_none=True,
                                metadata={"description": "IKM (25-100) yang dihitung unit"})
    reported_mutu = fields.String(validate=validate.OneOf(MUTU), allow_none=True)
    executor = fields.String(validate=validate.OneOf(EXECUTORS), allow_none=True)
    survey_start = PastDate(allow_none=True)
    survey_end = PastDate(allow_none=True)

    @validates_schema
    def _one_basis(self, data, **_):
        if ("nrr" in data) == ("counts" in data):
            one = N_("Give one of: nrr (NRR per unsur) or counts (the number of answers 1-4 per unsur).")
            raise ValidationError({"nrr": [one], "counts": [one]})
        empty = [k for k, c in (data.get("counts") or {}).items() if not sum(c.values())]
        if empty:
            raise ValidationError({"counts": {k: [N_("This unsur has no answers.")] for k in empty}})
        start, end = data.get("survey_start"), data.get("survey_end")
        if start and end and start > end:
            raise ValidationError(N_("The survey ends before it starts."), field_name="survey_end")


class SummaryByNrr(SummarySchema):
    """A summary of NRRs per unsur (no counts)."""
    class Meta:
        exclude = ("counts",)

    nrr = fields.Nested(NrrSchema, required=True, metadata={"description": "NRR per unsur"})


class SummaryByCounts(SummarySchema):
    """A summary of answer counts per unsur (no NRRs)."""
    class Meta:
        exclude = ("nrr",)

    counts = fields.Nested(CountsSchema, required=True, metadata={
        "description": "Jumlah jawaban 1-4 per unsur (diutamakan bila unit memilikinya)"})


def summary_schema(body: dict) -> type[SummarySchema]:
    """The schema of a summary body: by NRRs or by counts (exactly one of them), else the one whose
    check names both fields."""
    if ("nrr" in body) != ("counts" in body):
        return SummaryByNrr if "nrr" in body else SummaryByCounts
    return SummarySchema
