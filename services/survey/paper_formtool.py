"""Rows of a form-service export (one respondent per row, question texts as headers, answer labels
as values) → the same validated `ResponseSchema` input as a paper questionnaire, plus the report
the preview shows (the mapping used, the labels seen, what was ignored or not matched).

Pure (no Flask, no store). The header row is matched by `form_mapping.resolve`; every cell error
carries its spreadsheet row, the target column (an unsur key, `submitted_at`, ...), the header as
written and the cell reference (`"cell": "C5"`).

Respondent ids: form services write none (Google Forms) or one that is only unique within a form
(Microsoft Forms' `ID`). The response id is therefore derived, `fx-` + 24 hex digits of SHA-256:
of the tool's respondent id and the submission time when a column holds one, otherwise of the
submission time, the nine answer cells as written and the occurrence of that combination in the
file. The same export uploaded again (as CSV or as XLSX) gives the same ids, so a repeat is an
idempotent replay, and rows appended by a later export get new ones. A response edited in the form
service after an import is a new response when no id column exists (void the old one).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import orjson
from marshmallow import ValidationError

from pantau.problems import flatten_errors
from pantau.rules.ikm import ELEMENT_LABELS, ELEMENTS

from . import form_mapping as fm
from .paper_budget import Deadline
from .paper_cells import _Cell, _is_blank, _to_submitted, _to_text
from .paper_errors import PaperFormError, file_error
from .schemas import MAX_BATCH, ResponseSchema

LAYOUT = "form"
MAX_ERRORS = 500  # listed in one answer; the rest are counted
SAMPLE_ROWS = 5
MAX_UNRECOGNISED = 20  # distinct unrecognised values listed per profile column

_TIME = r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:\.\d{1,6})?)?\s*([AaPp][Mm])?"
_ZONE = r"(?:\s*(?:GMT|UTC)\s*([+-]\d{1,2})(?::?(\d{2}))?)?"
_YMD = re.compile(r"^(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:[ T]+" + _TIME + _ZONE + r")?$")
_XMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+" + _TIME + _ZONE + r")?$")
_HELP = ("Isi waktu pengisian seperti 2026-03-10 09:30:00, 10/03/2026 09.30.00 atau 2026/03/10 9:30:00 AM "
         "GMT+8, atau tanggal saja.")


class FormRows:
    """What `parse_rows` gives: the items (and their loaded form and rows) and the report."""

    def __init__(self) -> None:
        self.items: list[dict] = []
        self.loaded: list[dict] = []
        self.rows: list[int] = []
        self.report: dict[str, Any] = {}


def submitted_at(value: Any, zone: ZoneInfo, has_time: bool | None, date_order: str, utc: bool) -> str:
    """An RFC 3339 string with offset from a form service's timestamp cell; ValueError(message)."""
    if isinstance(value, (datetime, date)):
        if utc and isinstance(value, datetime) and value.tzinfo is None and has_time is not False:
            return value.replace(tzinfo=timezone.utc).isoformat()
        return _to_submitted(value, zone, has_time)
    if not isinstance(value, str):
        raise ValueError(_HELP)
    s = value.strip()
    m = _YMD.match(s)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    elif m := _XMY.match(s):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        d, mo = (a, b) if date_order == "dmy" else (b, a)
    else:
        try:
            out = _to_submitted(s, zone, None)  # RFC 3339 / ISO forms (KoboToolbox start, end)
        except ValueError:
            raise ValueError(_HELP) from None
        if utc and not re.search(r"(?:[Zz]|[+-]\d{2}:\d{2})$", s) and ("T" in s or " " in s):
            return datetime.fromisoformat(s.replace(" ", "T", 1)).replace(tzinfo=timezone.utc).isoformat()
        return out
    try:
        day = date(y, mo, d)
    except ValueError:
        hint = " (urutan tanggal dibaca bulan/hari/tahun: date_order mdy)" if date_order == "mdy" else \
            " (urutan dibaca hari/bulan/tahun; untuk bulan/hari/tahun isi date_order: mdy di berkas pemetaan)"
        raise ValueError(f"Tanggal tidak ada di kalender: {fm.shown(s)}{hint}.") from None
    if m[4] is None:
        return _to_submitted(day, zone, False)
    hour, minute, second = int(m[4]), int(m[5]), int(m[6] or 0)
    if m[7]:
        if not 1 <= hour <= 12:
            raise ValueError(f"Jam tidak valid: {fm.shown(s)}.")
        hour = hour % 12 + (12 if m[7].lower() == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"Jam tidak valid: {fm.shown(s)}.")
    if m[8] is not None:
        offset_h = int(m[8])
        if abs(offset_h) > 14:
            raise ValueError(f"Zona waktu tidak valid: {fm.shown(s)}.")
        sign = -1 if m[8].startswith("-") else 1
        tz: Any = timezone(sign * timedelta(hours=abs(offset_h), minutes=int(m[9] or 0)))
    else:
        tz = timezone.utc if utc else zone
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=tz).isoformat()


