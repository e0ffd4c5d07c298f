"""The OpenAPI document each service serves at `/openapi.json`: flask-smorest's, generated from the
marshmallow schemas that validate, completed with what only holds when it is served.

- Errors: every operation answers problem+json (`Problem`) for its 4xx/503 statuses.
- Units: a request-body field that names a unit (`UNIT_FIELDS`) lists the registry's ids as its
  `enum`, and the `opd` query parameter the perangkat daerah's; the registry changes without a
  restart (pantau/units.py), so these are filled in when the document is served.
- Path parameters the URL rule cannot type: `period` (pantau/rules/periods.py) as a pattern,
  PEKPPP's `year` with the range the server takes this year.
"""
from __future__ import annotations

from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any

from .problems import PROBLEM_JSON
from .rules.periods import PERIOD_PATTERN

PROBLEM_SCHEMA = {
    "type": "object", "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "required": ["pointer", "message"], "properties": {
            "pointer": {"type": "string"}, "field": {"type": "string", "nullable": True},
            "index": {"type": "integer"}, "message": {"type": "string"}}}},
    },
}
SUCCESS_JSON = {"description": "Berhasil (JSON).", "content": {"application/json": {"schema": {"type": "object"}}}}
UNIT_FIELDS = ("unit_id", "to_unit_id", "dispose_to")
"""Request-body fields that name a registered unit other than the province (a write on an unknown
unit is a 422)."""


READ_ERRORS = (401, 403, 404, 422, 429, 503)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415, 422, 429, 503)
"""The error statuses an operation may answer, by whether it reads or writes: 400 malformed JSON,
401 no or a wrong key (or reporter token), 403 another unit's data, 404 no such thing, 409 a
conflict with what is stored, 413 over the body limit, 415 not JSON (or not the upload's form),
422 a field or parameter wrong, 429 over the key's rate limit, 503 the store unavailable."""
ERROR_DESCRIPTIONS = {400: "Permintaan tidak dapat dibaca.", 401: "Kunci API tidak ada atau tidak valid.",
                      403: "Akses ditolak.", 404: "Tidak ditemukan.", 409: "Konflik dengan data yang tersimpan.",
                      413: "Permintaan terlalu besar.", 415: "Jenis konten tidak didukung.",
                      422: "Periksa kolom atau parameter yang ditandai (errors).",
                      429: "Terlalu banyak permintaan.", 503: "Layanan sementara tidak tersedia."}
DEFAULT_ERROR_REF = {"$ref": "#/components/responses/DEFAULT_ERROR"}


def document_responses(spec: dict) -> dict:
    """What every operation answers, in the served document: its errors are problem+json, each
    status it may answer listed (READ_ERRORS, WRITE_ERRORS) instead of flask-smorest's `default`;
    an operation that declares no success response answers a JSON object with some 2xx status."""
    spec.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    spec["components"].setdefault("responses", {})["DEFAULT_ERROR"] = {
        "description": "Masalah (RFC 9457 problem details).", "content": problem}
    smorest_errors = spec["components"]["responses"]
    for name in [n for n in smorest_errors if n in HTTPStatus.__members__]:
        del smorest_errors[name]  # flask-smorest's error bodies, which the services never send
    for _path, method, op in operations(spec):
        responses = op.setdefault("responses", {})
        for status, answer in list(responses.items()):
            if str(status).isdigit() and answer == {"$ref": f"#/components/responses/{HTTPStatus(int(status)).name}"}:
                del responses[status]  # `@blp.arguments`' 422: a Problem like every other (below)
        if not any(str(code).startswith("2") for code in responses):
            responses["2XX"] = SUCCESS_JSON
        if responses.get("default") == DEFAULT_ERROR_REF:  # not Open311's own error documents
            del responses["default"]
            for status in (READ_ERRORS if method in ("get", "head") else WRITE_ERRORS):
                responses.setdefault(str(status), {"description": ERROR_DESCRIPTIONS[status], "content": problem})
    return spec


def operations(spec: dict):
    for path, ops in spec.get("paths", {}).items():
        for method, op in ops.items():
            if method in ("parameters", "summary", "description", "servers") or not isinstance(op, dict):
                continue
            yield path, method, op


def _walk(node: Any, visit) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


def state_units(spec: dict, unit_ids: list[str], opd_ids: list[str]) -> dict:
    """Every request-body property named in UNIT_FIELDS gets `unit_ids` as its `enum` (and null
    where it is nullable); the `opd` query parameter gets `opd_ids`."""
    def visit(node: dict) -> None:
        props = node.get("properties")
        if not isinstance(props, dict):
            return
        for name, prop in props.items():
            if name in UNIT_FIELDS and isinstance(prop, dict) and prop.get("type") == "string":
                prop["enum"] = [*unit_ids, *([None] if prop.get("nullable") else [])]
    _walk(spec.get("components", {}).get("schemas", {}), visit)
    for _path, _method, op in operations(spec):
        _walk(op.get("requestBody"), visit)
        for param in op.get("parameters", []):
            if param.get("in") == "query" and param.get("name") == "opd":
                param["schema"] = {"type": "string", "enum": opd_ids}
    return spec


def parameters(spec: dict):
    """Every parameter object: the operations' and the path items' (flask-smorest puts the URL
    rule's own there)."""
    for ops in spec.get("paths", {}).values():
        yield from ops.get("parameters", [])
        for method, op in ops.items():
            if method != "parameters" and isinstance(op, dict):
                yield from op.get("parameters", [])


def state_parameters(spec: dict, year_range: tuple[int, int]) -> dict:
    """`period` path parameters as PERIOD_PATTERN; integer `year` path parameters in `year_range`;
    a string query parameter of the JSON API is never empty (pantau.web.check_query_shape)."""
    for param in parameters(spec):
        schema = param.setdefault("schema", {})
        if param.get("in") == "path" and param["name"] == "period":
            schema["pattern"] = PERIOD_PATTERN
        elif param.get("in") == "path" and param["name"] == "year" and schema.get("type") == "integer":
            schema["minimum"], schema["maximum"] = year_range
        elif param.get("in") == "query" and schema.get("type") == "string" and "enum" not in schema:
            schema.setdefault("minLength", 1)
    return spec


NULL_BRANCH = {"type": "object", "nullable": True}


def only_null_branches(spec: dict) -> dict:
    """apispec documents a nullable nested schema (OpenAPI 3.0) as `anyOf: [{"type": "object",
    "nullable": true}, {"$ref": …}]`, whose first branch takes any object (`{}` for a signatory
    that requires a name): that branch is made to take null alone (`enum: [null]`, as OpenAPI
    3.0.3 reads `nullable`)."""
    def visit(node: dict) -> None:
        for branch in node.get("anyOf") or []:
            if branch == NULL_BRANCH:
                branch["enum"] = [None]
    _walk(spec, visit)
    return spec


def served(spec: dict) -> dict:
    """The document as `/openapi.json` serves it (see the module's docstring)."""
    from .inputs import earliest_date
    from .units import Registry
    units = Registry.instance().all()
    document_responses(spec)
    only_null_branches(spec)
    state_units(spec, [u.id for u in units if u.kind != "province"], [u.id for u in units if u.kind == "opd"])
    return state_parameters(spec, (earliest_date().year, datetime.now(timezone.utc).year + 1))
