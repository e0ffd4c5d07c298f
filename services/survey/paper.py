"""Digitised paper SKM questionnaires: CSV/XLSX upload parsing and the fill-in templates.

Pure (no Flask, no store): bytes in, response dicts (the JSON input of `ResponseSchema`) out,
or `PaperFormError` listing every problem with its spreadsheet row and column.

Column layout (row 1 = header, one respondent per following row; column order is free)
----------------------------------------------------------------------------------------

======================  =====  ==========================================================
column                  req.   content
======================  =====  ==========================================================
response_id             yes    the questionnaire number, unique per unit: letters, digits,
                               ``. _ : -`` (max. 100)
submitted_at            yes    survey date ``YYYY-MM-DD`` or ``DD/MM/YYYY`` (a paper form has
                               no time: stored as 12:00 local time of the province zone), or a
                               date-time ``YYYY-MM-DDTHH:MM[:SS]+08:00`` (RFC 3339); a
                               date-time without offset (``2026-03-10 09:30``,
                               ``10/03/2026 09:30``) is local time of the province zone.
                               XLSX date/date-time cells are accepted as such.
persyaratan … sarana    yes    the nine unsur (pantau.rules.ikm.ELEMENTS): an integer 1-4
                               (``3``, ``"3"``, ``3.0`` from a spreadsheet; not ``2.5``/``tiga``)
service_type            no     jenis layanan (text, max. 200)
sex                     no     ``L`` / ``P`` (also Laki-laki/Pria, Perempuan/Wanita)
age                     no     integer 10-120
education               no     SD, SMP, SMA, D1-D3, D4-S1, S2, S3 (also S1/D4, D1/D2/D3,
                               SLTA/SMK/MA, SLTP/MTS)
occupation              no     PNS, TNI, POLRI, SWASTA, WIRAUSAHA, LAINNYA (also Wiraswasta)
suggestion              no     saran/masukan (text, max. 2000; kept in the survey service)
======================  =====  ==========================================================

The unit is not a column: it comes from the upload's ``unit_id`` form field; the channel is
always ``paper``. Empty optional cells are left out of the response.

Header names are matched case-insensitively after trimming, with runs of spaces/hyphens read
as ``_`` (``Jenis Kelamin`` = ``jenis_kelamin``). Indonesian aliases (see `ALIASES`):
``id_responden``/``no_responden``/``nomor_responden`` → response_id;
``waktu_pengisian``/``tanggal_survei``/``tanggal_pengisian``/``waktu_survei`` → submitted_at;
``jenis_layanan`` → service_type; ``jenis_kelamin`` → sex; ``usia``/``umur`` → age;
``pendidikan``/``pendidikan_terakhir`` → education; ``pekerjaan`` → occupation;
``saran``/``saran_masukan`` → suggestion; the domain codes ``u1_persyaratan`` …
``u7_perilaku``, ``u8_sarpras`` (= sarana) and ``u9_pengaduan`` (= pengaduan) plus
``waktu_penyelesaian``, ``biaya_tarif``, ``penanganan_pengaduan``, ``sarpras``,
``sarana_prasarana``. Bare numbers (``u1``…``u9``) are not accepted: the regulation's two
orders of unsur 8 and 9 differ (domain.md §1.2).

Files: CSV must be UTF-8 (a BOM is fine), delimiter ``,`` or ``;`` (Indonesian Excel) or tab,
detected from the header line. XLSX: the first worksheet not named "Petunjuk". Completely
empty rows are skipped (their numbers are not reused, so errors point at the row the operator
sees). At most `MAX_BATCH` data rows.

Errors: ``{"row", "column", "pointer": "/rows/<row>/<column>", "field", "message"}`` with the
1-based spreadsheet row (header = 1, first data row = 2) and the canonical column name; cell
errors also carry ``header`` (the header text as written in the file). Errors about the file
as a whole have ``row``/``column`` None and pointer ``/file``.
"""
from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, Iterable, Iterator
from zoneinfo import ZoneInfo

from marshmallow import ValidationError

from pantau.problems import flatten_errors
from pantau.rules.ikm import ELEMENT_LABELS, ELEMENTS

from .schemas import EDUCATION, MAX_BATCH, OCCUPATION, ResponseSchema

