"""Upload of digitised paper SKM questionnaires (CSV/XLSX) and their fill-in templates, and of
the CSV/XLSX a form service (Google Forms, Microsoft Forms, KoboToolbox, ...) exports.

`POST /v1/skm/paper-forms` (multipart: `unit_id`, `file`, optional `layout` and `mapping`) parses
the file with `services.survey.paper`, then stores every row through the same all-or-nothing
intake as `POST /v1/skm/responses`; errors point at the spreadsheet row (`/rows/<row>/<column>`,
header = row 1). `layout` is `template` (Pantau's template) or `form` (a form-service export:
question texts as headers, answer labels as values, mapped by `services.survey.form_mapping`);
absent, a `mapping` file means `form`, otherwise the header row decides (a `response_id` column:
template). `POST /v1/skm/paper-forms/preview` takes the same fields and answers the mapping it
would use and the first rows' scores, storing nothing. The parse runs within the limits and the
deadline of `paper_budget`; a deadline that passes before anything is stored answers 503 with
Retry-After.
"""
from __future__ import annotations

from typing import Any

from flask import Response, g, request

from pantau import auth, metrics, uploads
from pantau.config import settings
from pantau.errors import DomainError
from pantau.events import skm as ev
from pantau.messages import msg
from pantau.problems import ProblemError
from pantau.units import Registry
from pantau.web import Blueprint, json_response

from . import intake, paper
from .api import events
from .form_mapping import MAX_MAPPING_BYTES, MappingError, load_mapping
from .paper_budget import Deadline, DeadlineExceeded
from .responses import PaperAccepted, Preview
from .schemas import MAX_BATCH

blp = Blueprint("skm_paper", __name__, url_prefix="/v1/skm/paper-forms",
                description="Unggah kuesioner SKM kertas yang sudah didigitalkan (CSV/XLSX)")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILENAME = "template-kuesioner-skm"

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_UPLOAD_BODY = {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "additionalProperties": False, "required": ["unit_id", "file"], "properties": {
        "unit_id": {"type": "string", "description": "Unit pelayanan pemilik kuesioner (mis. samsat-bontang)."},
        "file": {"type": "string", "format": "binary",
                 "description": "CSV UTF-8 (pemisah , atau ;) atau XLSX; baris 1 = judul kolom, "
                                f"satu responden per baris, maks. {MAX_BATCH} baris. Templat Pantau, atau ekspor "
                                "layanan formulir (Google Forms, Microsoft Forms, KoboToolbox): judul kolom = teks "
                                "pertanyaan, isi = label jawaban 1-4 PermenPANRB 14/2017, dengan kolom waktu "
                                "pengisian (Timestamp, Stempel waktu, Completion time, ...)."},
        "layout": {"type": "string", "enum": list(paper.LAYOUTS),
                   "description": "template (templat Pantau) atau form (ekspor layanan formulir). Kosong: form bila "
                                  "ada berkas mapping, selain itu template bila baris judul punya kolom response_id."},
        "mapping": {"type": "string", "format": "binary",
                    "description": f"Berkas pemetaan YAML (maks. {MAX_MAPPING_BYTES // 1024} KB) untuk ekspor "
                                   "layanan formulir: columns (judul/teks pertanyaan → unsur, profil, submitted_at, "
                                   "response_id, ignore), labels (label → skor 1-4 per unsur, '*' untuk semua), "
                                   "date_order, timezone, channel, units (per unit). Diletakkan di atas pemetaan "
                                   "bawaan (services/survey/form_mapping_default.yaml). Tidak bersama layout template "
                                   "(422)."}}},
    "encoding": {"file": {"contentType": f"text/csv, {XLSX_TYPE}"},
                 "mapping": {"contentType": "application/yaml, text/yaml, text/plain"}}}}}


@blp.route("/template.csv", methods=["GET"])
@blp.response(200, {"type": "string"}, content_type="text/csv",
              description="Templat CSV (judul kolom dan satu baris contoh).")
def template_csv():
    """Unduh templat CSV kuesioner SKM kertas."""
    return Response(paper.template_csv(), status=200, headers={
        "Content-Type": CSV_TYPE, "Content-Disposition": f'attachment; filename="{FILENAME}.csv"'})


