"""The shared input fields (pantau/inputs.py): bounded text without control characters, dates
within a plausible window, and their Indonesian messages."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from marshmallow import Schema, ValidationError, fields, validate

from pantau.inputs import Bool, Email, Number, PastDateTime, PlannedDate, Text, Url, check_text, planned_window
from pantau.problems import flatten_errors


class Form(Schema):
    line = Text(1, 200, allow_none=True)
    notes = Text(0, 2000, multiline=True, allow_none=True)
    code = Text(1, 100, validate=validate.Regexp(r"^[a-z0-9]+$"), allow_none=True)
    url = Url(allow_none=True)
    email = Email(allow_none=True)
    at = PastDateTime(allow_none=True)
    due = PlannedDate(allow_none=True)
    tags = fields.List(Text(1, 50), allow_none=True)


def errors(**body) -> dict:
    try:
        Form().load(body)
    except ValidationError as exc:
        return exc.messages  # type: ignore[return-value]
    return {}


@pytest.mark.parametrize("value", ["izin usaha (Perda No. 5)", "$where", "a.b.c",
                                   "Perizinan ✓ — ümlaut 日本語 🙂", "x" * 200,
                                   "line\u2028separator is a letter-like space, not a control"])
def test_ordinary_and_hostile_looking_text_is_accepted_as_a_value(value):
    assert Form().load({"line": value}) == {"line": value}


@pytest.mark.parametrize("value", ["a\x00b", "\x00", "tab\there", "new\nline", "cr\r", "esc\x1b[31m", "del\x7f",
                                   "c1\x85next-line", "c1\x9b", "lone \ud800 surrogate"])
def test_control_characters_are_refused_in_a_line(value):
    assert errors(line=value) == {"line": ["Control characters (line breaks, tabs, NUL, ...) are not allowed."]}


def test_multiline_text_takes_tabs_and_line_breaks_but_no_other_control():
    text = "Baris satu\r\nBaris dua\n\tdengan tab"
    assert Form().load({"notes": text}) == {"notes": text}
    for bad in ("a\x00b", "bell\x07", "\x0b", "\x0c", "c1\x85"):
        assert errors(notes=bad) == {"notes": [
            "Control characters other than line breaks and tabs (e.g. NUL) are not allowed."]}


def test_lengths_are_bounded_both_ways():
    assert errors(line="x" * 201) == {"line": ["Length must be between 1 and 200."]}
    assert errors(line="") == {"line": ["Length must be between 1 and 200."]}
    assert errors(notes="x" * 2001) == {"notes": ["Longer than maximum length 2000."]}
    assert errors(tags=["ok", "y" * 51]) == {"tags": {1: ["Length must be between 1 and 50."]}}
    assert errors(url="https://example.org/" + "a" * 2000) == {"url": ["Length must be between 1 and 2000."]}
    assert errors(url="") == {"url": ["Length must be between 1 and 2000."]}  # a URL is never empty
    assert errors(email="a@" + "b" * 260 + ".id") == {"email": ["Longer than maximum length 254."]}


def test_length_and_controls_are_checked_before_the_other_validators():
    # a megabyte never reaches the regular expression; a trailing newline never passes a "$"
    assert errors(code="a" * 1_000_000) == {"code": ["Length must be between 1 and 100."]}
    assert errors(code="abc\n") == {"code": ["Control characters (line breaks, tabs, NUL, ...) are not allowed."]}
    assert errors(url="https://example.org/\x00") == {"url": [
        "Control characters (line breaks, tabs, NUL, ...) are not allowed."]}
    assert errors(code="ABC") == {"code": ["String does not match expected pattern."]}


def test_check_text_is_the_same_check_for_code_outside_schemas():
    assert check_text("berita-acara.pdf", 0, 255) == "berita-acara.pdf"
    with pytest.raises(ValidationError):
        check_text("evil\x00.pdf", 0, 255)
    with pytest.raises(ValidationError):
        check_text("x" * 256 + ".pdf", 0, 255)


@pytest.mark.parametrize("value", ["9999-12-31T23:00Z", "9999-12-31T23:59:59+00:00", "0001-01-01T00:00+14:00",
                                   "0001-01-01T00:00:00Z", "1999-12-31T23:59:59Z", "2300-01-01T00:00:00Z",
                                   "2000-01-01T07:59:59+08:00"])
def test_implausible_moments_are_refused(value):
    (message,) = errors(at=value)["at"]
    assert message.startswith("Must lie between 2000-01-01T00:00:00+00:00 and ")


def test_the_moment_window_is_2000_to_one_day_from_now():
    now = datetime.now(timezone.utc)
    for ok in ("2000-01-01T00:00:00Z", "2000-01-01T08:00:00+08:00", (now + timedelta(hours=23)).isoformat()):
        assert "at" in Form().load({"at": ok})
    assert "at" in errors(at=(now + timedelta(hours=25)).isoformat())


@pytest.mark.parametrize("value", ["0001-01-01", "1999-12-31", "2300-01-01", "9999-12-31"])
def test_implausible_dates_are_refused(value):
    (message,) = errors(due=value)["due"]
    assert message.startswith("Must lie between 2000-01-01 and ")


def test_planned_dates_reach_two_years_ahead_by_default_and_the_window_is_configurable(monkeypatch):
    lo, hi = planned_window()
    assert lo == date(2000, 1, 1)
    assert Form().load({"due": hi.isoformat()}) == {"due": hi}
    assert "due" in errors(due=(hi + timedelta(days=1)).isoformat())
    assert planned_window(date(2028, 2, 29))[1] == date(2030, 2, 28)
    monkeypatch.setenv("PANTAU_PLAN_YEARS_AHEAD", "5")
    monkeypatch.setenv("PANTAU_EARLIEST_DATE", "2010-01-01")
    assert Form().load({"due": (hi + timedelta(days=400)).isoformat()})
    assert "due" in errors(due="2009-12-31")
    assert "at" in errors(at="2009-12-31T23:00:00Z")


def test_messages_are_indonesian_by_default():
    msgs = {e["pointer"]: e["message"] for e in flatten_errors(errors(
        line="a\x00", notes="b\x00", code="x" * 101, at="9999-12-31T23:00Z", due="0001-01-01"))}
    assert msgs["/line"] == "Tidak boleh memuat karakter kendali (baris baru, tab, NUL, ...)."
    assert msgs["/notes"] == "Tidak boleh memuat karakter kendali selain baris baru dan tab (mis. NUL)."
    assert msgs["/code"] == "Panjang harus antara 1 dan 100."
    assert msgs["/at"].startswith("Harus antara 2000-01-01T00:00:00+00:00 dan ")
    assert msgs["/due"].startswith("Harus antara 2000-01-01 dan ")


class Typed(Schema):
    flag = Bool(allow_none=True)
    amount = Number(allow_none=True)


@pytest.mark.parametrize("value", [True, False, None])
def test_a_bool_takes_json_booleans_and_null(value):
    assert Typed().load({"flag": value}) == {"flag": value}


@pytest.mark.parametrize("value", ["true", "false", 1, 0, "1", "ya", 1.0, [], {}])
def test_a_bool_refuses_what_marshmallow_would_read_as_truthy_or_falsy(value):
    with pytest.raises(ValidationError) as exc:
        Typed().load({"flag": value})
    assert list(exc.value.messages) == ["flag"]


@pytest.mark.parametrize("value, loaded", [(3, 3.0), (3.25, 3.25), (0, 0.0)])
def test_a_number_takes_json_numbers(value, loaded):
    assert Typed().load({"amount": value}) == {"amount": loaded}


@pytest.mark.parametrize("value", ["3", "3.5", True, False, [], {}])
def test_a_number_refuses_strings_and_booleans(value):
    with pytest.raises(ValidationError) as exc:
        Typed().load({"amount": value})
    assert list(exc.value.messages) == ["amount"]
