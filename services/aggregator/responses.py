"""Response schemas of the aggregator's JSON reports (pantau/answers.py: documentation of what the
views send, checked by the fuzz suite).

A report's keys depend on its data (a unit with a Laporan Hasil SKM and responses has
`both_sources`, one without responses none of the figures): each key is typed, the keys every
answer has are required, and a report may carry more (the figures of its kind, described in
README.md's API overview); nested figures are objects or lists. A report on one unit and the same
report on an OPD or the province share their figures (one base schema each).
"""
from marshmallow import INCLUDE

from pantau.answers import Answer, anything, boolean, integer, number, obj, sometimes, string, values


class Report(Answer):
    """A report body: the keys listed are typed (required where every answer has them), others may
    follow."""

    class Meta:
        unknown = INCLUDE


class UnitsReport(Report):
    """`GET /v1/units`."""
    units = values()
    count = integer()


class UnitsUnitIdSummaryReport(Report):
    """`GET /v1/units/{unit_id}/summary`."""
    unit_id = string()
    skm_responses = sometimes(integer())
    fkp_forums = sometimes(integer())
    complaints = sometimes(integer())
    complaints_by_status = sometimes(obj())
    as_of = string()


class IkmUnitsUnitIdReport(Report):
    """`GET /v1/ikm/units/{unit_id}`."""
    unit_id = string()
    period = string()
    respondents = sometimes(integer())
    as_of = string()
    weight_mode = string()
    sample = sometimes(obj())
    source = sometimes(string())
    ikm = sometimes(number())
    ikm_index = sometimes(number())
    mutu = sometimes(string())
    kinerja = sometimes(string())
    lowest_elements = sometimes(values())
    weight = sometimes(number())
    regulation = sometimes(string())
    elements = sometimes(obj())
    ci95 = sometimes(anything())
    ci95_note = sometimes(anything())
    profile = sometimes(obj())
    flags = sometimes(values())
    signals = sometimes(obj())
    both_sources = sometimes(obj())
    trend = sometimes(obj())


class GroupIkmReport(Report):
    """The IKM of a group of units (an OPD, the province): both compilation methods."""
    period = string()
    as_of = string()
    official_method = sometimes(string())
    ikm = sometimes(anything())
    regulation = sometimes(string())
    weight_mode = string()
    weight = sometimes(number())
    units_included = sometimes(values())
    unit_count = sometimes(integer())
    respondent_count = sometimes(integer())
    unit_ikm = sometimes(obj())
    flagged_units = sometimes(values())
    ikm_mean_of_units = sometimes(anything())
    mutu_mean_of_units = sometimes(anything())
    kinerja_mean_of_units = sometimes(anything())
    ikm_pooled_respondents = sometimes(anything())
    mutu_pooled_respondents = sometimes(anything())
    kinerja_pooled_respondents = sometimes(anything())
    units = values()
    units_from_summaries = sometimes(values())
    units_without_responses = sometimes(values())


class IkmOpdOpdIdReport(GroupIkmReport):
    """`GET /v1/ikm/opd/{opd_id}`."""
    opd_id = string()
    name = sometimes(string())


class IkmProvinceReport(GroupIkmReport):
    """`GET /v1/ikm/province`."""
    province_id = string()


class SkmComplianceUnitsUnitIdReport(Report):
    """`GET /v1/skm/compliance/units/{unit_id}`."""
    unit_id = string()
    year = integer(nullable=True)
    period_type = sometimes(string())
    executor = sometimes(string())
    skm_run = sometimes(boolean())
    respondents = sometimes(integer())
    source = sometimes(string())
    sample = sometimes(obj())
    periods_without_responses = sometimes(values())
    published = sometimes(boolean())
    publication_media = sometimes(values())
    electronic = sometimes(boolean())
    non_electronic = sometimes(boolean())
    rtl = sometimes(obj())
    pekppp = sometimes(obj())
    as_of = string()


class SkmComplianceReport(Report):
    """`GET /v1/skm/compliance`."""
    year = integer(nullable=True)
    as_of = string()
    units = values()
    per_opd = sometimes(obj())
    units_without_skm = sometimes(values())


class IkmRankingReport(Report):
    """`GET /v1/ikm/ranking`."""
    period = string()
    previous_period = sometimes(string())
    as_of = string()
    weight_mode = string()
    ranking = sometimes(values())
    most_improved = sometimes(values())
    below_minimum_sample = sometimes(values())


class FkpReport(Report):
    """FKP figures of a unit or of the province for a year."""
    year = integer(nullable=True)
    as_of = string()
    forums_held = sometimes(integer())
    forums_with_berita_acara = sometimes(integer())
    promises = sometimes(obj())
    fulfilment_rate_pct = sometimes(number())
    median_days_to_fulfil = sometimes(anything())
    disputed = sometimes(integer())
    last_forum_date = sometimes(string())
    overdue_promises = sometimes(values())
    overdue_from_earlier_years = sometimes(values())


