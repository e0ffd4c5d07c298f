"""The rules the OpenAPI documents state as patterns agree with the checks the server runs
(pantau/inputs.py, pantau/rules/periods.py), and the served document's completion
(pantau/openapi.py) is what it says."""
from __future__ import annotations

import re

import pytest
from marshmallow import ValidationError

from pantau import openapi
from pantau.inputs import (
    EMAIL_PATTERN,
    MULTILINE_PATTERN,
    TEXT_PATTERN,
    URL_PATTERN,
    Email,
    Text,
    Url,
    check_text,
    not_blank_pattern,
)
from pantau.rules.periods import PERIOD_PATTERN, parse_period

TEXTS = ["abc", "", " ", "a\tb", "a\nb", "a\rb", "x\x00y", "x\x1fy", "x\x7fy", "x\x85y", "x\u2028y", "é ü 中文",
         "trailing\n", "a" * 5]  # (a lone surrogate: see TEXT_PATTERN)


@pytest.mark.parametrize("value", TEXTS)
@pytest.mark.parametrize("multiline", [False, True])
def test_the_text_pattern_is_the_control_character_check(value, multiline):
    pattern = MULTILINE_PATTERN if multiline else TEXT_PATTERN
    try:
        check_text(value, 0, 100, multiline)
        accepted = True
    except ValidationError:
        accepted = False
    assert bool(re.fullmatch(pattern[1:-1], value)) == accepted


def test_a_text_field_without_a_pattern_of_its_own_documents_the_control_character_one():
    assert Text(1, 10).metadata["pattern"] == TEXT_PATTERN
    assert Text(1, 10, multiline=True).metadata["pattern"] == MULTILINE_PATTERN
    from marshmallow import validate
    assert "pattern" not in Text(1, 10, validate=validate.Regexp(r"^[a-z]+$")).metadata


@pytest.mark.parametrize("value, ok", [
    ("https://sipp.menpan.go.id/unit/1?x=1#a", True), ("http://example.co.id", True),
    ("http://example.co.id:8080/a", True), ("", False), ("ftp://example.com", False), ("http://localhost/x", False),
    ("https://exa mple.com", False), ("https://example.com/a b", False), ("example.com", False),
    ("https://-bad.com", False)])
def test_a_url_is_what_its_documented_pattern_says(value, ok):
    assert bool(re.match(URL_PATTERN, value)) == ok
    try:
        Url().deserialize(value)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == ok


@pytest.mark.parametrize("value, ok", [("budi.s@kaltimprov.go.id", True), ("a+b@x.co.id", True), ("0@0.a", False),
                                       ("x@localhost", False), ("a b@c.de", False), ("a..b@c.de", False), ("", False)])
def test_an_email_address_is_what_its_documented_pattern_says(value, ok):
    assert bool(re.match(EMAIL_PATTERN, value)) == ok
    try:
        Email().deserialize(value)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == ok


@pytest.mark.parametrize("value", ["abc", "  abc  ", "a b", "a  ", "  ab", "ab", "\n\nabc\t", "a\nb", "   ", "",
                                   "\u2003ab\u2003", "a\u2003b"])
def test_the_not_blank_pattern_is_a_stripped_length(value):
    for chars in (1, 3):
        assert bool(re.fullmatch(not_blank_pattern(chars)[1:-1], value)) == (len(value.strip()) >= chars), (chars, value)


@pytest.mark.parametrize("value", ["2026", "2026-S1", "2026-S2", "2026-S3", "2026-Q1", "2026-Q4", "2026-Q5",
                                   "2026-01", "2026-12", "2026-13", "2026-00", "0000", "0001", "9999", "20261",
                                   "2026-s1", "202"])
def test_the_period_pattern_is_what_parse_period_takes(value):
    try:
        parse_period(value)
        parsed = True
    except ValueError:
        parsed = False
    assert bool(re.match(PERIOD_PATTERN, value)) == parsed


