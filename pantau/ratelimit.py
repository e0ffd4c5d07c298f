"""Rate limiting (Flask-Limiter): 429 problem+json with Retry-After.

The key is the id of the verified API key, else the signed-in person's account (a dashboard
cookie or an API `Session` header naming a server-side session: all of one person's sessions
share one budget), else the client address (a token that does not
verify counts as its address). Limits come from `PANTAU_RATE_LIMIT` (default
"1200/minute": one limit, since each costs a store insert per request); sign-in posts are also limited per address
(`PANTAU_SIGNIN_RATE_LIMIT`, default "30/minute"). Counters are shared by every worker of every
service and survive restarts: they live in the platform's store (pantau/ratelimit_store.py,
`pantau-store://`); `PANTAU_RATE_LIMIT_STORAGE` may name another `limits` storage (e.g. Redis).
When the storage is unreachable each worker falls back to memory counters until it is back.
"""
from __future__ import annotations

import os

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

from . import ratelimit_store  # noqa: F401  (registers the pantau-store:// scheme)
from .messages import msg
from .problems import problem

EXEMPT = {"/healthz", "/readyz", "/metrics", "/openapi.json"}


def _person_key(sid: str) -> str | None:
    """A staff session's budget: its account's (every session of one person shares it), or its
    key's for a key sign-in; None for a session that does not resolve (ended, unknown)."""
    from . import mongo, sessions
    try:
        v = sessions.resolve_in_request(sid)
    except mongo.STORE_ERRORS:
        return "session:" + sid[:16]  # the store is away: the session's own budget until it is back
    if v is None:
        return None
    return "account:" + v.account if v.account else "key:" + v.key_id


def client_key() -> str:
    """The verified key's id or the signed-in person's account, else the client address: an
    unverified token or session must neither spend another's budget (a key id is not secret) nor
    escape the address limit with made-up ids."""
    header = request.headers.get("Authorization", "")
    if not header:
        from flask import session
        sid = session.get("_user_id")  # the session id Flask-Login keeps (dashboard/session.py)
        if isinstance(sid, str):  # the cookie is signed: only the server made it
            return _person_key(sid) or "addr:" + (request.remote_addr or "-")
    if header.startswith("Session "):  # a staff session on the API (pantau/auth.py)
        return _person_key(header[8:].strip()) or "addr:" + (request.remote_addr or "-")
    if header.startswith("Bearer pantau_"):
        from . import auth, mongo
        try:
            principal = auth.verify(header[7:].strip())  # cached; the view's own check reuses it
        except mongo.STORE_ERRORS:
            principal = None
        if principal is not None:
            return "key:" + principal.key_id
    return "addr:" + (request.remote_addr or "-")


def install(app: Flask) -> Limiter:
    limiter = Limiter(client_key, app=app,
                      default_limits=[os.environ.get("PANTAU_RATE_LIMIT", "1200/minute")],
                      storage_uri=os.environ.get("PANTAU_RATE_LIMIT_STORAGE", "pantau-store://"),
                      in_memory_fallback_enabled=True, swallow_errors=True,
                      # no X-RateLimit-* headers: they would read the window's state on every answer
                      headers_enabled=False, default_limits_exempt_when=lambda: request.path in EXEMPT)
    app.extensions["pantau_limiter"] = limiter

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded):
        retry = _seconds_to_window_end(exc)
        resp = problem(429, msg("Rate limit exceeded (%(description)s). Retry later.", description=exc.description))
        limit_headers = getattr(exc, "headers", None) or {}
        resp.headers["Retry-After"] = str(retry or limit_headers.get("Retry-After") or 1)
        return resp

    return limiter


def _seconds_to_window_end(exc: RateLimitExceeded) -> int | None:
    """The windows are aligned to the clock (pantau/ratelimit_store.py): the limit resets then."""
    import math
    import time
    try:
        length = exc.limit.limit.get_expiry()
    except AttributeError:
        return None
    now = time.time()
    return max(1, math.ceil(math.ceil(now / length) * length - now))


def address() -> str:
    return "addr:" + (request.remote_addr or "-")


def limit_sign_in(app: Flask, endpoint: str = "dashboard.login") -> None:
    """Sign-in posts per client address too (on top of the per-username lock of pantau/accounts.py)."""
    limiter: Limiter = app.extensions["pantau_limiter"]
    view = app.view_functions[endpoint]
    limited = limiter.limit(lambda: os.environ.get("PANTAU_SIGNIN_RATE_LIMIT", "30/minute"),
                            key_func=address, methods=["POST"])(view)
    app.view_functions[endpoint] = limited  # type: ignore[assignment]  # flask-limiter types it sync or async
