"""The survey service's summary-report schema: what cannot be an SKM is refused with field pointers
(services/survey/schemas.py SummarySchema); counts that do not sum to the respondents are taken
(the aggregator flags them)."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from pantau.problems import flatten_errors
from pantau.rules.ikm import ELEMENTS
from services.survey.schemas import SummarySchema

NRR = {k: 3.25 for k in ELEMENTS}
COUNTS = {k: {"1": 1, "2": 2, "3": 3, "4": 4} for k in ELEMENTS}
BASE = {"unit_id": "rsud-kanujoso", "period": "2026-Q1", "submission_id": "lhs-1", "respondents": 10}


def pointers(body) -> set[str]:
    with pytest.raises(ValidationError) as exc:
        SummarySchema().load(body)
    return {e["pointer"] for e in flatten_errors(exc.value.messages)}


def test_nrr_or_counts_with_the_optional_fields_load():
    out = SummarySchema().load({**BASE, "nrr": NRR, "reported_ikm": 81.25, "reported_mutu": "B",
                                "executor": "independent", "survey_start": "2026-01-02", "survey_end": "2026-03-30",
                                "profile": {"sex": {"L": 4, "P": 6}, "service_type": {"rawat jalan": 10}}})
    assert out["nrr"]["waktu"] == 3.25 and out["survey_end"].isoformat() == "2026-03-30"
    uneven = {**COUNTS, "biaya": {"1": 0, "2": 0, "3": 3, "4": 4}}  # 7 answers for 10 respondents: flagged later
    assert SummarySchema().load({**BASE, "counts": uneven})["counts"]["biaya"]["4"] == 4


@pytest.mark.parametrize("change, pointer", [
    ({"nrr": {**NRR, "waktu": 0}}, "/nrr/waktu"),
    ({"nrr": {**NRR, "waktu": 4.2}}, "/nrr/waktu"),
    ({"nrr": NRR, "respondents": 0}, "/respondents"),
    ({"nrr": {**NRR, "keamanan": 3}}, "/nrr/keamanan"),
    ({"nrr": {k: v for k, v in NRR.items() if k != "sarana"}}, "/nrr/sarana"),
    ({"nrr": NRR, "counts": COUNTS}, "/counts"),
    ({}, "/nrr"),
    ({"counts": {**COUNTS, "waktu": {"1": 0, "2": 0, "3": 0, "4": 0}}}, "/counts/waktu"),
    ({"counts": {**COUNTS, "waktu": {"1": 1, "2": 2, "3": 3}}}, "/counts/waktu/4"),
    ({"counts": {**COUNTS, "waktu": {"1": 1, "2": 2, "3": 3, "4": -1}}}, "/counts/waktu/4"),
    ({"nrr": NRR, "reported_mutu": "E"}, "/reported_mutu"),
    ({"nrr": NRR, "reported_ikm": 120}, "/reported_ikm"),
    ({"nrr": NRR, "survey_start": "2026-03-02", "survey_end": "2026-01-30"}, "/survey_end"),
    ({"nrr": NRR, "survey_end": "2999-01-30"}, "/survey_end"),
    ({"nrr": NRR, "submission_id": "a b"}, "/submission_id"),
])
def test_what_cannot_be_an_skm_is_refused_with_its_pointer(change, pointer):
    assert pointer in pointers({**BASE, **change})