def _cell_error(row: int, col: fm.Column, message: str) -> dict:
    return {"row": row, "column": col.target, "pointer": f"/rows/{row}/{fm._esc(col.target)}", "field": col.target,
            "message": message, "header": col.header, "cell": f"{col.letter}{row}"}


def _response_id(key: list[Any]) -> str:
    return "fx-" + hashlib.sha256(orjson.dumps(key)).hexdigest()[:24]


def parse_rows(data_rows: list[tuple[int, list[_Cell]]], header: list[Any], unit_id: str, tz: str, fmt: str,
               deadline: Deadline, mapping: fm.FormMapping) -> FormRows:
    """`data_rows`: the non-blank rows after the header (at most MAX_BATCH, checked by the caller).
    Raises FormFileError (a PaperFormError with the report) listing every problem."""
    width = max([len(header)] + [len(c) for _, c in data_rows])

    def has_data(i: int) -> bool:
        return any(i < len(cells) and not _is_blank(cells[i].value) for _, cells in data_rows)
    res = fm.resolve(list(header) + [None] * (width - len(header)), mapping, has_data)
    out = FormRows()
    out.report = _report(res, mapping, fmt, len(data_rows), tz)
    if res.errors:
        raise PaperFormError(res.errors, out.report)
    if not data_rows:
        raise PaperFormError([file_error("Berkas hanya berisi baris judul; tidak ada baris data.")], out.report)

    zone = ZoneInfo(mapping.timezone or tz)
    schema = ResponseSchema()
    errors: list[dict] = []
    dropped = 0
    seen_labels: dict[str, dict[str, int]] = {el: {} for el in ELEMENTS}
    unrecognised: dict[str, dict[str, int]] = {}
    occurrences: dict[str, int] = {}
    first_row_of: dict[str, int] = {}
    cols = res.columns
    for number, cells in data_rows:
        deadline.check()
        row_errors: list[dict] = []

        def cell(target: str, cells=cells) -> _Cell | None:
            c = cols.get(target)
            if c is None or c.index >= len(cells) or _is_blank(cells[c.index].value):
                return None
            return cells[c.index]

        item: dict[str, Any] = {"unit_id": unit_id}
        ts_cell = cell("submitted_at")
        ts: str | None = None
        if ts_cell is None:
            row_errors.append(_cell_error(number, cols["submitted_at"], "Waktu pengisian kosong."))
        else:
            try:
                ts = submitted_at(ts_cell.value, zone, ts_cell.has_time, mapping.date_order, res.utc)
                item["submitted_at"] = ts
            except ValueError as exc:
                row_errors.append(_cell_error(number, cols["submitted_at"], str(exc)))
        answers: dict[str, int] = {}
        raw_answers: list[str] = []
        for el in ELEMENTS:
            c = cell(el)
            col = cols[el]
            if c is None:
                raw_answers.append("")
                row_errors.append(_cell_error(number, col, f"Jawaban unsur {el} ({ELEMENT_LABELS[el]}) kosong."))
                continue
            raw_answers.append(fm.norm(_to_text(c.value)))
            hit = fm.score(mapping, el, c.value)
            if hit is None:
                row_errors.append(_cell_error(
                    number, col, f"Jawaban '{fm.shown(c.value)}' tidak dikenal untuk unsur {el} "
                                 f"({ELEMENT_LABELS[el]}) di sel {col.letter}{number}. Pilihan: "
                                 f"{', '.join(fm.choices(mapping, el))} (atau angka 1-4); label lain dapat "
                                 f"ditambahkan di berkas pemetaan (labels)."))
                continue
            answers[el] = hit[0]
            label = fm.shown(c.value)
            labels = seen_labels[el]
            if label in labels or len(labels) < 20:
                labels[label] = hit[0]
        item["answers"] = answers
        id_cell = cell("response_id")
        if id_cell is not None:
            rid = _response_id(["id", _to_text(id_cell.value), ts])
        else:
            base = orjson.dumps([ts, raw_answers]).decode()
            occurrences[base] = occurrences.get(base, 0) + 1
            rid = _response_id(["row", ts, raw_answers, occurrences[base]])
        item["response_id"] = rid
        if (st := cell("service_type")) is not None:
            item["service_type"] = _to_text(st.value)
        item["channel"] = mapping.channel
        respondent: dict[str, Any] = {}
        for target in ("sex", "age", "education", "occupation"):
            c = cell(target)
            if c is None:
                continue
            value = fm.profile_value(mapping, target, c.value)
            if value is None:
                bucket = unrecognised.setdefault(target, {})
                shown = fm.shown(c.value)
                if shown in bucket or len(bucket) < MAX_UNRECOGNISED:
                    bucket[shown] = bucket.get(shown, 0) + 1
            else:
                respondent[target] = value
        if respondent:
            item["respondent"] = respondent
        if (sg := cell("suggestion")) is not None:
            item["suggestion"] = _to_text(sg.value)

        if not row_errors:
            try:
                out.loaded.append(schema.load(item))
            except ValidationError as exc:
                for e in flatten_errors(exc.messages):
                    parts = [p for p in e["pointer"].split("/") if p]
                    target = parts[1] if parts and parts[0] in ("answers", "respondent") and len(parts) > 1 else \
                        (parts[0] if parts else "response_id")
                    if target == "unit_id":
                        err = {**file_error(e["message"]), "pointer": "/unit_id", "field": "unit_id"}
                        if err not in errors:
                            errors.append(err)
                        continue
                    where = cols.get(target)
                    row_errors.append(_cell_error(number, where, e["message"]) if where else
                                      {"row": number, "column": target, "pointer": f"/rows/{number}/{target}",
                                       "field": target, "message": e["message"]})
        if rid in first_row_of and id_cell is not None:
            row_errors.append(_cell_error(number, cols["response_id"],
                                          f"Id responden '{fm.shown(id_cell.value)}' dengan waktu yang sama sudah ada "
                                          f"di baris {first_row_of[rid]}."))
        first_row_of.setdefault(rid, number)
        for e in row_errors:
            if len(errors) < MAX_ERRORS:
                errors.append(e)
            else:
                dropped += 1
        out.items.append(item)
        out.rows.append(number)
    out.report["labels"] = {el: seen_labels[el] for el in ELEMENTS}
    out.report["unrecognised_values"] = unrecognised
    out.report["sample"] = [_sample(r, it) for r, it in zip(out.rows[:SAMPLE_ROWS], out.items[:SAMPLE_ROWS],
                                                               strict=True)]
    if dropped:
        errors.append(file_error(f"{dropped} kesalahan lain tidak ditampilkan; perbaiki yang di atas lalu unggah "
                                 f"ulang."))
    if errors:
        raise PaperFormError(errors, out.report)
    return out