class FkpUnitsUnitIdReport(FkpReport):
    """`GET /v1/fkp/units/{unit_id}`."""
    unit_id = string()
    unit_name = sometimes(string())
    opd_id = string()
    forums_planned = sometimes(integer())
    elements_covered = sometimes(values())
    elements_covered_count = sometimes(integer())
    pekppp_ind2 = sometimes(obj())
    forums = sometimes(values())
    promise_list = sometimes(values())


class FkpProvinceReport(FkpReport):
    """`GET /v1/fkp/province`."""
    province_id = string()
    units = integer(nullable=True)
    units_with_forum_held = sometimes(integer())
    pekppp_ind2_mean = sometimes(number())
    pekppp_ind2_distribution = sometimes(obj())
    opd = sometimes(values())
    units_without_forum = sometimes(values())
    disputed_promises = sometimes(values())


class ComplaintsReport(Report):
    """Complaint figures of a unit or of the province (or one OPD) for a period."""
    period = string()
    previous_period = sometimes(string())
    as_of = string()
    rules_version = sometimes(string())
    complaints = sometimes(integer())
    by_status = sometimes(obj())
    by_classification = sometimes(obj())
    by_channel = sometimes(obj())
    resolved = sometimes(obj())
    pekppp_ind28 = sometimes(obj())
    overdue = sometimes(obj())
    breaches = sometimes(obj())
    median_time = sometimes(obj())
    backlog = sometimes(obj())
    reopen = sometimes(obj())
    satisfaction = sometimes(obj())
    top_categories = sometimes(values())
    trend = sometimes(obj())
    overdue_cases = sometimes(values())


class ComplaintsUnitsUnitIdReport(ComplaintsReport):
    """`GET /v1/complaints/units/{unit_id}`."""
    unit_id = string()
    name = sometimes(string())
    kind = sometimes(string())
    opd_id = string()
    breaches_charged = sometimes(obj())


class ComplaintsProvinceReport(ComplaintsReport):
    """`GET /v1/complaints/province`."""
    province_id = string()
    opd_id = anything(nullable=True)
    breaches_charged_to_instansi = sometimes(obj())
    opds = sometimes(values())
    other_holders = sometimes(values())


class UnitYearReport(Report):
    """A report on one unit for a year: the unit and its OPD named."""
    unit_id = string()
    name = sometimes(string())
    opd_id = string()
    opd_name = sometimes(string())
    year = integer(nullable=True)
    as_of = string()


class ProvinceYearReport(Report):
    """A report on the province (or one OPD, `opd=`) for a year."""
    province_id = string()
    opd_id = anything(nullable=True)
    opd_name = sometimes(anything())
    year = integer(nullable=True)
    as_of = string()
    units = values()


class UnitsUnitIdCardReport(UnitYearReport):
    """`GET /v1/units/{unit_id}/card`."""
    weight_mode = string()
    skm = sometimes(obj())
    fkp = sometimes(obj())
    complaints = sometimes(obj())
    pekppp = sometimes(obj())
    obligations = sometimes(obj())


class ComplianceReport(Report):
    """`GET /v1/compliance`."""
    year = integer(nullable=True)
    as_of = string()
    opd_id = anything(nullable=True)
    obligations = sometimes(values())
    fkp_min_elements = sometimes(integer())
    units = values()
    per_opd = sometimes(values())
    totals = sometimes(obj())
    unit_count = sometimes(integer())
    weight_mode = string()


class ProvinceReport(ProvinceYearReport):
    """`GET /v1/province`."""
    weight_mode = string()
    headline = sometimes(obj())
    mutu_distribution = sometimes(obj())
    attention = sometimes(obj())
    per_opd = sometimes(values())
    silent_months = sometimes(integer())


class PekpppUnitsUnitIdReport(UnitYearReport):
    """`GET /v1/pekppp/units/{unit_id}`."""
    instrument = sometimes(obj())
    ipp = sometimes(number())
    predikat = sometimes(string())
    label = sometimes(string())
    provisional = sometimes(boolean())
    ipp_min = sometimes(number())
    ipp_max = sometimes(number())
    missing = sometimes(values())
    completeness = sometimes(obj())
    aspects = sometimes(values())
    sources = sometimes(obj())
    self_assessment = sometimes(anything())


class PekpppProvinceReport(ProvinceYearReport):
    """`GET /v1/pekppp/province`."""
    instrument = sometimes(obj())
    aspects = sometimes(values())
    units_total = sometimes(integer())
    units_complete = sometimes(integer())
    units_provisional = sometimes(integer())
    units_unscored = sometimes(integer())
    distribution = sometimes(obj())
    mean_ipp = sometimes(anything())
    mean_predikat = sometimes(anything())
    weakest_aspects = sometimes(values())
    aspect_means = sometimes(values())


class SkmSummariesUnitsUnitIdReport(Report):
    """`GET /v1/skm/summaries/units/{unit_id}`."""
    unit_id = string()
    name = sometimes(string())
    period = string()
    as_of = string()
    periods = sometimes(values())
    flagged = sometimes(boolean())


class SkmSummariesFlaggedReport(Report):
    """`GET /v1/skm/summaries/flagged`."""
    period = string()
    as_of = string()
    summaries = sometimes(integer())
    flagged_count = sometimes(integer())
    without_report_count = sometimes(integer())
    units = values()