__all__ = ["COLUMNS", "REQUIRED", "OPTIONAL", "ALIASES", "CHANNEL", "PaperFormError", "Parsed",
           "detect_format", "parse_csv", "parse_xlsx", "parse_file", "template_csv", "template_xlsx",
           "ANSWER_LABELS", "QUESTIONS"]

CHANNEL = "paper"
REQUIRED: tuple[str, ...] = ("response_id", "submitted_at", *ELEMENTS)
OPTIONAL: tuple[str, ...] = ("service_type", "sex", "age", "education", "occupation", "suggestion")
COLUMNS: tuple[str, ...] = REQUIRED + OPTIONAL
RESPONDENT = ("sex", "age", "education", "occupation")

ALIASES: dict[str, tuple[str, ...]] = {
    "response_id": ("id_responden", "no_responden", "nomor_responden"),
    "submitted_at": ("waktu_pengisian", "tanggal_survei", "tanggal_pengisian", "waktu_survei"),
    "persyaratan": ("u1_persyaratan",),
    "prosedur": ("u2_prosedur",),
    "waktu": ("u3_waktu", "waktu_penyelesaian"),
    "biaya": ("u4_biaya", "biaya_tarif"),
    "produk": ("u5_produk",),
    "kompetensi": ("u6_kompetensi",),
    "perilaku": ("u7_perilaku",),
    "pengaduan": ("u9_pengaduan", "penanganan_pengaduan"),
    "sarana": ("u8_sarpras", "sarpras", "sarana_prasarana"),
    "service_type": ("jenis_layanan",),
    "sex": ("jenis_kelamin",),
    "age": ("usia", "umur"),
    "education": ("pendidikan", "pendidikan_terakhir"),
    "occupation": ("pekerjaan",),
    "suggestion": ("saran", "saran_masukan"),
}
_HEADER_MAP: dict[str, str] = {c: c for c in COLUMNS}
_HEADER_MAP.update({a: c for c, names in ALIASES.items() for a in names})

# domain.md §1.2: standard question and the 1-4 answer labels per unsur (keyed by element)
QUESTIONS: dict[str, str] = {
    "persyaratan": "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?",
    "prosedur": "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?",
    "waktu": "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?",
    "biaya": "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?",
    "produk": "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum "
              "dalam standar pelayanan dengan hasil yang diberikan?",
    "kompetensi": "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?",
    "perilaku": "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan "
                "dan keramahan?",
    "pengaduan": "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?",
    "sarana": "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?",
}
ANSWER_LABELS: dict[str, tuple[str, str, str, str]] = {
    "persyaratan": ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    "prosedur": ("Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"),
    "waktu": ("Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"),
    "biaya": ("Sangat mahal", "Cukup mahal", "Murah", "Gratis"),
    "produk": ("Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"),
    "kompetensi": ("Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"),
    "perilaku": ("Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"),
    "pengaduan": ("Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"),
    "sarana": ("Buruk", "Cukup", "Baik", "Sangat Baik"),
}

_SEX = {"L": "L", "LAKI-LAKI": "L", "LAKI LAKI": "L", "LAKI": "L", "PRIA": "L",
        "P": "P", "PEREMPUAN": "P", "WANITA": "P"}
_EDUCATION = {e: e for e in EDUCATION}
_EDUCATION.update({"S1": "D4-S1", "D4": "D4-S1", "D1": "D1-D3", "D2": "D1-D3", "D3": "D1-D3",
                   "SLTA": "SMA", "SMK": "SMA", "MA": "SMA", "SLTP": "SMP", "MTS": "SMP"})
_OCCUPATION = {o: o for o in OCCUPATION}
_OCCUPATION.update({"WIRASWASTA": "WIRAUSAHA", "LAIN-LAIN": "LAINNYA"})

ZIP_MAGIC = b"PK\x03\x04"
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0", b"PK\x05\x06",
                 b"PK\x07\x08", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf", b"BM", b"II*\x00", b"MM\x00*")
MAX_XLSX_UNCOMPRESSED = 64 * 1024 * 1024  # a 5000-row questionnaire sheet is ~2 MB unpacked
NOTES_SHEET = "Petunjuk"
DATA_SHEET = "Kuesioner"