def _sample(row: int, item: dict) -> dict:
    return {"row": row, "response_id": item.get("response_id"), "submitted_at": item.get("submitted_at"),
            "answers": item.get("answers", {}), "respondent": item.get("respondent", {})}


def _column(c: fm.Column | None) -> dict | None:
    return None if c is None else {"column": c.letter, "header": c.header, "matched_by": c.matched_by}


def _report(res: fm.Resolution, mapping: fm.FormMapping, fmt: str, rows: int, tz: str) -> dict[str, Any]:
    columns = [{"column": c.letter, "header": c.header, "target": target,
                "kind": "unsur" if target in ELEMENTS else "profile" if target in fm.PROFILE else target,
                "matched_by": c.matched_by}
               for target, c in sorted(res.columns.items(), key=lambda tc: tc[1].index)]
    return {"layout": LAYOUT, "format": fmt, "mapping": mapping.source, "rows": rows, "columns": columns,
            "elements": {el: (res.columns[el].letter if el in res.columns else None) for el in ELEMENTS},
            "timestamp_column": _column(res.columns.get("submitted_at")),
            "timestamp_zone": "UTC" if res.utc else (mapping.timezone or tz), "date_order": mapping.date_order,
            "response_id_column": _column(res.columns.get("response_id")), "channel": mapping.channel,
            "ignored_columns": sorted(res.ignored, key=_letter_order),
            "unmatched_columns": sorted(res.unmatched, key=_letter_order)}


def _letter_order(entry: dict) -> tuple[int, str]:
    return len(entry["column"]), entry["column"]


def collect(rows: Iterable[tuple[int, list[_Cell]]], deadline: Deadline) -> list[tuple[int, list[_Cell]]]:
    """The non-blank rows, at most MAX_BATCH (else PaperFormError), checking the deadline."""
    out: list[tuple[int, list[_Cell]]] = []
    for number, cells in rows:
        deadline.check()
        if all(_is_blank(c.value) for c in cells):
            continue
        out.append((number, cells))
        if len(out) > MAX_BATCH:
            raise PaperFormError([file_error(f"Berkas berisi lebih dari {MAX_BATCH} baris data; "
                                             f"bagi menjadi beberapa berkas.")])
    return out
