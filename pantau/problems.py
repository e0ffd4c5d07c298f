"""RFC 9457 problem details, in Indonesian (default) or English (Accept-Language: en).

Field errors carry a JSON pointer into the request (`/responses/3/answers/waktu`), so a unit
system can show the operator exactly which item and field to fix.
"""
from __future__ import annotations

from typing import Any

import orjson
from flask import Response, request

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://pantau.kaltimprov.go.id/problems/"

# status -> (slug, Indonesian title, English title)
TITLES: dict[int, tuple[str, str, str]] = {
    400: ("malformed-request", "Permintaan tidak dapat dibaca", "Malformed request"),
    401: ("unauthenticated", "Kunci API tidak ada atau tidak valid", "Missing or invalid API key"),
    403: ("forbidden", "Akses ditolak", "Forbidden"),
    404: ("not-found", "Tidak ditemukan", "Not found"),
    405: ("method-not-allowed", "Metode tidak diizinkan", "Method not allowed"),
    409: ("conflict", "Konflik dengan data yang sudah ada", "Conflict with existing data"),
    413: ("too-large", "Permintaan terlalu besar", "Request too large"),
    415: ("unsupported-media-type", "Jenis konten tidak didukung", "Unsupported media type"),
    422: ("validation", "Data tidak valid", "Invalid data"),
    429: ("rate-limited", "Terlalu banyak permintaan", "Too many requests"),
    500: ("internal", "Kesalahan internal", "Internal error"),
    503: ("unavailable", "Layanan sementara tidak tersedia", "Service temporarily unavailable"),
}

# marshmallow's English messages -> Indonesian
_FIELD_MESSAGES_ID = {
    "Missing data for required field.": "Wajib diisi.",
    "Unknown field.": "Kolom tidak dikenal.",
    "Not a valid integer.": "Harus bilangan bulat.",
    "Not a valid string.": "Harus teks.",
    "Not a valid boolean.": "Harus true atau false.",
    "Not a valid datetime.": "Bukan tanggal-waktu yang valid (RFC 3339).",
    "Not a valid date.": "Bukan tanggal yang valid (YYYY-MM-DD).",
    "Not a valid list.": "Harus berupa daftar.",
    "Not a valid mapping type.": "Harus berupa objek.",
    "Invalid input type.": "Tipe data tidak valid.",
    "Field may not be null.": "Tidak boleh kosong (null).",
    "Not a valid aware datetime.": "Tanggal-waktu harus memuat zona waktu (mis. +08:00).",
    "Not a valid URL.": "Bukan URL yang valid.",
    "Not a valid email address.": "Bukan alamat e-mail yang valid.",
    # pantau.inputs
    "Control characters (line breaks, tabs, NUL, ...) are not allowed.":
        "Tidak boleh memuat karakter kendali (baris baru, tab, NUL, ...).",
    "Control characters other than line breaks and tabs (e.g. NUL) are not allowed.":
        "Tidak boleh memuat karakter kendali selain baris baru dan tab (mis. NUL).",
}


def wants_english() -> bool:
    try:
        best = request.accept_languages.best_match(["id", "en"], default="id")
    except RuntimeError:
        return False
    return best == "en"


def translate(message: str) -> str:
    if wants_english():
        return message
    if message in _FIELD_MESSAGES_ID:
        return _FIELD_MESSAGES_ID[message]
    if message.startswith("Must be greater than or equal to") and "less than or equal to" in message:
        return message.replace("Must be greater than or equal to", "Harus antara").replace(
            " and less than or equal to ", " dan ").rstrip(".") + "."
    if message.startswith("Must be one of:"):
        return message.replace("Must be one of:", "Harus salah satu dari:")
    if message.startswith("Longer than maximum length"):
        return message.replace("Longer than maximum length", "Melebihi panjang maksimum")
    if message.startswith("Shorter than minimum length"):
        return message.replace("Shorter than minimum length", "Kurang dari panjang minimum")
    if message.startswith("Length must be between") and " and " in message:
        return message.replace("Length must be between", "Panjang harus antara").replace(" and ", " dan ")
    if message.startswith("Must lie between") and " and " in message:  # pantau.inputs: date windows
        return message.replace("Must lie between", "Harus antara").replace(" and ", " dan ")
    return message


def flatten_errors(messages: Any, pointer: str = "") -> list[dict]:
    """marshmallow's nested error dict → [{pointer, field, message}] sorted by pointer."""
    out: list[dict] = []
    if isinstance(messages, dict):
        for key, sub in messages.items():
            key_s = "" if key == "_schema" else str(key)
            out.extend(flatten_errors(sub, f"{pointer}/{key_s}" if key_s else pointer))
    elif isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            for m in messages:
                out.append({"pointer": pointer or "/", "field": pointer.strip("/").replace("/", ".") or None,
                            "message": translate(m)})
        else:
            for m in messages:
                out.extend(flatten_errors(m, pointer))
    elif isinstance(messages, str):
        out.append({"pointer": pointer or "/", "field": pointer.strip("/").replace("/", ".") or None,
                    "message": translate(messages)})
    return out


def problem(status: int, detail: str | None = None, *, detail_en: str | None = None,
            errors: list[dict] | None = None, headers: dict | None = None, **extra: Any) -> Response:
    slug, title_id, title_en = TITLES.get(status, ("error", "Kesalahan", "Error"))
    english = wants_english()
    body: dict[str, Any] = {"type": TYPE_BASE + slug, "title": title_en if english else title_id,
                            "status": status}
    text = (detail_en or detail) if english else (detail or detail_en)
    if text:
        body["detail"] = text
    try:
        body["instance"] = request.path
    except RuntimeError:
        pass
    if errors:
        body["errors"] = errors
    body.update(extra)
    resp = Response(orjson.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


class ProblemError(Exception):
    """Raise anywhere in a request to answer with a problem document."""

    def __init__(self, status: int, detail: str | None = None, *, detail_en: str | None = None,
                 errors: list[dict] | None = None, headers: dict | None = None, **extra: Any):
        super().__init__(detail_en or detail or str(status))
        self.status, self.detail, self.detail_en = status, detail, detail_en
        self.errors, self.headers, self.extra = errors, headers, extra

    def response(self) -> Response:
        return problem(self.status, self.detail, detail_en=self.detail_en, errors=self.errors,
                       headers=self.headers, **self.extra)
