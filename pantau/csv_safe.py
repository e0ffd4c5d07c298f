"""Formula-safe CSV cells (OWASP "CSV Injection"): a text cell that a spreadsheet program would
run as a formula (starting with =, +, -, @, tab or carriage return) is written with a leading
apostrophe, so that it opens as the text it is. Every CSV the platform writes goes through here."""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    # a value held as a number stays a number (-3 is not text): a numeric cell cannot carry a formula
    if value is None or isinstance(value, (int, float, Decimal)):
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def row(values: Iterable[Any]) -> list[Any]:
    return [cell(v) for v in values]
