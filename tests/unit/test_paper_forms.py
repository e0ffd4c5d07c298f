"""Unit tests for services.survey.paper: digitised paper SKM questionnaires (CSV/XLSX).

Pure parsing, no server. Expected values are written out by hand.
"""
from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from services.survey import paper
from services.survey.paper import PaperFormError, parse_csv, parse_xlsx

UNIT = "samsat-bontang"
TZ = "Asia/Makassar"
HEADER = ("response_id,submitted_at,persyaratan,prosedur,waktu,biaya,produk,kompetensi,perilaku,"
          "pengaduan,sarana,service_type,sex,age,education,occupation,suggestion")


def csv_bytes(*lines: str, header: str = HEADER, sep: str = "\n") -> bytes:
    return sep.join((header, *lines)).encode("utf-8") + b"\n"


def errors_of(fn, data: bytes, tz: str = TZ) -> list[dict]:
    with pytest.raises(PaperFormError) as info:
        fn(data, UNIT, tz)
    return info.value.errors


def brief(errors: list[dict]) -> list[tuple]:
    return [(e["row"], e["column"], e["pointer"], e["field"]) for e in errors]


def xlsx_bytes(rows: list[list], title: str = "Sheet") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- good files

def test_comma_csv_gives_response_schema_input():
    data = csv_bytes(
        "A-001,2026-03-10T09:30:00+08:00,3,3,2,4,3,3,4,1,3,Pengesahan STNK,P,34,SMA,SWASTA,Antrean lama",
        "A-002,2026-03-11,4,4,4,4,4,4,4,4,4,,,,,,",
    )
    assert parse_csv(data, UNIT, TZ) == [
        {"unit_id": "samsat-bontang", "response_id": "A-001", "submitted_at": "2026-03-10T09:30:00+08:00",
         "answers": {"persyaratan": 3, "prosedur": 3, "waktu": 2, "biaya": 4, "produk": 3, "kompetensi": 3,
                     "perilaku": 4, "pengaduan": 1, "sarana": 3},
         "service_type": "Pengesahan STNK", "channel": "paper",
         "respondent": {"sex": "P", "age": 34, "education": "SMA", "occupation": "SWASTA"},
         "suggestion": "Antrean lama"},
        {"unit_id": "samsat-bontang", "response_id": "A-002", "submitted_at": "2026-03-11T12:00:00+08:00",
         "answers": {"persyaratan": 4, "prosedur": 4, "waktu": 4, "biaya": 4, "produk": 4, "kompetensi": 4,
                     "perilaku": 4, "pengaduan": 4, "sarana": 4},
         "channel": "paper"},
    ]


def test_semicolon_csv_with_indonesian_headers_bom_and_crlf():
    header = ("ID_Responden ; Waktu Pengisian;U1_PERSYARATAN;u2_prosedur;Waktu;biaya;produk;kompetensi;"
              "perilaku;U9_PENGADUAN;U8_SARPRAS;Jenis Layanan;Jenis Kelamin;Usia;Pendidikan;Pekerjaan;Saran")
    data = b"\xef\xbb\xbf" + csv_bytes(
        "17;10/03/2026;3;2;3,0;4;3;3;3;2;1;Pajak tahunan;Laki-laki;41;S1;Wiraswasta;\"Parkir; sempit\"",
        "18;5/3/2026;4;4;4;4;4;4;4;4;4;;perempuan;;d1/d3;lainnya;",
        header=header, sep="\r\n")
    assert parse_csv(data, UNIT, TZ) == [
        {"unit_id": "samsat-bontang", "response_id": "17", "submitted_at": "2026-03-10T12:00:00+08:00",
         "answers": {"persyaratan": 3, "prosedur": 2, "waktu": 3, "biaya": 4, "produk": 3, "kompetensi": 3,
                     "perilaku": 3, "pengaduan": 2, "sarana": 1},
         "service_type": "Pajak tahunan", "channel": "paper",
         "respondent": {"sex": "L", "age": 41, "education": "D4-S1", "occupation": "WIRAUSAHA"},
         "suggestion": "Parkir; sempit"},
        {"unit_id": "samsat-bontang", "response_id": "18", "submitted_at": "2026-03-05T12:00:00+08:00",
         "answers": {"persyaratan": 4, "prosedur": 4, "waktu": 4, "biaya": 4, "produk": 4, "kompetensi": 4,
                     "perilaku": 4, "pengaduan": 4, "sarana": 4},
         "channel": "paper", "respondent": {"sex": "P", "education": "D1-D3", "occupation": "LAINNYA"}},
    ]


