"""CSV and XLSX of the dashboard's tables.

CSV: UTF-8 with a byte-order mark (so spreadsheet programs pick UTF-8), one header row of the
Indonesian column labels, dates ISO 8601, text that would run as a formula starting with `'`
(`pantau.csv_safe`). By default in the convention a spreadsheet set to Indonesian expects:
semicolon-separated, decimal comma, no thousands separator (`86,87`); `sep=comma` gives plain
RFC 4180 (comma-separated, decimal point) for other programs.
XLSX (XlsxWriter): one sheet per table, a bold header row with an autofilter
and frozen panes, real numbers with number formats (integers with thousands separators, two or
four decimals, percentages, dates), and a "Keterangan" sheet with the query and `as_of`.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import xlsxwriter

from pantau import csv_safe

from . import fmt
from .tables import Table, plain

NUMBER_FORMATS = {
    "int": "#,##0",
    "dec2": "0.00",
    "score5": "0.00",
    "dec4": "0.0000",
    "pct": "0.0%",
    "date": "dd/mm/yyyy",
    "datetime": "dd/mm/yyyy hh:mm",
}


CSV_CONVENTIONS = {"semicolon": (";", ","), "comma": (",", ".")}
"""`sep=` value → (separator, decimal mark); the first is the default."""
NUMERIC = ("int", "dec2", "dec4", "pct", "score5")


def to_csv(table: Table, sep: str = "semicolon") -> bytes:
    delimiter, decimal = CSV_CONVENTIONS[sep]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(csv_safe.row(c.label for c in table.columns))
    for row in table.rows:
        out = []
        for c in table.columns:
            v = plain(table.cell(row, c), c.kind)
            if c.kind in ("datetime",) and v:
                v = datetime.fromisoformat(str(v)).astimezone(fmt.tz()).isoformat()
            out.append("" if v is None else v)
        safe = csv_safe.row(out)  # numbers stay numbers here: only text can run as a formula
        w.writerow([str(v).replace(".", decimal) if c.kind in NUMERIC and isinstance(v, (int, float))
                    and not isinstance(v, bool) else v for c, v in zip(table.columns, safe, strict=True)])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", name)[:31] or "tabel"
    out, i = base, 2
    while out.lower() in used:
        suffix = f"-{i}"
        out, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(out.lower())
    return out


def _cell_value(v, kind: str):
    if v is None:
        return None
    if kind == "pct" and isinstance(v, (int, float)):
        return v / 100.0
    if kind == "date":
        return date.fromisoformat(str(v)[:10]) if not isinstance(v, date) else v
    if kind == "datetime":
        dt = v if isinstance(v, datetime) else datetime.fromisoformat(str(v))
        return dt.astimezone(fmt.tz()).replace(tzinfo=None)
    return v


def to_xlsx(tables: list[Table], meta: list[tuple[str, str]]) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "remove_timezone": True})
    header = wb.add_format({"bold": True, "bg_color": "#DDE7F0", "border": 1, "text_wrap": True, "valign": "top"})
    formats = {k: wb.add_format({"num_format": f}) for k, f in NUMBER_FORMATS.items()}
    used: set[str] = set()
    for t in tables:
        ws = wb.add_worksheet(_sheet_name(t.name, used))
        for j, c in enumerate(t.columns):
            ws.write_string(0, j, c.label, header)
            width = max([len(c.label)] + [len(str(plain(t.cell(r, c), c.kind) or "")) for r in t.rows[:200]])
            ws.set_column(j, j, min(60, max(10, width + 2)), formats.get(c.kind))
        for i, row in enumerate(t.rows, start=1):
            for j, c in enumerate(t.columns):
                v = _cell_value(plain(t.cell(row, c), c.kind), c.kind)
                if v is None:
                    ws.write_blank(i, j, None, formats.get(c.kind))
                elif isinstance(v, bool):
                    ws.write_string(i, j, "Ya" if v else "Tidak")
                elif isinstance(v, (int, float)):
                    ws.write_number(i, j, v, formats.get(c.kind))
                elif isinstance(v, (date, datetime)):
                    ws.write_datetime(
                        i, j, v if isinstance(v, datetime) else datetime(v.year, v.month, v.day), formats.get(c.kind)
                    )
                else:
                    ws.write_string(i, j, str(v))
        ws.autofilter(0, 0, max(len(t.rows), 1), max(len(t.columns) - 1, 0))
        ws.freeze_panes(1, 0)
    info = wb.add_worksheet(_sheet_name("Keterangan", used))
    info.set_column(0, 0, 28)
    info.set_column(1, 1, 80)
    for i, (k, v) in enumerate(meta):
        info.write_string(i, 0, k, header)
        info.write_string(i, 1, v)
    wb.close()
    return buf.getvalue()
