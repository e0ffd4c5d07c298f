"""Response schemas of the aggregator's JSON reports (pantau/answers.py: documentation of what the
views send, checked by the fuzz suite).

A report's keys depend on its data (a unit with a Laporan Hasil SKM and responses has
`both_sources`, one without responses none of the figures): each key is typed, the keys every
answer has are required (`Report.REQUIRED` by name), and a report may carry more (the figures
of its kind, described in README.md's API overview); nested figures are objects or lists.
"""
from marshmallow import INCLUDE, fields

from pantau.answers import Answer, boolean, integer, items, number, obj, optional, string


class Report(Answer):
    """A report body: the keys listed are typed (required where every answer has them), others may
    follow."""

    class Meta:
        unknown = INCLUDE


class UnitsReport(Report):
    """`GET /v1/units`."""
    units = items(fields.Raw())
    count = integer()


class UnitsUnitIdSummaryReport(Report):
    """`GET /v1/units/{unit_id}/summary`."""
    unit_id = string()
    skm_responses = optional(integer(nullable=True))
    fkp_forums = optional(integer(nullable=True))
    complaints = optional(integer(nullable=True))
    complaints_by_status = optional(obj(nullable=True))
    as_of = string()


class IkmUnitsUnitIdReport(Report):
    """`GET /v1/ikm/units/{unit_id}`."""
    unit_id = string()
    period = string()
    respondents = optional(integer(nullable=True))
    as_of = string()
    weight_mode = string()
    sample = optional(obj(nullable=True))
    source = optional(string(nullable=True))
    ikm = optional(number(nullable=True))
    ikm_index = optional(number(nullable=True))
    mutu = optional(string(nullable=True))
    kinerja = optional(string(nullable=True))
    lowest_elements = optional(items(fields.Raw(), nullable=True))
    weight = optional(number(nullable=True))
    regulation = optional(string(nullable=True))
    elements = optional(obj(nullable=True))
    ci95 = optional(fields.Raw(required=True, allow_none=True))
    ci95_note = optional(fields.Raw(required=True, allow_none=True))
    profile = optional(obj(nullable=True))
    flags = optional(items(fields.Raw(), nullable=True))
    signals = optional(obj(nullable=True))
    both_sources = optional(obj(nullable=True))
    trend = optional(obj(nullable=True))


class IkmOpdOpdIdReport(Report):
    """`GET /v1/ikm/opd/{opd_id}`."""
    opd_id = string()
    name = optional(string(nullable=True))
    period = string()
    as_of = string()
    official_method = optional(string(nullable=True))
    ikm = optional(fields.Raw(required=True, allow_none=True))
    regulation = optional(string(nullable=True))
    weight_mode = string()
    weight = optional(number(nullable=True))
    units_included = optional(items(fields.Raw(), nullable=True))
    unit_count = optional(integer(nullable=True))
    respondent_count = optional(integer(nullable=True))
    unit_ikm = optional(obj(nullable=True))
    flagged_units = optional(items(fields.Raw(), nullable=True))
    ikm_mean_of_units = optional(fields.Raw(required=True, allow_none=True))
    mutu_mean_of_units = optional(fields.Raw(required=True, allow_none=True))
    kinerja_mean_of_units = optional(fields.Raw(required=True, allow_none=True))
    ikm_pooled_respondents = optional(fields.Raw(required=True, allow_none=True))
    mutu_pooled_respondents = optional(fields.Raw(required=True, allow_none=True))
    kinerja_pooled_respondents = optional(fields.Raw(required=True, allow_none=True))
    units = items(fields.Raw())
    units_from_summaries = optional(items(fields.Raw(), nullable=True))
    units_without_responses = optional(items(fields.Raw(), nullable=True))


class IkmProvinceReport(Report):
    """`GET /v1/ikm/province`."""
    province_id = string()
    period = string()
    as_of = string()
    official_method = optional(string(nullable=True))
    ikm = optional(fields.Raw(required=True, allow_none=True))
    regulation = optional(string(nullable=True))
    weight_mode = string()
    weight = optional(number(nullable=True))
    units_included = optional(items(fields.Raw(), nullable=True))
    unit_count = optional(integer(nullable=True))
    respondent_count = optional(integer(nullable=True))
    unit_ikm = optional(obj(nullable=True))
    flagged_units = optional(items(fields.Raw(), nullable=True))
    ikm_mean_of_units = optional(fields.Raw(required=True, allow_none=True))
    mutu_mean_of_units = optional(fields.Raw(required=True, allow_none=True))
    kinerja_mean_of_units = optional(fields.Raw(required=True, allow_none=True))
    ikm_pooled_respondents = optional(fields.Raw(required=True, allow_none=True))
    mutu_pooled_respondents = optional(fields.Raw(required=True, allow_none=True))
    kinerja_pooled_respondents = optional(fields.Raw(required=True, allow_none=True))
    units = items(fields.Raw())
    units_from_summaries = optional(items(fields.Raw(), nullable=True))
    units_without_responses = optional(items(fields.Raw(), nullable=True))