def test_only_required_columns_in_any_order_and_tab_delimiter():
    header = "sarana\tpengaduan\tperilaku\tkompetensi\tproduk\tbiaya\twaktu\tprosedur\tpersyaratan\tsubmitted_at\tresponse_id"
    data = csv_bytes("1\t2\t3\t4\t1\t2\t3\t4\t1\t2026-01-31\tx.1", header=header)
    assert parse_csv(data, UNIT, TZ) == [
        {"unit_id": "samsat-bontang", "response_id": "x.1", "submitted_at": "2026-01-31T12:00:00+08:00",
         "answers": {"persyaratan": 1, "prosedur": 4, "waktu": 3, "biaya": 2, "produk": 1, "kompetensi": 4,
                     "perilaku": 3, "pengaduan": 2, "sarana": 1},
         "channel": "paper"},
    ]


@pytest.mark.parametrize(("cell", "tz", "expected"), [
    ("2026-03-10", "Asia/Makassar", "2026-03-10T12:00:00+08:00"),
    ("10/03/2026", "Asia/Makassar", "2026-03-10T12:00:00+08:00"),
    ("1-2-2026", "Asia/Makassar", "2026-02-01T12:00:00+08:00"),
    ("10/03/2026", "Asia/Jakarta", "2026-03-10T12:00:00+07:00"),
    ("10/03/2026", "Asia/Jayapura", "2026-03-10T12:00:00+09:00"),
    ("2026-03-10T09:30:00+07:00", "Asia/Makassar", "2026-03-10T09:30:00+07:00"),
    ("2026-03-10T01:30:00Z", "Asia/Makassar", "2026-03-10T01:30:00+00:00"),
    ("2026-03-10 14:05", "Asia/Makassar", "2026-03-10T14:05:00+08:00"),
    ("10/03/2026 08.15", "Asia/Makassar", "2026-03-10T08:15:00+08:00"),
])
def test_submitted_at_forms(cell, tz, expected):
    data = csv_bytes(f"r1,{cell},3,3,3,3,3,3,3,3,3,,,,,,", )
    assert parse_csv(data, UNIT, tz)[0]["submitted_at"] == expected


def test_xlsx_with_float_numbers_datetime_and_date_cells():
    header = HEADER.split(",")
    data = xlsx_bytes([
        header,
        [101, datetime(2026, 3, 11, 9, 30), 3.0, 2.0, 4.0, 4, 3, 3, 3, 2.0, 1.0, "Balik nama", "p", 41.0,
         "smp", "PNS", None],
        ["B-2", date(2026, 3, 12), "4", "4", "4", "4", "4", "4", "4", "4", "4", None, None, None, None, None,
         "  Bagus  "],
    ])
    assert parse_xlsx(data, UNIT, TZ) == [
        {"unit_id": "samsat-bontang", "response_id": "101", "submitted_at": "2026-03-11T09:30:00+08:00",
         "answers": {"persyaratan": 3, "prosedur": 2, "waktu": 4, "biaya": 4, "produk": 3, "kompetensi": 3,
                     "perilaku": 3, "pengaduan": 2, "sarana": 1},
         "service_type": "Balik nama", "channel": "paper",
         "respondent": {"sex": "P", "age": 41, "education": "SMP", "occupation": "PNS"}},
        {"unit_id": "samsat-bontang", "response_id": "B-2", "submitted_at": "2026-03-12T12:00:00+08:00",
         "answers": {"persyaratan": 4, "prosedur": 4, "waktu": 4, "biaya": 4, "produk": 4, "kompetensi": 4,
                     "perilaku": 4, "pengaduan": 4, "sarana": 4},
         "channel": "paper", "suggestion": "Bagus"},
    ]


def test_xlsx_uses_first_sheet_that_is_not_petunjuk():
    wb = Workbook()
    notes = wb.active
    notes.title = "Petunjuk"
    notes.append(["bukan data"])
    ws = wb.create_sheet("Data")
    ws.append(HEADER.split(",")[:11])
    ws.append(["z9", "2026-04-01", 2, 2, 2, 2, 2, 2, 2, 2, 2])
    buf = io.BytesIO()
    wb.save(buf)
    items = parse_xlsx(buf.getvalue(), UNIT, TZ)
    assert [(i["response_id"], i["submitted_at"]) for i in items] == [("z9", "2026-04-01T12:00:00+08:00")]


