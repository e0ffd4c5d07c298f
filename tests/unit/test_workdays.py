"""Working-day calendar: weekends, national holidays, cuti bersama (Idul Fitri periods included),
the shipped files 2023–2027, the local-date convention and file validation."""
from __future__ import annotations

from datetime import date, datetime

import holidays
import pytest

from pantau.rules.workdays import Calendar, CalendarError, calendar_dir, load_dir, parse_year

CAL = load_dir(calendar_dir())
D = date.fromisoformat


def test_every_year_2023_to_2027_is_shipped():
    assert sorted(CAL.years) == [2023, 2024, 2025, 2026, 2027]
    assert CAL.years[2027] == "provisional"
    assert all(CAL.years[y] == "verified" for y in (2023, 2024, 2025, 2026))


@pytest.mark.parametrize("start, n, expected, why", [
    # weekends
    ("2026-06-05", 1, "2026-06-08", "Friday + 1 → Monday"),
    ("2026-06-06", 1, "2026-06-08", "a Saturday start counts from Monday"),
    ("2026-07-01", 3, "2026-07-06", "Wed + 3 crosses one weekend"),
    ("2026-07-01", 10, "2026-07-15", "two weekends"),
    # national holidays
    ("2024-04-30", 1, "2024-05-02", "1 May 2024 (Hari Buruh, Wed)"),
    ("2024-02-13", 1, "2024-02-15", "14 Feb 2024 election day (Keppres)"),
    ("2024-11-26", 1, "2024-11-28", "27 Nov 2024 Pilkada (Keppres)"),
    ("2026-08-14", 1, "2026-08-18", "17 Aug 2026 is a Monday"),
    ("2025-12-24", 1, "2025-12-29", "25 Dec holiday + 26 Dec cuti bersama 2025"),
    # Idul Fitri periods: holidays + cuti bersama
    ("2023-04-18", 1, "2023-04-26", "2023: cuti 19-21, Idul Fitri 22-23, cuti 24-25 Apr"),
    ("2024-04-05", 1, "2024-04-16", "2024: cuti 8-9, Idul Fitri 10-11, cuti 12 and 15 Apr"),
    ("2025-03-27", 1, "2025-04-08", "2025: cuti Nyepi 28 Mar, Nyepi 29, Idul Fitri 31 Mar-1 Apr, cuti 2-4 and 7 Apr"),
    ("2026-03-13", 3, "2026-03-25", "2026: cuti 18, Nyepi 19, cuti 20, Idul Fitri 21-22, cuti 23-24 Mar"),
    ("2026-03-17", 1, "2026-03-25", "2026: the whole Nyepi + Idul Fitri block"),
    ("2027-03-05", 1, "2027-03-16", "2027 (provisional): Nyepi 8, cuti 9, Idul Fitri 10-11, cuti 12 and 15 Mar"),
    # other cuti bersama
    ("2024-05-08", 1, "2024-05-13", "2024: Kenaikan 9 May, cuti 10 May"),
    ("2025-08-15", 1, "2025-08-19", "2025: cuti bersama 18 Aug (HUT RI ke-80)"),
    ("2026-05-26", 1, "2026-05-29", "2026: Idul Adha 27 May, cuti 28 May"),
    ("2026-02-13", 1, "2026-02-18", "2026: cuti Imlek 16 Feb, Imlek 17 Feb"),
    # year boundary
    ("2026-12-23", 3, "2026-12-30", "cuti 24 Dec, Natal 25 Dec 2026"),
    ("2026-12-30", 2, "2027-01-04", "1 Jan 2027 is a Friday holiday"),
])
def test_add_working_days(start, n, expected, why):
    assert CAL.add_working_days(D(start), n) == D(expected), why


@pytest.mark.parametrize("day, reason", [
    ("2026-03-18", "cuti_bersama: Cuti bersama Hari Suci Nyepi"),
    ("2026-03-19", "libur_nasional: Hari Suci Nyepi Tahun Baru Saka 1948"),
    ("2026-03-23", "cuti_bersama: Cuti bersama Idul Fitri"),
    ("2026-03-21", "libur_nasional: Hari Raya Idul Fitri 1447 H"),
    ("2026-03-28", "akhir pekan"),
    ("2026-03-25", None),
])
def test_reason(day, reason):
    assert CAL.reason(D(day)) == reason
    assert CAL.is_working_day(D(day)) is (reason is None)


@pytest.mark.parametrize("a, b, expected", [
    ("2026-03-13", "2026-03-13", 0),
    ("2026-03-13", "2026-03-16", 1),
    ("2026-03-13", "2026-03-25", 3),
    ("2026-03-13", "2026-03-31", 7),
    ("2026-03-31", "2026-03-13", 0),
    ("2024-04-05", "2024-04-16", 1),
])
def test_working_days_between(a, b, expected):
    assert CAL.working_days_between(D(a), D(b)) == expected


