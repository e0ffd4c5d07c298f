"""Read-side parameter parsing (pantau/params.py) and the request budget's cooperative check."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask

from pantau import deadline
from pantau.params import as_of_arg, parse_as_of, parse_weight, period_arg, report_period, report_settings, weight_arg
from pantau.problems import ProblemError


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


def test_query_parameters_answer_422_with_their_pointer():
    app = Flask("t")
    for query, read, pointer in (("period=0001", period_arg, "period"), ("as_of=", as_of_arg, "as_of"),
                                 ("as_of=3026-01-01T00:00:00Z", as_of_arg, "as_of")):
        with app.test_request_context("/?" + query):
            with pytest.raises(ProblemError) as err:
                read()
        assert err.value.status == 422 and err.value.errors[0]["pointer"] == pointer
    with app.test_request_context("/"):
        assert abs(as_of_arg() - datetime.now(timezone.utc)) < timedelta(seconds=5)  # absent: now


def test_weight_is_one_of_the_two_modes_else_a_422_with_its_pointer(monkeypatch):
    assert parse_weight("exact") == "exact" and parse_weight("printed_0_111") == "printed_0_111"
    for raw in ("", "bogus", "EXACT", "0.111", "printed_0_111 ", "exact\x00"):
        assert parse_weight(raw) is None
    app = Flask("t")
    for raw in ("", "bogus", "0,111"):
        with app.test_request_context("/", query_string={"weight": raw}):
            with pytest.raises(ProblemError) as err:
                weight_arg()
        assert err.value.status == 422 and err.value.errors[0]["pointer"] == "weight"
        assert "exact" in err.value.detail and "printed_0_111" in err.value.detail and err.value.detail_en
    monkeypatch.setenv("PANTAU_IKM_WEIGHT_MODE", "printed_0_111")
    with app.test_request_context("/"):  # absent: the configured mode
        assert weight_arg() == "printed_0_111" and report_settings().ikm_weight_mode == "printed_0_111"
    with app.test_request_context("/?weight=exact"):  # asked for: that one, whatever is configured
        assert weight_arg() == "exact" and report_settings().ikm_weight_mode == "exact"


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