def test_blank_rows_are_skipped_and_row_numbers_kept():
    data = csv_bytes("a1,2026-03-10,3,3,3,3,3,3,3,3,3,,,,,,",
                     ",,,,,,,,,,,,,,,,",
                     "",
                     "a2,2026-03-10,3,3,3,3,3,3,3,3,3,,,,,,",
                     "a3,2026-03-10,3,3,3,3,3,3,0,3,3,,,,,,")
    # header = row 1, a1 = 2, two blank rows (3, 4), a2 = 5, a3 = 6
    assert brief(errors_of(parse_csv, data)) == [(6, "perilaku", "/rows/6/perilaku", "perilaku")]
    ok = data.replace(b"3,3,0,3,3", b"3,3,1,3,3")
    parsed = paper.parse_csv_file(ok, UNIT, TZ)
    assert [i["response_id"] for i in parsed.items] == ["a1", "a2", "a3"]
    assert parsed.rows == [2, 5, 6]


# --------------------------------------------------------------------------- row errors

def test_answer_errors_with_exact_row_and_column():
    data = csv_bytes(
        "r1,2026-03-10,3,3,3,3,3,3,3,3,3,,,,,,",
        "r2,2026-03-10,5,tiga,2.5,,0,3,3,3,3,,,,,,",
        "r3,2026-03-10,3,3,3,3,3,3,3,3,3,,,,,,",
        "r4,2026-03-10,3,3,3,3,3,3,3,3,-1,,,,,,",
    )
    errs = errors_of(parse_csv, data)
    assert brief(errs) == [
        (3, "persyaratan", "/rows/3/persyaratan", "persyaratan"),
        (3, "prosedur", "/rows/3/prosedur", "prosedur"),
        (3, "waktu", "/rows/3/waktu", "waktu"),
        (3, "biaya", "/rows/3/biaya", "biaya"),
        (3, "produk", "/rows/3/produk", "produk"),
        (5, "sarana", "/rows/5/sarana", "sarana"),
    ]
    assert [e["message"] for e in errs] == [
        "Harus antara 1 dan 4.",
        "Isi dengan angka bulat 1-4 (bukan 'tiga').",
        "Isi dengan angka bulat 1-4 (bukan '2.5').",
        "Wajib diisi.",
        "Harus antara 1 dan 4.",
        "Isi dengan angka bulat 1-4 (bukan '-1').",
    ]


def test_xlsx_fractional_and_boolean_answers_are_rejected():
    header = HEADER.split(",")[:11]
    data = xlsx_bytes([header,
                       ["x1", date(2026, 3, 10), 2.5, 3, 3, 3, 3, 3, 3, 3, True],
                       ["x2", date(2026, 3, 10), 3, 3, 3, 3, 3, 3, 3, 3, 3]])
    assert brief(errors_of(parse_xlsx, data)) == [(2, "persyaratan", "/rows/2/persyaratan", "persyaratan"),
                                                  (2, "sarana", "/rows/2/sarana", "sarana")]


def test_respondent_and_id_errors_map_to_their_columns_and_header_as_written():
    header = HEADER.replace("sex", "Jenis Kelamin").replace("age", "usia")
    data = csv_bytes(
        "KRT/001,2026-03-10,3,3,3,3,3,3,3,3,3,,X,34 tahun,S4,PETANI,",
        "ok-1,2026-03-10,3,3,3,3,3,3,3,3,3,,L,9,,,",
        header=header)
    errs = errors_of(parse_csv, data)
    assert brief(errs) == [
        (2, "response_id", "/rows/2/response_id", "response_id"),
        (2, "sex", "/rows/2/sex", "sex"),
        (2, "age", "/rows/2/age", "age"),
        (2, "education", "/rows/2/education", "education"),
        (2, "occupation", "/rows/2/occupation", "occupation"),
        (3, "age", "/rows/3/age", "age"),
    ]
    assert errs[0]["message"] == "Gunakan 1-100 karakter huruf, angka, . _ : -"
    assert errs[1]["message"] == "Harus salah satu dari: L, P."
    assert errs[1]["header"] == "Jenis Kelamin"
    assert errs[2]["message"] == "Isi usia dengan angka bulat (tahun), bukan '34 tahun'."
    assert errs[2]["header"] == "usia"
    assert errs[3]["message"] == "Harus salah satu dari: SD, SMP, SMA, D1-D3, D4-S1, S2, S3."
    assert errs[5]["message"] == "Harus antara 10 dan 120."


