"""The message catalogs (pantau/messages.py) against the code: `pybabel extract` with the keywords
of `make messages` finds every message id, each is translated in both catalogs, no catalog entry is
stale, and every translation formats with the parameters its call sites pass."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from pantau import messages
from pantau.errors import Conflict, NotFound
from pantau.messages import msg
from pantau.problems import ProblemError, flatten_errors, problem

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = re.search(r"^MESSAGE_KEYWORDS := (.+)$", (ROOT / "Makefile").read_text(), re.M)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    assert KEYWORDS, "the Makefile names the extraction keywords (MESSAGE_KEYWORDS)"
    pot = tmp_path_factory.mktemp("pot") / "pantau.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", *KEYWORDS.group(1).split(),
                    "-o", str(pot), "."], cwd=ROOT, check=True)
    with pot.open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def catalog(lang: str) -> dict[str, str]:
    with messages.catalog_path(lang).open("rb") as f:
        return {m.id: m.string for m in read_po(f, locale=lang) if m.id and not m.fuzzy}


def test_extraction_finds_the_converted_messages(extracted):
    assert len(extracted) > 100
    assert {"Unit not found.", "Missing data for required field.", "Conflict with existing data",
            "Must be one of: {choices}."} <= extracted


@pytest.mark.parametrize("lang", messages.LANGUAGES)
def test_every_message_of_the_code_is_translated_and_none_is_stale(extracted, lang):
    entries = catalog(lang)
    missing = sorted(extracted - {k for k, v in entries.items() if v})
    stale = sorted(set(entries) - extracted)
    assert not missing, f"not translated in {lang} (make messages, then fill in): {missing}"
    assert not stale, f"in the {lang} catalog but used nowhere (make messages drops them): {stale}"


def _call_params() -> dict[str, set[frozenset[str]]]:
    """msgid -> the sets of keyword parameters its msg() calls pass, and its FKP rule refusals
    (`Illegal(kind, N_("..."), pointer, **params)`, rendered by the consultation service)."""
    out: dict[str, set[frozenset[str]]] = {}
    for path in [*ROOT.joinpath("pantau").rglob("*.py"), *ROOT.joinpath("services").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("msg", "_")
                    and node.args and isinstance(node.args[0], ast.Constant)):
                out.setdefault(node.args[0].value, set()).add(frozenset(k.arg for k in node.keywords if k.arg))
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Illegal"
                  and len(node.args) > 1 and isinstance(node.args[1], ast.Call) and node.args[1].args
                  and isinstance(node.args[1].args[0], ast.Constant)):
                out.setdefault(node.args[1].args[0].value, set()).add(
                    frozenset(k.arg for k in node.keywords if k.arg and k.arg != "pointer"))
    return out


def test_the_fkp_rule_refusals_are_among_the_checked_calls():
    params = _call_params()
    assert params["A forum cannot go back from %(current)s to %(target)s."] == {frozenset({"current", "target"})}
    assert params["The forum is closed."] == {frozenset()}


@pytest.mark.parametrize("lang", messages.LANGUAGES)
def test_translations_format_with_the_parameters_given(lang):
    entries = catalog(lang)
    for msgid, param_sets in _call_params().items():
        for params in param_sets:
            text = entries[msgid]
            if params:
                text % dict.fromkeys(params, 1)  # a missing or misspelt parameter raises KeyError
            else:
                assert not re.search(r"%\(\w+\)", text), (msgid, text)
    templates = [t for t, _ in messages.templates()]
    assert set(messages.FIELD_TEMPLATES) <= set(templates)
    for template in templates:  # a {name} template (marshmallow's, a schema's own) keeps its names
        assert set(re.findall(r"\{(\w+)\}", entries[template])) == set(re.findall(r"\{(\w+)\}", template))


def test_marshmallow_messages_and_templates_translate():
    assert messages.translate("Not a valid integer.", "id") == "Harus bilangan bulat."
    assert messages.translate("Not a valid integer.", "en") == "Not a valid integer."
    assert messages.translate("Must be greater than or equal to 1 and less than or equal to 4.", "id") == \
        "Harus antara 1 dan 4."
    assert messages.translate("Must be one of: exact, printed_0_111.", "id") == \
        "Harus salah satu dari: exact, printed_0_111."
    assert messages.translate("Must lie between 2024-01-01 and 2026-12-31.", "id") == \
        "Harus antara 2024-01-01 dan 2026-12-31."
    assert messages.translate("Longer than maximum length 100.", "en") == "Longer than maximum length 100."
    assert messages.translate("Tidak ada dalam katalog.", "id") == "Tidak ada dalam katalog."
    # a schema's own template: validate.Range(1, 4, error=N_("NRR must be between {min} and {max}."))
    assert messages.translate("NRR must be between 1 and 4.", "id") == "NRR harus antara 1 dan 4."


def test_schema_messages_answer_in_the_request_language():
    from pantau.rules.ikm import ELEMENTS
    from services.survey.schemas import SummarySchema

    errors = SummarySchema().validate({"unit_id": "x", "period": "2026", "submission_id": "s", "respondents": 0,
                                       "nrr": dict.fromkeys(ELEMENTS, 5)})
    app = Flask("t")
    with app.test_request_context():
        indonesian = {e["pointer"]: e["message"] for e in flatten_errors(errors)}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        english = {e["pointer"]: e["message"] for e in flatten_errors(errors)}
    assert indonesian["/respondents"] == "Jumlah responden harus 1 atau lebih."
    assert english["/respondents"] == "The number of respondents must be 1 or more."
    assert indonesian[f"/nrr/{ELEMENTS[0]}"] == "NRR harus antara 1 dan 4."
    assert english[f"/nrr/{ELEMENTS[0]}"] == "NRR must be between 1 and 4."


def test_a_message_renders_in_the_request_language_with_its_parameters():
    m = msg("This key is scoped to unit %(unit_id)s.", unit_id="U-1")
    assert m.render("id") == "Kunci ini hanya berlaku untuk unit U-1."
    assert m.render("en") == "This key is scoped to unit U-1."
    app = Flask("t")
    with app.test_request_context(headers={"Accept-Language": "en-US,en;q=0.8"}):
        assert str(m) == "This key is scoped to unit U-1."
        assert flatten_errors({"x": ["Field may not be null."]})[0]["message"] == "Field may not be null."
    with app.test_request_context():
        assert str(m) == "Kunci ini hanya berlaku untuk unit U-1."


def test_problem_error_old_and_new_forms():
    new = ProblemError(404, msg("Unit not found."))
    assert (new.detail, new.detail_en) == ("Unit tidak ditemukan.", "Unit not found.")
    old = ProblemError(404, "Unit tidak ditemukan.", detail_en="Unit not found.")
    app = Flask("t")
    for lang, want_title, want in (("id", "Tidak ditemukan", "Unit tidak ditemukan."),
                                   ("en", "Not found", "Unit not found.")):
        with app.test_request_context("/v1/x", headers={"Accept-Language": lang}):
            for exc in (new, old):
                body = exc.response().get_json(force=True)
                assert (body["title"], body["detail"]) == (want_title, want)


def test_domain_errors_answer_as_problems_in_one_place():
    from pantau.web import create_app

    app = create_app("t", [], title="t")

    @app.get("/v1/missing")
    def missing():
        raise NotFound(msg("Unit not found."))

    @app.get("/v1/taken")
    def taken():
        raise Conflict(msg("fkp_id already used with different content."), errors=[{"pointer": "/fkp_id"}],
                       fkp_id="F-1")

    client = app.test_client()
    resp = client.get("/v1/missing", headers={"Accept-Language": "id"})
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
    assert resp.get_json(force=True)["detail"] == "Unit tidak ditemukan."
    resp = client.get("/v1/taken", headers={"Accept-Language": "en"})
    body = resp.get_json(force=True)
    assert resp.status_code == 409 and body["detail"] == "fkp_id already used with different content."
    assert body["title"] == "Conflict with existing data" and body["fkp_id"] == "F-1"
    assert body["errors"] == [{"pointer": "/fkp_id"}]
    assert str(Conflict(msg("Unit not found."))) == "Unit not found."


def test_problem_keeps_a_plain_detail():
    app = Flask("t")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert problem(400, "Satu teks").get_json(force=True)["detail"] == "Satu teks"


def test_an_fkp_rule_refusal_answers_in_the_request_language():
    from pantau.rules import fkp as rules
    from services.consultation.store import illegal

    with pytest.raises(rules.Illegal) as exc:
        rules.next_status("progress", "in_progress", "fulfilled", forum_stage="planned")
    refused = illegal(exc.value)
    app = Flask("t")
    for lang, want in (("id", "Janji belum bisa dinyatakan terpenuhi karena FKP-nya belum dilaksanakan (tahap masih "
                              "planned); ubah tahap FKP ke held lebih dulu."),
                       ("en", "A promise cannot be fulfilled before its forum is held (stage planned).")):
        with app.test_request_context("/v1/fkp/F-1/promises/P-1/progress", headers={"Accept-Language": lang}):
            body = refused.response().get_json(force=True)
        assert body["status"] == 409 and body["detail"] == want
        assert body["errors"] == [{"pointer": "/status", "field": "status", "message": want}]
    with pytest.raises(rules.Illegal) as exc:
        rules.check_progress("in_progress", 40, 0, None, date(2026, 2, 9), date(2026, 2, 10), date(2026, 3, 1))
    invalid = illegal(exc.value)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        body = invalid.response().get_json(force=True)
    assert body["status"] == 422 and body["errors"][0]["message"] == "'at' cannot be before the forum date 2026-02-10."


def test_a_field_error_message_answers_in_the_request_language():
    from pantau.web import create_app, read_json

    app = create_app("t", [], title="t")

    @app.post("/v1/echo")
    def echo():
        return read_json()

    client = app.test_client()
    for lang, want in (("en", "Must be a JSON object."), ("id", "Harus berupa objek JSON.")):
        resp = client.post("/v1/echo", data=b"[1]", headers={"Accept-Language": lang, "Content-Type": "application/json"})
        body = resp.get_json(force=True)
        assert resp.status_code == 422 and body["errors"][0]["message"] == want, body
    for lang, want in (("en", "Give it once only."), ("id", "Berikan sekali saja.")):
        resp = client.get("/v1/echo?year=1&year=2", headers={"Accept-Language": lang})
        assert resp.status_code == 422 and resp.get_json(force=True)["errors"][0]["message"] == want
