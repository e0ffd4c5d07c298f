"""Rate limits are shared by every worker and survive a restart (issue 17, pantau/ratelimit_store.py):
three app instances in this process stand for three gunicorn workers (each its own limiter and
storage object, sharing only the real store, exactly as workers do); requests spread over them,
one after another and all at once, pass exactly the configured number, and a fresh instance (a
restarted worker) goes on refusing. The same run with per-worker memory counters passes three
times the limit: what the store-backed counters fix."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

pytestmark = pytest.mark.infra
LIMIT = 10


def workers(monkeypatch, n: int, storage: str | None = None) -> list:
    monkeypatch.setenv("PANTAU_RATE_LIMIT", f"{LIMIT}/hour")  # aligned windows: an hour is not crossed here
    if storage:
        monkeypatch.setenv("PANTAU_RATE_LIMIT_STORAGE", storage)
    from pantau.web import create_app
    from services.survey.api import blp
    return [create_app("survey", [blp], title=f"worker {i}").test_client() for i in range(n)]


@pytest.fixture
def token(infra):
    from pantau import auth, units
    from pantau.ratelimit_store import StoreStorage
    from pantau_platform.infra.procs import ROOT
    units.import_units(units.load_file(ROOT / "deploy" / "registry" / "kaltim.yaml"))
    StoreStorage().reset()
    return auth.issue("unit", "samsat-penajam", note="shared limit test")


def post(client, token: str) -> int:
    return client.post("/v1/skm/responses", json={}, headers={"Authorization": f"Bearer {token}"}).status_code


def test_requests_spread_over_workers_pass_exactly_the_limit(monkeypatch, token):
    apps = workers(monkeypatch, 3)
    codes = [post(apps[i % 3], token) for i in range(LIMIT + 5)]
    assert codes == [422] * LIMIT + [429] * 5, codes  # 422: the empty body, past the limiter
    restarted = workers(monkeypatch, 1)[0]
    assert post(restarted, token) == 429  # the count is in the store, not in the worker


def test_concurrent_requests_over_workers_pass_exactly_the_limit(monkeypatch, token):
    apps = workers(monkeypatch, 3)
    with ThreadPoolExecutor(max_workers=9) as pool:
        codes = list(pool.map(lambda i: post(apps[i % 3], token), range(3 * LIMIT)))
    assert codes.count(422) == LIMIT and codes.count(429) == 2 * LIMIT, sorted(codes)


def test_per_worker_memory_counters_would_pass_a_multiple(monkeypatch, token):
    apps = workers(monkeypatch, 3, storage="memory://")
    codes = [post(apps[i % 3], token) for i in range(3 * LIMIT + 3)]
    assert codes.count(422) == 3 * LIMIT  # each worker counted only what it saw


def test_every_session_of_one_person_shares_one_budget(monkeypatch, token):
    """Two sessions of one account (a laptop and a phone), spread over three workers, pass the
    limit once between them, not once each; another person keeps a budget of their own."""
    import secrets
    from datetime import datetime, timedelta, timezone

    from pantau import accounts, sessions
    from services.survey.pekppp import blp as pekppp_blp

    monkeypatch.setenv("PANTAU_RATE_LIMIT", f"{LIMIT}/hour")
    from pantau.web import create_app
    apps = [create_app("survey", [pekppp_blp], title=f"worker {i}").test_client() for i in range(3)]
    now = datetime.now(timezone.utc)

    def session_of(username: str) -> str:
        if accounts.get(username) is None:
            accounts.create(username, f"Penguji {username}", "evaluator", secrets.token_urlsafe(16))
        sid = secrets.token_urlsafe(32)
        sessions.sessions().insert_one({"_id": sid, "kind": "account", "account": username, "account_role": "evaluator",
                                        "role": "bureau", "unit_id": None, "created_at": now, "last_seen": now,
                                        "expires_at": now + timedelta(hours=1)})
        return sid

    def put(client, sid: str) -> int:
        return client.put("/v1/pekppp/samsat-penajam/2026/scores", json={},
                          headers={"Authorization": f"Session {sid}"}).status_code

    laptop, phone = session_of("limit-person-a"), session_of("limit-person-a")
    codes = [put(apps[i % 3], (laptop, phone)[i % 2]) for i in range(LIMIT + 4)]
    assert codes == [422] * LIMIT + [429] * 4, codes  # 422: the empty body, past the limiter
    assert put(apps[0], session_of("limit-person-b")) == 422
