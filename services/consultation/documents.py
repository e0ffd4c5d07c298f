"""Documents of a forum: the signed Berita Acara and evidence of promises kept.

Uploads are multipart/form-data with a `file` field. The type is decided by the file's first
bytes, never by its name or declared type: PDF, PNG or JPEG (415 otherwise). A file may be at
most `MAX_DOCUMENT_BYTES` (413). Files are content-addressed: stored once in the `documents`
collection with `_id` = SHA-256 (one document each: FerretDB's limit is 16 MB per document),
and linked to the forum they were uploaded for in `doc_links` (`<fkp_id>:<sha256>`), which is
what grants the forum's unit (and the bureau) the right to download them.

- `POST /v1/fkp/{fkp_id}/berita-acara` (`file` + `signatories`, a JSON list of
  {name, position, institution, element}): only for a forum that was held; the event carries the
  SHA-256, size, content type and the number of signatories, never their names. Uploading the
  same file with the same signatories again is an idempotent repeat; a different one is a new
  version (the latest counts).
- `GET /v1/fkp/{fkp_id}/berita-acara`: the latest Berita Acara file.
- `POST /v1/fkp/{fkp_id}/documents` (`file`): an evidence document; answers its `sha256`, which
  progress reports cite in `evidence[].sha256`. `GET /v1/fkp/{fkp_id}/documents/{sha256}`.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import orjson
from bson import Binary
from flask import Response, request
from marshmallow import ValidationError
from pymongo.errors import DuplicateKeyError

from pantau import auth
from pantau.events import fkp as ev
from pantau.inputs import check_text
from pantau.problems import ProblemError, flatten_errors
from pantau.rules.fkp import HELD
from pantau.web import Blueprint, json_response

from . import store
from .schemas import SignatoriesSchema
from .store import forum_for

blp = Blueprint("fkp_documents", __name__, url_prefix="/v1/fkp",
                description="Berita Acara FKP dan dokumen bukti pemenuhan janji")
SECURITY = [{"bearer": []}]
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_FILENAME = 255
FORM_OVERHEAD = 256 * 1024  # multipart boundaries, headers and the signatories field
SIGNATURES = ((b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))
_PROBLEM = {"application/problem+json": {"schema": {"type": "object"}}}
_FILE_OK = {"200": {"description": "Berkas (PDF/PNG/JPEG) sebagai lampiran; header X-Content-SHA256.",
                    "content": {ct: {"schema": {"type": "string", "format": "binary"}} for _, ct in SIGNATURES}}}
_ERRORS = {"413": {"description": f"Berkas lebih dari {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.", "content": _PROBLEM},
           "415": {"description": "Bukan multipart/form-data, atau berkas bukan PDF/PNG/JPEG.", "content": _PROBLEM}}


def sniff(data: bytes) -> str | None:
    """The content type decided by magic bytes (PDF, PNG, JPEG), or None."""
    for magic, ctype in SIGNATURES:
        if data.startswith(magic):
            return ctype
    return None


def _too_large() -> ProblemError:
    mb = MAX_DOCUMENT_BYTES // (1024 * 1024)
    return ProblemError(413, f"Berkas melebihi batas {mb} MB; unggah berkas yang lebih kecil (mis. pindaian "
                             "dengan resolusi lebih rendah).", detail_en=f"The file exceeds the {mb} MB limit.",
                        limit_bytes=MAX_DOCUMENT_BYTES)


def read_upload() -> tuple[bytes, str, str | None]:
    """(bytes, detected content type, original filename) of the `file` field, or a problem."""
    if (request.mimetype or "").lower() != "multipart/form-data":
        raise ProblemError(415, "Kirim sebagai multipart/form-data dengan isian file.",
                           detail_en="Send multipart/form-data with a file field.")
    if request.content_length is not None and request.content_length > MAX_DOCUMENT_BYTES + FORM_OVERHEAD:
        raise _too_large()
    request.max_content_length = MAX_DOCUMENT_BYTES + FORM_OVERHEAD  # this route only (Flask ≥ 3.1)
    upload = request.files.get("file")
    if upload is None:
        raise ProblemError(422, "Isian file wajib diisi.", detail_en="The file field is required.",
                           errors=[{"pointer": "/file", "field": "file", "message": "Wajib diisi."}])
    data = upload.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _too_large()
    ctype = sniff(data)
    if ctype is None:
        raise ProblemError(415, "Berkas harus PDF, PNG atau JPEG (diperiksa dari isi berkas, bukan namanya).",
                           detail_en="The file must be a PDF, PNG or JPEG (checked by content, not by name).")
    try:  # the name is kept with the Berita Acara: bounded text like every other field
        filename = check_text(upload.filename, 0, MAX_FILENAME) if upload.filename else None
    except ValidationError as exc:
        raise ProblemError(422, "Nama berkas tidak valid.", detail_en="Invalid file name.",
                           errors=flatten_errors({"file": exc.messages})) from None
    return data, ctype, filename


def save(fkp_id: str, data: bytes, ctype: str, kind: str) -> str:
    sha = hashlib.sha256(data).hexdigest()
    db = store.db()
    now = datetime.now(timezone.utc)
    try:
        db["documents"].insert_one({"_id": sha, "content_type": ctype, "size": len(data), "data": Binary(data),
                                    "stored_at": now})
    except DuplicateKeyError:
        pass  # the same bytes were stored before
    try:
        db["doc_links"].insert_one({"_id": f"{fkp_id}:{sha}", "fkp_id": fkp_id, "sha256": sha, "kind": kind,
                                    "linked_at": now})
    except DuplicateKeyError:
        pass
    return sha


def _signatories() -> list[dict]:
    raw = request.form.get("signatories")
    if not raw:
        raise ProblemError(422, "Daftar penanda tangan (signatories) wajib diisi.",
                           detail_en="The signatories list is required.",
                           errors=[{"pointer": "/signatories", "field": "signatories", "message": "Wajib diisi."}])
    try:
        value = orjson.loads(raw)
        return SignatoriesSchema().load({"signatories": value})["signatories"]
    except orjson.JSONDecodeError:
        raise ProblemError(422, "signatories harus berupa daftar JSON.", detail_en="signatories must be a JSON list.",
                           errors=[{"pointer": "/signatories", "field": "signatories",
                                    "message": "JSON tidak valid"}]) from None
    except ValidationError as exc:
        raise ProblemError(422, "Periksa daftar penanda tangan.", detail_en="Check the signatories.",
                           errors=flatten_errors(exc.messages)) from None


@blp.route("/<fkp_id>/berita-acara", methods=["POST"])
@blp.doc(security=SECURITY, responses=_ERRORS, requestBody={"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["file", "signatories"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "Berita Acara bertanda tangan (PDF/PNG/JPEG)"},
        "signatories": {"type": "string", "description": 'JSON: [{"name", "position", "institution", "element"}]'}}}}}})
@auth.require()
def upload_berita_acara(fkp_id: str):
    """Unggah Berita Acara FKP yang sudah ditandatangani beserta daftar penanda tangan."""
    forum, docs = forum_for(fkp_id)
    if forum["stage"] not in HELD:
        raise ProblemError(409, "Berita Acara hanya dapat diunggah untuk FKP yang sudah dilaksanakan (tahap held).",
                           detail_en="A Berita Acara can be uploaded only for a forum that was held.")
    data, ctype, filename = read_upload()
    signatories = _signatories()
    sha = hashlib.sha256(data).hexdigest()
    private = {"sha256": sha, "signatories": signatories, "filename": filename}
    ba = forum["berita_acara"]
    answer = {"fkp_id": fkp_id, "sha256": sha, "size": len(data), "content_type": ctype,
              "signatory_count": len(signatories)}
    if ba and ba["sha256"] == sha and ba["signatories"] == signatories:
        store.heal(store.forum_subject(fkp_id))
        return json_response({**answer, "version": ba["version"]}, 200, {"Idempotent-Replay": "true"})
    save(fkp_id, data, ctype, "berita_acara")
    event_data = {"unit_id": forum["unit_id"], "fkp_id": fkp_id, "sha256": sha, "size": len(data),
                  "content_type": ctype, "signatory_count": len(signatories)}
    store.append(store.forum_subject(fkp_id), ev.BERITA_ACARA_UPLOADED, event_data, forum["unit_id"], private,
                 docs[-1])
    return json_response({**answer, "version": (ba or {}).get("version", 0) + 1}, 201)


def _file(sha: str, name: str) -> Response:
    doc = store.db()["documents"].find_one({"_id": sha})
    if doc is None:
        raise ProblemError(404, "Dokumen tidak ditemukan.", detail_en="Document not found.")
    return Response(bytes(doc["data"]), status=200, headers={
        "Content-Type": doc["content_type"], "Content-Disposition": f'attachment; filename="{name}"',
        "X-Content-SHA256": sha})


@blp.route("/<fkp_id>/berita-acara", methods=["GET"])
@blp.doc(security=SECURITY, responses=_FILE_OK)
@auth.require()
def download_berita_acara(fkp_id: str):
    """Unduh Berita Acara terbaru FKP ini."""
    forum, _ = forum_for(fkp_id)
    ba = forum["berita_acara"]
    if ba is None:
        raise ProblemError(404, "Berita Acara belum diunggah.", detail_en="No Berita Acara uploaded yet.")
    return _file(ba["sha256"], f"berita-acara-{fkp_id}.{ba['content_type'].split('/')[1]}")


@blp.route("/<fkp_id>/documents", methods=["POST"])
@blp.doc(security=SECURITY, responses=_ERRORS, requestBody={"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "Dokumen bukti (PDF/PNG/JPEG)"}}}}}})
@auth.require()
def upload_document(fkp_id: str):
    """Unggah dokumen bukti pemenuhan janji; sebutkan sha256-nya di evidence laporan kemajuan."""
    forum_for(fkp_id)
    data, ctype, _ = read_upload()
    sha = save(fkp_id, data, ctype, "evidence")
    return json_response({"fkp_id": fkp_id, "sha256": sha, "size": len(data), "content_type": ctype}, 201)


@blp.route("/<fkp_id>/documents/<sha256>", methods=["GET"])
@blp.doc(security=SECURITY, responses=_FILE_OK)
@auth.require()
def download_document(fkp_id: str, sha256: str):
    """Unduh dokumen yang diunggah untuk FKP ini."""
    forum_for(fkp_id)
    if store.db()["doc_links"].find_one({"_id": f"{fkp_id}:{sha256}"}, projection={"_id": 1}) is None:
        raise ProblemError(404, "Dokumen tidak ditemukan pada FKP ini.", detail_en="No such document on this forum.")
    return _file(sha256, sha256)
