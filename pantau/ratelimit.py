"""Per-key rate limiting (Flask-Limiter): 429 problem+json with Retry-After.

The key is the id of the verified API key (a token that does not verify counts as its client
address). Limits come from `PANTAU_RATE_LIMIT` (default "1200/minute;100/second"). Counters live
in each gunicorn worker's memory: with W workers a client can get up to W times the limit before
every worker has seen it. A shared store would need atomic increments, which FerretDB 1.24 does
not give (its updates are unlocked read-modify-writes); production with MongoDB or Redis can set
`PANTAU_RATE_LIMIT_STORAGE` (a `limits` storage URI) instead.
"""
from __future__ import annotations

import os

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded

from .problems import problem

EXEMPT = {"/healthz", "/readyz", "/metrics", "/openapi.json"}


def client_key() -> str:
    """The verified key's id, else the client address: an unverified token must neither spend
    another key's budget (its id is not secret) nor escape the address limit with made-up ids."""
    header = request.headers.get("Authorization", "")
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
                      default_limits=[os.environ.get("PANTAU_RATE_LIMIT", "1200/minute;100/second")],
                      storage_uri=os.environ.get("PANTAU_RATE_LIMIT_STORAGE", "memory://"),
                      headers_enabled=True, default_limits_exempt_when=lambda: request.path in EXEMPT)

    @app.errorhandler(RateLimitExceeded)
    def _too_many(exc: RateLimitExceeded):
        retry = exc.retry_after if hasattr(exc, "retry_after") else None
        resp = problem(429, f"Batas permintaan terlampaui ({exc.description}). Coba lagi nanti.",
                       detail_en=f"Rate limit exceeded ({exc.description}). Retry later.")
        limit_headers = getattr(exc, "headers", None) or {}
        resp.headers["Retry-After"] = str(retry or limit_headers.get("Retry-After") or 1)
        return resp

    return limiter
