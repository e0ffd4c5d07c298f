"""Staff sessions, as every service checks them: a session is a document in
`<prefix>_registry.sessions` (created by the dashboard at sign-in, services/aggregator/dashboard/
session.py), read by `_id`, ended by idle time, by its absolute lifetime, and at once when its
account is disabled, deleted or given another role (or its key revoked). The dashboard resolves
the id in its signed cookie; a service route that accepts staff sessions (`auth.require(...,
sessions=True)`) resolves `Authorization: Session <id>`, which the dashboard sends when it
forwards a person's form to that service, so the person, not a shared key, is the actor."""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from . import accounts, auth, mongo

KEY_RECHECK_SECONDS = 5.0
SEEN_EVERY = timedelta(seconds=60)  # last_seen is written at most once a minute per session


def idle_limit() -> timedelta:
    return timedelta(minutes=float(os.environ.get("PANTAU_SESSION_IDLE_MIN") or 30))


def max_lifetime() -> timedelta:
    return timedelta(hours=float(os.environ.get("PANTAU_SESSION_MAX_HOURS") or 12))


def key_signin_enabled() -> bool:
    return os.environ.get("PANTAU_DASHBOARD_KEY_SIGNIN", "") in ("1", "true", "yes")


@dataclass(frozen=True)
class Viewer(auth.Principal):
    """The principal behind a dashboard session: `role` is the authorization role (bureau | unit);
    a person's session also names the account, its role and display name."""

    account: str | None = None
    account_role: str | None = None
    display_name: str | None = None
    session_id: str | None = None
    must_change: bool = False  # the account's password is temporary (pantau/accounts.py)

    # the user interface Flask-Login expects (the dashboard's LoginManager loads a Viewer by its
    # session id: services/aggregator/dashboard/session.py)
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str | None:
        return self.session_id

    @property
    def bureau(self) -> bool:
        return self.role == "bureau"

    @property
    def admin(self) -> bool:
        return self.account_role == "bureau_admin"

    @property
    def sees_audit(self) -> bool:
        return self.account_role in ("auditor", "bureau_admin")

    @property
    def actor(self) -> str:
        """Who, for the audit log."""
        return f"user:{self.account}" if self.account else f"key:{self.key_id}"

    def can_see(self, unit_id: str) -> bool:
        return self.can_act_for(unit_id)


_key_cache: dict[str, tuple[float, bool]] = {}
_key_lock = threading.Lock()


def key_active(key_id: str) -> bool:
    """The key behind a session still exists and is not revoked (an `_id` lookup, cached briefly)."""
    now = time.monotonic()
    with _key_lock:
        hit = _key_cache.get(key_id)
    if hit and now - hit[0] < KEY_RECHECK_SECONDS:
        return hit[1]
    doc = auth.keys().find_one({"_id": key_id}, projection={"revoked": 1})
    ok = bool(doc) and not doc.get("revoked")
    with _key_lock:
        if len(_key_cache) > 10000:
            _key_cache.clear()
        _key_cache[key_id] = (now, ok)
    return ok


_account_cache: dict[str, tuple[float, accounts.Account | None]] = {}


def account_now(username: str) -> accounts.Account | None:
    """The account as it is now (an `_id` lookup, cached briefly); None if gone."""
    now = time.monotonic()
    with _key_lock:
        hit = _account_cache.get(username)
    if hit and now - hit[0] < KEY_RECHECK_SECONDS:
        return hit[1]
    a = accounts.get(username)
    with _key_lock:
        if len(_account_cache) > 10000:
            _account_cache.clear()
        _account_cache[username] = (now, a)
    return a


def sessions():
    return mongo.db("registry")["sessions"]


def resolve_in_request(sid: str) -> Viewer | None:
    """`resolve`, once per request: the rate limiter's key and the view read the same session."""
    from flask import g, has_request_context
    if not has_request_context():
        return resolve(sid)
    memo = g.setdefault("pantau_sessions", {})
    if sid not in memo:
        memo[sid] = resolve(sid)
    return memo[sid]


def resolve(sid: str) -> Viewer | None:
    """The principal of session `sid` now (None: unknown, ended or revoked; an ended one is deleted)."""
    doc = sessions().find_one({"_id": sid}) if 0 < len(sid) <= 100 else None
    if doc is None:
        return None
    now = datetime.now(timezone.utc)
    expires, seen = _aware(doc["expires_at"]), _aware(doc.get("last_seen") or doc["created_at"])
    if expires <= now or now - seen > idle_limit():
        sessions().delete_one({"_id": sid})
        return None
    if doc.get("kind") == "account":
        a = account_now(doc["account"])
        if a is None or not a.active or a.role != doc["account_role"] or a.unit_id != doc.get("unit_id"):
            sessions().delete_one({"_id": sid})  # disabled, deleted or given another role: sign in again
            return None
        v = Viewer(f"user:{a.username}", doc["role"], a.unit_id, a.username, a.role, a.display_name, sid,
                   must_change=a.must_change)
    else:
        if not key_signin_enabled() or not key_active(doc["key_id"]):
            return None
        v = Viewer(doc["key_id"], doc["role"], doc.get("unit_id"), session_id=sid)
    if now - seen > SEEN_EVERY:
        sessions().update_one({"_id": sid}, {"$set": {"last_seen": now}})
    return v


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)
