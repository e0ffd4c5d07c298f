"""The cost bounds of paper-form uploads (services.survey.paper_budget): width, rows, size,
XML elements and the deadline, for CSV and XLSX; the streaming XLSX reader reads what openpyxl
reads; DTDs, entities and zip bombs are refused. Pure parsing, no server."""
from __future__ import annotations

import csv
import io
import time
import zipfile
from datetime import date, datetime

import pytest
import xlsxwriter
from openpyxl import Workbook, load_workbook
from xlsx_builder import SHEET_TAIL, inline_row, sheet_head, xlsx

from services.survey import paper, paper_xlsx
from services.survey.paper import PaperFormError
from services.survey.paper_budget import (
    MAX_LINE_CHARS,
    MAX_SHEET_ROWS,
    MAX_WIDTH,
    MAX_XLSX_UNCOMPRESSED,
    Deadline,
    DeadlineExceeded,
)

UNIT = "samsat-bontang"
TZ = "Asia/Makassar"
HEADER = ("response_id,submitted_at,persyaratan,prosedur,waktu,biaya,produk,kompetensi,perilaku,"
          "pengaduan,sarana,service_type,sex,age,education,occupation,suggestion").split(",")


def row_values(i: int) -> list:
    return [f"K-{i:05d}", "2026-03-10", 3, 4, 3, 2, 3, 3, 4, 3, 3, "Pengesahan STNK lima tahunan", "L", 34,
            "SMA", "SWASTA", f"Antrean nomor {i} lama, loket perlu ditambah."]