def test_due_uses_the_local_date_of_the_province():
    # 16:30Z on Thursday 2 May 2024 is 00:30 on Friday 3 May in Samarinda (WITA, UTC+8)
    start = datetime.fromisoformat("2024-05-02T16:30:00+00:00")
    assert CAL.due(start, 1, "working") == (D("2024-05-06"), datetime.fromisoformat("2024-05-07T00:00:00+08:00"))
    # 01:00 WITA on Friday 13 March 2026 (still the 12th in UTC)
    start = datetime.fromisoformat("2026-03-12T17:00:00+00:00")
    assert CAL.due(start, 3, "working")[0] == D("2026-03-25")
    assert CAL.due(start, 60, "calendar") == (D("2026-05-12"), datetime.fromisoformat("2026-05-13T00:00:00+08:00"))
    assert CAL.elapsed_working_days(start, datetime.fromisoformat("2026-03-25T23:59:00+08:00")) == 3
    with pytest.raises(ValueError):
        CAL.due(datetime(2026, 3, 13, 10, 0), 3, "working")
    with pytest.raises(ValueError):
        CAL.due(start, 3, "fortnights")
    with pytest.raises(ValueError):
        CAL.add_working_days(D("2026-03-13"), 0)


@pytest.mark.parametrize("year", [2023, 2024, 2025, 2026, 2027])
def test_shipped_files_agree_with_the_holidays_package(year):
    """Two sources: the shipped files (SKB as the maintainer knows it) and the `holidays` package."""
    ours_public = {d for d, (k, _) in CAL.off.items() if d.year == year and k == "libur_nasional"}
    ours_cuti = {d for d, (k, _) in CAL.off.items() if d.year == year and k == "cuti_bersama"}
    assert ours_public == set(holidays.ID(years=year, categories=("public",)))
    assert ours_cuti == set(holidays.ID(years=year, categories=("government",)))


@pytest.mark.parametrize("year, cuti", [(2023, 11), (2024, 10), (2025, 11), (2026, 8), (2027, 8)])
def test_number_of_cuti_bersama_days(year, cuti):
    assert sum(1 for d, (k, _) in CAL.off.items() if d.year == year and k == "cuti_bersama") == cuti


def test_uncovered_year_uses_weekends_and_package_holidays_but_no_cuti_bersama():
    assert not CAL.covers(2030)
    assert CAL.reason(D("2030-01-01")).startswith("libur_nasional")  # Tahun Baru, from the package
    assert CAL.is_working_day(D("2030-01-02"))
    strict = Calendar(off={}, years={}, fallback=False)
    assert strict.is_working_day(D("2030-01-01"))


def test_an_uncovered_years_package_holidays_are_loaded_once(monkeypatch):
    from pantau.rules import workdays
    loaded = []
    monkeypatch.setattr(workdays, "_PKG_CACHE", {})
    monkeypatch.setattr(workdays, "_load_package", lambda year: loaded.append(year) or {})
    assert CAL.working_days_between(D("2011-01-01"), D("2012-12-31")) > 400
    assert sorted(loaded) == [2011, 2012]


def test_a_new_file_changes_the_calendar_without_code(tmp_path):
    (tmp_path / "2026.yaml").write_text(
        "year: 2026\nstatus: verified\nlibur_nasional:\n  - {date: 2026-03-19, nama: Nyepi}\n"
        "cuti_bersama:\n  - {date: 2026-03-20, nama: Cuti bersama}\n")
    cal = load_dir(tmp_path, fallback=False)
    assert cal.add_working_days(D("2026-03-18"), 1) == D("2026-03-23")
    assert cal.add_working_days(D("2026-03-22"), 1) == D("2026-03-23")  # 23 March is a working day here


@pytest.mark.parametrize("doc, message", [
    ({"year": "2026"}, "'year' must be an integer"),
    ({"year": 2026, "libur_nasional": [{"date": "2026-02-30", "nama": "x"}]}, "date must be YYYY-MM-DD"),
    ({"year": 2026, "cuti_bersama": [{"date": D("2025-12-26"), "nama": "x"}]}, "is not in 2026"),
    ({"year": 2026, "cuti_bersama": [{"date": D("2026-12-24")}]}, "nama is required"),
    ({"year": 2026, "libur_nasional": [{"date": D("2026-01-01"), "nama": "a"}],
      "cuti_bersama": [{"date": D("2026-01-01"), "nama": "b"}]}, "listed twice"),
    ({"year": 2026, "status": "maybe"}, "status must be one of"),
])
def test_invalid_files_are_refused(doc, message):
    with pytest.raises(CalendarError, match=message):
        parse_year(doc)


def test_a_year_defined_twice_is_refused(tmp_path):
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text("year: 2026\nstatus: verified\n")
    with pytest.raises(CalendarError, match="defined twice"):
        load_dir(tmp_path)
