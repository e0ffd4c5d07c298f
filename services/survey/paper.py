"""Digitised paper SKM questionnaires: CSV/XLSX upload parsing.

Pure (no Flask, no store): bytes in, response dicts (the JSON input of `ResponseSchema`) out,
or `PaperFormError` listing every problem with its spreadsheet row and column. The column
layout is documented in `paper_layout`, cell reading in `paper_cells`, the fill-in templates
in `paper_templates` (re-exported here).
"""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import ValidationError

from pantau.problems import flatten_errors
from pantau.rules.ikm import ELEMENTS

from . import paper_formtool
from .form_mapping import MAX_HEADER_SHOWN, FormMapping, load_mapping, shown
from .paper_budget import MAX_LINE_CHARS, MAX_SHEET_ROWS, MAX_WIDTH, MAX_XLSX_UNCOMPRESSED, Deadline
from .paper_cells import (
    _EDUCATION,
    _OCCUPATION,
    _SEX,
    _Cell,
    _choice,
    _is_blank,
    _norm_header,
    _to_int,
    _to_submitted,
    _to_text,
)
from .paper_errors import PaperFormError, file_error
from .paper_formtool import LAYOUT, SAMPLE_ROWS
from .paper_layout import (
    _HEADER_MAP,
    ALIASES,
    ANSWER_LABELS,
    CHANNEL,
    COLUMNS,
    DATA_SHEET,
    NOTES_SHEET,
    OPTIONAL,
    QUESTIONS,
    REQUIRED,
)
from .paper_templates import column_notes, template_csv, template_xlsx
from .paper_xlsx import FileRefused, NotWorkbook, read_sheet
from .schemas import MAX_BATCH, ResponseSchema

__all__ = ["COLUMNS", "REQUIRED", "OPTIONAL", "ALIASES", "CHANNEL", "PaperFormError", "Parsed",
           "detect_format", "parse_csv", "parse_xlsx", "parse_file",
           "parse_upload", "detect_layout", "LAYOUTS", "template_csv", "template_xlsx",
           "column_notes", "ANSWER_LABELS", "QUESTIONS", "MAX_BATCH", "DATA_SHEET", "NOTES_SHEET"]

ZIP_MAGIC = b"PK\x03\x04"
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0", b"PK\x05\x06",
                 b"PK\x07\x08", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf", b"BM", b"II*\x00", b"MM\x00*")


@dataclass
class Parsed:
    """A parsed upload: `items[i]` came from spreadsheet row `rows[i]`; `loaded[i]` is that item as
    `ResponseSchema().load` returned it (each row is validated once, here)."""
    format: str
    items: list[dict] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    loaded: list[dict] = field(default_factory=list)
    report: dict | None = None  # what the preview shows (parse_upload)


# --------------------------------------------------------------------------- errors

def _esc(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


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


# --------------------------------------------------------------------------- core

def _read_header(raw: list[Any], column_has_data: Callable[[int], bool]
                 ) -> tuple[dict[int, tuple[str, str]], list[dict]]:
    """Column index → (canonical name, header as written); errors for the header row."""
    errors: list[dict] = []
    mapping: dict[int, tuple[str, str]] = {}
    seen: dict[str, str] = {}
    for i, h in enumerate(raw):
        written = "" if h is None else _to_text(h).lstrip("\ufeff")
        if not written.strip():
            if column_has_data(i):
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
                fmt: str, deadline: Deadline) -> Parsed:
    """Shared by CSV and XLSX: `rows` yields (spreadsheet row number, cells) after the header,
    each at most MAX_WIDTH cells wide (the readers refuse wider rows)."""
    zone = ZoneInfo(tz)
    data_rows: list[tuple[int, list[_Cell]]] = []
    for number, cells in rows:
        deadline.check()
        if all(_is_blank(c.value) for c in cells):
            continue
        data_rows.append((number, cells))
        if len(data_rows) > MAX_BATCH:
            raise PaperFormError([file_error(f"Berkas berisi lebih dari {MAX_BATCH} baris data; "
                                             f"bagi menjadi beberapa berkas.")])
    width = max([len(header)] + [len(c) for _, c in data_rows])

    def has_data(i: int) -> bool:  # asked only for columns without a header
        return any(i < len(cells) and not _is_blank(cells[i].value) for _, cells in data_rows)
    mapping, errors = _read_header(list(header) + [None] * (width - len(header)), has_data)
    if errors:
        raise PaperFormError(errors)
    if not data_rows:
        raise PaperFormError([file_error("Berkas hanya berisi baris judul; tidak ada baris data.")])

    schema = ResponseSchema()
    out = Parsed(fmt)
    first_row_of: dict[str, int] = {}
    for number, cells in data_rows:
        deadline.check()
        row_errors: list[dict] = []
        bad_columns: set[str] = set()
        values: dict[str, _Cell] = {}
        for i, (canon, _written) in mapping.items():
            if i < len(cells) and not _is_blank(cells[i].value):
                values[canon] = cells[i]

        def fail(col: str, message: str, row_errors=row_errors, number=number, bad_columns=bad_columns) -> None:
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
            out.loaded.append(schema.load(item))
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
        row_errors.sort(key=lambda e: _COLUMN_ORDER.get(e["column"], len(_COLUMN_ORDER)))
        errors.extend(row_errors)
        out.items.append(item)
        out.rows.append(number)
    if errors:
        raise PaperFormError(errors)
    return out


