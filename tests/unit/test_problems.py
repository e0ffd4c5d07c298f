"""problem+json helpers: field pointers and Indonesian messages."""
from flask import Flask

from pantau.problems import flatten_errors, problem


def test_flatten_nested_marshmallow_errors_to_pointers():
    messages = {"responses": {3: {"answers": {"waktu": ["Must be greater than or equal to 1 and less than or "
                                                       "equal to 4."]}},
                              0: {"unit_id": ["Missing data for required field."]}}}
    app = Flask("t")
    with app.test_request_context(headers={"Accept-Language": "id"}):
        errors = flatten_errors(messages)
    assert {"pointer": "/responses/3/answers/waktu", "field": "responses.3.answers.waktu",
            "message": "Harus antara 1 dan 4."} in errors
    assert {"pointer": "/responses/0/unit_id", "field": "responses.0.unit_id", "message": "Wajib diisi."} in errors


def test_english_on_request_and_problem_shape():
    app = Flask("t")
    with app.test_request_context("/v1/x", headers={"Accept-Language": "en-GB,en;q=0.9"}):
        errors = flatten_errors({"sex": ["Unknown field."]})
        resp = problem(422, "Data tidak valid", detail_en="Invalid", errors=errors)
    assert errors == [{"pointer": "/sex", "field": "sex", "message": "Unknown field."}]
    assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
    body = resp.get_json(force=True)
    assert body["title"] == "Invalid data" and body["detail"] == "Invalid" and body["instance"] == "/v1/x"
