"""Uploaded files checked by content, stored by content (FKP documents, SKM summary report files).

- The type is decided by the file's first bytes, never by its name or declared type
  (`SIGNATURES`: PDF, PNG, JPEG; a route names the types it takes, 415 otherwise).
- A file may be at most `MAX_DOCUMENT_BYTES` (413), checked before the body is read when the
  request declares its length and again on the bytes.
- `check_pdf`: a file that must be a report is opened with pypdf and must have at least one
  page and no password to open it (422 otherwise): `%PDF-` followed by anything is not enough.
- Files are content-addressed: stored once in the service's `documents` collection with
  `_id` = SHA-256 (one document each: the store's limit is 16 MB per document). What grants the
  right to download a file is the caller's record of it (FKP: `doc_links`; a summary: its event).

Uploads are multipart/form-data with a `file` field (`read_upload`). `check_form` holds every
upload form to its shape first (issue 19): each part at most once (a repeated `unit_id` or `file`
was read as its first value), the files as file parts and the text fields as text (a `layout` sent
as a file, or a `mapping` as text, was silently ignored), and a named file not empty (an empty
mapping file switched a template upload to the form layout and stored it under other ids).
"""
from __future__ import annotations

import hashlib
import io
import logging
from datetime import datetime, timezone

from bson import Binary
from flask import Response, request
from marshmallow import ValidationError
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from .inputs import check_text
from .messages import Message, msg
from .problems import ProblemError, flatten_errors

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_FILENAME = 255
FORM_OVERHEAD = 256 * 1024  # multipart boundaries, headers and small form fields
PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
SIGNATURES = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
NAMES = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG"}

PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}  # pantau/openapi.py


def sniff(data: bytes) -> str | None:
    """The content type decided by magic bytes (PDF, PNG, JPEG), or None."""
    for magic, ctype in SIGNATURES:
        if data.startswith(magic):
            return ctype
    return None


def _listed(types: tuple[str, ...]) -> str:
    names = [NAMES[t] for t in types]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " atau " + names[-1]


def openapi_errors(types: tuple[str, ...]) -> dict:
    """The 413/415 responses of an upload route (OpenAPI)."""
    return {"413": {"description": f"Berkas lebih dari {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.",
                    "content": PROBLEM_CONTENT},
            "415": {"description": f"Bukan multipart/form-data, atau berkas bukan {_listed(types)}.",
                    "content": PROBLEM_CONTENT}}


