"""Every route of the four services' JSON APIs states its answer with `@blp.response` and, when it
takes a JSON body, loads it with `@blp.arguments`, so `/openapi.json` documents both from the
decorators; the few routes that read their body themselves are listed here with the reason. Query
parameters too are loaded by `@blp.arguments(Schema, location="query")`: no route module reads
`request.args` by hand, and no operation documents a query parameter by hand."""
from __future__ import annotations

import ast
import importlib
import inspect
import sys
from pathlib import Path

import pytest

SERVICES = ("survey", "consultation", "complaints", "aggregator")
READ_RAW = {
    # one response or a batch, through the one-pass check first (services/survey/response_check.py)
    ("POST", "/v1/skm/responses"),
    # the key or reporter token is checked before the body, whose schema depends on `action`
    ("POST", "/v1/complaints/<tracking_id>/actions"),
    # an unknown forum is a 404 before the body (one promise or a batch) is read
    ("POST", "/v1/fkp/<fkp_id>/promises"),
}
UPLOADS = {("POST", "/v1/skm/paper-forms"), ("POST", "/v1/skm/paper-forms/preview"),
           ("PUT", "/v1/skm/summaries/<unit_id>/<period>/<submission_id>/report"),
           ("POST", "/v1/fkp/<fkp_id>/berita-acara"), ("POST", "/v1/fkp/<fkp_id>/documents")}
"""multipart/form-data, checked by content (pantau/uploads.py, the paper parser), not by a schema"""
WITHOUT_BODY = {("POST", "/v1/fkp/<fkp_id>/confirmation-code")}


def documented_routes():
    for service in SERVICES:
        app = importlib.import_module(f"services.{service}.wsgi").app
        blueprints = set(app.blueprints) - {"dashboard", "api-docs"}  # HTML pages; flask-smorest's own
        for rule in app.url_map.iter_rules():
            if rule.endpoint.split(".")[0] not in blueprints:
                continue
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                yield service, method, rule.rule, getattr(app.view_functions[rule.endpoint], "_apidoc", {})


ROUTES = list(documented_routes())


def test_the_services_serve_routes_to_check():
    assert len(ROUTES) > 40 and {s for s, *_ in ROUTES} == set(SERVICES)


@pytest.mark.parametrize("service, method, rule, apidoc", ROUTES, ids=[f"{m} {r}" for _, m, r, _ in ROUTES])
def test_a_route_states_its_answer_and_body_by_decorators(service, method, rule, apidoc):
    assert apidoc.get("success_status_codes"), "no @blp.response"
    if method in ("POST", "PUT", "PATCH") and (method, rule) not in READ_RAW | UPLOADS | WITHOUT_BODY:
        assert apidoc.get("arguments"), "a body route without @blp.arguments"
    if (method, rule) in READ_RAW | UPLOADS | WITHOUT_BODY:
        assert not apidoc.get("arguments")


ROOT = Path(__file__).resolve().parents[2]
READS_ARGS_ITSELF = {
    # on every /v1/ request before its route: a parameter given twice or empty is a 422
    ("pantau/web.py", "check_query_shape"),
}
"""(module, function) that may read `request.args` outside a schema; the dashboard's HTML pages
(services/aggregator/dashboard/) answer 400 pages and parse their own filters."""


def args_reads(source: str) -> list[tuple[int, str]]:
    """(line, enclosing function) of every `request.args` (or `flask.request.args`) in `source`."""
    tree, found = ast.parse(source), []

    def visit(node: ast.AST, func: str) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            func = node.name
        if isinstance(node, ast.Attribute) and node.attr == "args" and (
                (isinstance(node.value, ast.Name) and node.value.id == "request")
                or (isinstance(node.value, ast.Attribute) and node.value.attr == "request")):
            found.append((node.lineno, func))
        for child in ast.iter_child_nodes(node):
            visit(child, func)
    visit(tree, "<module>")
    return found


def route_modules() -> set[str]:
    """The files of the JSON API routes' view functions, every module they import from the services'
    packages or `pantau/`, and all of `pantau/`: what a route's handling may run."""
    files = {str(p.relative_to(ROOT)) for p in (ROOT / "pantau").rglob("*.py")}
    for _service, _method, _rule, view in ROUTE_VIEWS:
        files.add(str(Path(inspect.getfile(inspect.unwrap(view))).resolve().relative_to(ROOT)))
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if name.startswith("services.") and ".dashboard" not in name and path:
            files.add(str(Path(path).resolve().relative_to(ROOT)))
    return files


def route_views():
    for service in SERVICES:
        app = importlib.import_module(f"services.{service}.wsgi").app
        blueprints = set(app.blueprints) - {"dashboard", "api-docs"}
        for rule in app.url_map.iter_rules():
            if rule.endpoint.split(".")[0] in blueprints:
                yield service, rule.methods, rule.rule, app.view_functions[rule.endpoint]


ROUTE_VIEWS = list(route_views())


def test_no_route_reads_the_query_by_hand():
    modules = route_modules()
    assert "services/aggregator/api.py" in modules and "services/complaints/open311.py" in modules
    by_hand = [f"{path}:{line} in {func}" for path in sorted(modules)
               for line, func in args_reads((ROOT / path).read_text(encoding="utf-8"))
               if (path, func) not in READS_ARGS_ITSELF]
    assert not by_hand, "request.args read by hand (declare a query schema with @blp.arguments(..., location='query'))"


def test_the_scan_finds_a_read_by_hand():
    found = args_reads("from flask import request\ndef f():\n    return request.args.get('year')\n"
                       "def g():\n    import flask\n    return 'as_of' in flask.request.args\n")
    assert found == [(3, "f"), (6, "g")]


@pytest.mark.parametrize("service, method, rule, apidoc", ROUTES, ids=[f"{m} {r}" for _, m, r, _ in ROUTES])
def test_query_parameters_come_from_query_schemas(service, method, rule, apidoc):
    by_hand = [p for p in apidoc.get("manual_doc", {}).get("parameters", []) if p.get("in") == "query"]
    assert not by_hand, "a query parameter documented by hand, not by @blp.arguments(..., location='query')"
    arguments = apidoc.get("arguments", {}).get("parameters", [])
    if any(a["in"] in ("query", "headers") for a in arguments):  # @blp.doc(parameters=…) would replace them
        assert "parameters" not in apidoc.get("manual_doc", {}), "parameters by hand hide the schema's"


def test_every_report_reads_its_query_through_a_schema():
    """The routes that take `period` or `year` (every report) declare them by a query schema."""
    queried = {(m, r) for _, m, r, a in ROUTES for p in a.get("arguments", {}).get("parameters", [])
               if p["in"] == "query" and {"period", "year"} & set(schema_fields(p["schema"]))}
    reports = {(m, r) for _, m, r, _ in ROUTES if m == "GET" and r.startswith(
        ("/v1/ikm/", "/v1/skm/compliance", "/v1/fkp/units", "/v1/fkp/province", "/v1/complaints/units",
         "/v1/complaints/province", "/v1/pekppp/", "/v1/compliance", "/v1/province", "/v1/skm/summaries/units",
         "/v1/skm/summaries/flagged"))}
    reports.update({("GET", "/v1/units/<unit_id>/card")})
    assert len(reports) >= 15 and reports <= queried, sorted(reports - queried)


def schema_fields(schema) -> dict:
    return (schema() if isinstance(schema, type) else schema).fields
