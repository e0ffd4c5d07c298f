"""Abuse limits and key management, in-process against the real store (no Kafka traffic)."""
from __future__ import annotations

import hashlib

import pytest
from click.testing import CliRunner

pytestmark = pytest.mark.infra


@pytest.fixture
def app(infra, monkeypatch):
    monkeypatch.setenv("PANTAU_RATE_LIMIT", "3/hour")  # windows are aligned to the clock: an hour is never crossed here
    from pantau.ratelimit_store import StoreStorage
    StoreStorage().reset()  # the counters live in the store, shared with every other app
    monkeypatch.setenv("PANTAU_MAX_BODY_BYTES", "2000")
    from pantau import units
    from pantau.web import create_app
    from pantau_platform.infra.procs import ROOT
    from services.survey.api import blp
    units.import_units(units.load_file(ROOT / "deploy" / "registry" / "kaltim.yaml"))
    return create_app("survey", [blp], title="t")


def test_rate_limit_answers_429_with_retry_after(app):
    from pantau import auth
    token = auth.issue("unit", "samsat-penajam", note="limit test")
    client = app.test_client()
    h = {"Authorization": f"Bearer {token}"}
    codes = [client.post("/v1/skm/responses", json={}, headers=h).status_code for _ in range(4)]
    assert codes[:3] == [422, 422, 422] and codes[3] == 429
    r = client.post("/v1/skm/responses", json={}, headers=h)
    assert r.status_code == 429 and r.mimetype == "application/problem+json"
    assert int(r.headers["Retry-After"]) >= 1
    # another key has its own budget; health checks are never limited
    other = {"Authorization": f"Bearer {auth.issue('unit', 'samsat-penajam', note='other')}"}
    assert client.post("/v1/skm/responses", json={}, headers=other).status_code == 422
    assert all(client.get("/healthz").status_code == 200 for _ in range(5))


def test_oversized_body_is_413_problem(app):
    from pantau import auth
    client = app.test_client()
    h = {"Authorization": f"Bearer {auth.issue('unit', 'samsat-penajam', note='size test')}"}
    r = client.post("/v1/skm/responses", data=b'{"responses": [' + b"1," * 5000 + b"1]}", headers=h,
                    content_type="application/json")
    assert r.status_code == 413 and r.mimetype == "application/problem+json"
    assert "Traceback" not in r.get_data(as_text=True)


def test_keys_are_hashed_rotated_revoked_and_audited(infra):
    from pantau import auth, mongo
    from pantau_platform.cli import main
    runner = CliRunner()
    issued = runner.invoke(main, ["keys", "issue", "--unit", "samsat-penajam"])
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip()
    _, key_id, secret = token.split("_", 2)
    stored = auth.keys().find_one({"_id": key_id})
    assert secret not in str(stored) and stored["hash"] == hashlib.sha256(secret.encode()).hexdigest()
    rotated = runner.invoke(main, ["keys", "rotate", key_id])
    assert rotated.exit_code == 0, rotated.output
    new_token = rotated.output.strip()
    auth._cache.clear()
    assert auth.verify(token) is None
    p = auth.verify(new_token)
    assert p is not None and (p.role, p.unit_id) == ("unit", "samsat-penajam")
    assert runner.invoke(main, ["keys", "revoke", p.key_id]).exit_code == 0
    auth._cache.clear()
    assert auth.verify(new_token) is None
    actions = [a["action"] for a in mongo.db("registry")["audit"].find({"target": {"$in": [key_id, p.key_id]}})]
    assert sorted(actions) == ["key.issue", "key.revoke", "key.rotate"]
