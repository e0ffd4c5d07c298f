"""Who is looking: the dashboard session. The signed cookie holds only a random session id; the
session itself is a document in `<prefix>_registry.sessions`, read by `_id` on every request
(never cached, so a signed-out cookie stops working at once in every worker) and deleted at
sign-out. A session belongs to a staff account (pantau/accounts.py; the usual way) or, when
`PANTAU_DASHBOARD_KEY_SIGNIN=1`, to an API key. Its account (or key) is checked against the
registry, briefly cached, so a disabled account, a changed role or a revoked key ends its
sessions within seconds. A session ends after `PANTAU_SESSION_IDLE_MIN` minutes without a
request (default 30) and `PANTAU_SESSION_MAX_HOURS` after sign-in (default 12)."""

from __future__ import annotations

import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import g, session, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from pantau import accounts, auth, mongo

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


def _start(doc: dict) -> None:
    """A fresh session (a new id and a new CSRF token: no fixation)."""
    now = datetime.now(timezone.utc)
    sid = secrets.token_urlsafe(32)
    sessions().insert_one({"_id": sid, **doc, "created_at": now, "last_seen": now, "expires_at": now + max_lifetime()})
    sessions().delete_many({"expires_at": {"$lt": now}})  # ended by time (a small collection)
    session.clear()
    session["sid"] = sid
    session.permanent = True


def sign_in(p: auth.Principal) -> None:
    """A session for a verified API key (only when key sign-in is enabled)."""
    _start({"kind": "key", "key_id": p.key_id, "role": p.role, "unit_id": p.unit_id})


def sign_in_account(a: accounts.Account) -> None:
    """A session for a person who gave their password."""
    _start({"kind": "account", "account": a.username, "account_role": a.role,
            "role": "bureau" if a.bureau else "unit", "unit_id": a.unit_id})


def sign_out() -> None:
    sid = session.get("sid")
    if isinstance(sid, str):
        sessions().delete_one({"_id": sid})
    session.clear()


def _lookup() -> Viewer | None:
    sid = session.get("sid")
    if not isinstance(sid, str):
        return None
    doc = sessions().find_one({"_id": sid})
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
        v = Viewer(f"user:{a.username}", doc["role"], a.unit_id, a.username, a.role, a.display_name)
    else:
        if not key_signin_enabled() or not key_active(doc["key_id"]):
            return None
        v = Viewer(doc["key_id"], doc["role"], doc.get("unit_id"))
    if now - seen > SEEN_EVERY:
        sessions().update_one({"_id": sid}, {"$set": {"last_seen": now}})
    return v


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def viewer() -> Viewer | None:
    """The signed-in viewer, looked up once per request (None: not signed in, signed out, expired
    or revoked; the cookie is then cleared)."""
    if "session_viewer" not in g:
        v = _lookup()
        if v is None and ("sid" in session or "u" in session):  # ended (or from before server sessions)
            session.clear()
        g.session_viewer = v
    return g.session_viewer


class LoginForm(FlaskForm):
    username = StringField("Nama pengguna", validators=[DataRequired(message="Masukkan nama pengguna.")])
    password = PasswordField("Kata sandi", validators=[DataRequired(message="Masukkan kata sandi.")])


class KeyLoginForm(FlaskForm):
    api_key = PasswordField("Kunci API", validators=[DataRequired(message="Masukkan kunci API.")])


class PasswordChangeForm(FlaskForm):
    current = PasswordField("Kata sandi saat ini", validators=[DataRequired(message="Masukkan kata sandi saat ini.")])
    new = PasswordField("Kata sandi baru", validators=[DataRequired(message="Masukkan kata sandi baru.")])
    repeat = PasswordField("Ulangi kata sandi baru", validators=[DataRequired(message="Ulangi kata sandi baru.")])


class LogoutForm(FlaskForm):
    pass


def _safe_next(target: str | None) -> str | None:
    # a local path only: no "//host", no backslash, and no space or control character (a redirect
    # drops tabs and newlines, so "/\t/evil.example" would become "//evil.example")
    if not target or any(ch == "\\" or ord(ch) < 0x21 or ord(ch) == 0x7F for ch in target):
        return None
    if target.startswith("/") and not target.startswith("//"):
        return target
    return None


def home_for(v: Viewer) -> str:
    return url_for("dashboard.province") if v.bureau else url_for("dashboard.unit_card", unit_id=v.unit_id)