class PaperFormError(Exception):
    """The file cannot be accepted; `errors` lists every problem (row/column/pointer/message)."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} kesalahan pada berkas kuesioner")
        self.errors = errors


@dataclass
class Parsed:
    """A parsed upload: `items[i]` came from spreadsheet row `rows[i]`."""
    format: str
    items: list[dict] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)


# --------------------------------------------------------------------------- errors

def _esc(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def file_error(message: str) -> dict:
    return {"row": None, "column": None, "pointer": "/file", "field": "file", "message": message}


def cell_error(row: int, column: str, message: str, header: str | None = None) -> dict:
    err = {"row": row, "column": column, "pointer": f"/rows/{row}/{_esc(column)}", "field": column,
           "message": message}
    if header is not None:
        err["header"] = header
    return err


# --------------------------------------------------------------------------- format

def detect_format(data: bytes) -> str | None:
    """"xlsx" for a ZIP container, "csv" for anything that looks like text, None otherwise."""
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv"  # UTF-16 text ("Unicode Text" from Excel): parse_csv explains it must be UTF-8
    if any(data.startswith(m) for m in _BINARY_MAGIC) or b"\x00" in data[:8192]:
        return None
    return "csv"


def describe_binary(data: bytes) -> str:
    """A short Indonesian name of a rejected binary upload (for the 415 message)."""
    if data.startswith(b"%PDF"):
        return "PDF"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "Excel lama (.xls) atau dokumen Office lama"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*")):
        return "gambar"
    return "berkas biner"


# --------------------------------------------------------------------------- cells

def _is_blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


_INT_RE = re.compile(r"^\+?\d{1,6}(?:[.,]0+)?$")


def _to_int(v: Any) -> int:
    """An integer cell value ("3", 3, 3.0, "3,0"); ValueError for 2.5, "tiga", True."""
    if isinstance(v, bool):
        raise ValueError
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        if math.isfinite(v) and v.is_integer():
            return int(v)
        raise ValueError
    if isinstance(v, str) and _INT_RE.match(v.strip()):
        return int(re.split(r"[.,]", v.strip().lstrip("+"))[0])
    raise ValueError


def _to_text(v: Any) -> str:
    if isinstance(v, float) and math.isfinite(v) and v.is_integer():
        return str(int(v))
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    return str(v).strip()


_ISO_DT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:[Zz]|[+-]\d{2}:\d{2})?$")
_ISO_D = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$")

_DATE_HELP = ("Isi tanggal seperti 2026-03-10 atau 10/03/2026, atau tanggal-waktu seperti "
              "2026-03-10T09:30:00+08:00.")


def _noon(d: date, zone: ZoneInfo) -> datetime:
    return datetime(d.year, d.month, d.day, 12, 0, tzinfo=zone)


def _to_submitted(v: Any, zone: ZoneInfo, has_time: bool | None = None) -> str:
    """An RFC 3339 string with offset; ValueError(message) if the cell is not a date."""
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            return v.isoformat()
        if has_time is False or (has_time is None and v.time() == time(0, 0)):
            return _noon(v.date(), zone).isoformat()
        return v.replace(tzinfo=zone).isoformat()
    if isinstance(v, date):
        return _noon(v, zone).isoformat()
    if not isinstance(v, str):
        raise ValueError(_DATE_HELP)
    s = v.strip()
    try:
        if m := _ISO_D.match(s):
            return _noon(date(int(m[1]), int(m[2]), int(m[3])), zone).isoformat()
        if _ISO_DT.match(s):
            dt = datetime.fromisoformat(s.replace(" ", "T", 1))
            return (dt if dt.tzinfo is not None else dt.replace(tzinfo=zone)).isoformat()
        if m := _DMY.match(s):
            d = date(int(m[3]), int(m[2]), int(m[1]))
            if m[4] is None:
                return _noon(d, zone).isoformat()
            return datetime(d.year, d.month, d.day, int(m[4]), int(m[5]), int(m[6] or 0),
                            tzinfo=zone).isoformat()
    except ValueError:
        raise ValueError(f"Tanggal tidak ada di kalender: {s}.") from None
    raise ValueError(_DATE_HELP)


def _choice(v: Any, table: dict[str, str]) -> str:
    """The enumeration value for a cell (case-insensitive, synonyms); unknown text is returned
    unchanged so that the schema reports it with the allowed values."""
    s = _to_text(v)
    key = re.sub(r"\s*([/-])\s*", r"\1", re.sub(r"\s+", " ", s.upper()))
    return table.get(key) or table.get(key.replace("/", "-")) or s


# --------------------------------------------------------------------------- core

def _norm_header(h: Any) -> str:
    return re.sub(r"[\s\-]+", "_", _to_text(h).lstrip("\ufeff").strip().lower())


@dataclass
class _Cell:
    value: Any
    has_time: bool | None = None  # XLSX: does the cell's number format show a time?


def _read_header(raw: list[Any], column_has_data: list[bool]) -> tuple[dict[int, tuple[str, str]], list[dict]]:
    """Column index → (canonical name, header as written); errors for the header row."""
    errors: list[dict] = []
    mapping: dict[int, tuple[str, str]] = {}
    seen: dict[str, str] = {}
    for i, h in enumerate(raw):
        written = "" if h is None else _to_text(h).lstrip("\ufeff")
        if not written.strip():
            if column_has_data[i]:
                name = f"kolom_{i + 1}"
                errors.append(cell_error(1, name, f"Kolom ke-{i + 1} berisi data tetapi tidak punya judul.", ""))
            continue
        norm = _norm_header(written)
        canon = _HEADER_MAP.get(norm)
        if canon is None:
            hint = (" Unit diambil dari isian unit_id pada formulir unggah; hapus kolom ini."
                    if norm in ("unit_id", "unit", "id_unit") else
                    " Kanal selalu 'paper'; hapus kolom ini." if norm in ("channel", "kanal") else
                    " Gunakan judul kolom templat (lihat lembar Petunjuk).")
            errors.append(cell_error(1, written.strip(), f"Kolom '{written.strip()}' tidak dikenal.{hint}",
                                     written.strip()))
            continue
        if canon in seen:
            errors.append(cell_error(1, canon, f"Kolom {canon} muncul dua kali ('{seen[canon]}' dan "
                                               f"'{written.strip()}').", written.strip()))
            continue
        seen[canon] = written.strip()
        mapping[i] = (canon, written.strip())
    for col in REQUIRED:
        if col not in seen:
            errors.append(cell_error(1, col, f"Kolom wajib {col} tidak ada di baris judul."))
    return mapping, errors


def _parse_rows(rows: Iterable[tuple[int, list[_Cell]]], header: list[Any], unit_id: str, tz: str,
                fmt: str) -> Parsed:
    """Shared by CSV and XLSX: `rows` yields (spreadsheet row number, cells) after the header."""
    zone = ZoneInfo(tz)
    data_rows: list[tuple[int, list[_Cell]]] = []
    for number, cells in rows:
        if all(_is_blank(c.value) for c in cells):
            continue
        data_rows.append((number, cells))
        if len(data_rows) > MAX_BATCH:
            raise PaperFormError([file_error(f"Berkas berisi lebih dari {MAX_BATCH} baris data; "
                                             f"bagi menjadi beberapa berkas.")])
    width = max([len(header)] + [len(c) for _, c in data_rows])
    has_data = [False] * width
    for _, cells in data_rows:
        for i, c in enumerate(cells):
            if not _is_blank(c.value):
                has_data[i] = True
    mapping, errors = _read_header(list(header) + [None] * (width - len(header)), has_data)
    if errors:
        raise PaperFormError(errors)
    if not data_rows:
        raise PaperFormError([file_error("Berkas hanya berisi baris judul; tidak ada baris data.")])

    schema = ResponseSchema()
    out = Parsed(fmt)
    first_row_of: dict[str, int] = {}
    for number, cells in data_rows:
        row_errors: list[dict] = []
        bad_columns: set[str] = set()
        values: dict[str, _Cell] = {}
        for i, (canon, _written) in mapping.items():
            if i < len(cells) and not _is_blank(cells[i].value):
                values[canon] = cells[i]

        def fail(col: str, message: str) -> None:
            row_errors.append(cell_error(number, col, message, _header_of(mapping, col)))
            bad_columns.add(col)

        item: dict[str, Any] = {"unit_id": unit_id}
        if "response_id" in values:
            item["response_id"] = _to_text(values["response_id"].value)
        if "submitted_at" in values:
            try:
                item["submitted_at"] = _to_submitted(values["submitted_at"].value, zone,
                                                     values["submitted_at"].has_time)
            except ValueError as exc:
                fail("submitted_at", str(exc))
        answers: dict[str, int] = {}
        for el in ELEMENTS:
            if el in values:
                try:
                    answers[el] = _to_int(values[el].value)
                except ValueError:
                    fail(el, f"Isi dengan angka bulat 1-4 (bukan '{_to_text(values[el].value)}').")
        item["answers"] = answers
        if "service_type" in values:
            item["service_type"] = _to_text(values["service_type"].value)
        item["channel"] = CHANNEL
        respondent: dict[str, Any] = {}
        if "sex" in values:
            respondent["sex"] = _choice(values["sex"].value, _SEX)
        if "age" in values:
            try:
                respondent["age"] = _to_int(values["age"].value)
            except ValueError:
                fail("age", f"Isi usia dengan angka bulat (tahun), bukan '{_to_text(values['age'].value)}'.")
        if "education" in values:
            respondent["education"] = _choice(values["education"].value, _EDUCATION)
        if "occupation" in values:
            respondent["occupation"] = _choice(values["occupation"].value, _OCCUPATION)
        if respondent:
            item["respondent"] = respondent
        if "suggestion" in values:
            item["suggestion"] = _to_text(values["suggestion"].value)

        try:
            schema.load(item)
        except ValidationError as exc:
            for e in flatten_errors(exc.messages):
                parts = [p for p in e["pointer"].split("/") if p]
                if parts and parts[0] == "unit_id":
                    err = {**file_error(e["message"]), "pointer": "/unit_id", "field": "unit_id"}
                    if err not in errors:
                        errors.append(err)
                    continue
                if not parts:
                    col = "response_id"
                elif parts[0] in ("answers", "respondent") and len(parts) > 1:
                    col = parts[1]
                else:
                    col = parts[0]
                if col in bad_columns:
                    continue  # already reported by the cell parser (e.g. "tiga" → also missing)
                row_errors.append(cell_error(number, col, e["message"], _header_of(mapping, col)))
        rid = item.get("response_id")
        if rid and "response_id" not in {e["column"] for e in row_errors}:
            if rid in first_row_of:
                row_errors.append(cell_error(number, "response_id",
                                             f"response_id '{rid}' sama dengan baris {first_row_of[rid]}.",
                                             _header_of(mapping, "response_id")))
            else:
                first_row_of[rid] = number
        order = {c: k for k, c in enumerate(COLUMNS)}
        row_errors.sort(key=lambda e: order.get(e["column"], len(order)))
        errors.extend(row_errors)
        out.items.append(item)
        out.rows.append(number)
    if errors:
        raise PaperFormError(errors)
    return out


def _header_of(mapping: dict[int, tuple[str, str]], col: str) -> str | None:
    for canon, written in mapping.values():
        if canon == col:
            return written
    return None


# --------------------------------------------------------------------------- CSV

def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise PaperFormError([{**file_error(
            f"Berkas CSV harus berenkode UTF-8 (byte tidak valid pada baris {line}). Di Excel pilih "
            f"'Simpan Sebagai' → 'CSV UTF-8 (Comma delimited)', atau unggah berkas .xlsx."), "row": line}]) from None


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_records(data: bytes) -> tuple[list[Any], Iterator[tuple[int, list[_Cell]]]]:
    if not data.strip() or not data.lstrip(b"\xef\xbb\xbf").strip():
        raise PaperFormError([file_error("Berkas kosong.")])
    text = _decode(data)
    delimiter = _sniff_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise PaperFormError([file_error(f"Berkas CSV tidak dapat dibaca: {exc}.")]) from None
    if not records or all(_is_blank(v) for v in records[0]):
        raise PaperFormError([file_error("Baris 1 harus berisi judul kolom (lihat templat).")])
    rows = ((n, [_Cell(v) for v in r]) for n, r in enumerate(records[1:], start=2))
    return records[0], rows


def parse_csv_file(data: bytes, unit_id: str, tz: str) -> Parsed:
    header, rows = _csv_records(data)
    return _parse_rows(rows, header, unit_id, tz, "csv")


def parse_csv(data: bytes, unit_id: str, tz: str) -> list[dict]:
    """CSV bytes → validated `ResponseSchema` input dicts, or PaperFormError."""
    return parse_csv_file(data, unit_id, tz).items


# --------------------------------------------------------------------------- XLSX

_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


def _format_has_time(fmt: str | None) -> bool | None:
    if not fmt:
        return None
    bare = _QUOTED.sub("", fmt).lower()
    return "h" in bare or "s" in bare


def _not_workbook(extra: str = "") -> PaperFormError:
    return PaperFormError([file_error(
        "Berkas bukan workbook Excel (.xlsx) yang valid" + extra + ". Simpan ulang sebagai "
        "'Excel Workbook (.xlsx)' atau unggah CSV UTF-8.")])


def parse_xlsx_file(data: bytes, unit_id: str, tz: str) -> Parsed:
    if not data:
        raise PaperFormError([file_error("Berkas kosong.")])
    if not data.startswith(ZIP_MAGIC):
        raise _not_workbook()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            if sum(i.file_size for i in zf.infolist()) > MAX_XLSX_UNCOMPRESSED:
                raise _not_workbook(" (isi terlalu besar setelah dibuka)")
    except zipfile.BadZipFile:
        raise _not_workbook() from None
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise _not_workbook(" (arsip ZIP ini bukan workbook Excel)")
    from openpyxl import load_workbook  # imported lazily: only XLSX uploads need it
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many types for a damaged file
        raise _not_workbook() from None
    try:
        sheets = [ws for ws in wb.worksheets if ws.title.strip().lower() != NOTES_SHEET.lower()]
        if not sheets:
            raise PaperFormError([file_error("Workbook tidak berisi lembar data.")])
        rows_iter = sheets[0].iter_rows()
        try:
            header_cells = next(rows_iter)
        except StopIteration:
            raise PaperFormError([file_error("Berkas kosong.")]) from None
        header = [getattr(c, "value", None) for c in header_cells]
        if all(_is_blank(v) for v in header):
            raise PaperFormError([file_error("Baris 1 harus berisi judul kolom (lihat templat).")])

        def cells_of(row) -> list[_Cell]:
            out = []
            for c in row:
                v = getattr(c, "value", None)
                ht = _format_has_time(getattr(c, "number_format", None)) if isinstance(v, datetime) else None
                out.append(_Cell(v, ht))
            return out

        # read-only openpyxl yields every row from 1 (gaps as empty cells), so counting is exact
        rows = ((n, cells_of(row)) for n, row in enumerate(rows_iter, start=2))
        try:
            return _parse_rows(rows, header, unit_id, tz, "xlsx")
        except PaperFormError:
            raise
        except (KeyError, ValueError, TypeError, OSError, zipfile.BadZipFile) as exc:
            raise _not_workbook(f" ({type(exc).__name__})") from None
    finally:
        wb.close()


def parse_xlsx(data: bytes, unit_id: str, tz: str) -> list[dict]:
    """XLSX bytes → validated `ResponseSchema` input dicts, or PaperFormError."""
    return parse_xlsx_file(data, unit_id, tz).items


def parse_file(data: bytes, unit_id: str, tz: str) -> Parsed:
    """Decide CSV/XLSX by content; a binary non-ZIP upload raises PaperFormError too
    (the HTTP layer answers 415 for that case before calling this)."""
    fmt = detect_format(data)
    if fmt == "xlsx":
        return parse_xlsx_file(data, unit_id, tz)
    if fmt == "csv":
        return parse_csv_file(data, unit_id, tz)
    raise PaperFormError([file_error(f"Jenis berkas tidak didukung ({describe_binary(data)}); "
                                     f"unggah CSV UTF-8 atau .xlsx.")])


# --------------------------------------------------------------------------- templates

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
    w.writerow(COLUMNS)
    w.writerow([EXAMPLE[c] for c in COLUMNS])
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
    for letter, width in zip("ABCDE", (16, 34, 8, 60, 90)):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=header_row + 1):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
