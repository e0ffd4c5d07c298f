"""Unit tests for form-service exports in the paper intake (services.survey.form_mapping and
paper_formtool through paper.parse_upload): header matching, labels, the mapping file, errors.

Pure parsing, no server. Expected values are written out by hand.
"""
from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from pantau.rules.ikm import ELEMENTS
from services.survey import form_mapping as fm
from services.survey import paper
from services.survey.paper import PaperFormError
from services.survey.paper_layout import ANSWER_LABELS, QUESTIONS

UNIT = "samsat-bontang"
TZ = "Asia/Makassar"
# the sample questionnaire's order (Lampiran): 8 = sarana, 9 = pengaduan
LAMPIRAN_ORDER = ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "sarana",
                  "pengaduan")
QUESTION_HEADERS = [f"{n}. {QUESTIONS[el]}" for n, el in enumerate(LAMPIRAN_ORDER, start=1)]


def label(el: str, score: int) -> str:
    return ANSWER_LABELS[el][score - 1]


def csv_of(rows: list[list[str]], sep: str = ",") -> bytes:
    def q(v: str) -> str:
        return '"' + v.replace('"', '""') + '"' if any(c in v for c in (sep, '"', "\n")) else v
    return ("\r\n".join(sep.join(q(str(v)) for v in r) for r in rows) + "\r\n").encode()


