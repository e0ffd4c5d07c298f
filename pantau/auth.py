"""API keys: per-unit keys scoped to one unit, and the bureau role that sees everything.

A token is `pantau_<key id>_<secret>`; only SHA-256(secret) is stored (the secret has 256 bits
of entropy, so a slow hash adds nothing), in `<prefix>_registry.keys`. Verified keys are cached
for a few seconds; a revoked key stops working within that time.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from flask import g, request

from . import mongo
from .messages import msg
from .problems import ProblemError

ROLES = ("unit", "bureau")
CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: str
    unit_id: str | None

    def can_act_for(self, unit_id: str) -> bool:
        return self.role == "bureau" or self.unit_id == unit_id


def keys():
    return mongo.db("registry")["keys"]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(role: str, unit_id: str | None = None, note: str = "") -> str:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if role == "unit" and not unit_id:
        raise ValueError("a unit key needs a unit id")
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    keys().insert_one({"_id": key_id, "hash": _hash(secret), "role": role,
                       "unit_id": unit_id if role == "unit" else None, "note": note,
                       "created_at": datetime.now(timezone.utc), "revoked": False})
    return f"pantau_{key_id}_{secret}"


def revoke(key_id: str) -> bool:
    res = keys().update_one({"_id": key_id}, {"$set": {"revoked": True,
                                                      "revoked_at": datetime.now(timezone.utc)}})
    return res.matched_count == 1


_cache: dict[str, tuple[float, Principal | None]] = {}
_lock = threading.Lock()


def verify(token: str) -> Principal | None:
    now = time.monotonic()
    with _lock:
        hit = _cache.get(token)
    if hit and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    principal = None
    parts = token.split("_", 2)
    if len(parts) == 3 and parts[0] == "pantau":
        doc = keys().find_one({"_id": parts[1]})
        if doc and not doc.get("revoked") and hmac.compare_digest(doc["hash"], _hash(parts[2])):
            principal = Principal(doc["_id"], doc["role"], doc.get("unit_id"))
    with _lock:
        if len(_cache) > 10000:
            _cache.clear()
        _cache[token] = (now, principal)
    return principal


def current(staff_sessions: bool = False) -> Principal:
    """The request's principal: an API key (`Bearer`), or, where the route accepts staff sessions,
    a signed-in person (`Session <id>`, pantau/sessions.py)."""
    header = request.headers.get("Authorization", "")
    if staff_sessions and header.startswith("Session "):
        from . import sessions
        person = sessions.resolve_in_request(header[8:].strip())
        if person is None:
            raise ProblemError(401, msg("Unknown or ended session; sign in again."),
                               headers={"WWW-Authenticate": "Bearer"})
        g.principal = person
        return person
    if not header.startswith("Bearer "):
        raise ProblemError(401, msg("Send an Authorization: Bearer <API key> header."),
                           headers={"WWW-Authenticate": "Bearer"})
    principal = verify(header[7:].strip())
    if principal is None:
        raise ProblemError(401, msg("Unknown or revoked API key."), headers={"WWW-Authenticate": "Bearer"})
    g.principal = principal
    return principal


def require(*roles: str, sessions: bool = False):
    """Decorator: the request needs a valid key with one of `roles` (default: any); with
    `sessions`, a staff session in `Authorization: Session <id>` is accepted too."""
    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            p = current(sessions)
            if roles and p.role not in roles:
                raise ProblemError(403, msg("This key's role may not do this."))
            return fn(*args, **kwargs)
        wrapper.accepts_sessions = sessions  # type: ignore[attr-defined]  # read by the authorization matrix's tests
        return wrapper
    return decorate


def check_unit(unit_id: str, pointer: str = "/unit_id") -> None:
    """403 unless the current key may act for `unit_id`."""
    p: Principal = g.principal
    if not p.can_act_for(unit_id):
        raise ProblemError(403, msg("This key is scoped to unit %(unit_id)s.", unit_id=p.unit_id),
                           errors=[{"pointer": pointer, "field": pointer.strip('/').replace('/', '.'),
                                    "message": msg("unit %(unit_id)s is not this key's unit", unit_id=unit_id)}])
