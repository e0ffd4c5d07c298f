"""The page model the dashboard renders (pure): tiles (headline figures), charts (Chart.js
configurations) and tables (`exports.tables.Table`, which the CSV/XLSX exports write unchanged),
grouped in sections; plus the small builders every page uses."""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import figures
from ..exports import fmt
from ..exports.tables import Column, Table
from .labels import PALETTE


@dataclass
class Tile:
    label: str
    value: str
    key: str
    note: str | None = None
    tone: str | None = None
    figure: str | None = None  # its id in the glossary (services/aggregator/figures.py)
    help: str | None = None  # the glossary's definition, shown on hover/tap


@dataclass
class Chart:
    id: str
    title: str
    type: str
    labels: list
    datasets: list[dict]
    options: dict = field(default_factory=dict)
    height: int = 260

    def config(self) -> dict:
        return {"type": self.type, "data": {"labels": self.labels, "datasets": self.datasets}, "options": self.options}

    def has_data(self) -> bool:
        """Something to draw: a value other than none or zero (empty axes explain nothing)."""
        return any(v not in (None, 0) for ds in self.datasets for v in ds.get("data", []))


@dataclass
class Section:
    title: str
    tiles: list[Tile] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    note: str | None = None
    unavailable: str | None = None
    id: str | None = None


@dataclass
class Page:
    title: str
    subtitle: str = ""
    sections: list[Section] = field(default_factory=list)
    as_of: str | None = None
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url) e.g. PDF reports
    contents: bool = False  # a long page: an in-page table of contents linking to each section

    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]


def cols(*specs: tuple) -> list[Column]:
    """Table columns from `(key, label[, kind[, link]])` tuples (kind defaults to text)."""
    return [Column(*spec) for spec in specs]


def table_section(title: str, table: Table, id: str | None = None, **kw) -> Section:
    """A section holding one table (its id defaults to the table's name)."""
    return Section(title, id=id or table.name, tables=[table], **kw)


def bar(
    id_: str, title: str, labels: list, values: list, label: str, colors=None, horizontal=False, y_max=None, height=260
) -> Chart:
    ds = {"label": label, "data": values, "backgroundColor": colors or PALETTE[0]}
    opts: dict = {"plugins": {"legend": {"display": False}}}
    if horizontal:
        opts["indexAxis"] = "y"
    axis = "x" if horizontal else "y"
    if y_max is not None:
        opts["scales"] = {axis: {"min": 0, "max": y_max}}
    else:  # counts: whole numbers on the axis
        opts["scales"] = {axis: {"beginAtZero": True, "ticks": {"precision": 0}}}
    return Chart(id_, title, "bar", labels, [ds], opts, height)


def ikm_bars(id_: str, title: str, rows: list[dict], colors: list | None, min_height: int, step: int) -> Chart:
    """Horizontal IKM bars (0–100), one per row with `name` and `ikm`, tall enough for the rows."""
    return bar(id_, title, [r["name"] for r in rows], [r["ikm"] for r in rows], "IKM", colors, horizontal=True,
               y_max=100, height=max(min_height, step * len(rows) + 60))


def figure_tile(fig_id: str, value: str, key: str, note: str | None = None, tone: str | None = None,
                label: str | None = None) -> Tile:
    """A tile named and explained by the glossary (`label` only adds a qualifier such as a period)."""
    f = figures.figure(fig_id)
    return Tile(label or f.label, value, key, note=note, tone=tone, figure=f.id, help=f.definition)


def figure_count(fig_id: str, value: int, key: str, note: str | None = None, warn: bool = False) -> Tile:
    """A whole-number glossary tile; `warn` marks it when the count is not zero."""
    return figure_tile(fig_id, fmt.bulat(value), key, note=note, tone="warn" if warn and value else None)


def figure_mutu(fig_id: str, ikm, mutu, key: str, note: str | None = None, label: str | None = None) -> Tile:
    """An IKM glossary tile coloured by its mutu."""
    return figure_tile(fig_id, fmt.angka(ikm) if ikm is not None else fmt.NONE, key,
                       note=(f"mutu {mutu}" if mutu else None) if note is None else note, tone=mutu, label=label)


def mutu_tile(label: str, ikm, mutu, key: str, note: str | None = None) -> Tile:
    return Tile(
        label,
        fmt.angka(ikm) if ikm is not None else fmt.NONE,
        key,
        note=(f"mutu {mutu}" if mutu else None) if note is None else note,
        tone=mutu,
    )


def count_tile(label: str, value: int, key: str, note: str | None = None, warn: bool = False) -> Tile:
    """A whole-number tile; `warn` marks it when the count is not zero."""
    return Tile(label, fmt.bulat(value), key, note=note, tone="warn" if warn and value else None)


def state_cols(obligations: list[dict]) -> list[Column]:
    return [Column(f"cells.{o['key']}", o["label"], "state") for o in obligations]


def unit_links(rows: list[dict], year: int) -> list[dict]:
    """Rows with a link to each unit's card."""
    return [{**r, "href": f"/dasbor/unit/{r['unit_id']}?tahun={year}"} for r in rows]