_COLUMN_ORDER = {c: k for k, c in enumerate(COLUMNS)}


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
    end = text.find("\n", 0, MAX_LINE_CHARS)
    first = text[:end if end >= 0 else MAX_LINE_CHARS]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _file_refused(message: str, row: int | None) -> PaperFormError:
    return PaperFormError([{**file_error(message), "row": row}])


def _bounded_lines(text: str) -> Iterator[str]:
    """The physical lines of `text`, refusing one longer than MAX_LINE_CHARS (so that no CSV
    record can hold more than a few thousand fields before the width check sees it)."""
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise _file_refused(f"Baris ke-{number} berkas lebih dari {MAX_LINE_CHARS} karakter; periksa "
                                f"pemisah kolom dan tanda kutip, atau unggah berkas .xlsx.", number)
        yield line


def _csv_records(data: bytes, deadline: Deadline) -> tuple[list[Any], Iterator[tuple[int, list[_Cell]]]]:
    if not data.strip() or not data.lstrip(b"\xef\xbb\xbf").strip():
        raise PaperFormError([file_error("Berkas kosong.")])
    text = _decode(data)
    reader = csv.reader(_bounded_lines(text), delimiter=_sniff_delimiter(text))

    def bounded() -> Iterator[list[str]]:
        number = 0
        try:
            for record in reader:
                number += 1
                deadline.check()
                if number > MAX_SHEET_ROWS:
                    raise _file_refused(f"Berkas berisi lebih dari {MAX_SHEET_ROWS} baris (judul, {MAX_BATCH} "
                                        f"baris data dan baris kosong); bagi menjadi beberapa berkas.", number)
                if len(record) > MAX_WIDTH:
                    raise _file_refused(f"Baris {number} berisi {len(record)} kolom; templat memakai "
                                        f"{len(COLUMNS)} kolom, paling banyak {MAX_WIDTH} termasuk kolom kosong. "
                                        f"Periksa pemisah kolom.", number)
                yield record
        except csv.Error as exc:
            raise PaperFormError([file_error(f"Berkas CSV tidak dapat dibaca: {exc}.")]) from None

    records = bounded()
    header = next(records, None)
    if header is None or all(_is_blank(v) for v in header):
        raise PaperFormError([file_error("Baris 1 harus berisi judul kolom (lihat templat).")])
    rows = ((n, [_Cell(v) for v in r]) for n, r in enumerate(records, start=2))
    return header, rows


def parse_csv_file(data: bytes, unit_id: str, tz: str, deadline: Deadline | None = None) -> Parsed:
    deadline = deadline or Deadline.default()
    header, rows = _csv_records(data, deadline)
    return _parse_rows(rows, header, unit_id, tz, "csv", deadline)


def parse_csv(data: bytes, unit_id: str, tz: str) -> list[dict]:
    """CSV bytes → validated `ResponseSchema` input dicts, or PaperFormError."""
    return parse_csv_file(data, unit_id, tz).items


# --------------------------------------------------------------------------- XLSX

def _not_workbook(extra: str = "") -> PaperFormError:
    return PaperFormError([file_error(
        "Berkas bukan workbook Excel (.xlsx) yang valid" + extra + ". Simpan ulang sebagai "
        "'Excel Workbook (.xlsx)' atau unggah CSV UTF-8.")])


def _xlsx_table(data: bytes, deadline: Deadline, consume: Callable[[list[Any], Iterator, str], Parsed]) -> Parsed:
    """Open the workbook within the budget and hand its header and rows to `consume`."""
    if not data:
        raise PaperFormError([file_error("Berkas kosong.")])
    if not data.startswith(ZIP_MAGIC):
        raise _not_workbook()
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise _not_workbook() from None
    with zf:
        # zipfile never inflates an entry beyond its declared size (CRC error), so the sum is a real bound
        unpacked = sum(i.file_size for i in zf.infolist())
        if unpacked > MAX_XLSX_UNCOMPRESSED:
            raise PaperFormError([file_error(
                f"Isi workbook setelah dibuka {unpacked // (1024 * 1024)} MB, melebihi batas "
                f"{MAX_XLSX_UNCOMPRESSED // (1024 * 1024)} MB; hapus lembar dan gambar lain atau bagi berkas.")])
        names = set(zf.namelist())
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise _not_workbook(" (arsip ZIP ini bukan workbook Excel)")
        rows = read_sheet(zf, deadline)
        try:
            first = next(rows, None)
            if first is None:
                raise PaperFormError([file_error("Berkas kosong.")])
            number, header_cells = first
            header = [c.value for c in header_cells] if number == 1 else []
            if all(_is_blank(v) for v in header):
                raise PaperFormError([file_error("Baris 1 harus berisi judul kolom (lihat templat).")])
            return consume(header, rows, "xlsx")
        except NotWorkbook as exc:
            raise _not_workbook(str(exc)) from None
        except FileRefused as exc:
            raise _file_refused(exc.message, exc.row) from None
        finally:
            rows.close()