def csv_of(rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([HEADER, *rows])
    return buf.getvalue().encode()


def openpyxl_file(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in [HEADER, *rows]:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def five_thousand() -> dict[str, bytes]:
    """A valid 5,000-row questionnaire as CSV and as XLSX (written by XlsxWriter, shared strings
    like Excel's)."""
    rows = [row_values(i) for i in range(5000)]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Kuesioner")
    for n, r in enumerate([HEADER, *rows]):
        ws.write_row(n, 0, r)
    wb.close()
    return {"csv": csv_of(rows), "xlsx": buf.getvalue()}


def refusal(data: bytes, fmt: str = "xlsx", deadline: Deadline | None = None) -> dict:
    fn = paper.parse_xlsx_file if fmt == "xlsx" else paper.parse_csv_file
    with pytest.raises(PaperFormError) as info:
        fn(data, UNIT, TZ, deadline)
    errors = info.value.errors
    assert len(errors) == 1 and errors[0]["pointer"] == "/file", errors[:3]
    return errors[0]


def valid_sheet(*extra_rows: str, dimension: str | None = None) -> bytes:
    return sheet_head(dimension) + (inline_row(1, HEADER) + inline_row(2, row_values(1))
                                    + "".join(extra_rows)).encode() + SHEET_TAIL


# --------------------------------------------------------------------------- valid files stay valid

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_valid_5000_row_file_parses_to_5000_items_within_the_cpu_budget(fmt, five_thousand):
    data = five_thousand[fmt]
    start = time.process_time()
    parsed = paper.parse_file(data, UNIT, TZ, Deadline(120))
    cpu = time.process_time() - start
    print(f"\n{fmt}: 5000 rows, {len(data)} bytes, parsed in {cpu:.2f} s CPU")
    assert parsed.format == fmt and len(parsed.items) == len(parsed.loaded) == 5000
    assert parsed.rows[0] == 2 and parsed.rows[-1] == 5001
    assert parsed.items[-1]["response_id"] == "K-04999" and parsed.loaded[-1]["answers"]["persyaratan"] == 3
    assert cpu < 6.0  # a guard against a return to minutes (about 1-2 s here), not a benchmark


def test_blank_trailing_columns_within_the_slack_are_accepted():
    last = paper_xlsx.column_letters(MAX_WIDTH)
    blank = f'<row r="3"><c r="{last}3" s="0"/></row>'
    assert len(paper.parse_xlsx(xlsx(valid_sheet(blank, dimension=f"A1:{last}3")), UNIT, TZ)) == 1
    assert len(paper.parse_csv(csv_of([row_values(1) + [""] * (MAX_WIDTH - len(HEADER))]), UNIT, TZ)) == 1


# --------------------------------------------------------------------------- XLSX refusals

def test_declared_width_beyond_the_layout_is_refused_before_any_row():
    data = xlsx(sheet_head("A1:XFD1048576") + inline_row(1, HEADER).encode()
                + b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>' + SHEET_TAIL)
    err = refusal(data)
    assert err["message"].startswith("Lembar data dinyatakan selebar 16384 kolom (sampai kolom XFD); "
                                     "templat memakai 17 kolom, paling banyak 33")


def test_a_cell_beyond_the_width_is_refused():
    err = refusal(xlsx(valid_sheet('<row r="3"><c r="XFD3"><v>1</v></c></row>')))
    assert err["row"] == 3
    assert err["message"].startswith("Baris 3: ada sel di kolom XFD (kolom ke-16384); templat memakai 17 kolom")
    # one column past the slack is enough; so are too many cells without references
    assert refusal(xlsx(valid_sheet(f'<row r="3"><c r="{paper_xlsx.column_letters(MAX_WIDTH + 1)}3"/></row>')))
    assert "kolom ke-34" in refusal(xlsx(valid_sheet('<row r="3">' + "<c/>" * 40 + "</row>")))["message"]


def test_a_row_beyond_the_sheet_limit_is_refused():
    err = refusal(xlsx(valid_sheet('<row r="1048576"><c r="A1048576"><v>1</v></c></row>')))
    assert err["row"] == 1048576
    assert err["message"].startswith(f"Lembar berisi baris sampai nomor 1048576; paling banyak {MAX_SHEET_ROWS} "
                                     f"baris (judul, 5000 baris data dan baris kosong)")
    # rows without numbers count as well
    err = refusal(xlsx(valid_sheet("<row/>" * (MAX_SHEET_ROWS + 5))))
    assert err["row"] == MAX_SHEET_ROWS + 1


def test_more_than_max_batch_data_rows_in_xlsx():
    rows = "".join(inline_row(n, [f"r{n}", "2026-03-10", *[3] * 9]) for n in range(3, 5003))
    err = refusal(xlsx(valid_sheet(rows)))
    assert err["message"] == "Berkas berisi lebih dari 5000 baris data; bagi menjadi beberapa berkas."


def test_too_many_xml_elements_are_refused():
    cols = b"<cols>" + b'<col min="1" max="1"/>' * 500_000 + b"</cols>"
    data = xlsx(valid_sheet().replace(b"<sheetData>", cols + b"<sheetData>"))
    start = time.process_time()
    err = refusal(data)
    cpu = time.process_time() - start
    print(f"\n500,000 <col> elements refused in {cpu:.2f} s CPU")
    assert err["message"].startswith("Workbook terlalu rumit untuk dibaca (lebih dari 400000 elemen XML)")
    assert cpu < 5.0


def test_a_long_number_format_shared_by_many_styles_is_looked_at_once():
    styles = (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts>'
              b'<numFmt numFmtId="200" formatCode="dd/mm/yyyy' + b"0" * 100_000 + b'"/></numFmts><cellXfs>'
              + b'<xf numFmtId="200"/>' * 300_000 + b"</cellXfs></styleSheet>")
    data = xlsx(valid_sheet(), styles=styles)
    start = time.process_time()
    assert len(paper.parse_xlsx(data, UNIT, TZ)) == 1
    assert time.process_time() - start < 5.0  # once per format: about a second; once per style: minutes


def test_overlong_cell_text_is_refused():
    err = refusal(xlsx(valid_sheet(f'<row r="3"><c r="Q3" t="inlineStr"><is><t>{"x" * 40_000}</t></is></c></row>')))
    assert err["message"] == "Sel Q3 berisi lebih dari 32768 karakter." and err["row"] == 3


def test_more_unpacked_bytes_than_the_cap_is_refused():
    data = xlsx(valid_sheet(), extra={"xl/media/padding.bin": b"\0" * (MAX_XLSX_UNCOMPRESSED + 1)})
    assert len(data) < 1_000_000
    assert refusal(data)["message"].startswith("Isi workbook setelah dibuka 64 MB, melebihi batas 64 MB")


def test_an_entry_inflating_beyond_its_declared_size_is_not_read():
    """A zip bomb that lies about its size: zipfile stops at the declared size (CRC error)."""
    honest = xlsx(sheet_head() + b"<row/>" * 100_000 + SHEET_TAIL)
    size = zipfile.ZipFile(io.BytesIO(honest)).getinfo("xl/worksheets/sheet1.xml").file_size.to_bytes(4, "little")
    assert honest.count(size) == 2  # the local header and the central directory
    lying = honest.replace(size, (1024).to_bytes(4, "little"))
    assert refusal(lying)["message"].startswith("Berkas bukan workbook Excel (.xlsx) yang valid")


XXE = (b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
       b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
       b'<row r="1"><c r="A1" t="inlineStr"><is><t>&x;</t></is></c></row></sheetData></worksheet>')
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
          + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8))
          + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&i;</t></si></sst>')


@pytest.mark.parametrize(("sheet", "strings"), [(XXE, None), (valid_sheet(), LAUGHS)], ids=["xxe", "billion-laughs"])
def test_dtds_and_entities_are_refused(sheet, strings):
    err = refusal(xlsx(sheet, shared_strings=strings))
    assert err["message"].startswith("Berkas bukan workbook Excel (.xlsx) yang valid (DTDForbidden)")
    assert "root:" not in err["message"]


# --------------------------------------------------------------------------- CSV refusals

def test_csv_wider_than_the_layout_is_refused():
    err = refusal(csv_of([row_values(1) + ["x"] * 30]), "csv")
    assert err["row"] == 2
    assert err["message"] == ("Baris 2 berisi 47 kolom; templat memakai 17 kolom, paling banyak 33 termasuk kolom "
                              "kosong. Periksa pemisah kolom.")


def test_csv_overlong_line_is_refused_before_it_is_split():
    err = refusal(b",".join([b"x"] * 100_000) + b"\n", "csv")
    assert err["row"] == 1
    assert err["message"].startswith(f"Baris ke-1 berkas lebih dari {MAX_LINE_CHARS} karakter")
    # a quoted field may span lines: each line is counted, the record is read whole
    long_text = "\n".join(["baris saran"] * 100)
    rows = [row_values(1)[:16] + [long_text]]
    assert paper.parse_csv(csv_of(rows), UNIT, TZ)[0]["suggestion"] == long_text


def test_csv_row_limit_counts_blank_rows_too():
    err = refusal(csv_of([row_values(1)]) + b",\n" * MAX_SHEET_ROWS, "csv")
    assert err["row"] == MAX_SHEET_ROWS + 1
    assert err["message"].startswith(f"Berkas berisi lebih dari {MAX_SHEET_ROWS} baris")


# --------------------------------------------------------------------------- deadline

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_deadline_stops_a_parse_midway(fmt, five_thousand):
    data = five_thousand[fmt]
    with pytest.raises(DeadlineExceeded):
        paper.parse_file(data, UNIT, TZ, Deadline(0))
    start = time.monotonic()
    with pytest.raises(DeadlineExceeded) as info:
        paper.parse_file(data, UNIT, TZ, Deadline(0.05))
    assert info.value.seconds == 0.05
    assert time.monotonic() - start < 1.0  # checked at every row: stops long before the 1-2 s parse ends


# --------------------------------------------------------------------------- reads like openpyxl

def _xlsxwriter_file(date_1904: bool) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "date_1904": date_1904})
    ws = wb.add_worksheet("Kuesioner")
    bold = wb.add_format({"bold": True})
    day = wb.add_format({"num_format": "dd/mm/yyyy"})
    stamp = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    quoted = wb.add_format({"num_format": '"jam" dd-mm-yyyy'})
    ws.write_row(0, 0, ["teks", "angka", "pecahan", "tanggal", "waktu", "bool", "rumus", "kaya", "kosong"], bold)
    ws.write_string(1, 0, "Loket 1")
    ws.write_number(1, 1, 3)
    ws.write_number(1, 2, 2.5)
    ws.write_datetime(1, 3, datetime(2026, 3, 10), day)
    ws.write_datetime(1, 4, datetime(2026, 3, 10, 9, 30), stamp)
    ws.write_boolean(1, 5, True)
    ws.write_formula(1, 6, "=B2+1", None, 4)
    ws.write_rich_string(1, 7, "sangat ", bold, "baik")
    ws.write_blank(1, 8, None, bold)
    ws.write_datetime(2, 3, datetime(2026, 12, 31), quoted)
    ws.write_string(2, 0, "Loket 1")  # a repeated shared string
    wb.close()
    return buf.getvalue()


@pytest.mark.parametrize("data", [
    _xlsxwriter_file(False), _xlsxwriter_file(True), paper.template_xlsx(),
    openpyxl_file([row_values(1), [None, date(2026, 3, 11), 3.0, True]]),
], ids=["xlsxwriter", "xlsxwriter-1904", "template", "openpyxl"])
def test_the_streaming_reader_reads_what_openpyxl_reads(data):
    def trimmed(values):
        values = list(values)
        while values and values[-1] is None:
            values.pop()
        return values
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    expected = [trimmed(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    wb.close()
    got = [trimmed(c.value for c in cells) for _, cells in paper_xlsx.read_sheet(zipfile.ZipFile(io.BytesIO(data)),
                                                                                  Deadline(10))]
    assert got == expected and len(got) >= 2
