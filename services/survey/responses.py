"""Response schemas of the survey service (pantau/answers.py: documentation of what the views send,
checked by the fuzz suite)."""
from marshmallow import INCLUDE, fields, validate

from pantau.answers import (
    Answer,
    StoredFile,
    boolean,
    day,
    integer,
    items,
    moment,
    nested,
    number,
    obj,
    optional,
    string,
)

from .schemas import EXECUTORS, MEDIA, MUTU, PERIOD_TYPES, RTL_STATUSES


class Accepted(Answer):
    """`POST /v1/skm/responses` (202): every response id taken, how many were new."""
    accepted = items(fields.String())
    count = integer()
    new = integer()
    duplicates = integer()


class PaperAccepted(Accepted):
    """`POST /v1/skm/paper-forms` (202); a form export also says which columns it read."""
    layout = optional(string())
    ignored_columns = optional(items(fields.Raw()))
    unmatched_columns = optional(items(fields.Raw()))
    unrecognised_values = optional(obj())


class Preview(Answer):
    """`POST /v1/skm/paper-forms/preview`: the parse report, nothing stored (its keys depend on the
    layout; the ones listed are always there)."""
    class Meta:
        unknown = INCLUDE

    unit_id = string()
    stored = boolean(validate=validate.OneOf([False]))


class Voided(Answer):
    unit_id = string()
    response_id = string()
    voided = boolean(validate=validate.OneOf([True]))
    reason = string()


class UnitPeriod(Answer):
    """What a unit set or reported for one survey period."""
    unit_id = string()
    period = string()


class RtlKey(UnitPeriod):
    """One item of a period's RTL (rencana tindak lanjut)."""
    item_id = string()


class SignatoryAnswer(Answer):
    name = string()
    position = string()
    nip = optional(string(nullable=True))
    place = optional(string(nullable=True))


class SettingsAnswer(UnitPeriod):
    """The survey settings of a unit and period as set (PUT replaces them all)."""
    population = optional(integer(nullable=True))
    period_type = string(validate=validate.OneOf(PERIOD_TYPES))
    executor = string(validate=validate.OneOf(EXECUTORS))
    signatory = optional(nested(SignatoryAnswer, nullable=True))


class RtlItemAnswer(RtlKey):
    element = string()
    programme = string()
    owner = string()
    target_date = day()
    status = string(validate=validate.OneOf(["planned"]))


class EvidenceAnswer(Answer):
    name = string()
    url = optional(string(nullable=True))
    sha256 = optional(string(nullable=True))


class RtlProgressAnswer(RtlKey):
    status = string(validate=validate.OneOf(RTL_STATUSES))
    progress_pct = integer()
    note = optional(string(nullable=True))
    at = moment()
    evidence = items(EvidenceAnswer)


class RtlHistory(RtlKey):
    history = items(fields.Dict(), metadata={"description": "Amplop CloudEvents setiap kejadian butir ini"})


class PublicationAnswer(UnitPeriod):
    medium = string(validate=validate.OneOf(MEDIA))
    published_on = day()
    url = optional(string(nullable=True))
    note = optional(string(nullable=True))
    electronic = boolean()


class Submission(UnitPeriod):
    """One Laporan Hasil SKM submission of a unit and period."""
    submission_id = string()


class SummaryAnswer(Submission):
    """`POST /v1/skm/summaries` (201): the summary as taken."""
    respondents = integer()
    nrr = optional(obj())
    counts = optional(obj())
    profile = obj(nullable=True)
    reported_ikm = optional(number(nullable=True))
    reported_mutu = optional(string(nullable=True, validate=validate.OneOf(MUTU)))
    executor = optional(string(nullable=True, validate=validate.OneOf(EXECUTORS)))
    survey_start = optional(day(nullable=True))
    survey_end = optional(day(nullable=True))
    status = string(validate=validate.OneOf(["received"]))


class ReportFile(Submission, StoredFile):
    """`PUT …/report`: the attached file and where to download it."""
    pages = integer()
    filename = string(nullable=True)
    download = string()


class Score(Answer):
    indicator = integer()
    score = integer()


class ScoresAnswer(Answer):
    """`PUT /v1/pekppp/{unit_id}/{year}/scores`."""
    unit_id = string()
    year = integer()
    role = string()
    scores = items(Score)
    note = string(nullable=True)
    evidence = items(fields.String())


__all__ = ["Accepted", "PaperAccepted", "Preview", "Voided", "SettingsAnswer", "RtlItemAnswer", "RtlProgressAnswer", "RtlHistory",
           "PublicationAnswer", "SummaryAnswer", "ReportFile", "ScoresAnswer", "moment"]