@blp.route("/template.xlsx", methods=["GET"])
@blp.response(200, {"type": "string", "format": "binary"}, content_type=XLSX_TYPE,
              description="Templat XLSX: lembar Kuesioner (dengan daftar pilihan) dan lembar Petunjuk.")
def template_xlsx():
    """Unduh templat XLSX kuesioner SKM kertas (dengan lembar Petunjuk)."""
    return Response(paper.template_xlsx(), status=200, headers={
        "Content-Type": XLSX_TYPE, "Content-Disposition": f'attachment; filename="{FILENAME}.xlsx"'})


def _read_upload() -> tuple[str, bytes, str | None, object | None]:
    """The checked form fields: unit id, file bytes, layout (or None) and the mapping (or None)."""
    if (request.mimetype or "").lower() != "multipart/form-data":
        raise ProblemError(415, msg("Send multipart/form-data with the fields unit_id and file."))
    uploads.check_form(("file", "mapping"), ("unit_id", "layout"))
    unit_id = (request.form.get("unit_id") or "").strip()
    upload_file = request.files.get("file")
    missing = [{"pointer": f"/{name}", "field": name, "message": msg("Missing data for required field.")}
               for name, present in (("unit_id", bool(unit_id)), ("file", upload_file is not None)) if not present]
    if missing:
        raise ProblemError(422, msg("The upload form is incomplete."), errors=missing)
    auth.check_unit(unit_id, "/unit_id")
    unit = Registry.instance().get(unit_id)
    if unit is None or unit.kind == "province":
        raise ProblemError(422, msg("Unknown unit."), errors=[
            {"pointer": "/unit_id", "field": "unit_id",
             "message": msg("unit %(unit_id)r is not a registered service unit", unit_id=unit_id)}])
    layout = (request.form.get("layout") or "").strip().lower() or None
    if layout is not None and layout not in paper.LAYOUTS:
        raise ProblemError(422, msg("Unknown layout."), errors=[
            {"pointer": "/layout", "field": "layout", "message": msg("Must be one of: %(choices)s.", choices=", ".join(paper.LAYOUTS))}])
    mapping = None
    mapping_file = request.files.get("mapping")
    raw = mapping_file.read(MAX_MAPPING_BYTES + 1) if mapping_file is not None else b""
    if mapping_file is not None and (raw or mapping_file.filename):  # a browser's empty file part: none
        if layout == paper.TEMPLATE:
            raise ProblemError(422, msg("A mapping file is only for form-service exports (layout form)."), errors=[
                                   {"pointer": "/mapping", "field": "mapping",
                                    "message": msg("Remove the mapping file or choose the form layout.")}])
        try:
            mapping = load_mapping(raw, unit_id)
        except MappingError as exc:
            raise ProblemError(422, msg("The mapping file cannot be used; nothing was stored."),
                               errors=exc.errors) from None
    assert upload_file is not None  # a missing file part was answered 422 above
    data = upload_file.read()
    if paper.detect_format(data) is None:
        kind = paper.describe_binary(data)
        raise ProblemError(415, msg("Only CSV (UTF-8) or XLSX files are accepted; use the template.", kind=kind))
    return unit_id, data, layout, mapping


def _parse(unit_id: str, data: bytes, layout: str | None, mapping, deadline: Deadline) -> paper.Parsed:
    try:
        parsed = paper.parse_upload(data, unit_id, settings().tz, deadline, layout=layout, mapping=mapping)
        deadline.check()  # the last moment at which giving up stores nothing
    except paper.PaperFormError as exc:
        extra: dict[str, Any] = {"preview": exc.report} if exc.report is not None else {}
        raise ProblemError(422, msg("Check the rows and columns listed; nothing was stored."),
                           errors=exc.errors, **extra) from None
    except DeadlineExceeded as exc:
        raise ProblemError(503, msg("The file was not read within %(seconds)g s; nothing was stored. Try again "
                                    "later or split the file.", seconds=exc.seconds),
                           headers={"Retry-After": "30"}) from None
    return parsed


