"""Fill-in templates for paper SKM questionnaires: CSV (header + example) and XLSX (drop-down
lists and a "Petunjuk" sheet documenting every column)."""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from pantau import csv_safe
from pantau.rules.ikm import ELEMENT_LABELS, ELEMENTS

from .paper_layout import ALIASES, ANSWER_LABELS, COLUMNS, DATA_SHEET, NOTES_SHEET, QUESTIONS
from .schemas import EDUCATION, MAX_BATCH, OCCUPATION

EXAMPLE: dict[str, Any] = {
    "response_id": "KRT-2026-0001", "submitted_at": "2026-03-10",
    "persyaratan": 3, "prosedur": 3, "waktu": 2, "biaya": 4, "produk": 3, "kompetensi": 3,
    "perilaku": 4, "pengaduan": 3, "sarana": 3,
    "service_type": "Pembayaran pajak kendaraan bermotor tahunan", "sex": "P", "age": 34,
    "education": "SMA", "occupation": "SWASTA", "suggestion": "Tambah kursi di ruang tunggu.",
}


def template_csv() -> bytes:
    """Header row + one example row, UTF-8 with BOM (so Excel shows non-ASCII text correctly)."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(csv_safe.row(COLUMNS))
    w.writerow(csv_safe.row(EXAMPLE[c] for c in COLUMNS))
    return buf.getvalue().encode("utf-8-sig")


def column_notes() -> list[tuple[str, str, str, str, str]]:
    """(column, aliases, wajib, allowed values, explanation) for the Petunjuk sheet and docs."""
    def aliases(c: str) -> str:
        return ", ".join(ALIASES.get(c, ()))
    notes = [
        ("response_id", aliases("response_id"), "Ya", "1-100 karakter: huruf, angka, . _ : -",
         "Nomor kuesioner, unik per unit. Mengunggah ulang baris yang sama tidak menggandakan data; "
         "nomor yang sama dengan isi berbeda ditolak."),
        ("submitted_at", aliases("submitted_at"), "Ya",
         "2026-03-10 atau 10/03/2026 (tanggal saja), atau 2026-03-10T09:30:00+08:00",
         "Tanggal survei. Bila hanya tanggal, dicatat pukul 12:00 waktu setempat."),
    ]
    for el in ELEMENTS:
        labels = "; ".join(f"{k} = {t}" for k, t in enumerate(ANSWER_LABELS[el], start=1))
        notes.append((el, aliases(el), "Ya", labels, f"Unsur {ELEMENT_LABELS[el]}. {QUESTIONS[el]}"))
    notes += [
        ("service_type", aliases("service_type"), "Tidak", "teks, maks. 200 karakter",
         "Jenis layanan yang diterima responden."),
        ("sex", aliases("sex"), "Tidak", "L, P", "Jenis kelamin (L = laki-laki, P = perempuan)."),
        ("age", aliases("age"), "Tidak", "angka bulat 10-120", "Usia responden (tahun)."),
        ("education", aliases("education"), "Tidak", ", ".join(EDUCATION),
         "Pendidikan terakhir (S1 dan D4 ditulis D4-S1; D1, D2, D3 ditulis D1-D3)."),
        ("occupation", aliases("occupation"), "Tidak", ", ".join(OCCUPATION), "Pekerjaan utama responden."),
        ("suggestion", aliases("suggestion"), "Tidak", "teks, maks. 2000 karakter",
         "Saran/masukan responden; tidak diteruskan ke laporan publik."),
    ]
    return notes


def template_xlsx() -> bytes:
    """Sheet "Kuesioner" (header + example row, drop-down lists) and sheet "Petunjuk"."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook has its one sheet
    ws.title = DATA_SHEET
    ws.append(list(COLUMNS))
    ws.append([date.fromisoformat(EXAMPLE[c]) if c == "submitted_at" else EXAMPLE[c] for c in COLUMNS])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for i, c in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = bold, fill
        ws.column_dimensions[get_column_letter(i)].width = max(12, len(c) + 2)
    col = {c: get_column_letter(i) for i, c in enumerate(COLUMNS, start=1)}
    ws.column_dimensions[col["response_id"]].width = 18
    ws.column_dimensions[col["service_type"]].width = 40
    ws.column_dimensions[col["suggestion"]].width = 50
    last = MAX_BATCH + 1
    ws.column_dimensions[col["submitted_at"]].number_format = "DD/MM/YYYY"
    ws.cell(row=2, column=COLUMNS.index("submitted_at") + 1).number_format = "DD/MM/YYYY"
    ws.freeze_panes = "A2"

    def add(dv: DataValidation, *cols: str) -> None:
        for c in cols:
            dv.add(f"{col[c]}2:{col[c]}{last}")
        ws.add_data_validation(dv)

    add(DataValidation(type="list", formula1='"1,2,3,4"', allow_blank=True, showErrorMessage=True,
                       errorTitle="Jawaban 1-4", error="Isi dengan 1, 2, 3 atau 4."), *ELEMENTS)
    add(DataValidation(type="list", formula1='"L,P"', allow_blank=True, showErrorMessage=True,
                       error="Isi L atau P."), "sex")
    add(DataValidation(type="list", formula1='"' + ",".join(EDUCATION) + '"', allow_blank=True,
                       showErrorMessage=True, error="Pilih dari daftar."), "education")
    add(DataValidation(type="list", formula1='"' + ",".join(OCCUPATION) + '"', allow_blank=True,
                       showErrorMessage=True, error="Pilih dari daftar."), "occupation")
    add(DataValidation(type="whole", operator="between", formula1="10", formula2="120", allow_blank=True,
                       showErrorMessage=True, error="Usia 10-120 tahun."), "age")

    notes = wb.create_sheet(NOTES_SHEET)
    notes.append(["Petunjuk pengisian kuesioner SKM (PermenPANRB 14/2017)"])
    notes["A1"].font = Font(bold=True, size=13)
    for line in (
        f"Isi satu responden per baris pada lembar '{DATA_SHEET}', mulai baris 2 (baris contoh boleh "
        f"ditimpa atau dihapus). Maksimal {MAX_BATCH} baris per berkas.",
        "Unit pelayanan dipilih saat mengunggah (isian unit_id), bukan kolom dalam berkas.",
        "Judul kolom boleh huruf besar/kecil dan boleh memakai nama lain pada kolom B. "
        "Kolom yang tidak dikenal ditolak.",
        "Jawaban unsur diisi angka 1-4 sesuai pilihan responden (4 = terbaik).",
    ):
        notes.append([line])
    notes.append([])
    header_row = notes.max_row + 1
    notes.append(["Kolom", "Nama lain yang diterima", "Wajib", "Isi yang diizinkan", "Keterangan"])
    for c in notes[header_row]:
        c.font, c.fill = bold, fill
    for row in column_notes():
        notes.append(list(row))
    for letter, width in zip("ABCDE", (16, 34, 8, 60, 90), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=header_row + 1):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
