"""Read-side query parameters (pantau/params.py, loaded by @blp.arguments) and the request budget's cooperative check."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest
from flask import Flask
from marshmallow import Schema

from pantau import deadline
from pantau.params import PeriodReportQuery, YearReportQuery, parse_as_of, parse_weight, report_period, report_settings
from pantau.problems import PROBLEM_JSON, ProblemError
from pantau.web import Blueprint, ProblemApi, check_query_shape, json_response


@pytest.mark.parametrize("raw, expected", [
    ("2026-03-31T23:59:59+08:00", datetime(2026, 3, 31, 15, 59, 59, tzinfo=timezone.utc)),
    ("2026-03-31t15:59:59z", datetime(2026, 3, 31, 15, 59, 59, tzinfo=timezone.utc)),
    ("2026-03-31T15:59:59.5Z", datetime(2026, 3, 31, 15, 59, 59, 500000, tzinfo=timezone.utc)),
    ("2026-03-31T15:59:59.123456789Z", datetime(2026, 3, 31, 15, 59, 59, 123456, tzinfo=timezone.utc)),
    ("2026-03-31T23:59:59 08:00", datetime(2026, 3, 31, 15, 59, 59, tzinfo=timezone.utc)),  # "+" sent unencoded
])
def test_rfc3339_date_times_are_parsed(raw, expected):
    assert parse_as_of(raw) == expected


@pytest.mark.parametrize("raw", ["", "2026-03-31", "2026-03-31T23:59:59", "20260331T235959Z", "2026-W13-2T00:00:00Z",
                                 "2026-03-31T23:59Z", "2026-02-30T00:00:00Z", "2026-03-31T24:00:00Z",
                                 "2026-03-31T23:59:59+24:00", "2026-03-31T23:59:59Z\x00", "٢٠٢٦-03-31T23:59:59Z",
                                 "2026-03-31T23:59:59.1234567890Z", "+2026-03-31T23:59:59Z"])
def test_anything_else_is_not_a_date_time(raw):
    assert parse_as_of(raw) is None


def test_report_periods_lie_between_2000_and_2100():
    assert str(report_period("2000")) == "2000" and str(report_period("2100-Q4")) == "2100-Q4"
    for raw in ("0001", "1999-12", "2101", "9999-S2", "abc", "2026-Q5"):
        with pytest.raises(ValueError):
            report_period(raw)


@pytest.fixture(scope="module")
def client():
    """A route loading each shared query schema, as the report APIs do (problem+json answers)."""
    app = Flask("t")
    app.config.update(API_TITLE="t", API_VERSION="v1", OPENAPI_VERSION="3.0.3")
    api = ProblemApi(app)
    blp = Blueprint("t", __name__, url_prefix="/v1")

    def echo(query: dict) -> dict:
        return {k: str(v) for k, v in query.items()} | {"mode": report_settings(query).ikm_weight_mode}

    @blp.route("/period", methods=["GET"])
    @blp.response(200, Schema)
    @blp.arguments(PeriodReportQuery, location="query")
    def by_period(query):
        return json_response(echo(query))

    @blp.route("/year", methods=["GET"])
    @blp.response(200, Schema)
    @blp.arguments(YearReportQuery, location="query")
    def by_year(query):
        return json_response(echo(query))

    api.register_blueprint(blp)
    app.errorhandler(ProblemError)(lambda exc: exc.response())
    app.before_request(check_query_shape)
    return app.test_client()


@pytest.mark.parametrize("path, query, pointer", [
    ("/v1/period", "period=0001", "period"), ("/v1/period", "", "period"), ("/v1/period", "period=2026&as_of=", "as_of"),
    ("/v1/period", "period=2026&as_of=3026-01-01T00:00:00Z", "as_of"), ("/v1/period", "period=2026&as_of=kemarin", "as_of"),
    ("/v1/year", "year=26", "year"), ("/v1/year", "year=+2026", "year"), ("/v1/year", "", "year"),
    ("/v1/period", "period=2026&period=2027", "period"),
])
def test_query_parameters_answer_422_with_their_pointer(client, path, query, pointer):
    resp = client.get(f"{path}?{query}")
    assert resp.status_code == 422 and resp.mimetype == PROBLEM_JSON, resp.get_data(as_text=True)
    body = resp.get_json()
    assert [e["pointer"] for e in body["errors"]] == [pointer] and body["errors"][0]["field"] == pointer
    assert body["detail"] and body["detail"] != body["errors"][0]["pointer"]
    english = client.get(f"{path}?{query}", headers={"Accept-Language": "en"}).get_json()
    assert english["detail"] != body["detail"]
    if "as_of=&" not in f"{query}&" and "&period=" not in query:  # not check_query_shape's (Indonesian field text)
        assert english["errors"][0]["message"] == english["detail"] and body["errors"][0]["message"] == body["detail"]


def test_valid_query_parameters_are_loaded_and_unknown_ones_ignored(client):
    resp = client.get("/v1/period?period=2026-Q1&as_of=2026-03-31T23:59:59%2B08:00&other=1")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["period"] == str(report_period("2026-Q1")) and "other" not in body
    assert body["as_of"] == str(parse_as_of("2026-03-31T23:59:59+08:00"))
    assert client.get("/v1/year?year=2026").get_json()["year"] == "2026"


def test_weight_is_one_of_the_two_modes_else_a_422_with_its_pointer(client, monkeypatch):
    assert parse_weight("exact") == "exact" and parse_weight("printed_0_111") == "printed_0_111"
    for raw in ("", "bogus", "EXACT", "0.111", "printed_0_111 ", "exact\x00"):
        assert parse_weight(raw) is None
    for raw in ("bogus", "0,111", "EXACT"):
        resp = client.get("/v1/period", query_string={"period": "2026", "weight": raw})
        body = resp.get_json()
        assert resp.status_code == 422 and body["errors"][0]["pointer"] == "weight"
        assert "exact" in body["detail"] and "printed_0_111" in body["detail"]
    monkeypatch.setenv("PANTAU_IKM_WEIGHT_MODE", "printed_0_111")
    assert client.get("/v1/year?year=2026").get_json()["mode"] == "printed_0_111"  # absent: the configured mode
    asked = client.get("/v1/year?year=2026&weight=exact").get_json()  # asked for: that one, whatever is configured
    assert asked["mode"] == "exact" and asked["weight"] == "exact"


def test_the_cooperative_check_raises_once_the_budget_is_spent_and_only_within_it():
    deadline.check()  # no budget: never raises
    with deadline.Within(0.05):
        deadline.check()
        assert not deadline.expired(slack=0)
        time.sleep(0.06)
        assert deadline.expired(slack=0)
        with pytest.raises(deadline.DeadlineExceeded):
            deadline.check()
    deadline.check()
    assert not deadline.expired()