def test_missing_cells_and_bad_dates():
    data = csv_bytes(",,3,3,3,3,3,3,3,3,3,,,,,,",
                     "d2,32/01/2026,3,3,3,3,3,3,3,3,3,,,,,,",
                     "d3,kemarin,3,3,3,3,3,3,3,3,3,,,,,,",
                     "d4,2026-02-30,3,3,3,3,3,3,3,3,3,,,,,,",
                     "d5,10/03/26,3,3,3,3,3,3,3,3,3,,,,,,")
    errs = errors_of(parse_csv, data)
    assert brief(errs) == [
        (2, "response_id", "/rows/2/response_id", "response_id"),
        (2, "submitted_at", "/rows/2/submitted_at", "submitted_at"),
        (3, "submitted_at", "/rows/3/submitted_at", "submitted_at"),
        (4, "submitted_at", "/rows/4/submitted_at", "submitted_at"),
        (5, "submitted_at", "/rows/5/submitted_at", "submitted_at"),
        (6, "submitted_at", "/rows/6/submitted_at", "submitted_at"),
    ]
    assert [e["message"] for e in errs] == [
        "Wajib diisi.", "Wajib diisi.",
        "Tanggal tidak ada di kalender: 32/01/2026.",
        "Isi tanggal seperti 2026-03-10 atau 10/03/2026, atau tanggal-waktu seperti 2026-03-10T09:30:00+08:00.",
        "Tanggal tidak ada di kalender: 2026-02-30.",
        "Isi tanggal seperti 2026-03-10 atau 10/03/2026, atau tanggal-waktu seperti 2026-03-10T09:30:00+08:00.",
    ]


def test_implausible_dates_and_control_characters_are_cell_errors_and_store_syntax_is_a_value():
    data = csv_bytes("h1,01/01/0001,3,3,3,3,3,3,3,3,3,,,,,,",
                     "h2,2300-01-01,3,3,3,3,3,3,3,3,3,,,,,,",
                     "h3,2026-03-10,3,3,3,3,3,3,3,3,3,izin\x00usaha,,,,,",
                     "h4,2026-03-10,3,3,3,3,3,3,3,3,3," + "x" * 201 + ",,,,,")
    errs = errors_of(parse_csv, data)
    assert brief(errs) == [(2, "submitted_at", "/rows/2/submitted_at", "submitted_at"),
                           (3, "submitted_at", "/rows/3/submitted_at", "submitted_at"),
                           (4, "service_type", "/rows/4/service_type", "service_type"),
                           (5, "service_type", "/rows/5/service_type", "service_type")]
    assert errs[0]["message"].startswith("Harus antara 2000-01-01T00:00:00+00:00 dan ")
    assert errs[2]["message"] == "Tidak boleh memuat karakter kendali (baris baru, tab, NUL, ...)."
    ok = parse_csv(csv_bytes('h5,2026-03-10,3,3,3,3,3,3,3,3,3,"izin usaha (Perda No. 5)",,,,,',
                             "h6,2026-03-10,3,3,3,3,3,3,3,3,3,$where,,,,,"), UNIT, TZ)
    assert [it["service_type"] for it in ok] == ["izin usaha (Perda No. 5)", "$where"]


def test_duplicate_response_id_within_file():
    data = csv_bytes("same,2026-03-10,3,3,3,3,3,3,3,3,3,,,,,,",
                     "other,2026-03-10,3,3,3,3,3,3,3,3,3,,,,,,",
                     "same,2026-03-11,4,4,4,4,4,4,4,4,4,,,,,,")
    errs = errors_of(parse_csv, data)
    assert brief(errs) == [(4, "response_id", "/rows/4/response_id", "response_id")]
    assert errs[0]["message"] == "response_id 'same' sama dengan baris 2."


def test_data_in_a_column_without_header():
    data = csv_bytes("a,2026-03-10,3,3,3,3,3,3,3,3,3,,,,,,,catatan")
    errs = errors_of(parse_csv, data)
    assert brief(errs) == [(1, "kolom_18", "/rows/1/kolom_18", "kolom_18")]
    # trailing empty columns (a common spreadsheet export artefact) are fine
    assert len(parse_csv(csv_bytes("a,2026-03-10,3,3,3,3,3,3,3,3,3,,,,,,,,", header=HEADER + ",,"), UNIT, TZ)) == 1


# --------------------------------------------------------------------------- header errors

