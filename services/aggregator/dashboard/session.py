"""Who is looking: the dashboard session. The signed cookie holds only a random session id; the
session itself (the verified key's id, role and unit) is a document in `<prefix>_registry.sessions`,
read by `_id` on every request (never cached, so a signed-out cookie stops working at once in
every worker) and deleted at sign-out. Its key is checked against the key store, briefly cached,
so a revoked key ends its sessions within seconds."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import g, session, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired

from pantau import auth, mongo

KEY_RECHECK_SECONDS = 5.0
LIFETIME = timedelta(hours=8)


@dataclass(frozen=True)
class Viewer(auth.Principal):
    """The principal behind a dashboard session."""

    @property
    def bureau(self) -> bool:
        return self.role == "bureau"

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


def sessions():
    return mongo.db("registry")["sessions"]


def sign_in(p: auth.Principal) -> None:
    """A fresh session for a verified key (a new id and a new CSRF token: no fixation)."""
    now = datetime.now(timezone.utc)
    sid = secrets.token_urlsafe(32)
    sessions().insert_one({"_id": sid, "key_id": p.key_id, "role": p.role, "unit_id": p.unit_id,
                           "created_at": now, "expires_at": now + LIFETIME})
    sessions().delete_many({"expires_at": {"$lt": now}})  # ended by time (a small collection)
    session.clear()
    session["sid"] = sid
    session.permanent = True


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
    expires = doc["expires_at"] if doc["expires_at"].tzinfo else doc["expires_at"].replace(tzinfo=timezone.utc)
    if expires <= datetime.now(timezone.utc) or not key_active(doc["key_id"]):
        return None
    return Viewer(doc["key_id"], doc["role"], doc.get("unit_id"))


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
    api_key = PasswordField("Kunci API", validators=[DataRequired(message="Masukkan kunci API.")])


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
