"""Flask app-factory helpers shared by the four services.

`create_app(service, blueprints)` gives every service the same behaviour: problem+json errors
(never a stack trace), `/healthz`, `/readyz`, `/metrics`, `/openapi.json` generated from the
marshmallow schemas by flask-smorest, request metrics, body-size limit and a correlation id.
"""
from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import flask_smorest
import orjson
import pymongo
from flask import Flask, Response, g, request
from flask_smorest import Api
from marshmallow import Schema, ValidationError
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException

from . import audit, bus, metrics, mongo, openapi
from .config import settings
from .errors import DomainError, status_of
from .messages import Message, msg
from .problems import PROBLEM_JSON, ProblemError, flatten_errors, problem, translate

log = logging.getLogger("pantau.web")
STANDARD_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
CORRELATION_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
STORE_DEADLINE_S = float(os.environ.get("PANTAU_STORE_DEADLINE_S") or 15)
"""Every store operation of a write request must finish within this many seconds of the request's
start, else the request answers 503 (a frozen store would otherwise hold it for socketTimeoutMS
per operation, past the client's patience and gunicorn's timeout). The default leaves room for the
largest batch on a loaded host (bench/README.md, "Figures behind defaults"); 0 turns the bound off."""
SUSPECT_DEADLINE_S = float(os.environ.get("PANTAU_STORE_SUSPECT_DEADLINE_S") or 3)
SUSPECT_FOR_S = 20.0
"""After a write request of this process found the store unavailable, for SUSPECT_FOR_S seconds
(or until a write succeeds) write requests get SUSPECT_DEADLINE_S instead: requests that queued
behind the ones a frozen store held answer 503 quickly, not after another full deadline (which
would outlast a client's timeout during the same freeze)."""
_store_failed_at: list[float | None] = [None]


def store_deadline_s() -> float:
    failed = _store_failed_at[0]
    if failed is not None and time.monotonic() - failed < SUSPECT_FOR_S:
        return min(STORE_DEADLINE_S, SUSPECT_DEADLINE_S)
    return STORE_DEADLINE_S


class ProblemApi(Api):
    """flask-smorest Api whose HTTP errors are RFC 9457 problem documents."""

    def _openapi_json(self):
        return json_response(openapi.served(self.spec.to_dict()))

    def handle_http_exception(self, error: HTTPException):
        data = getattr(error, "data", None) or {}
        messages = data.get("messages")
        if error.code == 422 and messages:
            # webargs nests by location ({"json": {...}}); pointers are into the body
            body = messages.get("json", messages) if isinstance(messages, dict) else messages
            return problem(422, msg("Check the fields listed."),
                           errors=flatten_errors(body))
        if error.code == 413:
            return problem(413, msg("The request body limit is %(max_body_bytes)s bytes.",
                                    max_body_bytes=settings().max_body_bytes))
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return problem(error.code or 500, error.description if error.code != 500 else None, headers=headers)


def json_response(payload: Any, status: int = 200, headers: dict | None = None) -> Response:
    resp = Response(orjson.dumps(payload, default=_default), status=status, mimetype="application/json")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def _default(o: Any):
    if hasattr(o, "isoformat"):
        return o.isoformat()
    raise TypeError(type(o).__name__)


def read_json() -> dict:
    """The request body as a JSON object, or a 415/400/422 problem. Every JSON body of the write
    services is an object (a batch is `{"responses": [...]}`): an array, a string, a number,
    `true` or `null` is refused here, once for every route (it reached handlers that called
    `.get` on it, or hashed a list: issue 19)."""
    mimetype = (request.mimetype or "").lower()
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise ProblemError(415, msg("Send the request body as application/json."))
    raw = request.get_data(cache=True)
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ProblemError(400, msg("Malformed JSON: %(exc)s", exc=exc)) from None
    if not isinstance(body, dict):
        raise ProblemError(422, msg("The request body must be one JSON object {...}."),
                           errors=[{"pointer": "/", "field": None, "message": msg("Must be a JSON object.")}])
    return body