def openapi_file(types: tuple[str, ...]) -> dict:
    """The 200 response of a download route (OpenAPI)."""
    return {"200": {"description": f"Berkas ({'/'.join(NAMES[t] for t in types)}) sebagai lampiran; "
                                   "header X-Content-SHA256.",
                    "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in types}}}


def too_large() -> ProblemError:
    mb = MAX_DOCUMENT_BYTES // (1024 * 1024)
    return ProblemError(413, msg("The file exceeds the %(mb)s MB limit.", mb=mb),
                        limit_bytes=MAX_DOCUMENT_BYTES)


def _file_error(status: int, detail: Message, message: Message) -> ProblemError:
    return ProblemError(status, detail,
                        errors=[{"pointer": "/file", "field": "file", "message": message}])


def _form_error(name: str, detail: Message, message: Message) -> ProblemError:
    return ProblemError(422, detail, errors=[{"pointer": f"/{name}", "field": name,
                                                                   "message": message}])


def check_form(files: tuple[str, ...], texts: tuple[str, ...] = ()) -> None:
    """The multipart form's shape: only the parts named in `files` and `texts`, each at most once,
    `files` as file parts (an empty one only as a browser sends an unchosen file: without a name),
    `texts` as text fields; else 422."""
    form, uploaded = request.form, request.files
    names = list(dict.fromkeys([*form.keys(), *uploaded.keys()]))
    if any(not isinstance(name, str) for name in names):  # a part without a name (found by the fuzzer)
        raise ProblemError(422, msg("Every form part must have a name."),
                           errors=[{"pointer": "/", "field": None, "message": msg("A form part without a name.")}])
    for name in names:
        if name not in files and name not in texts:  # as a JSON body's unknown field (the document says so)
            raise _form_error(name, msg("Unknown field %(name)s.", name=name), msg("Unknown field."))
        if len(form.getlist(name)) + len(uploaded.getlist(name)) > 1:
            raise _form_error(name, msg("The field %(name)s is sent more than once.", name=name),
                              msg("Send it once only."))
    for name in files:
        if name in form:
            raise _form_error(name, msg("The field %(name)s must be a file.", name=name),
                              msg("Must be a file, not text."))
        part = uploaded.get(name)
        if part is not None and part.filename:
            start = part.stream.tell()
            empty = not part.stream.read(1)
            part.stream.seek(start)
            if empty:
                raise _form_error(name, msg("The file %(name)s is empty.", name=name), msg("empty file"))
    for name in texts:
        if name in uploaded:
            raise _form_error(name, msg("The field %(name)s must be text, not a file.", name=name),
                              msg("Must be text."))


def read_upload(types: tuple[str, ...] = (PDF, PNG, JPEG), texts: tuple[str, ...] = ()) -> tuple[bytes, str, str | None]:
    """(bytes, detected content type, original filename) of the `file` field, or a problem; the
    form's other fields are the text fields `texts` (`check_form`)."""
    if (request.mimetype or "").lower() != "multipart/form-data":
        raise ProblemError(415, msg("Send multipart/form-data with a file field."))
    if request.content_length is not None and request.content_length > MAX_DOCUMENT_BYTES + FORM_OVERHEAD:
        raise too_large()
    request.max_content_length = MAX_DOCUMENT_BYTES + FORM_OVERHEAD  # this route only (Flask ≥ 3.1)
    check_form(("file",), texts)
    upload = request.files.get("file")
    if upload is None:
        raise _file_error(422, msg("The file field is required."), msg("Missing data for required field."))
    data = upload.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise too_large()
    if not data:
        raise _file_error(422, msg("The file is empty."), msg("empty file"))
    ctype = sniff(data)
    if ctype not in types:
        listed = _listed(types)
        raise _file_error(415, msg("The file must be a %(types)s (checked by content, not by name).",
                                   types="/".join(NAMES[t] for t in types), listed=listed), msg("not %(listed)s", listed=listed))
    try:  # the name is kept with the file's record: bounded text like every other field
        filename = check_text(upload.filename, 0, MAX_FILENAME) if upload.filename else None
    except ValidationError as exc:
        raise ProblemError(422, msg("Invalid file name."),
                           errors=flatten_errors({"file": exc.messages})) from None
    return data, ctype, filename


def check_pdf(data: bytes) -> int:
    """The number of pages of a PDF that opens without a password, or a 422 problem."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repair warnings are not ours to log
    unreadable = _file_error(422, msg("The PDF is damaged or cannot be read."), msg("PDF cannot be read"))
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _file_error(422, msg("The PDF needs a password to open."), msg("PDF with a password"))
        pages = len(reader.pages)
    except ProblemError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError,
            NotImplementedError):
        raise unreadable from None
    if pages < 1:
        raise unreadable
    return pages


def save(db, data: bytes, ctype: str) -> str:
    """Store the bytes once under their SHA-256 (a repeat changes nothing); returns the SHA-256."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        db["documents"].insert_one({"_id": sha, "content_type": ctype, "size": len(data), "data": Binary(data),
                                    "stored_at": datetime.now(timezone.utc)})
    except DuplicateKeyError:
        pass  # the same bytes were stored before
    return sha


def file_response(documents: Collection, sha: str, name: str) -> Response:
    """The stored file as an attachment named `name`, or a 404 problem."""
    doc = documents.find_one({"_id": sha})
    if doc is None:
        raise ProblemError(404, msg("Document not found."))
    return Response(bytes(doc["data"]), status=200, headers={
        "Content-Type": doc["content_type"], "Content-Disposition": f'attachment; filename="{name}"',
        "X-Content-SHA256": sha})
