"""services/survey/response_check.py against the schema it stands in for: on generated responses,
valid and mutated, the check accepts only what `ResponseSchema`/`BatchSchema` accept and returns
exactly what their `load` returns; whatever it declines, the schema refuses or loads itself."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from pantau.rules.ikm import ELEMENTS
from services.survey import response_check
from services.survey.schemas import CHANNELS, EDUCATION, OCCUPATION, BatchSchema, ResponseSchema

NOW = datetime.now(timezone.utc)
ODD = [None, True, False, 0, 1, 4, 5, -1, 2.0, "3", "", "x", "L", "SMA", "PNS", "web", "a\x00b", "a\nb", "é" * 3,
       "x" * 101, "x" * 2001, [], {}, {"sex": "L"}, "2026-01-01T10:00:00+08:00", "2026-01-01T10:00:00",
       "1999-12-31T23:59:59+00:00", "2300-01-01T00:00:00+00:00", "not a date"]


PRINTABLE = st.characters(exclude_categories=("Cc", "Cs"))  # what a person types (inputs.py refuses the rest)


def valid() -> st.SearchStrategy[dict]:
    ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._:-]{0,20}\Z")
    when = st.datetimes(min_value=datetime(2001, 1, 1), max_value=NOW.replace(tzinfo=None) - timedelta(days=1),
                        timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=8))]))
    respondent = st.fixed_dictionaries({}, optional={
        "sex": st.sampled_from(["L", "P", None]), "age": st.one_of(st.none(), st.integers(10, 120)),
        "education": st.sampled_from([*EDUCATION, None]), "occupation": st.sampled_from([*OCCUPATION, None])})
    return st.fixed_dictionaries(
        {"unit_id": st.text("abcdefghijklmnopqrstuvwxyz-", min_size=2, max_size=40), "response_id": ids,
         "submitted_at": when.map(lambda d: d.isoformat()),
         "answers": st.fixed_dictionaries({k: st.integers(1, 4) for k in ELEMENTS})},
        optional={"service_type": st.one_of(st.none(), st.text(PRINTABLE, min_size=1, max_size=200)),
                  "channel": st.sampled_from([*CHANNELS, None]), "respondent": st.one_of(st.none(), respondent),
                  "suggestion": st.one_of(st.none(), st.text(PRINTABLE, max_size=300))})


@st.composite
def mutated(draw) -> dict:
    item = draw(valid())
    where = draw(st.sampled_from(["top", "answers", "respondent", "drop", "extra"]))
    if where == "top":
        item[draw(st.sampled_from(sorted(ResponseSchema().fields)))] = draw(st.sampled_from(ODD))
    elif where == "answers":
        item["answers"][draw(st.sampled_from(list(ELEMENTS)))] = draw(st.sampled_from(ODD))
    elif where == "respondent":
        item["respondent"] = {draw(st.sampled_from(["sex", "age", "education", "occupation", "other"])):
                              draw(st.sampled_from(ODD))}
    elif where == "drop":
        item.pop(draw(st.sampled_from(["unit_id", "response_id", "submitted_at", "answers"])))
        if draw(st.booleans()):
            item["answers"] = {k: 3 for k in ELEMENTS[:-1]}
    else:
        item[draw(st.sampled_from(["extra", "Unit_id", "answers "]))] = 1
    return item


def schema_load(item):
    try:
        return ResponseSchema().load(item)
    except ValidationError:
        return "refused"


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(valid())
def test_a_valid_response_is_accepted_with_what_the_schema_loads(item):
    loaded = schema_load(item)
    assert loaded != "refused"  # the generator makes valid responses (else the test proves nothing)
    assert response_check.response(item) == loaded


@SETTINGS
@given(st.one_of(mutated(), valid()))
def test_the_check_accepts_only_what_the_schema_accepts_and_returns_the_same(item):
    got = response_check.response(item)
    if got is not None:
        assert got == schema_load(item)


@SETTINGS
@given(st.lists(valid(), min_size=1, max_size=5), st.one_of(st.none(), st.integers(0, 4)), mutated())
def test_a_batch_is_accepted_only_whole_and_as_the_schema_loads_it(items, bad_at, bad):
    if bad_at is not None:
        items = [*items[:bad_at], bad, *items[bad_at:]]
    body = {"responses": items}
    got = response_check.batch(body)
    try:
        loaded = BatchSchema().load(body)["responses"]
    except ValidationError:
        loaded = None
    if got is not None:
        assert got == loaded
    if bad_at is None:
        assert got == loaded and got is not None


@pytest.mark.parametrize("body", [{}, {"responses": []}, {"responses": "x"}, {"responses": [{}], "x": 1},
                                  {"responses": [None] * 2}, [], None, {"responses": [{}] * 5001}])
def test_bodies_the_batch_schema_refuses_are_declined(body):
    assert response_check.batch(body) is None
