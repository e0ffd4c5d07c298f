"""Authorization of every route of the four services (the matrix in security_matrix.py).

`test_every_served_route_is_in_the_matrix` fails when a route is added to (or removed from) any
service without a line in the matrix, so a new endpoint cannot slip through untested. The other
tests run each route on the live platform: without credentials, with unit A's key (or dashboard
session) on unit B's data, with a unit key on bureau-only routes, and as the owner / the bureau
(the control that shows the request itself is valid).
"""
from __future__ import annotations

import pytest
from security_matrix import (
    ACCOUNT_PAGE,
    ACTION,
    ADMIN_PAGE,
    ANY_KEY,
    AUDIT_PAGE,
    BUREAU,
    CODE,
    FORM,
    FORM_SESSION,
    PAGE,
    PAGE_BUREAU,
    PUBLIC,
    REDIRECTS_UNITS,
    ROUTES,
    SCORE_PAGE,
    SESSION_ROUTES,
    UNIT,
    Route,
    accepting_sessions,
    declared,
    served,
)
from security_world import UNIT_A, UNIT_B, World

pytestmark = pytest.mark.e2e

EVENT_DBS = {"survey": "survey", "consultation": "consultation", "complaints": "complaints"}


def by(*kinds: str) -> list:
    return [pytest.param(r, id=r.id) for r in ROUTES if r.access in kinds]


def stored(service: str) -> int:
    """Documents in the service's stores that a write could add (events; FKP files and links)."""
    from pantau import mongo, store
    if service not in EVENT_DBS:
        return 0
    db = mongo.db(EVENT_DBS[service])
    names = {"consultation": ("events", "documents", "doc_links", "promise_slots"),
             "survey": ("events", "documents")}.get(service, ("events",))
    return sum(store.document_count(db[n]) for n in names)


def send(world: World, route: Route, who: str | None, **extra):
    path, kw = route.build(world)
    headers = kw.pop("headers", {})
    headers.update(extra.pop("headers", {}))
    return world.call(route.service, route.method, path, who, headers=headers, **kw, **extra)


def assert_refused(resp, status: int) -> None:
    assert resp.status_code == status, (resp.status_code, resp.text[:400])
    assert resp.headers["Content-Type"].startswith("application/problem+json"), resp.headers["Content-Type"]
    body = resp.json()
    assert body["status"] == status and body["detail"] and "Traceback" not in resp.text


def assert_ok(route: Route, resp) -> None:
    assert resp.status_code < 500, (route.id, resp.status_code, resp.text[:400])
    if route.ok is None:
        assert resp.status_code not in (401, 403), (route.id, resp.status_code, resp.text[:400])
    else:
        assert resp.status_code == route.ok, (route.id, resp.status_code, resp.text[:400])


def test_every_served_route_is_in_the_matrix():
    missing, stale = served() - declared(), declared() - served()
    assert not missing, f"routes without an authorization rule in tests/security/security_matrix.py: {sorted(missing)}"
    assert not stale, f"matrix lines for routes no service serves: {sorted(stale)}"
    ids = [r.id for r in ROUTES]
    assert len(ids) == len(set(ids)), "a route is listed twice"


@pytest.mark.parametrize("route", by(PUBLIC))
def test_public_routes_answer_without_a_key(world, route):
    assert_ok(route, send(world, route, None))


@pytest.mark.parametrize("route", by(UNIT, BUREAU, ANY_KEY, ACTION))
def test_api_routes_need_a_key(world, route):
    before = stored(route.service)
    r = send(world, route, None)
    assert_refused(r, 401)
    assert r.headers.get("WWW-Authenticate") == "Bearer"
    bad = send(world, route, None, headers={"Authorization": "Bearer pantau_000000000000_notakey"})
    assert_refused(bad, 401)
    assert stored(route.service) == before


@pytest.mark.parametrize("route", by(UNIT, ACTION))
def test_another_units_key_is_refused_and_stores_nothing(world, route):
    before = stored(route.service)
    r = send(world, route, UNIT_A)
    assert_refused(r, 403)
    assert stored(route.service) == before, "a refused request stored something"
    for leak in ("Antrean terlalu lama", "Siti Aminah", world.rtl_item["programme"]):
        assert leak not in r.text
    # the owner's same request is valid (so the 403 above is the authorization check)
    assert_ok(route, send(world, route, UNIT_B))
    if route.method == "GET":
        assert_ok(route, send(world, route, "bureau"))