def parse_xlsx_file(data: bytes, unit_id: str, tz: str, deadline: Deadline | None = None) -> Parsed:
    deadline = deadline or Deadline.default()
    return _xlsx_table(data, deadline, lambda header, rows, fmt: _parse_rows(rows, header, unit_id, tz, fmt,
                                                                              deadline))


def parse_xlsx(data: bytes, unit_id: str, tz: str) -> list[dict]:
    """XLSX bytes → validated `ResponseSchema` input dicts, or PaperFormError."""
    return parse_xlsx_file(data, unit_id, tz).items


def parse_file(data: bytes, unit_id: str, tz: str, deadline: Deadline | None = None) -> Parsed:
    """Decide CSV/XLSX by content; a binary non-ZIP upload raises PaperFormError too
    (the HTTP layer answers 415 for that case before calling this). Raises DeadlineExceeded
    when `deadline` passes first."""
    fmt = detect_format(data)
    if fmt == "xlsx":
        return parse_xlsx_file(data, unit_id, tz, deadline)
    if fmt == "csv":
        return parse_csv_file(data, unit_id, tz, deadline)
    raise PaperFormError([file_error(f"Jenis berkas tidak didukung ({describe_binary(data)}); "
                                     f"unggah CSV UTF-8 atau .xlsx.")])


# --------------------------------------------------------------------------- layouts

TEMPLATE, FORM = "template", LAYOUT
LAYOUTS = (TEMPLATE, FORM)


def detect_layout(header: list[Any]) -> str:
    """"template" when the header row has the template's response_id column (or an alias of it),
    otherwise "form" (a form service's export: question texts as headers)."""
    for h in header:
        if not _is_blank(h) and _HEADER_MAP.get(_norm_header(h)) == "response_id":
            return TEMPLATE
    return FORM


def parse_upload(data: bytes, unit_id: str, tz: str, deadline: Deadline | None = None, *,
                 layout: str | None = None, mapping: FormMapping | None = None) -> Parsed:
    """Parse an upload in either layout; `layout` None decides by the header row (`detect_layout`),
    a `mapping` (from an uploaded mapping file) means a form export. The result's `report` is what
    the preview shows. Raises PaperFormError (with the report when the header was read) or
    DeadlineExceeded."""
    deadline = deadline or Deadline.default()

    def consume(header: list[Any], rows: Iterator, fmt: str) -> Parsed:
        chosen = layout or (FORM if mapping is not None else detect_layout(header))
        if chosen == TEMPLATE:
            parsed = _parse_rows(rows, header, unit_id, tz, fmt, deadline)
            parsed.report = _template_report(header, parsed)
            return parsed
        data_rows = paper_formtool.collect(rows, deadline)
        got = paper_formtool.parse_rows(data_rows, header, unit_id, tz, fmt, deadline,
                                        mapping or load_mapping(None, unit_id))
        return Parsed(fmt, got.items, got.rows, got.loaded, got.report)

    fmt = detect_format(data)
    if fmt == "xlsx":
        return _xlsx_table(data, deadline, consume)
    if fmt == "csv":
        header, rows = _csv_records(data, deadline)
        return consume(header, rows, "csv")
    raise PaperFormError([file_error(f"Jenis berkas tidak didukung ({describe_binary(data)}); "
                                     f"unggah CSV UTF-8 atau .xlsx.")])


def _template_report(header: list[Any], parsed: Parsed) -> dict:
    from .paper_xlsx import column_letters
    columns = []
    for i, h in enumerate(header):
        if not _is_blank(h):
            canon = _HEADER_MAP.get(_norm_header(h))
            columns.append({"column": column_letters(i + 1), "header": shown(h, MAX_HEADER_SHOWN), "target": canon,
                            "kind": "unsur" if canon in ELEMENTS else "column"})
    return {"layout": TEMPLATE, "format": parsed.format, "rows": len(parsed.items), "columns": columns,
            "sample": [{"row": r, "response_id": it.get("response_id"), "submitted_at": it.get("submitted_at"),
                        "answers": it.get("answers", {}), "respondent": it.get("respondent", {})}
                       for r, it in zip(parsed.rows[:SAMPLE_ROWS], parsed.items[:SAMPLE_ROWS], strict=True)]}
