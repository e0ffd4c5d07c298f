"""Documents of a forum: the signed Berita Acara and evidence of promises kept.

Uploads are multipart/form-data with a `file` field, checked and stored by content as
pantau/uploads.py does for every service: the type is decided by the file's first bytes (PDF,
PNG or JPEG; 415 otherwise), at most `uploads.MAX_DOCUMENT_BYTES` (413), stored once in the
`documents` collection with `_id` = SHA-256, and linked to the forum they were uploaded for in `doc_links` (`<fkp_id>:<sha256>`), which is
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
from flask import Response, request
from marshmallow import ValidationError
from pymongo.errors import DuplicateKeyError

from pantau import auth, uploads
from pantau.errors import Conflict, NotFound
from pantau.events import fkp as ev
from pantau.messages import msg
from pantau.problems import ProblemError, flatten_errors
from pantau.rules.fkp import HELD
from pantau.web import Blueprint, json_response

from . import store
from .responses import BeritaAcaraUploaded, Uploaded
from .schemas import SignatoriesSchema
from .store import forum_for

blp = Blueprint("fkp_documents", __name__, url_prefix="/v1/fkp",
                description="Berita Acara FKP dan dokumen bukti pemenuhan janji")
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
TYPES = (uploads.PDF, uploads.PNG, uploads.JPEG)
_FILE_OK = uploads.openapi_file(TYPES)
_ERRORS = uploads.openapi_errors(TYPES)


def save(fkp_id: str, data: bytes, ctype: str, kind: str) -> str:
    """Store the file (pantau/uploads.py) and link it to the forum it was uploaded for."""
    db = store.db()
    sha = uploads.save(db, data, ctype)
    try:
        db["doc_links"].insert_one({"_id": f"{fkp_id}:{sha}", "fkp_id": fkp_id, "sha256": sha, "kind": kind,
                                    "linked_at": datetime.now(timezone.utc)})
    except DuplicateKeyError:
        pass
    return sha


def _signatories() -> list[dict]:
    raw = request.form.get("signatories")
    if not raw:
        raise ProblemError(422, msg("The signatories list is required."),
                           errors=[{"pointer": "/signatories", "field": "signatories", "message": msg("Missing data for required field.")}])
    try:
        value = orjson.loads(raw)
        return SignatoriesSchema().load({"signatories": value})["signatories"]
    except orjson.JSONDecodeError:
        raise ProblemError(422, msg("signatories must be a JSON list."),
                           errors=[{"pointer": "/signatories", "field": "signatories",
                                    "message": msg("invalid JSON")}]) from None
    except ValidationError as exc:
        raise ProblemError(422, msg("Check the signatories."),
                           errors=flatten_errors(exc.messages)) from None


@blp.route("/<fkp_id>/berita-acara", methods=["POST"])
@blp.response(201, BeritaAcaraUploaded, description="Berita Acara tersimpan (versi baru).")
@blp.alt_response(200, schema=BeritaAcaraUploaded, description="Pengulangan: versi yang sama.", success=True)
# a multipart upload, checked by content (pantau/uploads.py), not a schema: its form stated by hand
@blp.doc(security=SECURITY, responses=_ERRORS, requestBody={"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "additionalProperties": False, "required": ["file", "signatories"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "Berita Acara bertanda tangan (PDF/PNG/JPEG)"},
        "signatories": {"type": "string", "description": 'JSON: [{"name", "position", "institution", "element"}]'}}}}}})
@auth.require()
def upload_berita_acara(fkp_id: str):
    """Unggah Berita Acara FKP yang sudah ditandatangani beserta daftar penanda tangan."""
    forum, docs = forum_for(fkp_id)
    if forum["stage"] not in HELD:
        raise Conflict(msg("A Berita Acara can be uploaded only for a forum that was held."))
    data, ctype, filename = uploads.read_upload(TYPES, texts=("signatories",))
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
    record = f"{store.forum_subject(fkp_id)}:{store.next_seq(docs[-1])}"
    sealed = {**private, "signatories": store.seal_people(fkp_id, record, "signatories", signatories)}
    store.append(store.forum_subject(fkp_id), ev.BERITA_ACARA_UPLOADED, event_data, forum["unit_id"], sealed,
                 docs[-1], store.digest(private))
    return json_response({**answer, "version": (ba or {}).get("version", 0) + 1}, 201)


def _file(sha: str, name: str) -> Response:
    return uploads.file_response(store.db()["documents"], sha, name)


@blp.route("/<fkp_id>/berita-acara", methods=["GET"])
@blp.response_doc(200, _FILE_OK["200"])
@blp.doc(security=SECURITY)
@auth.require()
def download_berita_acara(fkp_id: str):
    """Unduh Berita Acara terbaru FKP ini."""
    forum, _ = forum_for(fkp_id)
    ba = forum["berita_acara"]
    if ba is None:
        raise NotFound(msg("No Berita Acara uploaded yet."))
    return _file(ba["sha256"], f"berita-acara-{fkp_id}.{ba['content_type'].split('/')[1]}")


@blp.route("/<fkp_id>/documents", methods=["POST"])
@blp.response(201, Uploaded, description="Dokumen bukti tersimpan.")
# a multipart upload, checked by content (pantau/uploads.py), not a schema: its form stated by hand
@blp.doc(security=SECURITY, responses=_ERRORS, requestBody={"required": True, "content": {"multipart/form-data": {
    "schema": {"type": "object", "additionalProperties": False, "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "Dokumen bukti (PDF/PNG/JPEG)"}}}}}})
@auth.require()
def upload_document(fkp_id: str):
    """Unggah dokumen bukti pemenuhan janji; sebutkan sha256-nya di evidence laporan kemajuan."""
    forum_for(fkp_id)
    data, ctype, _ = uploads.read_upload(TYPES)
    sha = save(fkp_id, data, ctype, "evidence")
    return json_response({"fkp_id": fkp_id, "sha256": sha, "size": len(data), "content_type": ctype}, 201)


@blp.route("/<fkp_id>/documents/<sha256>", methods=["GET"])
@blp.response_doc(200, _FILE_OK["200"])
@blp.doc(security=SECURITY)
@auth.require()
def download_document(fkp_id: str, sha256: str):
    """Unduh dokumen yang diunggah untuk FKP ini."""
    forum_for(fkp_id)
    if store.db()["doc_links"].find_one({"_id": f"{fkp_id}:{sha256}"}, projection={"_id": 1}) is None:
        raise NotFound(msg("No such document on this forum."))
    return _file(sha256, sha256)
