"""Formula-safe exports (OWASP CSV injection): the escaping rule of `pantau.csv_safe`, the
dashboard's CSV writer and the paper template use it, and XLSX keeps such text a string cell."""
from __future__ import annotations

import csv
import io

import openpyxl

from pantau import csv_safe
from services.aggregator.exports import sheets
from services.aggregator.exports.tables import Column, Table
from services.survey import paper

HOSTILE = '=HYPERLINK("http://x","y")'


def test_cells_starting_like_a_formula_get_an_apostrophe():
    for text in (HOSTILE, "+62 811", "-3", "-", "@SUM(A1)", "\tx", "\rx", "=", "=already"):
        assert csv_safe.cell(text) == "'" + text
    for text in ("", "Loket 1", "3", "a=b", " =1+1", "'", "'=1+1", "2026-03-10", "100%", "–3"):
        assert csv_safe.cell(text) == text
    # our own numbers stay numbers (a negative change is data, not a formula); other types as text
    assert [csv_safe.cell(v) for v in (-3, -2.5, 0, None, True)] == [-3, -2.5, 0, None, True]
    assert csv_safe.row(["=1+1", -1, "ok"]) == ["'=1+1", -1, "ok"]


def test_dashboard_csv_prefixes_formula_text_and_keeps_negative_numbers():
    table = Table("janji", "Janji", [Column("description", "Janji"), Column("owner", "=Penanggung jawab"),
                                     Column("change", "Perubahan", "int"), Column("note", "Catatan")],
                  [{"description": HOSTILE, "owner": "@admin", "change": -3, "note": "-3"},
                   {"description": "Tambah loket", "owner": "Kepala seksi", "change": 2, "note": "\t=1+1"}])
    lines = list(csv.reader(io.StringIO(sheets.to_csv(table).decode("utf-8-sig")), delimiter=";"))
    assert lines == [["Janji", "'=Penanggung jawab", "Perubahan", "Catatan"],
                     ["'" + HOSTILE, "'@admin", "-3", "'-3"],
                     ["Tambah loket", "Kepala seksi", "2", "'\t=1+1"]]


def test_the_paper_template_csv_goes_through_the_same_rule():
    assert csv_safe.row(paper.COLUMNS) == list(paper.COLUMNS)  # nothing in it needs a prefix today
    lines = list(csv.reader(io.StringIO(paper.template_csv().decode("utf-8-sig"))))
    assert lines[0] == list(paper.COLUMNS) and not any(v.startswith(csv_safe.FORMULA_START) for v in lines[1])


def test_xlsx_writes_formula_text_as_a_string_cell():
    table = Table("janji", "Janji", [Column("description", "Janji"), Column("change", "Perubahan", "int")],
                  [{"description": HOSTILE, "change": -3}])
    wb = openpyxl.load_workbook(io.BytesIO(sheets.to_xlsx([table], [("Judul", "=1+1")])))
    ws = wb["janji"]
    assert ws["A2"].data_type == "s" and ws["A2"].value == HOSTILE  # text, not a formula ("f")
    assert ws["B2"].data_type == "n" and ws["B2"].value == -3
    assert wb["Keterangan"]["B1"].data_type == "s" and wb["Keterangan"]["B1"].value == "=1+1"
