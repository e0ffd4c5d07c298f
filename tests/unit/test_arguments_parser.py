"""`@blp.arguments` of pantau.web.Blueprint answers what the routes always answered for a JSON body:
415 not JSON, 400 malformed, 422 not an object, 422 field errors with pointers (problem+json, never
flask-smorest's own error body), and the document's 422 is the shared Problem."""
from __future__ import annotations

import copy

import pytest
from flask import Flask
from marshmallow import Schema, fields, validate

from pantau import openapi
from pantau.problems import PROBLEM_JSON, ProblemError
from pantau.web import Blueprint, PickedSchema, ProblemApi, json_response


class Item(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2))
    count = fields.Integer(required=True)


class Other(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["other"]))


@pytest.fixture(scope="module")
def client():
    app = Flask("t")
    app.config.update(API_TITLE="t", API_VERSION="v1", OPENAPI_VERSION="3.0.3")
    api = ProblemApi(app)
    blp = Blueprint("t", __name__, url_prefix="/v1")

    @blp.route("/items", methods=["POST"])
    @blp.response(201, Item)
    @blp.arguments(Item)
    def post_item(body):
        return json_response(body, 201)

    @blp.route("/picked", methods=["POST"])
    @blp.response(200, Item)
    @blp.arguments_doc(PickedSchema(lambda body: Other if "kind" in body else Item), {"oneOf": [Item, Other]})
    def post_picked(body):
        return json_response(body)

    api.register_blueprint(blp)
    app.errorhandler(ProblemError)(lambda exc: exc.response())
    app.extensions["spec"] = api.spec
    return app.test_client()


def test_a_valid_body_reaches_the_view_loaded(client):
    resp = client.post("/v1/items", json={"name": "ab", "count": 3})
    assert resp.status_code == 201 and resp.get_json() == {"name": "ab", "count": 3}


def test_field_errors_are_a_problem_with_pointers(client):
    resp = client.post("/v1/items", json={"name": "a", "extra": 1})
    assert resp.status_code == 422 and resp.mimetype == PROBLEM_JSON
    body = resp.get_json()
    assert body["detail"] == "Periksa kolom yang ditandai."
    assert {e["pointer"] for e in body["errors"]} == {"/name", "/count", "/extra"}
    english = client.post("/v1/items", json={"name": "a", "count": 1}, headers={"Accept-Language": "en"}).get_json()
    assert english["detail"] == "Check the fields listed."


@pytest.mark.parametrize("data, ctype, status", [
    (b'{"name": "ab", "count": 1}', "text/plain", 415),
    (b"{not json", "application/json", 400),
    (b'[{"name": "ab", "count": 1}]', "application/json", 422),
    (b"null", "application/json", 422),
])
def test_a_body_that_is_not_a_json_object_answers_as_read_json_does(client, data, ctype, status):
    resp = client.post("/v1/items", data=data, content_type=ctype)
    assert resp.status_code == status and resp.mimetype == PROBLEM_JSON
    if status == 422:
        assert resp.get_json()["errors"][0]["pointer"] == "/"


def test_a_picked_schema_loads_with_the_schema_chosen(client):
    assert client.post("/v1/picked", json={"kind": "other"}).get_json() == {"kind": "other"}
    resp = client.post("/v1/picked", json={"kind": "x"})
    assert resp.status_code == 422 and [e["pointer"] for e in resp.get_json()["errors"]] == ["/kind"]


def test_the_document_states_the_bodies_and_a_problem_422(client):
    spec = openapi.document_responses(copy.deepcopy(client.application.extensions["spec"].to_dict()))
    items, picked = spec["paths"]["/v1/items"]["post"], spec["paths"]["/v1/picked"]["post"]
    assert items["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Item"}
    assert items["responses"]["201"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Item"}
    assert set(picked["requestBody"]["content"]["application/json"]["schema"]["oneOf"][0]) == {"$ref"}
    for op in (items, picked):
        assert op["responses"]["422"]["content"] == {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    assert "UNPROCESSABLE_ENTITY" not in spec["components"]["responses"]
