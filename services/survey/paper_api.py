"""Upload of digitised paper SKM questionnaires (CSV/XLSX) and their fill-in templates.

`POST /v1/skm/paper-forms` (multipart: `unit_id`, `file`) parses the file with
`services.survey.paper`, then stores every row through the same all-or-nothing intake as
`POST /v1/skm/responses`; errors point at the spreadsheet row (`/rows/<row>/<column>`,
header = row 1). The parse runs within the limits and the deadline of `paper_budget`; a
deadline that passes before anything is stored answers 503 with Retry-After.
"""
from __future__ import annotations

from flask import Response, g, request

from pantau import auth, metrics
from pantau.config import settings
from pantau.events import skm as ev
from pantau.problems import ProblemError
from pantau.units import Registry
from pantau.web import Blueprint, json_response

from . import intake, paper
from .api import events
from .paper_budget import Deadline, DeadlineExceeded
from .schemas import MAX_BATCH, AcceptedSchema

blp = Blueprint("skm_paper", __name__, url_prefix="/v1/skm/paper-forms",
                description="Unggah kuesioner SKM kertas yang sudah didigitalkan (CSV/XLSX)")

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILENAME = "template-kuesioner-skm"

_PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}
_UPLOAD_BODY = {"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["unit_id", "file"], "properties": {
        "unit_id": {"type": "string", "description": "Unit pelayanan pemilik kuesioner (mis. samsat-bontang)."},
        "file": {"type": "string", "format": "binary",
                 "description": "CSV UTF-8 (pemisah , atau ;) atau XLSX; baris 1 = judul kolom, "
                                f"satu responden per baris, maks. {MAX_BATCH} baris. Lihat templat."}}},
    "encoding": {"file": {"contentType": f"text/csv, {XLSX_TYPE}"}}}}}


@blp.route("/template.csv", methods=["GET"])
@blp.doc(responses={"200": {"description": "Templat CSV (judul kolom dan satu baris contoh).",
                            "content": {"text/csv": {"schema": {"type": "string"}}}}})
def template_csv():
    """Unduh templat CSV kuesioner SKM kertas."""
    return Response(paper.template_csv(), status=200, headers={
        "Content-Type": CSV_TYPE, "Content-Disposition": f'attachment; filename="{FILENAME}.csv"'})


@blp.route("/template.xlsx", methods=["GET"])
@blp.doc(responses={"200": {"description": "Templat XLSX: lembar Kuesioner (dengan daftar pilihan) "
                                           "dan lembar Petunjuk.",
                            "content": {XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}}}})
def template_xlsx():
    """Unduh templat XLSX kuesioner SKM kertas (dengan lembar Petunjuk)."""
    return Response(paper.template_xlsx(), status=200, headers={
        "Content-Type": XLSX_TYPE, "Content-Disposition": f'attachment; filename="{FILENAME}.xlsx"'})


@blp.route("", methods=["POST"])
@blp.doc(security=[{"bearer": []}], requestBody=_UPLOAD_BODY, responses={
    "202": {"description": "Semua baris diterima (idempoten per response_id).",
            "content": {"application/json": {"schema": AcceptedSchema}}},
    "403": {"description": "Kunci API bukan untuk unit ini.", "content": _PROBLEM},
    "409": {"description": "response_id sudah tercatat dengan isi berbeda; tidak ada yang disimpan.",
            "content": _PROBLEM},
    "415": {"description": "Bukan multipart/form-data, atau berkas bukan CSV/XLSX.", "content": _PROBLEM},
    "422": {"description": "Unit tidak dikenal, ada baris yang salah (errors: row, column, pointer "
                           "/rows/<baris>/<kolom>, message), atau berkas melewati batas (lebar, jumlah baris, "
                           "ukuran setelah dibuka); tidak ada yang disimpan.", "content": _PROBLEM},
    "503": {"description": "Berkas tidak selesai dibaca dalam batas waktu; tidak ada yang disimpan (Retry-After).",
            "content": _PROBLEM},
})
@auth.require()
def upload():
    """Unggah kuesioner kertas (CSV atau XLSX) untuk satu unit; semua baris diterima atau tidak sama sekali."""
    deadline = Deadline.default()
    if (request.mimetype or "").lower() != "multipart/form-data":
        raise ProblemError(415, "Kirim sebagai multipart/form-data dengan isian unit_id dan file.",
                           detail_en="Send multipart/form-data with the fields unit_id and file.")
    unit_id = (request.form.get("unit_id") or "").strip()
    upload_file = request.files.get("file")
    missing = [{"pointer": f"/{name}", "field": name, "message": "Wajib diisi."}
               for name, present in (("unit_id", bool(unit_id)), ("file", upload_file is not None)) if not present]
    if missing:
        raise ProblemError(422, "Isian formulir unggah belum lengkap.",
                           detail_en="The upload form is incomplete.", errors=missing)
    auth.check_unit(unit_id, "/unit_id")
    unit = Registry.instance().get(unit_id)
    if unit is None or unit.kind == "province":
        raise ProblemError(422, "Unit tidak dikenal.", detail_en="Unknown unit.", errors=[
            {"pointer": "/unit_id", "field": "unit_id",
             "message": f"unit {unit_id!r} tidak terdaftar sebagai unit pelayanan"}])

    data = upload_file.read()
    fmt = paper.detect_format(data)
    if fmt is None:
        kind = paper.describe_binary(data)
        raise ProblemError(415, f"Berkas {kind} tidak didukung; unggah CSV (UTF-8) atau XLSX sesuai templat.",
                           detail_en="Only CSV (UTF-8) or XLSX files are accepted; use the template.")
    try:
        parsed = paper.parse_file(data, unit_id, settings().tz, deadline)
        deadline.check()  # the last moment at which giving up stores nothing
    except paper.PaperFormError as exc:
        raise ProblemError(422, "Periksa baris dan kolom yang ditandai; tidak ada yang disimpan.",
                           detail_en="Check the rows and columns listed; nothing was stored.",
                           errors=exc.errors) from None
    except DeadlineExceeded as exc:
        raise ProblemError(503, f"Berkas tidak selesai dibaca dalam {exc.seconds:g} detik; tidak ada yang "
                                f"disimpan. Coba lagi nanti atau bagi menjadi beberapa berkas.",
                           detail_en=f"The file was not read within {exc.seconds:g} s; nothing was stored. "
                                     f"Try again later or split the file.",
                           headers={"Retry-After": "30"}) from None
    items = parsed.loaded  # each row was validated by ResponseSchema while parsing

    rows = parsed.rows  # spreadsheet row of each item (= index + 2 unless blank rows were skipped)

    def pointer_of(i: int) -> str:
        return f"/rows/{rows[i]}"

    try:
        answer = intake.record(events(), items, g.principal, g.get("correlation_id"), pointer_of)
    except ProblemError as exc:
        for e in exc.errors or ():
            if isinstance(e.get("index"), int):
                e.setdefault("row", rows[e["index"]])
                e.setdefault("column", e.get("field"))
        raise
    if answer["new"]:
        metrics.EVENTS_STORED.labels("survey", ev.RESPONSE_RECORDED).inc(answer["new"])
    headers = {"Idempotent-Replay": "true"} if answer["new"] == 0 else {}
    return json_response(answer, 202, headers)
