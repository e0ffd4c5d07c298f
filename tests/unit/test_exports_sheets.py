"""CSV and XLSX writers and the id-ID formatting of the pages."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl

from services.aggregator.exports import fmt, sheets
from services.aggregator.exports.tables import Column, Table, display

TABLE = Table(
    "ikm-unit",
    "IKM per unit",
    [
        Column("name", "Unit"),
        Column("respondents", "Responden", "int"),
        Column("ikm", "IKM", "dec2"),
        Column("nrr", "NRR", "dec4"),
        Column("pct", "RTL selesai", "pct"),
        Column("on", "Publikasi", "date"),
        Column("cell", "Keadaan", "state"),
        Column("at", "Waktu", "datetime"),
    ],
    [
        {
            "name": "UPTD Laboratorium",
            "respondents": 12345,
            "ikm": 88.31,
            "nrr": 3.5324,
            "pct": 50.0,
            "on": "2026-03-05",
            "cell": {"state": "met", "evidence": "x"},
            "at": "2026-03-05T02:00:00+00:00",
        },
        {
            "name": "RS Mata, Samarinda",
            "respondents": 3,
            "ikm": None,
            "nrr": None,
            "pct": None,
            "on": None,
            "cell": {"state": "no_data", "evidence": ""},
            "at": None,
        },
    ],
)


def test_id_formats():
    assert fmt.angka(88.305) == "88,31"  # half-up first (domain §1.3), Babel would round half-even
    assert fmt.angka(91.4812) == "91,48" and fmt.bulat(12345) == "12.345" and fmt.angka(None) == "–"
    assert fmt.persen(50) == "50,0%" and fmt.angka(3.53245, 4) == "3,5325"
    assert fmt.tanggal("2026-03-15") == "15 Maret 2026" and fmt.tanggal(date(2026, 8, 17)) == "17 Agustus 2026"
    assert fmt.waktu("2026-03-15T02:00:00+00:00") == "15 Maret 2026 10.00 WITA"
    assert [fmt.periode(p) for p in ("2026", "2026-S2", "2026-Q3", "2026-03")] == [
        "Tahun 2026",
        "Semester II 2026",
        "Triwulan III 2026",
        "Maret 2026",
    ]
    assert display({"state": "not_met"}, "state") == "Tidak terpenuhi" and display(True, "text") == "Ya"


def test_csv_defaults_to_the_indonesian_convention_semicolons_and_decimal_commas():
    raw = sheets.to_csv(TABLE)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Unit", "Responden", "IKM", "NRR", "RTL selesai", "Publikasi", "Keadaan", "Waktu"]
    assert rows[1] == ["UPTD Laboratorium", "12345", "88,31", "3,5324", "50,0", "2026-03-05", "Terpenuhi",
                       "2026-03-05T10:00:00+08:00"]
    assert rows[2][0] == "RS Mata, Samarinda"  # a comma in text needs no quoting here
    assert raw.decode("utf-8-sig").splitlines()[2].startswith("RS Mata, Samarinda;3;")


def test_csv_with_sep_comma_is_plain_rfc_4180_with_decimal_points():
    raw = sheets.to_csv(TABLE, "comma")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Unit", "Responden", "IKM", "NRR", "RTL selesai", "Publikasi", "Keadaan", "Waktu"]
    assert rows[1] == [
        "UPTD Laboratorium",
        "12345",
        "88.31",
        "3.5324",
        "50.0",
        "2026-03-05",
        "Terpenuhi",
        "2026-03-05T10:00:00+08:00",
    ]
    assert rows[2] == ["RS Mata, Samarinda", "3", "", "", "", "", "Tidak ada data", ""]


def test_xlsx_has_number_formats_a_filterable_header_and_a_notes_sheet():
    other = Table("ikm-unit", "Duplikat nama", [Column("a", "A", "int")], [{"a": 1}])
    data = sheets.to_xlsx([TABLE, other], [("Keadaan data per", "15 Juli 2026 12.00 WITA")])
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["ikm-unit", "ikm-unit-2", "Keterangan"]
    ws = wb["ikm-unit"]
    assert [c.value for c in ws[1]] == [c.label for c in TABLE.columns]
    assert ws[1][0].font.b
    assert ws.auto_filter.ref == "A1:H3" and ws.freeze_panes == "A2"
    assert (ws["B2"].value, ws["B2"].number_format) == (12345, "#,##0")
    assert (ws["C2"].value, ws["C2"].number_format) == (88.31, "0.00")
    assert (ws["D2"].value, ws["D2"].number_format) == (3.5324, "0.0000")
    assert (ws["E2"].value, ws["E2"].number_format) == (0.5, "0.0%")
    assert ws["F2"].value == datetime(2026, 3, 5) and ws["F2"].number_format == "dd/mm/yyyy"
    assert ws["H2"].value == datetime(2026, 3, 5, 10, 0)  # local (WITA) wall-clock time
    assert ws["G2"].value == "Terpenuhi" and ws["C3"].value is None
    assert [c.value for c in wb["Keterangan"][1]] == ["Keadaan data per", "15 Juli 2026 12.00 WITA"]