_UPLOAD_ERRORS = {
    "403": {"description": "Kunci API bukan untuk unit ini.", "content": _PROBLEM},
    "415": {"description": "Bukan multipart/form-data, atau berkas bukan CSV/XLSX.", "content": _PROBLEM},
    "422": {"description": "Unit tidak dikenal, layout atau berkas pemetaan tidak valid (pointer /mapping/...), ada "
                           "baris yang salah (errors: row, column, pointer /rows/<baris>/<kolom>, message; ekspor "
                           "formulir juga header dan cell, mis. C5: label jawaban tidak dikenal, waktu tidak "
                           "terbaca), baris judul tanpa unsur atau waktu pengisian, dua kolom untuk satu unsur, atau "
                           "berkas melewati batas (lebar, jumlah baris, ukuran setelah dibuka); `preview` memuat "
                           "pemetaan yang terbaca. Tidak ada yang disimpan.", "content": _PROBLEM},
    "503": {"description": "Berkas tidak selesai dibaca dalam batas waktu; tidak ada yang disimpan (Retry-After).",
            "content": _PROBLEM},
}


@blp.route("/preview", methods=["POST"])
@blp.response(200, Preview, description=(
    "Pemetaan yang akan dipakai, tanpa menyimpan apa pun: layout, format, columns (kolom → "
    "unsur/profil/submitted_at/response_id, matched_by default|file), elements (unsur → "
    "kolom), timestamp_column, timestamp_zone, date_order, response_id_column, "
    "ignored_columns (dengan alasan), unmatched_columns (disebut namanya), labels (label yang "
    "terbaca per unsur → skor), unrecognised_values (isian profil yang tidak dikenal, "
    "tidak disimpan), rows, sample (baris pertama dengan skornya dan response_id)."))
# a multipart upload (CSV/XLSX and an optional mapping), read by the paper parser, not a schema
@blp.doc(security=[{"bearer": []}], requestBody=_UPLOAD_BODY, responses=_UPLOAD_ERRORS)
@auth.require()
def preview():
    """Pratinjau unggahan (templat atau ekspor formulir): pemetaan kolom dan skor baris pertama, tanpa menyimpan."""
    deadline = Deadline.default()
    unit_id, data, layout, mapping = _read_upload()
    parsed = _parse(unit_id, data, layout, mapping, deadline)
    return json_response({"unit_id": unit_id, "stored": False, **(parsed.report or {})}, 200)


@blp.route("", methods=["POST"])
@blp.response(202, PaperAccepted, description=(
    "Semua baris diterima (idempoten per response_id). Ekspor layanan formulir: juga layout, "
    "ignored_columns, unmatched_columns dan unrecognised_values seperti pada pratinjau."))
# a multipart upload (CSV/XLSX and an optional mapping), read by the paper parser, not a schema
@blp.doc(security=[{"bearer": []}], requestBody=_UPLOAD_BODY, responses={
    "409": {"description": "response_id sudah tercatat dengan isi berbeda; tidak ada yang disimpan.",
            "content": _PROBLEM},
    **_UPLOAD_ERRORS})
@auth.require()
def upload():
    """Unggah kuesioner kertas atau ekspor layanan formulir (CSV/XLSX) untuk satu unit; semua baris atau tidak sama sekali."""
    deadline = Deadline.default()
    unit_id, data, layout, mapping = _read_upload()
    parsed = _parse(unit_id, data, layout, mapping, deadline)
    items = parsed.loaded  # each row was validated by ResponseSchema while parsing

    rows = parsed.rows  # spreadsheet row of each item (= index + 2 unless blank rows were skipped)

    def pointer_of(i: int) -> str:
        return f"/rows/{rows[i]}"

    try:
        answer = intake.record(events(), items, g.principal, g.get("correlation_id"), pointer_of)
    except (ProblemError, DomainError) as exc:  # the store's and the rules' refusals alike
        for e in exc.errors or ():
            if isinstance(e.get("index"), int):
                e.setdefault("row", rows[e["index"]])
                e.setdefault("column", e.get("field"))
        raise
    if answer["new"]:
        metrics.EVENTS_STORED.labels("survey", ev.RESPONSE_RECORDED).inc(answer["new"])
    report = parsed.report or {}
    if report.get("layout") == paper.FORM:
        answer = {**answer, **{k: report[k] for k in ("layout", "ignored_columns", "unmatched_columns",
                                                      "unrecognised_values")}}
    headers = {"Idempotent-Replay": "true"} if answer["new"] == 0 else {}
    return json_response(answer, 202, headers)
