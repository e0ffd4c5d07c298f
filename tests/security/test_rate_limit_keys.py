"""Rate limits count per verified key: a forged token carrying another key's id spends nothing of
that key's budget, and made-up key ids do not escape the per-address limit."""
from __future__ import annotations

import secrets

import pytest

pytestmark = pytest.mark.infra


@pytest.fixture
def app(infra, monkeypatch):
    monkeypatch.setenv("PANTAU_RATE_LIMIT", "3/hour")  # windows are aligned to the clock: an hour is never crossed here
    from pantau.ratelimit_store import StoreStorage
    StoreStorage().reset()  # the counters live in the store, shared with every other app
    from pantau import units
    from pantau.web import create_app
    from pantau_platform.infra.procs import ROOT
    from services.survey.api import blp
    units.import_units(units.load_file(ROOT / "deploy" / "registry" / "kaltim.yaml"))
    return create_app("survey", [blp], title="t")


def test_forged_tokens_neither_spend_a_keys_budget_nor_escape_the_address_limit(app):
    from pantau import auth
    victim = auth.issue("unit", "uptd-prasarana-olahraga", note="rate limit victim")
    key_id = victim.split("_")[1]
    client = app.test_client()
    forged = {"Authorization": f"Bearer pantau_{key_id}_{secrets.token_urlsafe(32)}"}
    codes = [client.post("/v1/skm/responses", json={}, headers=forged).status_code for _ in range(5)]
    assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429], codes
    # the victim's own budget is untouched
    own = {"Authorization": f"Bearer {victim}"}
    assert [client.post("/v1/skm/responses", json={}, headers=own).status_code for _ in range(3)] == [422] * 3
    # a fresh made-up key id per request is still the same client address (already over its limit)
    made_up = [client.post("/v1/skm/responses", json={}, headers={
        "Authorization": f"Bearer pantau_{secrets.token_hex(6)}_{secrets.token_urlsafe(8)}"}).status_code
        for _ in range(3)]
    assert made_up == [429] * 3, made_up
