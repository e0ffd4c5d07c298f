"""Unit tests for pantau.rules.periods (SKM periods, domain.md §1.1)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pantau.rules.periods import (
    Period,
    month_key,
    parse_period,
    period_containing,
    periods_for_year,
)

WITA = timezone(timedelta(hours=8))  # Asia/Makassar has no DST


@pytest.mark.parametrize(
    ("text", "kind", "year", "index", "months"),
    [
        ("2024", "year", 2024, 1, tuple(f"2024-{m:02d}" for m in range(1, 13))),
        ("2024-S1", "semester", 2024, 1, ("2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06")),
        ("2024-S2", "semester", 2024, 2, ("2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12")),
        ("2024-Q1", "quarter", 2024, 1, ("2024-01", "2024-02", "2024-03")),
        ("2024-Q2", "quarter", 2024, 2, ("2024-04", "2024-05", "2024-06")),
        ("2024-Q3", "quarter", 2024, 3, ("2024-07", "2024-08", "2024-09")),
        ("2024-Q4", "quarter", 2024, 4, ("2024-10", "2024-11", "2024-12")),
        ("2024-01", "month", 2024, 1, ("2024-01",)),
        ("2024-12", "month", 2024, 12, ("2024-12",)),
    ],
)
def test_parse_good(text: str, kind: str, year: int, index: int, months: tuple[str, ...]) -> None:
    period = parse_period(text)
    assert (period.kind, period.year, period.index) == (kind, year, index)
    assert period.months == months
    assert str(period) == text
    assert period == Period(kind, year, index)


@pytest.mark.parametrize(
    "text",
    [
        "2024-Q5",
        "2024-Q0",
        "24",
        "2024-13",
        "2024-00",
        "2024-S3",
        "2024-S0",
        "2024-1",
        "2024-q1",
        "2024-H1",
        "0000",
        " 2024",
        "2024 ",
        "20245",
        "2024-Q1-01",
        "",
        "2024/01",
        "٢٠٢٤",  # non-ASCII digits
    ],
)
def test_parse_bad(text: str) -> None:
    with pytest.raises(ValueError, match="invalid period"):
        parse_period(text)


def test_parse_bad_messages_are_clear() -> None:
    with pytest.raises(ValueError, match=r"quarter index must be within 1\.\.4"):
        parse_period("2024-Q5")
    with pytest.raises(ValueError, match=r"month index must be within 1\.\.12"):
        parse_period("2024-13")
    with pytest.raises(ValueError, match="expected YYYY"):
        parse_period("24")


def test_parse_non_string() -> None:
    with pytest.raises(ValueError):
        parse_period(2024)  # type: ignore[arg-type]


def test_period_constructor_validates() -> None:
    with pytest.raises(ValueError):
        Period("week", 2024, 1)
    with pytest.raises(ValueError):
        Period("quarter", 2024, 5)
    with pytest.raises(ValueError):
        Period("month", 2024, 0)


def test_period_is_frozen_and_hashable() -> None:
    period = parse_period("2024-Q1")
    with pytest.raises(AttributeError):
        period.year = 2025  # type: ignore[misc]
    assert {period, parse_period("2024-Q1")} == {period}


@pytest.mark.parametrize(
    ("text", "previous"),
    [
        ("2024", "2023"),
        ("2024-S1", "2023-S2"),
        ("2024-S2", "2024-S1"),
        ("2024-Q1", "2023-Q4"),
        ("2024-Q3", "2024-Q2"),
        ("2024-01", "2023-12"),
        ("2024-07", "2024-06"),
        ("2000-01", "1999-12"),
    ],
)
def test_previous(text: str, previous: str) -> None:
    assert str(parse_period(text).previous()) == previous
    assert str(parse_period(previous).next()) == text


def test_start_end_half_open_in_makassar() -> None:
    q3 = parse_period("2024-Q3")
    assert q3.start() == datetime(2024, 7, 1, tzinfo=WITA)
    assert q3.end() == datetime(2024, 10, 1, tzinfo=WITA)
    assert q3.start().utcoffset() == timedelta(hours=8)
    # 2024-07-01 00:00 WITA is 2024-06-30 16:00 UTC
    assert q3.start() == datetime(2024, 6, 30, 16, 0, tzinfo=timezone.utc)
    assert q3.end() == parse_period("2024-Q4").start()
    assert q3.contains(datetime(2024, 6, 30, 16, 0, tzinfo=timezone.utc))
    assert not q3.contains(datetime(2024, 6, 30, 15, 59, 59, tzinfo=timezone.utc))
    assert not q3.contains(q3.end())


def test_start_end_other_kinds_and_zones() -> None:
    assert parse_period("2024").end() == datetime(2025, 1, 1, tzinfo=WITA)
    assert parse_period("2024-S2").end() == datetime(2025, 1, 1, tzinfo=WITA)
    assert parse_period("2024-02").end() == datetime(2024, 3, 1, tzinfo=WITA)
    assert parse_period("2024-12").end() == datetime(2025, 1, 1, tzinfo=WITA)
    jakarta = parse_period("2024-01").start("Asia/Jakarta")
    assert jakarta.utcoffset() == timedelta(hours=7)
    assert parse_period("2024-01").start(timezone.utc) == datetime(2024, 1, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("dt", "tz_name", "expected"),
    [
        # 23:30 UTC on 30 June is 07:30 on 1 July in Makassar (UTC+8)
        (datetime(2024, 6, 30, 23, 30, tzinfo=timezone.utc), "Asia/Makassar", "2024-07"),
        (datetime(2024, 6, 30, 23, 30, tzinfo=timezone.utc), "UTC", "2024-06"),
        (datetime(2024, 6, 30, 15, 59, 59, tzinfo=timezone.utc), "Asia/Makassar", "2024-06"),
        (datetime(2024, 6, 30, 16, 0, tzinfo=timezone.utc), "Asia/Makassar", "2024-07"),
        (datetime(2023, 12, 31, 20, 0, tzinfo=timezone.utc), "Asia/Makassar", "2024-01"),
        # 07:30 WITA on 1 July is 06:30 on 1 July in Jakarta (UTC+7) ...
        (datetime(2024, 7, 1, 7, 30, tzinfo=WITA), "Asia/Jakarta", "2024-07"),
        # ... but 00:30 WITA on 1 July is 23:30 on 30 June there
        (datetime(2024, 7, 1, 0, 30, tzinfo=WITA), "Asia/Jakarta", "2024-06"),
    ],
)
def test_month_key(dt: datetime, tz_name: str, expected: str) -> None:
    assert month_key(dt, tz_name) == expected


def test_month_key_default_is_makassar() -> None:
    assert month_key(datetime(2024, 6, 30, 23, 30, tzinfo=timezone.utc)) == "2024-07"


def test_month_key_rejects_naive() -> None:
    with pytest.raises(ValueError):
        month_key(datetime(2024, 6, 30, 23, 30))


def test_period_containing() -> None:
    late_june_utc = datetime(2024, 6, 30, 23, 30, tzinfo=timezone.utc)
    assert str(period_containing(late_june_utc, "quarter")) == "2024-Q3"
    assert str(period_containing(late_june_utc, "semester")) == "2024-S2"
    assert str(period_containing(late_june_utc, "month")) == "2024-07"
    assert str(period_containing(late_june_utc, "year")) == "2024"
    assert str(period_containing(late_june_utc, "quarter", "UTC")) == "2024-Q2"


def test_periods_for_year() -> None:
    assert [str(p) for p in periods_for_year(2024, "quarter")] == [
        "2024-Q1",
        "2024-Q2",
        "2024-Q3",
        "2024-Q4",
    ]
    assert [str(p) for p in periods_for_year(2024, "semester")] == ["2024-S1", "2024-S2"]
    assert [str(p) for p in periods_for_year(2024, "year")] == ["2024"]
    months = periods_for_year(2024, "month")
    assert [str(p) for p in months] == [f"2024-{m:02d}" for m in range(1, 13)]
    with pytest.raises(ValueError):
        periods_for_year(2024, "week")


def test_months_partition_the_year() -> None:
    for kind in ("year", "semester", "quarter", "month"):
        covered = [m for p in periods_for_year(2025, kind) for m in p.months]
        assert covered == [f"2025-{m:02d}" for m in range(1, 13)]


period_strings = st.one_of(
    st.integers(1000, 2999).map(lambda y: f"{y}"),
    st.tuples(st.integers(1000, 2999), st.integers(1, 2)).map(lambda t: f"{t[0]}-S{t[1]}"),
    st.tuples(st.integers(1000, 2999), st.integers(1, 4)).map(lambda t: f"{t[0]}-Q{t[1]}"),
    st.tuples(st.integers(1000, 2999), st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
)


@given(period_strings)
def test_property_round_trip_and_adjacency(text: str) -> None:
    period = parse_period(text)
    assert str(period) == text
    assert period.previous().next() == period
    assert period.previous().end() == period.start()
    assert period.start() < period.end()