def xlsx_of(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Form Responses 1"
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export(answers: list[tuple[str, dict[str, int]]], headers: list[str] | None = None) -> list[list[str]]:
    """A Google-Forms-like export: Timestamp, e-mail, the nine questions (Lampiran order)."""
    head = ["Timestamp", "Alamat email", *(headers or QUESTION_HEADERS)]
    return [head] + [[ts, "", *(label(el, a[el]) for el in LAMPIRAN_ORDER)] for ts, a in answers]


def errors_of(data: bytes, **kw) -> list[dict]:
    with pytest.raises(PaperFormError) as info:
        paper.parse_upload(data, UNIT, TZ, **kw)
    return info.value.errors


def resolve(headers: list[str], mapping: fm.FormMapping | None = None) -> fm.Resolution:
    return fm.resolve(headers, mapping or fm.load_mapping(None, UNIT), lambda i: True)


def targets(res: fm.Resolution) -> dict[str, str]:
    return {t: c.letter for t, c in res.columns.items()}


ALL3 = dict.fromkeys(ELEMENTS, 3)
ROW = [("04/08/2025 10.15.32", {"persyaratan": 4, "prosedur": 3, "waktu": 2, "biaya": 4, "produk": 3,
                                "kompetensi": 3, "perilaku": 4, "sarana": 1, "pengaduan": 2})]


# --------------------------------------------------------------------------- the built-in mapping

def test_the_shipped_default_mapping_loads_and_has_four_labels_per_unsur():
    m = fm.load_mapping(None, UNIT)
    assert m.source == "default"
    for el in ELEMENTS:
        assert [fm.score(m, el, lb) for lb in ANSWER_LABELS[el]] == [(1, "label"), (2, "label"), (3, "label"),
                                                                      (4, "label")], el
        assert fm.choices(m, el) == list(ANSWER_LABELS[el]) or len(fm.choices(m, el)) == 4


def test_lampiran_questions_with_numbering_are_recognised_in_either_order_of_8_and_9():
    res = resolve(["Timestamp", *QUESTION_HEADERS])
    assert not res.errors and not res.unmatched
    assert targets(res) == {"submitted_at": "A", "persyaratan": "B", "prosedur": "C", "waktu": "D", "biaya": "E",
                            "produk": "F", "kompetensi": "G", "perilaku": "H", "sarana": "I", "pengaduan": "J"}


@pytest.mark.parametrize(("header", "target"), [
    ("Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?", "persyaratan"),
    ("BAGAIMANA PENDAPAT BAPAK/IBU TENTANG KESESUAIAN PERSYARATAN PELAYANAN DENGAN JENIS PELAYANANNYA", "persyaratan"),
    ("  bagaimana   pendapat saudara/i tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya ?? *",
     "persyaratan"),
    ("U1 - Persyaratan", "persyaratan"),
    ("Unsur 2: Sistem, Mekanisme, dan Prosedur", "prosedur"),
    ("Q3) Bagaimana pendapat Anda tentang kecepatan waktu dalam memberikan pelayanan?", "waktu"),
    ("4 Biaya / Tarif", "biaya"),
    ("Penilaian layanan [Produk Spesifikasi Jenis Pelayanan]", "produk"),
    ("6. Kompetensi/kemampuan petugas dalam pelayanan", "kompetensi"),
    ("Kesopanan dan keramahan petugas", "perilaku"),
    ("9. Penanganan Pengaduan, Saran dan Masukan", "pengaduan"),
    ("Sarana & Prasarana", "sarana"),
    ("Stempel waktu", "submitted_at"),
    ("Completion time", "submitted_at"),
    ("_submission_time", "submitted_at"),
    ("Jenis Kelamin", "sex"),
    ("Umur (tahun)", "age"),
    ("Pendidikan terakhir Anda", "education"),
    ("Pekerjaan", "occupation"),
    ("Jenis layanan yang diterima", "service_type"),
    ("Saran dan masukan", "suggestion"),
])
def test_default_wording_and_variants(header, target):
    res = resolve([header])
    assert {t: c.header for t, c in res.columns.items()} == {target: header.strip()}, res.unmatched


def test_unmatched_columns_are_reported_by_name_and_known_ones_ignored_with_a_reason():
    res = resolve(["Timestamp", "Alamat email", *QUESTION_HEADERS, "Kota asal", "", "Nama"])
    assert res.unmatched == [{"column": "L", "header": "Kota asal"}, {"column": "M", "header": "", "reason": "no_header"}]
    assert res.ignored == [{"column": "B", "header": "Alamat email", "reason": "mapping"},
                           {"column": "N", "header": "Nama", "reason": "mapping"}]
    assert not res.errors


def test_two_columns_for_one_unsur_is_an_error_naming_both():
    res = resolve(["Timestamp", *QUESTION_HEADERS, "Persyaratan"])
    assert [(e["row"], e["column"], e["pointer"], e["cell"]) for e in res.errors] == [
        (1, "persyaratan", "/rows/1/persyaratan", "K1")]
    assert "(kolom B)" in res.errors[0]["message"] and "'Persyaratan' (kolom K)" in res.errors[0]["message"]


def test_a_missing_unsur_and_a_missing_timestamp_are_errors():
    res = resolve(QUESTION_HEADERS[:7] + ["Apa pendapat Anda tentang gedung kami?"])
    assert [(e["column"], e["pointer"]) for e in res.errors] == [
        ("pengaduan", "/rows/1/pengaduan"), ("sarana", "/rows/1/sarana"), ("submitted_at", "/rows/1/submitted_at")]
    assert res.errors[0]["message"].startswith("Tidak ada kolom untuk unsur pengaduan (Penanganan Pengaduan")
    assert res.unmatched == [{"column": "H", "header": "Apa pendapat Anda tentang gedung kami?"}]


def test_several_timestamps_the_best_is_used_and_the_others_reported():
    res = resolve(["ID", "Start time", "Completion time", "Email", "Name", *QUESTION_HEADERS])
    assert res.columns["submitted_at"].header == "Completion time"
    assert res.columns["response_id"].header == "ID"
    assert {"column": "B", "header": "Start time", "reason": "another_timestamp"} in res.ignored


def test_microsoft_forms_waktu_penyelesaian_is_the_timestamp_unless_it_is_the_only_waktu_column():
    # Indonesian Microsoft Forms: "Waktu mulai", "Waktu penyelesaian" (completion time) + the questions
    res = resolve(["Waktu mulai", "Waktu penyelesaian", *QUESTION_HEADERS])
    assert res.columns["submitted_at"].header == "Waktu penyelesaian" and res.columns["waktu"].letter == "E"
    # a form whose waktu question is headed "Waktu Penyelesaian", next to a Timestamp
    headers = [h if "kecepatan" not in h else "Waktu Penyelesaian" for h in QUESTION_HEADERS]
    res = resolve(["Timestamp", *headers])
    assert res.columns["submitted_at"].header == "Timestamp" and res.columns["waktu"].header == "Waktu Penyelesaian"
    assert not res.errors


# --------------------------------------------------------------------------- labels

@pytest.mark.parametrize("el", ELEMENTS)
def test_every_label_set_in_any_case_and_with_option_letters(el):
    m = fm.load_mapping(None, UNIT)
    for score, lb in enumerate(ANSWER_LABELS[el], start=1):
        assert fm.score(m, el, lb.upper()) == (score, "label")
        assert fm.score(m, el, f"  {lb.lower()}  ") == (score, "label")
        assert fm.score(m, el, f"{'abcd'[score - 1]}. {lb}") == (score, "label")
        assert fm.score(m, el, f"{score} - {lb}") == (score, "label")
        assert fm.score(m, el, str(score)) == (score, "number")
        assert fm.score(m, el, float(score)) == (score, "number")
    assert fm.score(m, el, "5") is None and fm.score(m, el, "Sangat setuju") is None


def test_label_variants_and_the_generic_scale():
    m = fm.load_mapping(None, UNIT)
    assert fm.score(m, "pengaduan", "Ada tapi tidak berfungsi") == (2, "label")
    assert fm.score(m, "biaya", "Tidak dipungut biaya") == (4, "label")
    assert fm.score(m, "perilaku", "Tidak sopan dan tidak ramah") == (1, "label")
    assert fm.score(m, "persyaratan", "Sangat Puas") == (4, "label")
    assert fm.score(m, "prosedur", "Kurang Baik") == (2, "label")
    assert fm.score(m, "sarana", "Cukup") == (2, "label")
    assert fm.score(m, "persyaratan", "Cukup") is None  # "Cukup" is a sarana label only
    assert fm.score(m, "persyaratan", "Mudah") is None  # another unsur's label


def test_profile_values_map_to_the_vocabularies_or_are_left_out():
    m = fm.load_mapping(None, UNIT)
    assert [fm.profile_value(m, "sex", v) for v in ("Laki-laki", "PEREMPUAN", "p", "X")] == ["L", "P", "P", None]
    assert [fm.profile_value(m, "education", v) for v in ("SMA / Sederajat", "S1", "Diploma", "D4-S1", "Pesantren")] \
        == ["SMA", "D4-S1", "D1-D3", "D4-S1", None]
    assert [fm.profile_value(m, "occupation", v) for v in ("Pegawai Swasta", "ASN", "Pelajar/Mahasiswa", "Honorer")] \
        == ["SWASTA", "PNS", "LAINNYA", None]
    assert [fm.profile_value(m, "age", v) for v in ("34", "34 tahun", 41.0, "9", "20-30", True)] == \
        [34, 34, 41, None, None, None]


# --------------------------------------------------------------------------- whole files

def test_a_google_forms_csv_gives_the_same_items_as_the_answers_posted_as_json():
    rows = export(ROW + [("2025/08/05 2:03:04 PM GMT+8", ALL3)])
    rows[0] += ["Jenis Kelamin", "Pendidikan Terakhir", "Kota"]
    rows[1] += ["Perempuan", "SMA/Sederajat", "Samarinda"]
    rows[2] += ["Laki-laki", "Pesantren", ""]
    parsed = paper.parse_upload(csv_of(rows), UNIT, TZ)
    assert [it["submitted_at"] for it in parsed.items] == ["2025-08-04T10:15:32+08:00", "2025-08-05T14:03:04+08:00"]
    assert parsed.items[0]["answers"] == ROW[0][1] and parsed.items[1]["answers"] == ALL3
    assert [it.get("respondent") for it in parsed.items] == [{"sex": "P", "education": "SMA"}, {"sex": "L"}]
    assert {it["channel"] for it in parsed.items} == {"web"}
    assert all(it["response_id"].startswith("fx-") and len(it["response_id"]) == 27 for it in parsed.items)
    r = parsed.report
    assert r["layout"] == "form" and r["rows"] == 2 and r["mapping"] == "default"
    assert r["elements"]["sarana"] == "J" and r["elements"]["pengaduan"] == "K"
    assert r["timestamp_column"] == {"column": "A", "header": "Timestamp", "matched_by": "default"}
    assert r["unmatched_columns"] == [{"column": "N", "header": "Kota"}]
    assert r["ignored_columns"] == [{"column": "B", "header": "Alamat email", "reason": "mapping"}]
    assert r["labels"]["sarana"] == {"Buruk": 1, "Baik": 3}
    assert r["unrecognised_values"] == {"education": {"Pesantren": 1}}
    assert [s["answers"] for s in r["sample"]] == [ROW[0][1], ALL3]


def test_the_same_export_as_csv_and_xlsx_gives_the_same_response_ids():
    rows = export(ROW + [("05/08/2025 14:03:04", ALL3), ("05/08/2025 14:03:04", ALL3)])
    from_csv = paper.parse_upload(csv_of(rows), UNIT, TZ)
    xrows = [rows[0]] + [[datetime(2025, 8, 4, 10, 15, 32), None, *r[2:]] for r in rows[1:2]] + \
            [[datetime(2025, 8, 5, 14, 3, 4), None, *r[2:]] for r in rows[2:]]
    from_xlsx = paper.parse_upload(xlsx_of(xrows), UNIT, TZ)
    ids = [it["response_id"] for it in from_csv.items]
    assert ids == [it["response_id"] for it in from_xlsx.items]
    assert len(set(ids)) == 3  # two identical submissions in the same second are still two respondents
    assert from_xlsx.report["format"] == "xlsx"
    # a later export with one more row keeps the earlier ids
    more = paper.parse_upload(csv_of(rows + [["06/08/2025 08:00", "", *rows[1][2:]]]), UNIT, TZ)
    assert [it["response_id"] for it in more.items][:3] == ids


def test_an_id_column_gives_the_response_id_and_a_repeated_one_is_an_error():
    rows = [["_uuid", "end", *QUESTION_HEADERS]] + [
        [u, "2025-08-04T10:15:32.000+08:00", *(label(el, 3) for el in LAMPIRAN_ORDER)] for u in ("a-1", "a-2", "a-1")]
    errs = errors_of(csv_of(rows))
    assert [(e["row"], e["column"], e["cell"]) for e in errs] == [(4, "response_id", "A4")]
    ok = paper.parse_upload(csv_of(rows[:3]), UNIT, TZ)
    assert ok.report["response_id_column"]["header"] == "_uuid"
    assert len({it["response_id"] for it in ok.items}) == 2


def test_unknown_label_error_names_row_column_cell_and_header():
    rows = export(ROW * 3)
    rows[3][4] = "Agak cepat"  # row 4, column E (waktu)
    rows[2][10] = "=HYPERLINK(\"http://x\")"  # row 3, column K (pengaduan), a formula as text
    errs = errors_of(csv_of(rows))
    assert [(e["row"], e["column"], e["pointer"], e["cell"]) for e in errs] == [
        (3, "pengaduan", "/rows/3/pengaduan", "K3"), (4, "waktu", "/rows/4/waktu", "E4")]
    assert errs[1]["header"] == QUESTION_HEADERS[2]
    assert errs[1]["message"].startswith("Jawaban 'Agak cepat' tidak dikenal untuk unsur waktu (Waktu Penyelesaian) "
                                         "di sel E4. Pilihan: Tidak cepat, Kurang cepat, Cepat, Sangat cepat")


def test_blank_answer_and_bad_timestamps_are_cell_errors():
    rows = export(ROW * 4)
    rows[1][5] = ""
    rows[2][0] = "31/02/2025 10:00"
    rows[3][0] = "kemarin"
    rows[4][0] = "2035-01-01 10:00"
    errs = errors_of(csv_of(rows))
    assert [(e["row"], e["column"], e["cell"]) for e in errs] == [
        (2, "biaya", "F2"), (3, "submitted_at", "A3"), (4, "submitted_at", "A4"), (5, "submitted_at", "A5")]
    assert errs[0]["message"] == "Jawaban unsur biaya (Biaya/Tarif) kosong."
    assert "Tanggal tidak ada di kalender: 31/02/2025 10:00" in errs[1]["message"]


def test_header_errors_come_with_the_preview_of_what_was_read():
    rows = export(ROW)
    rows[0][4] = "Seberapa cepat pelayanan kami?"
    with pytest.raises(PaperFormError) as info:
        paper.parse_upload(csv_of(rows), UNIT, TZ)
    assert [e["column"] for e in info.value.errors] == ["waktu"]
    assert info.value.report["unmatched_columns"] == [{"column": "E", "header": "Seberapa cepat pelayanan kami?"}]


@pytest.mark.parametrize(("cell", "order", "expected"), [
    ("04/08/2025 10.15.32", "dmy", "2025-08-04T10:15:32+08:00"),
    ("8/4/2025 10:15:32 PM", "mdy", "2025-08-04T22:15:32+08:00"),
    ("2025/08/04 12:05:00 AM GMT+7", "dmy", "2025-08-04T00:05:00+07:00"),
    ("2025-08-04 10:15", "dmy", "2025-08-04T10:15:00+08:00"),
    ("2025-08-04T10:15:32.123+07:00", "dmy", "2025-08-04T10:15:32.123000+07:00"),
    ("04/08/2025", "dmy", "2025-08-04T12:00:00+08:00"),
])
def test_timestamp_forms(cell, order, expected):
    from zoneinfo import ZoneInfo

    from services.survey.paper_formtool import submitted_at
    assert submitted_at(cell, ZoneInfo(TZ), None, order, False) == expected


def test_kobo_submission_time_is_utc():
    rows = [["_submission_time", *QUESTION_HEADERS], ["2025-08-04T02:15:32", *(label(el, 3) for el in LAMPIRAN_ORDER)]]
    parsed = paper.parse_upload(csv_of(rows), UNIT, TZ)
    assert parsed.items[0]["submitted_at"] == "2025-08-04T02:15:32+00:00"
    assert parsed.report["timestamp_zone"] == "UTC"


# --------------------------------------------------------------------------- the mapping file

MAPPING = b"""
version: 1
unit_id: samsat-bontang
columns:
  "Seberapa cepat pelayanan kami?": waktu
  "Kota": ignore
  "Tgl": timestamp
labels:
  "*": {"Sangat setuju": 4, "Setuju": 3, "Kurang setuju": 2, "Tidak setuju": 1}
  sarana: {"Baik": 4}
date_order: mdy
channel: qr
"""


def test_a_mapping_file_maps_a_question_overrides_labels_and_settings():
    rows = export(ROW)
    rows[0][0], rows[0][4] = "Tgl", "Seberapa cepat pelayanan kami?"
    rows[0].append("Kota")
    rows[1] += ["Samarinda"]
    rows[1][0], rows[1][4] = "8/4/2025 10:15", "Setuju"
    rows[1][9] = "Baik"  # sarana: 4 by the file, 3 by default
    m = fm.load_mapping(MAPPING, UNIT)
    parsed = paper.parse_upload(csv_of(rows), UNIT, TZ, mapping=m)
    item = parsed.items[0]
    assert item["submitted_at"] == "2025-08-04T10:15:00+08:00" and item["channel"] == "qr"
    assert item["answers"]["waktu"] == 3 and item["answers"]["sarana"] == 4
    cols = {c["target"]: c["matched_by"] for c in parsed.report["columns"]}
    assert cols["waktu"] == "file" and cols["persyaratan"] == "default" and cols["submitted_at"] == "file"
    assert parsed.report["mapping"] == "default+file"
    assert {"column": "L", "header": "Kota", "reason": "mapping"} in parsed.report["ignored_columns"]


def test_per_unit_sections_apply_only_to_the_unit_named():
    doc = b"""
units:
  samsat-bontang:
    columns: {"Cepat tidaknya layanan": waktu}
  samsat-samarinda:
    columns: {"Cepat tidaknya layanan": ignore}
"""
    headers = ["Timestamp", *(h if "kecepatan" not in h else "Cepat tidaknya layanan" for h in QUESTION_HEADERS)]
    assert resolve(headers, fm.load_mapping(doc, "samsat-bontang")).columns["waktu"].letter == "D"
    other = resolve(headers, fm.load_mapping(doc, "samsat-samarinda"))
    assert "waktu" not in other.columns and [e["column"] for e in other.errors] == ["waktu"]


@pytest.mark.parametrize(("doc", "pointer", "fragment"), [
    (b"unit_id: samsat-samarinda\n", "/mapping/unit_id", "untuk unit 'samsat-samarinda'"),
    (b"columns: {'Pertanyaan 8': U8}\n", "/mapping/columns/Pertanyaan 8", "urutan unsur 8 dan 9 berbeda"),
    (b"columns: {'Pertanyaan': kepuasan}\n", "/mapping/columns/Pertanyaan", "Target 'kepuasan' tidak dikenal"),
    (b"labels: {waktu: {'Kilat': 5}}\n", "/mapping/labels/waktu/Kilat", "Skor label harus bilangan bulat 1-4"),
    (b"labels: {occupation: {'Honorer': PPPK}}\n", "/mapping/labels/occupation/Honorer", "PNS, TNI"),
    (b"labels: {age: {'Muda': 20}}\n", "/mapping/labels/age", "Label hanya untuk unsur"),
    (b"date_order: ymd\n", "/mapping/date_order", "dmy"),
    (b"timezone: Mars/Olympus\n", "/mapping/timezone", "Zona waktu"),
    (b"channel: telepati\n", "/mapping/channel", "channel harus"),
    (b"colums: {}\n", "/mapping/colums", "Kunci 'colums' tidak dikenal"),
    (b"version: 2\n", "/mapping/version", "Versi"),
    (b"- a\n- b\n", "/mapping", "objek YAML"),
    (b"columns: [unclosed\n", "/mapping", "bukan YAML yang valid"),
    (b"a: &x [1, 2]\nb: *x\n", "/mapping", "bukan YAML yang valid"),
    (b"columns: {a: \x00}\n", "/mapping", "NUL"),
    (b"\xff\xfe", "/mapping", "UTF-8"),
    (b"#" * (fm.MAX_MAPPING_BYTES + 1), "/mapping", "64 KB"),
    (b"[" * 60_000, "/mapping", "terlalu dalam"),
    (b"- " * 30_000 + b"1", "/mapping", "terlalu dalam"),
])
def test_a_bad_mapping_file_is_refused_with_a_pointer(doc, pointer, fragment):
    with pytest.raises(fm.MappingError) as info:
        fm.load_mapping(doc, UNIT)
    assert [e["pointer"] for e in info.value.errors] == [pointer]
    assert fragment in info.value.errors[0]["message"]


def test_two_timestamp_columns_named_by_the_file_are_ambiguous():
    m = fm.load_mapping(b"columns: {'Tanggal': submitted_at, 'Jam': submitted_at}\n", UNIT)
    res = resolve(["Tanggal", "Jam", *QUESTION_HEADERS], m)
    assert [(e["column"], e["cell"]) for e in res.errors] == [("submitted_at", "B1")]


# --------------------------------------------------------------------------- layout and hostile input

def test_layout_is_decided_by_the_response_id_column_or_given():
    template = b"response_id,submitted_at," + ",".join(ELEMENTS).encode() + b"\r\nk-1,2025-08-04," + \
        b",".join(b"3" for _ in ELEMENTS) + b"\r\n"
    assert paper.parse_upload(template, UNIT, TZ).report["layout"] == "template"
    assert paper.parse_upload(template, UNIT, TZ).items[0]["channel"] == "paper"
    # the same file read as a form export: its id column gives a derived id, the channel is the mapping's
    forced = paper.parse_upload(template, UNIT, TZ, layout="form")
    assert forced.report["response_id_column"]["header"] == "response_id"
    assert forced.items[0]["response_id"].startswith("fx-") and forced.items[0]["channel"] == "web"
    assert paper.detect_layout(["Timestamp", "Persyaratan"]) == "form"
    assert paper.detect_layout(["ID Responden", "Persyaratan"]) == "template"


def test_hostile_headers_and_cells_are_reported_not_stored_as_keys():
    rows = export(ROW)
    rows[0] += ["a.b.c", "$where", "x\x07y", "=cmd|' /C calc'!A0", "k" * 500]
    rows[1] += ["1", "2", "3", "4", "5"]
    parsed = paper.parse_upload(csv_of(rows), UNIT, TZ)
    unmatched = [u["header"] for u in parsed.report["unmatched_columns"]]
    assert unmatched[:4] == ["a.b.c", "$where", "x\ufffdy", "=cmd|' /C calc'!A0"]
    assert len(unmatched[4]) == fm.MAX_HEADER_SHOWN + 1 and unmatched[4].endswith("…")
    assert set(parsed.items[0]) == {"unit_id", "submitted_at", "answers", "response_id", "channel"}


def test_suggestion_with_control_characters_is_a_cell_error():
    rows = export(ROW)
    rows[0].append("Saran")
    rows[1].append("bagus\x07")
    errs = errors_of(csv_of(rows))
    assert [(e["row"], e["column"], e["cell"]) for e in errs] == [(2, "suggestion", "L2")]


def test_a_nul_in_a_header_is_shown_replaced():
    res = resolve(["Timestamp", "x\x00y", *QUESTION_HEADERS])
    assert res.unmatched == [{"column": "B", "header": "x\ufffdy"}] and not res.errors


def test_errors_are_capped():
    from services.survey.paper_formtool import MAX_ERRORS
    rows = export(ROW * 100)
    for r in rows[1:]:
        for i in range(2, 11):
            r[i] = "?"
    errs = errors_of(csv_of(rows))
    assert len(errs) == MAX_ERRORS + 1
    assert errs[-1]["pointer"] == "/file" and errs[-1]["message"].startswith(f"{900 - MAX_ERRORS} kesalahan lain")


def test_the_readers_bounds_still_hold_for_form_exports():
    rows = export(ROW)
    rows[1][2] = "x" * (40 * 1024)  # beyond MAX_LINE_CHARS
    errs = errors_of(csv_of(rows))
    assert errs[0]["pointer"] == "/file" and "karakter" in errs[0]["message"]
    wide = export(ROW)
    wide[0] += [f"extra {i}" for i in range(40)]
    errs = errors_of(csv_of(wide))
    assert errs[0]["pointer"] == "/file" and "kolom" in errs[0]["message"]