@pytest.mark.parametrize("route", by(BUREAU))
def test_bureau_only_routes_refuse_unit_keys(world, route):
    before = stored(route.service)
    assert_refused(send(world, route, UNIT_B), 403)
    assert stored(route.service) == before
    assert_ok(route, send(world, route, "bureau"))


@pytest.mark.parametrize("route", by(ANY_KEY))
def test_unit_key_lists_only_its_unit(world, route):
    r = send(world, route, UNIT_A)
    assert r.status_code == 200
    assert [u["id"] for u in r.json()["units"]] == [UNIT_A]
    assert len(send(world, route, "bureau").json()["units"]) > 1


@pytest.mark.parametrize("route", by(CODE))
def test_participant_feedback_needs_the_forums_code(world, route):
    before = stored(route.service)
    assert_refused(send(world, route, None), 403)       # a well-formed but wrong code
    assert_refused(send(world, route, "bureau"), 403)   # an API key is no substitute for the code
    assert stored(route.service) == before
    path, _ = route.build(world)
    good = world.call(route.service, route.method, path, None, json={"code": world.new_code(), "verdict": "confirm"})
    assert_ok(route, good)  # the promise is not fulfilled yet: refused by state (409), not by credential


@pytest.mark.parametrize("route", by(PAGE, PAGE_BUREAU))
def test_dashboard_pages_need_a_session(world, route):
    r = send(world, route, None)
    assert r.status_code == 302 and "/masuk" in r.headers["Location"], (r.status_code, r.headers)


def _page(sessions, world, route: Route, who: str, **params):
    path, _ = route.build(world)
    return sessions[who].get(world.url(route.service, path), params=params, timeout=120, allow_redirects=False)


@pytest.mark.parametrize("route", by(PAGE))
def test_unit_pages_and_their_exports_refuse_another_unit(sessions, world, route):
    exports = [{}] if route.rule.endswith(".pdf") else [{}, {"format": "csv"}, {"format": "xlsx"}]
    for params in exports:
        r = _page(sessions, world, route, UNIT_A, **params)
        assert r.status_code == 403, (params, r.status_code, r.headers.get("Content-Type"))
        assert r.headers["Content-Type"].startswith("text/html") and "Content-Disposition" not in r.headers
        for who in (UNIT_B, "bureau"):
            own = _page(sessions, world, route, who, **params)
            assert own.status_code == 200, (who, params, own.status_code)


@pytest.mark.parametrize("route", by(PAGE_BUREAU))
def test_bureau_pages_and_exports_refuse_unit_sessions(sessions, world, route):
    exports = [{}] if route.rule.endswith(".pdf") else [{}, {"format": "xlsx"}]
    for params in exports:
        r = _page(sessions, world, route, UNIT_A, **params)
        if route.rule in REDIRECTS_UNITS:
            assert r.status_code == 302 and f"/dasbor/unit/{UNIT_A}" in r.headers["Location"], \
                (r.status_code, r.headers.get("Location"))
        else:
            assert r.status_code == 403 and "Content-Disposition" not in r.headers, (params, r.status_code)
        assert _page(sessions, world, route, "bureau", **params).status_code == 200


@pytest.mark.parametrize("route", by(FORM))
def test_dashboard_forms_need_the_csrf_token(world, route):
    r = send(world, route, None)
    assert r.status_code == 400, (r.status_code, r.headers.get("Location"))


@pytest.mark.parametrize("route", by(ACCOUNT_PAGE, ADMIN_PAGE, AUDIT_PAGE, FORM_SESSION))
def test_account_pages_and_forms_need_a_session(world, route):
    r = send(world, route, None)
    assert r.status_code == 302 and "/masuk" in r.headers["Location"], (r.status_code, r.headers)


@pytest.mark.parametrize("route", by(ACCOUNT_PAGE))
def test_the_own_account_page_opens_for_every_session(sessions, world, route):
    for who in (UNIT_A, UNIT_B, "bureau"):
        assert _page(sessions, world, route, who).status_code == 200


@pytest.mark.parametrize("route", by(ADMIN_PAGE))
def test_the_accounts_page_is_for_bureau_admins_only(sessions, world, route):
    for who in (UNIT_A, "bureau"):
        assert _page(sessions, world, route, who).status_code == 403
    path, _ = route.build(world)
    for role, status in (("bureau_analyst", 403), ("auditor", 403), ("unit_operator", 403), ("bureau_admin", 200)):
        r = world.account_session(role).get(world.url(route.service, path), timeout=60, allow_redirects=False)
        assert r.status_code == status, (role, r.status_code)


