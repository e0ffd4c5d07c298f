"""SKM events (topic skm.events, key = unit id so a unit's responses and voids stay in order)."""
from marshmallow import Schema, fields, validate

from ..envelope import register
from ..rules.ikm import ELEMENTS

RESPONSE_RECORDED = "skm.response_recorded"
RESPONSE_VOIDED = "skm.response_voided"


AnswersData = Schema.from_dict(
    {k: fields.Integer(required=True, validate=validate.Range(1, 4)) for k in ELEMENTS}, name="AnswersData")


class RespondentData(Schema):
    sex = fields.String(allow_none=True)
    age = fields.Integer(allow_none=True)
    education = fields.String(allow_none=True)
    occupation = fields.String(allow_none=True)


class ResponseRecordedData(Schema):
    unit_id = fields.String(required=True)
    response_id = fields.String(required=True)
    submitted_at = fields.String(required=True)
    period_month = fields.String(required=True)  # YYYY-MM in the province's time zone
    local_hour = fields.Integer(required=True)  # hour of day in the province's time zone
    answers = fields.Nested(AnswersData, required=True)
    service_type = fields.String(allow_none=True)
    channel = fields.String(allow_none=True)
    respondent = fields.Nested(RespondentData, allow_none=True)
    has_suggestion = fields.Boolean(load_default=False)
    # when the survey service stored the response (the envelope `time` is the respondent's
    # submitted_at); reports "as the data stood at as_of" count a response from this moment
    recorded_at = fields.AwareDateTime(load_default=None, allow_none=True)


class ResponseVoidedData(Schema):
    unit_id = fields.String(required=True)
    response_id = fields.String(required=True)


register(RESPONSE_RECORDED, 1, ResponseRecordedData)
register(RESPONSE_VOIDED, 1, ResponseVoidedData)

SETTINGS_SET = "skm.settings_set"
RTL_ITEM_PLANNED = "skm.rtl_item_planned"
RTL_ITEM_PROGRESSED = "skm.rtl_item_progressed"
RESULT_PUBLISHED = "skm.result_published"


class SignatoryData(Schema):
    """The head of the unit who signs its SKM report.

    This is the one name in an SKM event, and it may be here: the events rule (no personal data)
    protects citizens (respondents, complainants, forum participants), whose identity stays in the
    write service. A signatory is an official acting in office; the name, NIP and jabatan are
    printed on the report the unit must publish (domain.md §1.1), so they are public already.
    The aggregator prints them in the signature block and fetches nothing while rendering, so
    they must reach its projection; only these four fields travel (no contact data).
    """
    name = fields.String(required=True)
    position = fields.String(required=True)
    nip = fields.String(allow_none=True)
    place = fields.String(allow_none=True)


class SettingsData(Schema):
    unit_id = fields.String(required=True)
    period = fields.String(required=True)
    population = fields.Integer(allow_none=True)
    period_type = fields.String(required=True)
    executor = fields.String(required=True)
    signatory = fields.Nested(SignatoryData, allow_none=True, load_default=None)  # optional (added in v1)


class RtlPlannedData(Schema):
    unit_id = fields.String(required=True)
    period = fields.String(required=True)
    item_id = fields.String(required=True)
    element = fields.String(required=True)
    programme = fields.String(required=True)
    owner = fields.String(required=True)
    target_date = fields.String(required=True)


class RtlProgressData(Schema):
    unit_id = fields.String(required=True)
    period = fields.String(required=True)
    item_id = fields.String(required=True)
    status = fields.String(required=True)
    progress_pct = fields.Integer(required=True)
    at = fields.String(required=True)
    evidence_count = fields.Integer(required=True)


class PublishedData(Schema):
    unit_id = fields.String(required=True)
    period = fields.String(required=True)
    medium = fields.String(required=True)
    electronic = fields.Boolean(required=True)
    published_on = fields.String(required=True)


register(SETTINGS_SET, 1, SettingsData)
register(RTL_ITEM_PLANNED, 1, RtlPlannedData)
register(RTL_ITEM_PROGRESSED, 1, RtlProgressData)
register(RESULT_PUBLISHED, 1, PublishedData)

SUMMARY_SUBMITTED = "skm.summary_submitted"

AnswerCountsData = Schema.from_dict(
    {a: fields.Integer(required=True, validate=validate.Range(0)) for a in ("1", "2", "3", "4")},
    name="AnswerCountsData")


class SummarySubmittedData(Schema):
    """A unit's Laporan Hasil SKM from a survey run outside Pantau: per-unsur NRR or answer counts
    (one of the two), what the unit reported, and the survey's frame. One per (unit, period,
    submission id); the aggregator takes the newest per unit and period and keeps the others."""
    unit_id = fields.String(required=True)
    period = fields.String(required=True)
    submission_id = fields.String(required=True)
    respondents = fields.Integer(required=True, validate=validate.Range(1))
    nrr = fields.Dict(keys=fields.String(validate=validate.OneOf(ELEMENTS)),
                      values=fields.Float(validate=validate.Range(1, 4)), allow_none=True, load_default=None)
    counts = fields.Dict(keys=fields.String(validate=validate.OneOf(ELEMENTS)),
                         values=fields.Nested(AnswerCountsData), allow_none=True, load_default=None)
    profile = fields.Dict(keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.Integer()),
                          allow_none=True, load_default=None)
    reported_ikm = fields.Float(allow_none=True, load_default=None)
    reported_mutu = fields.String(allow_none=True, load_default=None)
    executor = fields.String(allow_none=True, load_default=None)
    survey_start = fields.String(allow_none=True, load_default=None)
    survey_end = fields.String(allow_none=True, load_default=None)
    recorded_at = fields.String(required=True)


ProfileCountData = Schema.from_dict(
    {"value": fields.String(required=True), "count": fields.Integer(required=True, validate=validate.Range(0))},
    name="ProfileCountData")


class SummarySubmittedDataV2(SummarySubmittedData):
    """v2: the profile counts as {field: [{value, count}]}, so a value (a service type holding "."
    or starting with "$") is never a field name in a store document; v1 carried {field: {value: n}}."""
    profile = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(ProfileCountData)),
                          allow_none=True, load_default=None)


register(SUMMARY_SUBMITTED, 1, SummarySubmittedData)
register(SUMMARY_SUBMITTED, 2, SummarySubmittedDataV2)

SUMMARY_REPORT_ATTACHED = "skm.summary_report_attached"


class SummaryReportAttachedData(Schema):
    """The report file (PDF) of one summary submission, the next event of its subject. The file
    stays in the survey service (`documents`, by SHA-256); the event carries what identifies it.
    `filename` is the name the unit gave its official report (no citizen's data); the bureau sees
    it next to the summary. One per submission: a different file is refused (409)."""
    unit_id = fields.String(required=True)
    period = fields.String(required=True)
    submission_id = fields.String(required=True)
    sha256 = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    size = fields.Integer(required=True, validate=validate.Range(1))
    content_type = fields.String(required=True, validate=validate.Equal("application/pdf"))
    pages = fields.Integer(required=True, validate=validate.Range(1))
    filename = fields.String(allow_none=True, load_default=None)
    attached_at = fields.String(required=True)


register(SUMMARY_REPORT_ATTACHED, 1, SummaryReportAttachedData)