class ProblemParser(FlaskParser):
    """webargs' parser for `@blp.arguments`, answering as the routes always have: a JSON body is
    read by `read_json` (415 not JSON, 400 malformed, 422 not an object) and field errors are a
    422 problem+json with pointers (not flask-smorest's own error body)."""

    def load_json(self, req, schema):
        return read_json()

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        messages = error.messages
        if isinstance(messages, dict) and set(messages) == {"query"}:
            raise query_problem(messages["query"])
        if isinstance(messages, dict) and len(messages) == 1:  # webargs nests by location: {"json": {...}}
            messages = next(iter(messages.values()))
        raise ProblemError(422, msg("Check the fields listed."), errors=flatten_errors(messages))


def query_problem(messages: dict) -> ProblemError:
    """The 422 for query parameters (pantau/params.py): each error's pointer is the parameter's
    name, and the first parameter's catalog message is the detail."""
    errors, detail = [], None
    for name, found in messages.items():
        for message in found if isinstance(found, list) else [found]:
            if isinstance(message, Message):
                detail = detail or message
                text = message.render()
            else:
                text = translate(str(message))
            errors.append({"pointer": name, "field": name, "message": text})
    return ProblemError(422, detail or msg("Check the fields listed."), errors=errors)


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's Blueprint whose `@arguments` answer problem+json (ProblemParser)."""

    ARGUMENTS_PARSER = ProblemParser()

    def arguments_doc(self, schema: Any, doc_schema: dict, **kwargs: Any) -> Callable:
        """`@arguments(schema)` for a body documented as `doc_schema`: a rule across fields that
        `schema` checks itself, stated as `oneOf`/`anyOf`, which apispec cannot derive from it."""
        def decorate(fn):
            return self.doc(requestBody={"required": True, "content": {"application/json": {"schema": doc_schema}}})(
                self.arguments(schema, **kwargs)(fn))
        return decorate

    def response_doc(self, status: int, answer: dict) -> Callable:
        """`@response` for an answer stated as an OpenAPI response object: a file download, one
        binary content per type it may send (a marshmallow schema states JSON only)."""
        (first_type, first), *others = answer["content"].items()

        def decorate(fn):
            for ctype, media in reversed(others):
                fn = self.alt_response(status, schema=media["schema"], content_type=ctype,
                                       description=answer["description"], success=True)(fn)
            return self.response(status, first["schema"], content_type=first_type,
                                 description=answer["description"])(fn)
        return decorate


class PickedSchema(Schema):
    """A body loaded by the schema `pick` chooses for it (an SKM summary by NRRs or by counts)."""

    def __init__(self, pick: Callable[[dict], type[Schema]], **kwargs: Any):
        super().__init__(**kwargs)
        self._pick = pick

    def load(self, data, **kwargs):
        return self._pick(data)().load(data, **kwargs)


def one_of_doc(field: str, schemas: Mapping[str, type[Schema]]) -> dict:
    """A request body that is one of `schemas`, told apart by `field` (each schema's `field` takes
    its one value): a `oneOf` with a discriminator, each schema a component of its own."""
    names = {value: resolver(cls) for value, cls in schemas.items()}
    return {"oneOf": list(dict.fromkeys(schemas.values())), "discriminator": {
        "propertyName": field, "mapping": {value: f"#/components/schemas/{name}" for value, name in names.items()}}}


def resolver(schema_cls: type[Schema]) -> str:
    """The component name apispec gives a schema class (its name without `Schema`)."""
    from apispec.ext.marshmallow import resolver as apispec_resolver
    return apispec_resolver(schema_cls)