def _spec() -> dict:
    body = {"type": "object", "properties": {"unit_id": {"type": "string"}, "to_unit_id": {"type": "string",
                                                                                           "nullable": True}}}
    return {"paths": {
        "/v1/x/{period}/{year}": {"post": {
            "parameters": [{"in": "path", "name": "period", "schema": {"type": "string"}},
                           {"in": "path", "name": "year", "schema": {"type": "integer"}},
                           {"in": "query", "name": "opd", "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": body}}},
            "responses": {"default": dict(openapi.DEFAULT_ERROR_REF)}}},
        "/open311/x": {"get": {"responses": {"200": {}, "default": {"description": "GeoReport"}}}}}}


def test_the_served_document_lists_each_error_status_and_keeps_open311s_own():
    spec = openapi.document_responses(_spec())
    post = spec["paths"]["/v1/x/{period}/{year}"]["post"]["responses"]
    assert "default" not in post and "2XX" in post
    assert sorted(int(k) for k in post if k.isdigit()) == list(openapi.WRITE_ERRORS)
    assert post["422"]["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert spec["paths"]["/open311/x"]["get"]["responses"]["default"] == {"description": "GeoReport"}


def test_the_served_document_names_the_registered_units_and_the_path_rules():
    spec = openapi.state_parameters(openapi.state_units(_spec(), ["a-1", "b-2"], ["opd-1"]), (2000, 2027))
    op = spec["paths"]["/v1/x/{period}/{year}"]["post"]
    props = op["requestBody"]["content"]["application/json"]["schema"]["properties"]
    assert props["unit_id"]["enum"] == ["a-1", "b-2"] and props["to_unit_id"]["enum"] == ["a-1", "b-2", None]
    params = {p["name"]: p["schema"] for p in op["parameters"]}
    assert params["period"]["pattern"] == PERIOD_PATTERN
    assert (params["year"]["minimum"], params["year"]["maximum"]) == (2000, 2027)
    assert params["opd"]["enum"] == ["opd-1"]


def test_a_nullable_nested_schemas_null_branch_takes_null_alone():
    import jsonschema_rs
    spec = {"components": {"schemas": {"A": {"type": "object", "properties": {"s": {"anyOf": [
        {"type": "object", "nullable": True}, {"$ref": "#/components/schemas/S"}]}}}}}}
    branch = openapi.only_null_branches(spec)["components"]["schemas"]["A"]["properties"]["s"]["anyOf"][0]
    # as a validator reads nullable (`type` widened to null): an object is no longer taken
    check = jsonschema_rs.validator_for({"type": ["object", "null"], "enum": branch["enum"]})
    assert check.is_valid(None) and not check.is_valid({})


def test_path_level_parameters_are_completed_and_query_strings_are_never_empty():
    spec = {"paths": {"/v1/a/{period}": {"parameters": [{"in": "path", "name": "period", "schema": {"type": "string"}}],
                                         "get": {"parameters": [{"in": "query", "name": "q", "schema": {"type": "string"}},
                                                                {"in": "query", "name": "w", "schema": {
                                                                    "type": "string", "enum": ["a"]}}]}}}}
    openapi.state_parameters(spec, (2000, 2027))
    assert spec["paths"]["/v1/a/{period}"]["parameters"][0]["schema"]["pattern"] == PERIOD_PATTERN
    q, w = spec["paths"]["/v1/a/{period}"]["get"]["parameters"]
    assert q["schema"]["minLength"] == 1 and "minLength" not in w["schema"]


def test_every_documented_pattern_is_a_valid_ecma_regex():
    import jsonschema_rs

    from services.consultation.schemas import ID_PATTERN as FKP_ID
    from services.survey.schemas import ID_PATTERN, NIP_PATTERN
    for pattern in (TEXT_PATTERN, MULTILINE_PATTERN, URL_PATTERN, EMAIL_PATTERN, not_blank_pattern(1), not_blank_pattern(3),
                    PERIOD_PATTERN, NIP_PATTERN, ID_PATTERN, FKP_ID):
        jsonschema_rs.validator_for({"type": "string", "pattern": pattern})  # raises on an invalid pattern