def test_missing_required_columns_one_error_each():
    header = HEADER.replace("waktu,", "").replace("sarana,", "").replace("response_id,", "")
    data = csv_bytes("2026-03-10,3,3,3,3,3,3,3,,,,,,", header=header)
    assert brief(errors_of(parse_csv, data)) == [
        (1, "response_id", "/rows/1/response_id", "response_id"),
        (1, "waktu", "/rows/1/waktu", "waktu"),
        (1, "sarana", "/rows/1/sarana", "sarana"),
    ]


def test_unknown_and_duplicate_columns():
    header = HEADER + ",Nama Petugas,jenis_kelamin,unit_id"
    data = csv_bytes("a,2026-03-10,3,3,3,3,3,3,3,3,3,,,,,,,Budi,L,samsat-bontang", header=header)
    errs = errors_of(parse_csv, data)
    assert brief(errs) == [
        (1, "Nama Petugas", "/rows/1/Nama Petugas", "Nama Petugas"),
        (1, "sex", "/rows/1/sex", "sex"),
        (1, "unit_id", "/rows/1/unit_id", "unit_id"),
    ]
    assert errs[0]["message"].startswith("Kolom 'Nama Petugas' tidak dikenal.")
    assert errs[1]["message"] == "Kolom sex muncul dua kali ('sex' dan 'jenis_kelamin')."
    assert "unit_id pada formulir unggah" in errs[2]["message"]


def test_column_name_with_slash_is_escaped_in_pointer():
    errs = errors_of(parse_csv, csv_bytes("a,2026-03-10,3,3,3,3,3,3,3,3,3,,,,,,,x", header=HEADER + ",a/b"))
    assert brief(errs) == [(1, "a/b", "/rows/1/a~1b", "a/b")]


# --------------------------------------------------------------------------- file errors

FILE_ONLY = (None, None, "/file", "file")


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf"])
def test_empty_csv(data):
    errs = errors_of(parse_csv, data)
    assert brief(errs) == [FILE_ONLY]
    assert errs[0]["message"] == "Berkas kosong."


def test_header_only():
    errs = errors_of(parse_csv, HEADER.encode() + b"\n,,,,,,,,,,,,,,,,\n")
    assert brief(errs) == [FILE_ONLY]
    assert errs[0]["message"] == "Berkas hanya berisi baris judul; tidak ada baris data."


def test_more_than_max_batch_rows():
    assert paper.MAX_BATCH == 5000
    line = "r{},2026-03-10,3,3,3,3,3,3,3,3,3,,,,,,"
    too_many = csv_bytes(*(line.format(i) for i in range(5001)))
    errs = errors_of(parse_csv, too_many)
    assert brief(errs) == [FILE_ONLY]
    assert errs[0]["message"] == "Berkas berisi lebih dari 5000 baris data; bagi menjadi beberapa berkas."
    assert len(parse_csv(csv_bytes(*(line.format(i) for i in range(5000))), UNIT, TZ)) == 5000


def test_non_utf8_csv_is_a_clear_error():
    data = csv_bytes("a,2026-03-10,3,3,3,3,3,3,3,3,3,,,,,,",
                     "b,2026-03-10,3,3,3,3,3,3,3,3,3,,,,,,Caf\xe9").replace(b"Caf\xc3\xa9", b"Caf\xe9")
    errs = errors_of(parse_csv, data)
    assert [(e["row"], e["pointer"], e["field"]) for e in errs] == [(3, "/file", "file")]
    assert errs[0]["message"].startswith("Berkas CSV harus berenkode UTF-8 (byte tidak valid pada baris 3).")


def test_utf16_csv_is_told_to_be_utf8():
    data = (HEADER + "\n" + "a,2026-03-10,3,3,3,3,3,3,3,3,3,,,,,,\n").encode("utf-16")
    assert paper.detect_format(data) == "csv"
    errs = errors_of(parse_csv, data)
    assert [(e["row"], e["pointer"]) for e in errs] == [(1, "/file")]
    assert errs[0]["message"].startswith("Berkas CSV harus berenkode UTF-8")


@pytest.mark.parametrize("data", [
    b"%PDF-1.7\n...",
    b"response_id,submitted_at\n",
    b"PK\x03\x04 this is not really a zip",
])
def test_xlsx_that_is_not_a_workbook(data):
    errs = errors_of(parse_xlsx, data)
    assert brief(errs) == [FILE_ONLY]
    assert errs[0]["message"].startswith("Berkas bukan workbook Excel (.xlsx) yang valid")


