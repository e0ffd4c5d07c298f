"""RFC 9457 problem details, in Indonesian (default) or English (Accept-Language: en).

Field errors carry a JSON pointer into the request (`/responses/3/answers/waktu`), so a unit
system can show the operator exactly which item and field to fix.
"""
from __future__ import annotations

from typing import Any

import orjson
from flask import Response, request

from . import messages as catalogs
from .messages import N_, Message, request_language

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://pantau.kaltimprov.go.id/problems/"

# status -> (slug, title); the title is translated through the catalogs (pantau/messages.py)
TITLES: dict[int, tuple[str, str]] = {
    400: ("malformed-request", N_("Malformed request")),
    401: ("unauthenticated", N_("Missing or invalid API key")),
    403: ("forbidden", N_("Forbidden")),
    404: ("not-found", N_("Not found")),
    405: ("method-not-allowed", N_("Method not allowed")),
    409: ("conflict", N_("Conflict with existing data")),
    413: ("too-large", N_("Request too large")),
    415: ("unsupported-media-type", N_("Unsupported media type")),
    422: ("validation", N_("Invalid data")),
    429: ("rate-limited", N_("Too many requests")),
    500: ("internal", N_("Internal error")),
    503: ("unavailable", N_("Service temporarily unavailable")),
}
_OTHER_TITLE = ("error", N_("Error"))


def translate(message: str) -> str:
    """A field message in the request's language (pantau/messages.py: the catalog, then
    marshmallow's parametrized templates)."""
    return catalogs.translate(message)


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


Detail = str | Message | None
"""A problem's detail: a catalog message (rendered in the request's language) or, as call sites
not yet converted give it, an Indonesian text whose English is `detail_en`."""


def _text(detail: Detail, detail_en: str | None, lang: str) -> str | None:
    if isinstance(detail, Message):
        return detail.render(lang)
    return (detail_en or detail) if lang == "en" else (detail or detail_en)


def problem(status: int, detail: Detail = None, *, detail_en: str | None = None,
            errors: list[dict] | None = None, headers: dict | None = None, **extra: Any) -> Response:
    slug, title = TITLES.get(status, _OTHER_TITLE)
    lang = request_language()
    body: dict[str, Any] = {"type": TYPE_BASE + slug, "title": catalogs.gettext(title, lang), "status": status}
    text = _text(detail, detail_en, lang)
    if text:
        body["detail"] = text
    try:
        body["instance"] = request.path
    except RuntimeError:
        pass
    if errors:  # a field message given as a catalog message is rendered like the detail
        body["errors"] = [{**e, "message": e["message"].render(lang)} if isinstance(e.get("message"), Message) else e
                          for e in errors]
    body.update(extra)
    resp = Response(orjson.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


class ProblemError(Exception):
    """Raise in a request handler to answer with a problem document: `ProblemError(415,
    msg("Send ..."))`. The older form `ProblemError(status, "Indonesian", detail_en="English")`
    still works (scripts/convert_messages.py turns it into the first). Domain code raises
    pantau.errors instead, which pantau/web.py maps to a status."""

    def __init__(self, status: int, detail: Detail = None, *, detail_en: str | None = None,
                 errors: list[dict] | None = None, headers: dict | None = None, **extra: Any):
        self.status, self.message, self._detail_en = status, detail, detail_en
        super().__init__(self.detail_en or self.detail or str(status))
        self.errors, self.headers, self.extra = errors, headers, extra

    @property
    def detail(self) -> str | None:
        """The detail in Indonesian."""
        return _text(self.message, self._detail_en, "id")

    @property
    def detail_en(self) -> str | None:
        """The detail in English."""
        return _text(self.message, self._detail_en, "en")

    def response(self) -> Response:
        return problem(self.status, self.message, detail_en=self._detail_en, errors=self.errors,
                       headers=self.headers, **self.extra)