class SkmComplianceUnitsUnitIdReport(Report):
    """`GET /v1/skm/compliance/units/{unit_id}`."""
    unit_id = string()
    year = integer(nullable=True)
    period_type = optional(string(nullable=True))
    executor = optional(string(nullable=True))
    skm_run = optional(boolean(nullable=True))
    respondents = optional(integer(nullable=True))
    source = optional(string(nullable=True))
    sample = optional(obj(nullable=True))
    periods_without_responses = optional(items(fields.Raw(), nullable=True))
    published = optional(boolean(nullable=True))
    publication_media = optional(items(fields.Raw(), nullable=True))
    electronic = optional(boolean(nullable=True))
    non_electronic = optional(boolean(nullable=True))
    rtl = optional(obj(nullable=True))
    pekppp = optional(obj(nullable=True))
    as_of = string()


class SkmComplianceReport(Report):
    """`GET /v1/skm/compliance`."""
    year = integer(nullable=True)
    as_of = string()
    units = items(fields.Raw())
    per_opd = optional(obj(nullable=True))
    units_without_skm = optional(items(fields.Raw(), nullable=True))


class IkmRankingReport(Report):
    """`GET /v1/ikm/ranking`."""
    period = string()
    previous_period = optional(string(nullable=True))
    as_of = string()
    weight_mode = string()
    ranking = optional(items(fields.Raw(), nullable=True))
    most_improved = optional(items(fields.Raw(), nullable=True))
    below_minimum_sample = optional(items(fields.Raw(), nullable=True))


class FkpUnitsUnitIdReport(Report):
    """`GET /v1/fkp/units/{unit_id}`."""
    unit_id = string()
    unit_name = optional(string(nullable=True))
    opd_id = string()
    year = integer(nullable=True)
    as_of = string()
    forums_held = optional(integer(nullable=True))
    forums_planned = optional(integer(nullable=True))
    forums_with_berita_acara = optional(integer(nullable=True))
    elements_covered = optional(items(fields.Raw(), nullable=True))
    elements_covered_count = optional(integer(nullable=True))
    pekppp_ind2 = optional(obj(nullable=True))
    promises = optional(obj(nullable=True))
    fulfilment_rate_pct = optional(number(nullable=True))
    median_days_to_fulfil = optional(fields.Raw(required=True, allow_none=True))
    disputed = optional(integer(nullable=True))
    last_forum_date = optional(string(nullable=True))
    forums = optional(items(fields.Raw(), nullable=True))
    promise_list = optional(items(fields.Raw(), nullable=True))
    overdue_promises = optional(items(fields.Raw(), nullable=True))
    overdue_from_earlier_years = optional(items(fields.Raw(), nullable=True))


class FkpProvinceReport(Report):
    """`GET /v1/fkp/province`."""
    province_id = string()
    year = integer(nullable=True)
    as_of = string()
    units = integer(nullable=True)
    units_with_forum_held = optional(integer(nullable=True))
    forums_held = optional(integer(nullable=True))
    forums_with_berita_acara = optional(integer(nullable=True))
    pekppp_ind2_mean = optional(number(nullable=True))
    pekppp_ind2_distribution = optional(obj(nullable=True))
    promises = optional(obj(nullable=True))
    fulfilment_rate_pct = optional(number(nullable=True))
    median_days_to_fulfil = optional(fields.Raw(required=True, allow_none=True))
    disputed = optional(integer(nullable=True))
    last_forum_date = optional(string(nullable=True))
    opd = optional(items(fields.Raw(), nullable=True))
    units_without_forum = optional(items(fields.Raw(), nullable=True))
    overdue_promises = optional(items(fields.Raw(), nullable=True))
    overdue_from_earlier_years = optional(items(fields.Raw(), nullable=True))
    disputed_promises = optional(items(fields.Raw(), nullable=True))


class ComplaintsUnitsUnitIdReport(Report):
    """`GET /v1/complaints/units/{unit_id}`."""
    unit_id = string()
    name = optional(string(nullable=True))
    kind = optional(string(nullable=True))
    opd_id = string()
    period = string()
    previous_period = optional(string(nullable=True))
    as_of = string()
    rules_version = optional(string(nullable=True))
    complaints = optional(integer(nullable=True))
    by_status = optional(obj(nullable=True))
    by_classification = optional(obj(nullable=True))
    by_channel = optional(obj(nullable=True))
    resolved = optional(obj(nullable=True))
    pekppp_ind28 = optional(obj(nullable=True))
    overdue = optional(obj(nullable=True))
    breaches = optional(obj(nullable=True))
    median_time = optional(obj(nullable=True))
    backlog = optional(obj(nullable=True))
    reopen = optional(obj(nullable=True))
    satisfaction = optional(obj(nullable=True))
    top_categories = optional(items(fields.Raw(), nullable=True))
    trend = optional(obj(nullable=True))
    breaches_charged = optional(obj(nullable=True))
    overdue_cases = optional(items(fields.Raw(), nullable=True))