def test_zip_that_is_not_a_workbook():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("kuesioner.csv", HEADER)
    errs = errors_of(parse_xlsx, buf.getvalue())
    assert brief(errs) == [FILE_ONLY]
    assert errs[0]["message"].startswith("Berkas bukan workbook Excel (.xlsx) yang valid (arsip ZIP ini")


def test_empty_xlsx_and_header_only_xlsx():
    errs = errors_of(parse_xlsx, xlsx_bytes([]))
    assert brief(errs) == [FILE_ONLY]
    errs = errors_of(parse_xlsx, xlsx_bytes([HEADER.split(",")]))
    assert errs[0]["message"] == "Berkas hanya berisi baris judul; tidak ada baris data."


def test_xlsx_missing_columns():
    errs = errors_of(parse_xlsx, xlsx_bytes([["response_id", "tanggal_survei", "persyaratan"],
                                             ["a", date(2026, 3, 10), 3]]))
    assert [e["column"] for e in errs] == ["prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku",
                                           "pengaduan", "sarana"]
    assert {e["row"] for e in errs} == {1}


@pytest.mark.parametrize(("data", "expected"), [
    (b"PK\x03\x04rest", "xlsx"),
    (b"response_id,submitted_at\n", "csv"),
    (b"", "csv"),
    (b"%PDF-1.4", None),
    (b"\x89PNG\r\n\x1a\n", None),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", None),
    (b"abc\x00def", None),
])
def test_detect_format(data, expected):
    assert paper.detect_format(data) == expected


# --------------------------------------------------------------------------- templates

TEMPLATE_ROW = {
    "unit_id": "samsat-bontang", "response_id": "KRT-2026-0001", "submitted_at": "2026-03-10T12:00:00+08:00",
    "answers": {"persyaratan": 3, "prosedur": 3, "waktu": 2, "biaya": 4, "produk": 3, "kompetensi": 3,
                "perilaku": 4, "pengaduan": 3, "sarana": 3},
    "service_type": "Pembayaran pajak kendaraan bermotor tahunan", "channel": "paper",
    "respondent": {"sex": "P", "age": 34, "education": "SMA", "occupation": "SWASTA"},
    "suggestion": "Tambah kursi di ruang tunggu.",
}


def test_csv_template_parses_back_to_one_valid_row():
    data = paper.template_csv()
    assert data.startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n")
    assert parse_csv(data, UNIT, TZ) == [TEMPLATE_ROW]


def test_xlsx_template_parses_back_and_has_petunjuk_sheet():
    data = paper.template_xlsx()
    assert data[:4] == b"PK\x03\x04"
    assert parse_xlsx(data, UNIT, TZ) == [TEMPLATE_ROW]
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Kuesioner", "Petunjuk"]
    assert [c.value for c in wb["Kuesioner"][1]] == HEADER.split(",")
    notes = {row[0]: row for row in wb["Petunjuk"].iter_rows(values_only=True) if row and row[0]}
    assert set(HEADER.split(",")) <= set(notes)
    assert notes["persyaratan"][3] == "1 = Tidak sesuai; 2 = Kurang sesuai; 3 = Sesuai; 4 = Sangat sesuai"
    assert notes["biaya"][3] == "1 = Sangat mahal; 2 = Cukup mahal; 3 = Murah; 4 = Gratis"
    assert notes["pengaduan"][3] == ("1 = Tidak ada; 2 = Ada tetapi tidak berfungsi; "
                                     "3 = Berfungsi kurang maksimal; 4 = Dikelola dengan baik")
    assert notes["sarana"][3] == "1 = Buruk; 2 = Cukup; 3 = Baik; 4 = Sangat Baik"
    assert notes["education"][3] == "SD, SMP, SMA, D1-D3, D4-S1, S2, S3"
    assert notes["occupation"][3] == "PNS, TNI, POLRI, SWASTA, WIRAUSAHA, LAINNYA"
    assert notes["sex"][1] == "jenis_kelamin"
    lists = {dv.formula1: str(dv.sqref) for dv in wb["Kuesioner"].data_validations.dataValidation}
    assert lists['"1,2,3,4"'].split() == ["C2:C5001", "D2:D5001", "E2:E5001", "F2:F5001", "G2:G5001",
                                          "H2:H5001", "I2:I5001", "J2:J5001", "K2:K5001"]
    assert lists['"L,P"'] == "M2:M5001"
    assert lists['"SD,SMP,SMA,D1-D3,D4-S1,S2,S3"'] == "O2:O5001"
    assert lists['"PNS,TNI,POLRI,SWASTA,WIRAUSAHA,LAINNYA"'] == "P2:P5001"
