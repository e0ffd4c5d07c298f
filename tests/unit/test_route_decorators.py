"""Every route of the four services' JSON APIs states its answer with `@blp.response` and, when it
takes a JSON body, loads it with `@blp.arguments`, so `/openapi.json` documents both from the
decorators; the few routes that read their body themselves are listed here with the reason."""
from __future__ import annotations

import importlib

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
