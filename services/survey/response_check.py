"""Batch validation in one pass (issue 20): a plain-Python check of SKM responses that accepts only
what `ResponseSchema` accepts and returns what its `load` returns, at a fraction of marshmallow's
per-item cost (marshmallow took 12–23 % of the survey's time on batches). It never produces an
error itself: anything it does not accept outright (a wrong type, an unknown key, a value out of
range, a bool where a number belongs) returns None, and the caller loads the whole body with
marshmallow, whose field-level errors with their item index (`/responses/<i>/…`) are then exactly
the ones the API always gave. The strings and the date-time go through the schema's own checks
(`pantau.inputs.check_text`, the `submitted_at` field), so their rules live in one place;
`tests/unit/test_response_check.py` compares both on generated valid and invalid responses.
"""
from __future__ import annotations

import re
from typing import Any

from marshmallow import ValidationError

from pantau.inputs import check_text
from pantau.rules.ikm import ELEMENTS

from .schemas import CHANNELS, EDUCATION, ID_PATTERN, MAX_BATCH, OCCUPATION, ResponseSchema

_FIELDS = frozenset(ResponseSchema().fields)
_REQUIRED = frozenset(n for n, f in ResponseSchema().fields.items() if f.required)
_ELEMENTS = frozenset(ELEMENTS)
_RESPONDENT = frozenset(("sex", "age", "education", "occupation"))
_ID = re.compile(ID_PATTERN)
_SUBMITTED_AT = ResponseSchema().fields["submitted_at"]
_CHANNELS, _EDUCATION, _OCCUPATION, _SEX = frozenset(CHANNELS), frozenset(EDUCATION), frozenset(OCCUPATION), frozenset("LP")


class _Decline(Exception):
    """Not accepted outright: marshmallow decides (and words the errors)."""


def _text(value: Any, lo: int, hi: int, multiline: bool = False) -> str:
    if type(value) is not str:
        raise _Decline
    try:
        return check_text(value, lo, hi, multiline)
    except ValidationError:
        raise _Decline from None


def _one_of(value: Any, choices: frozenset) -> str:
    if type(value) is not str or value not in choices:
        raise _Decline
    return value


def _whole(value: Any, lo: int, hi: int) -> int:
    if type(value) is not int or not lo <= value <= hi:
        raise _Decline
    return value


def _respondent(value: Any) -> dict | None:
    if value is None:
        return None
    if type(value) is not dict or not value.keys() <= _RESPONDENT:
        raise _Decline
    out: dict[str, Any] = {}
    for k, v in value.items():
        if v is None:
            out[k] = None
        elif k == "sex":
            out[k] = _one_of(v, _SEX)
        elif k == "age":
            out[k] = _whole(v, 10, 120)
        elif k == "education":
            out[k] = _one_of(v, _EDUCATION)
        else:
            out[k] = _one_of(v, _OCCUPATION)
    return out


def _item(raw: Any) -> dict:
    if type(raw) is not dict or not raw.keys() <= _FIELDS or not _REQUIRED <= raw.keys():
        raise _Decline
    answers = raw["answers"]
    if type(answers) is not dict or answers.keys() != _ELEMENTS:
        raise _Decline
    rid = _text(raw["response_id"], 1, 100)
    if not _ID.match(rid):
        raise _Decline
    try:
        submitted = _SUBMITTED_AT.deserialize(raw["submitted_at"])
    except ValidationError:
        raise _Decline from None
    out: dict[str, Any] = {"unit_id": _text(raw["unit_id"], 2, 40), "response_id": rid, "submitted_at": submitted,
                           "answers": {k: _whole(v, 1, 4) for k, v in answers.items()}}
    for k in raw.keys() - _REQUIRED:
        v = raw[k]
        if v is None:
            out[k] = None
        elif k == "service_type":
            out[k] = _text(v, 1, 200)
        elif k == "channel":
            out[k] = _one_of(v, _CHANNELS)
        elif k == "respondent":
            out[k] = _respondent(v)
        else:  # suggestion
            out[k] = _text(v, 0, 2000, multiline=True)
    return out


def response(body: Any) -> dict | None:
    """`ResponseSchema().load(body)` if the check accepts it outright, else None."""
    try:
        return _item(body)
    except _Decline:
        return None


def batch(body: Any) -> list[dict] | None:
    """`BatchSchema().load(body)["responses"]` if the check accepts every item outright, else None."""
    if type(body) is not dict or body.keys() != {"responses"}:
        return None
    items = body["responses"]
    if type(items) is not list or not 1 <= len(items) <= MAX_BATCH:
        return None
    try:
        return [_item(it) for it in items]
    except _Decline:
        return None