class ComplaintsProvinceReport(Report):
    """`GET /v1/complaints/province`."""
    province_id = string()
    opd_id = fields.Raw(required=True, allow_none=True)
    period = string()
    previous_period = optional(string(nullable=True))
    as_of = string()
    rules_version = optional(string(nullable=True))
    complaints = optional(integer(nullable=True))
    by_status = optional(obj(nullable=True))
    by_classification = optional(obj(nullable=True))
    by_channel = optional(obj(nullable=True))
    resolved = optional(obj(nullable=True))
    pekppp_ind28 = optional(obj(nullable=True))
    overdue = optional(obj(nullable=True))
    breaches = optional(obj(nullable=True))
    median_time = optional(obj(nullable=True))
    backlog = optional(obj(nullable=True))
    reopen = optional(obj(nullable=True))
    satisfaction = optional(obj(nullable=True))
    top_categories = optional(items(fields.Raw(), nullable=True))
    trend = optional(obj(nullable=True))
    breaches_charged_to_instansi = optional(obj(nullable=True))
    overdue_cases = optional(items(fields.Raw(), nullable=True))
    opds = optional(items(fields.Raw(), nullable=True))
    other_holders = optional(items(fields.Raw(), nullable=True))


class UnitsUnitIdCardReport(Report):
    """`GET /v1/units/{unit_id}/card`."""
    unit_id = string()
    name = optional(string(nullable=True))
    opd_id = string()
    opd_name = optional(string(nullable=True))
    year = integer(nullable=True)
    as_of = string()
    weight_mode = string()
    skm = optional(obj(nullable=True))
    fkp = optional(obj(nullable=True))
    complaints = optional(obj(nullable=True))
    pekppp = optional(obj(nullable=True))
    obligations = optional(obj(nullable=True))


class ComplianceReport(Report):
    """`GET /v1/compliance`."""
    year = integer(nullable=True)
    as_of = string()
    opd_id = fields.Raw(required=True, allow_none=True)
    obligations = optional(items(fields.Raw(), nullable=True))
    fkp_min_elements = optional(integer(nullable=True))
    units = items(fields.Raw())
    per_opd = optional(items(fields.Raw(), nullable=True))
    totals = optional(obj(nullable=True))
    unit_count = optional(integer(nullable=True))
    weight_mode = string()


class ProvinceReport(Report):
    """`GET /v1/province`."""
    province_id = string()
    opd_id = fields.Raw(required=True, allow_none=True)
    opd_name = optional(fields.Raw(required=True, allow_none=True))
    weight_mode = string()
    year = integer(nullable=True)
    as_of = string()
    headline = optional(obj(nullable=True))
    mutu_distribution = optional(obj(nullable=True))
    attention = optional(obj(nullable=True))
    per_opd = optional(items(fields.Raw(), nullable=True))
    units = items(fields.Raw())
    silent_months = optional(integer(nullable=True))


class PekpppUnitsUnitIdReport(Report):
    """`GET /v1/pekppp/units/{unit_id}`."""
    unit_id = string()
    name = optional(string(nullable=True))
    opd_id = string()
    opd_name = optional(string(nullable=True))
    year = integer(nullable=True)
    as_of = string()
    instrument = optional(obj(nullable=True))
    ipp = optional(number(nullable=True))
    predikat = optional(string(nullable=True))
    label = optional(string(nullable=True))
    provisional = optional(boolean(nullable=True))
    ipp_min = optional(number(nullable=True))
    ipp_max = optional(number(nullable=True))
    missing = optional(items(fields.Raw(), nullable=True))
    completeness = optional(obj(nullable=True))
    aspects = optional(items(fields.Raw(), nullable=True))
    sources = optional(obj(nullable=True))
    self_assessment = optional(fields.Raw(required=True, allow_none=True))


class PekpppProvinceReport(Report):
    """`GET /v1/pekppp/province`."""
    province_id = string()
    opd_id = fields.Raw(required=True, allow_none=True)
    opd_name = optional(fields.Raw(required=True, allow_none=True))
    year = integer(nullable=True)
    as_of = string()
    instrument = optional(obj(nullable=True))
    aspects = optional(items(fields.Raw(), nullable=True))
    units_total = optional(integer(nullable=True))
    units_complete = optional(integer(nullable=True))
    units_provisional = optional(integer(nullable=True))
    units_unscored = optional(integer(nullable=True))
    distribution = optional(obj(nullable=True))
    mean_ipp = optional(fields.Raw(required=True, allow_none=True))
    mean_predikat = optional(fields.Raw(required=True, allow_none=True))
    weakest_aspects = optional(items(fields.Raw(), nullable=True))
    aspect_means = optional(items(fields.Raw(), nullable=True))
    units = items(fields.Raw())


class SkmSummariesUnitsUnitIdReport(Report):
    """`GET /v1/skm/summaries/units/{unit_id}`."""
    unit_id = string()
    name = optional(string(nullable=True))
    period = string()
    as_of = string()
    periods = optional(items(fields.Raw(), nullable=True))
    flagged = optional(boolean(nullable=True))


class SkmSummariesFlaggedReport(Report):
    """`GET /v1/skm/summaries/flagged`."""
    period = string()
    as_of = string()
    summaries = optional(integer(nullable=True))
    flagged_count = optional(integer(nullable=True))
    without_report_count = optional(integer(nullable=True))
    units = items(fields.Raw())
