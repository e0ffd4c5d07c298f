"""The table model shared by the dashboard pages and the CSV/XLSX exports.

A page builds `Table`s from a report's JSON-ready dict; the page renders them, and
`?format=csv|xlsx` writes the very same rows and columns, so an export never differs from the
table on the screen. Column kinds decide the display format (id-ID), the CSV value and the
XLSX number format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import fmt

STATE_LABELS = {"met": "Terpenuhi", "not_met": "Tidak terpenuhi", "no_data": "Tidak ada data"}
STATE_SYMBOLS = {"met": "✓", "not_met": "✗", "no_data": "–"}
KINDS = ("text", "int", "dec2", "dec4", "pct", "date", "datetime", "state", "period", "month", "score5")
"""`score5`: a PEKPPP score or IPP on 0–5 (two decimals; the page shades the cell by its value)."""


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"
    link: str | None = None  # row key holding a URL for this cell (HTML only)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass
class Table:
    name: str  # slug: ?table=<name>, the XLSX sheet name
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    row_key: str | None = None  # row field that identifies a row in the HTML (data-row)
    note: str | None = None
    empty: str | None = None  # what the page says when there is no row: why, and what would fill it
    cards: bool = False  # on a phone each row becomes a card (each cell labelled by its column)

    def cell(self, row: dict, col: Column) -> Any:
        v: Any = row
        for part in col.key.split("."):
            v = v.get(part) if isinstance(v, dict) else None
        return v


def display(v: Any, kind: str) -> str:
    """The cell as the page shows it (id-ID)."""
    if kind == "state":
        return STATE_LABELS.get(v["state"] if isinstance(v, dict) else v, fmt.NONE) if v else fmt.NONE
    if v is None or v == "":
        return fmt.NONE
    if kind == "int":
        return fmt.bulat(v)
    if kind in ("dec2", "score5"):
        return fmt.angka(v, 2)
    if kind == "dec4":
        return fmt.angka(v, 4)
    if kind == "pct":
        return fmt.persen(v)
    if kind == "date":
        return fmt.tanggal(v)
    if kind == "datetime":
        return fmt.waktu(v)
    if kind == "period":
        return fmt.periode(v)
    if kind == "month":
        return fmt.bulan(v)
    if isinstance(v, bool):
        return "Ya" if v else "Tidak"
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v) or fmt.NONE
    return str(v)


def plain(v: Any, kind: str) -> Any:
    """The cell as data (CSV/XLSX): numbers stay numbers, a state is its Indonesian label."""
    if kind == "state":
        return STATE_LABELS.get(v["state"] if isinstance(v, dict) else v, "") if v else ""
    if v is None:
        return None
    if isinstance(v, bool):
        return "Ya" if v else "Tidak"
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    return v