def check_query_shape() -> None:
    """On the JSON API (`/v1/…`) a query parameter is given once and not empty: `?as_of=` was read
    as "now" by some reports and refused by others, and `?year=2025&year=2026` answered for the
    first of the two (issue 19). Both are a 422 naming the parameter, for every route at once."""
    if not request.path.startswith("/v1/") or not request.args:
        return
    for name in request.args:
        values = request.args.getlist(name)
        if len(values) > 1:
            raise ProblemError(422, msg("The parameter %(name)s is given more than once.", name=name),
                               errors=[{"pointer": name, "field": name, "message": msg("Give it once only.")}])
        if values[0] == "":
            raise ProblemError(422, msg("The parameter %(name)s is empty; give a value or leave it out.", name=name),
                               errors=[{"pointer": name, "field": name, "message": msg("May not be empty.")}])


_ready_cache: dict[str, tuple[float, bool]] = {}


def _kafka_ready() -> bool:
    now = time.monotonic()
    cached = _ready_cache.get("kafka")
    if cached and now - cached[0] < 5.0:
        return cached[1]
    ok = bus.reachable(timeout_s=1.5)
    _ready_cache["kafka"] = (now, ok)
    return ok


def create_app(service: str, blueprints: list[Blueprint], *, title: str, description: str = "",
               config: dict | None = None, extra_checks: dict[str, Callable[[], dict]] | None = None) -> Flask:
    """`extra_checks`: more readiness checks by name, each answering a dict with `ok` (bool) and
    what explains it (shown under `details` in /readyz)."""
    s = settings()
    app = Flask(service)
    app.config.update(
        API_TITLE=title, API_VERSION="v1", OPENAPI_VERSION="3.0.3", OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json", OPENAPI_SWAGGER_UI_PATH=None,
        MAX_CONTENT_LENGTH=s.max_body_bytes, JSON_SORT_KEYS=False,
        API_SPEC_OPTIONS={"info": {"description": description}},
    )
    if config:
        app.config.update(config)
    api = ProblemApi(app)
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for bp in blueprints:
        api.register_blueprint(bp)
    app.extensions["pantau_api"] = api
    from .ratelimit import install as install_rate_limits
    install_rate_limits(app)

    @app.get("/healthz")
    def healthz():
        return json_response({"status": "ok", "service": service})

    @app.get("/readyz")
    def readyz():
        checks = {"store": mongo.ping(), "kafka": _kafka_ready()}
        details = _run_checks(extra_checks) if checks["store"] else {}
        checks.update({name: bool(d.get("ok")) for name, d in details.items()})
        for name in extra_checks or {}:
            checks.setdefault(name, False)
        ok = all(checks.values())
        _export_ready(checks)
        body: dict[str, Any] = {"checks": checks, **({"details": details} if details else {})}
        if ok:
            return json_response({"status": "ready", **body})
        return problem(503, msg("A dependency is not ready."), **body)

    @app.get("/metrics")
    def metrics_endpoint():
        if metrics_on:
            _export_ready(_scrape_checks(extra_checks))
        data, ctype = metrics.render()
        return Response(data, mimetype=ctype.split(";")[0], headers={"Content-Type": ctype})

    metrics_on = metrics.enabled()  # PANTAU_METRICS=off: no per-request metrics (overhead benchmark)

    @app.before_request
    def _start():
        g.started = time.perf_counter()
        g.service_name = service
        given = request.headers.get("X-Correlation-ID", "")
        g.correlation_id = given if CORRELATION_RE.match(given) else str(uuid.uuid4())
        if metrics_on:
            metrics.HTTP_IN_FLIGHT.labels(service).inc()
            g.in_flight = True
        if request.method not in ("GET", "HEAD", "OPTIONS") and STORE_DEADLINE_S > 0:
            g.deadline_s = store_deadline_s()
            g.store_deadline = pymongo.timeout(g.deadline_s)
            g.store_deadline.__enter__()

    @app.before_request
    def _query_shape():
        check_query_shape()

    @app.after_request
    def _finish(resp: Response):
        route = request.url_rule.rule if request.url_rule is not None else "<unmatched>"
        elapsed = time.perf_counter() - g.get("started", time.perf_counter())
        method = request.method if request.method in STANDARD_METHODS else "OTHER"
        if metrics_on:
            metrics.HTTP_REQUESTS.labels(service, route, method, str(resp.status_code)).inc()
            size = metrics.size_class(request.content_length)
            metrics.HTTP_LATENCY.labels(service, route, method, size).observe(elapsed)
        if method not in ("GET", "HEAD", "OPTIONS") and 200 <= resp.status_code < 300:
            _store_failed_at[0] = None  # a write went through: the store answers again
        if method not in ("GET", "HEAD", "OPTIONS") or resp.status_code >= 500:
            # one line per write (and per server error): the start of the correlation id's trail,
            # which continues in the event envelope (`correlationid`) and the consumer's log
            log.info("request handled", extra={"method": method, "route": route, "status": resp.status_code,
                                               "duration_ms": round(elapsed * 1000, 1)})
        if resp.headers.get("Idempotent-Replay") != "true":
            try:
                audit.record_bureau_write(service, resp.status_code)
            except Exception:  # noqa: BLE001 - the action is stored; a lost audit entry is logged loudly
                log.exception("audit entry not written", extra={"route": route, "status": resp.status_code})
        resp.headers["X-Correlation-ID"] = g.get("correlation_id", "")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        return resp

    @app.teardown_request
    def _teardown(_exc):
        if g.pop("in_flight", False):
            metrics.HTTP_IN_FLIGHT.labels(service).dec()
        deadline = g.pop("store_deadline", None)
        if deadline is not None:
            deadline.__exit__(None, None, None)

    @app.errorhandler(ProblemError)
    def _problem(exc: ProblemError):
        return exc.response()

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):  # the one place a domain error becomes HTTP
        return problem(status_of(exc), exc.message, errors=exc.errors, **exc.extra)

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError):
        return problem(422, msg("Check the fields listed."),
                       errors=flatten_errors(exc.messages))

    for err in mongo.STORE_ERRORS:
        app.register_error_handler(err, store_down)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return api.handle_http_exception(exc)
        log.exception("unhandled error", extra={"path": request.path})
        return problem(500, msg("The server failed; try again later."))

    return app