@pytest.mark.parametrize("route", by(FORM_SESSION))
def test_session_forms_need_the_csrf_token(world, route):
    from pantau import accounts
    path, kw = route.build(world)
    s = world.account_session("bureau_admin")
    r = s.post(world.url(route.service, path), data=kw["data"], timeout=60, allow_redirects=False)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert accounts.get("tidakdibuat") is None



def _as(session, world, route: Route):
    path, _ = route.build(world)
    return session.get(world.url(route.service, path), timeout=120, allow_redirects=False)


@pytest.mark.parametrize("route", by(PAGE))
def test_unit_pages_for_each_account_role(account_sessions, world, route):
    """Every bureau role sees every unit's page; unit B's operator sees B's (the route's unit)."""
    for role, s in account_sessions.items():
        assert _as(s, world, route).status_code == 200, role


@pytest.mark.parametrize("route", by(PAGE_BUREAU))
def test_bureau_pages_for_each_account_role(account_sessions, world, route):
    for role, s in account_sessions.items():
        r = _as(s, world, route)
        if role != "unit_operator":
            assert r.status_code == 200, (role, r.status_code)
        elif route.rule in REDIRECTS_UNITS:
            assert r.status_code == 302 and f"/dasbor/unit/{UNIT_B}" in r.headers["Location"]
        else:
            assert r.status_code == 403, (role, r.status_code)


@pytest.mark.parametrize("route", by(SCORE_PAGE))
def test_the_scoring_form_is_for_evaluators_admins_and_the_units_operator(sessions, account_sessions, world, route):
    assert send(world, route, None).status_code == 302
    for who in (UNIT_A, UNIT_B, "bureau"):  # unit A: another unit; B and the bureau: key sessions, not persons
        assert _page(sessions, world, route, who).status_code == 403, who
    allowed = ("bureau_admin", "evaluator", "unit_operator")
    for role, s in account_sessions.items():
        assert _as(s, world, route).status_code == (200 if role in allowed else 403), role


@pytest.mark.parametrize("route", by(AUDIT_PAGE))
def test_the_audit_page_is_for_auditors_and_admins(sessions, account_sessions, world, route):
    for who in (UNIT_A, "bureau"):
        assert _page(sessions, world, route, who).status_code == 403
    for role, s in account_sessions.items():
        assert _as(s, world, route).status_code == (200 if role in ("auditor", "bureau_admin") else 403), role


def test_the_routes_that_accept_staff_sessions_are_the_declared_ones():
    assert accepting_sessions() == SESSION_ROUTES


ROLE_ON_SESSION_ROUTES = {  # who a person's session acts as on each route that accepts one
    "GET /v1/skm/summaries/<unit_id>/<period>/<submission_id>/report":
        {"bureau_admin": 200, "bureau_analyst": 200, "evaluator": 200, "auditor": 200, "unit_operator": 200},
    # evaluator scores (the admin too), unit B's operator its self-assessment; read-only roles 403
    "PUT /v1/pekppp/<unit_id>/<int(signed=True):year>/scores":
        {"bureau_admin": 200, "bureau_analyst": 403, "evaluator": 200, "auditor": 403, "unit_operator": 200},
}


@pytest.mark.parametrize("route", by(UNIT, BUREAU, ANY_KEY, ACTION))
def test_a_persons_session_is_a_credential_only_where_the_route_takes_one(account_sessions, world, route):
    """Every API route × every account role, by the person's own session id in
    `Authorization: Session`: a key-only route answers 401 and stores nothing; a route that takes
    sessions gives each role what it may (the PEKPPP scores: tests/e2e/test_staff_session_on_the_api.py
    shows the actor recorded for each)."""
    key = (route.service, route.method, route.rule)
    for role, s in account_sessions.items():
        header = {"Authorization": f"Session {world.session_id(s)}"}
        before = stored(route.service)
        r = send(world, route, None, headers=header)
        if key not in SESSION_ROUTES:
            assert_refused(r, 401)
            assert stored(route.service) == before, (role, "a refused request stored something")
        else:
            assert r.status_code == ROLE_ON_SESSION_ROUTES[f"{route.method} {route.rule}"][role], (role, r.text[:300])
            if r.status_code == 403:
                assert stored(route.service) == before, (role, "a refused request stored something")