_scrape_ready: dict[str, tuple[float, dict[str, bool]]] = {}


def _export_ready(checks: dict[str, bool]) -> None:
    for name, ok in checks.items():
        metrics.READY.labels(name).set(1 if ok else 0)


def _run_checks(extra_checks: dict[str, Callable[[], dict]] | None) -> dict[str, dict]:
    out = {}
    for name, check in (extra_checks or {}).items():
        try:
            out[name] = check()
        except Exception as exc:  # noqa: BLE001 - a failing check is a failed check
            out[name] = {"ok": False, "error": repr(exc)[:300]}
    return out


def _scrape_checks(extra_checks: dict[str, Callable[[], dict]] | None) -> dict[str, bool]:
    """The /readyz checks for a scrape, at most one store ping per process every 5 s."""
    now = time.monotonic()
    cached = _scrape_ready.get("checks")
    if cached and now - cached[0] < 5.0:
        return cached[1]
    checks = {"store": mongo.ping(), "kafka": _kafka_ready()}
    checks.update({name: bool(d.get("ok")) for name, d in _run_checks(extra_checks).items()})
    _scrape_ready["checks"] = (now, checks)
    return checks


def store_down(exc: Exception):
    """The 503 answer when the store is unreachable or too slow (Retry-After)."""
    if not (isinstance(exc, pymongo.errors.ExecutionTimeout) and g.get("deadline_s", STORE_DEADLINE_S) < STORE_DEADLINE_S):
        # (a short deadline that ran out does not renew the suspicion, or a batch that needs
        # longer than the short deadline would keep it alive by itself)
        _store_failed_at[0] = time.monotonic()
    log.warning("store unavailable", extra={"error": repr(exc)})
    return problem(503, msg("The store is unavailable. Repeat the same request later: repeats are idempotent and "
                            "never duplicate data."),
                   headers={"Retry-After": "5"})


def correlation_id() -> str | None:
    return g.get("correlation_id")


__all__ = ["create_app", "read_json", "json_response", "ProblemError",
           "PROBLEM_JSON", "correlation_id", "Blueprint"]
