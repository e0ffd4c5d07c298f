"""Who is looking: the dashboard session. The signed cookie holds only a random session id; the
session itself is a document in `<prefix>_registry.sessions`, read by `_id` on every request
(never cached, so a signed-out cookie stops working at once in every worker) and deleted at
sign-out. A session belongs to a staff account (pantau/accounts.py; the usual way) or, when
`PANTAU_DASHBOARD_KEY_SIGNIN=1`, to an API key. Its account (or key) is checked against the
registry, briefly cached, so a disabled account, a changed role or a revoked key ends its
sessions within seconds. A session ends after `PANTAU_SESSION_IDLE_MIN` minutes without a
request (default 30) and `PANTAU_SESSION_MAX_HOURS` after sign-in (default 12).

Flask-Login carries the signed-in user: `login_user` puts the session id in the cookie, the
LoginManager's user loader resolves it (pantau.sessions.resolve) once per request into the
`Viewer` that is `current_user`, `logout_user` forgets it. Its own session protection is off:
ending sessions is the server-side document's job (idle, absolute, revoked), not the client
address's."""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from flask import session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from pantau import accounts, auth, sessions
from pantau.sessions import (  # noqa: F401  (the dashboard's names for them)
    Viewer,
    account_now,
    idle_limit,
    key_active,
    key_signin_enabled,
    max_lifetime,
)

login_manager = LoginManager()
login_manager.session_protection = None  # see the module docstring (installed by blueprint.py)


@login_manager.user_loader
def _load(sid: str) -> Viewer | None:
    return sessions.resolve_in_request(sid) if isinstance(sid, str) else None


def _start(doc: dict) -> None:
    """A fresh session (a new id and a new CSRF token: no fixation)."""
    now = datetime.now(timezone.utc)
    sid = secrets.token_urlsafe(32)
    sessions.sessions().insert_one({"_id": sid, **doc, "created_at": now, "last_seen": now, "expires_at": now + max_lifetime()})
    sessions.sessions().delete_many({"expires_at": {"$lt": now}})  # ended by time (a small collection)
    session.clear()
    v = sessions.resolve(sid)
    if v is None:  # the account changed in the meantime
        raise RuntimeError("the new session did not resolve")
    login_user(v)
    session.permanent = True


def sign_in(p: auth.Principal) -> None:
    """A session for a verified API key (only when key sign-in is enabled)."""
    _start({"kind": "key", "key_id": p.key_id, "role": p.role, "unit_id": p.unit_id})


def sign_in_account(a: accounts.Account) -> None:
    """A session for a person who gave their password."""
    _start({"kind": "account", "account": a.username, "account_role": a.role,
            "role": "bureau" if a.bureau else "unit", "unit_id": a.unit_id})


def sign_out() -> None:
    sid = session.get("_user_id")
    if isinstance(sid, str):
        sessions.sessions().delete_one({"_id": sid})
    logout_user()
    session.clear()


def viewer() -> Viewer | None:
    """The signed-in viewer (Flask-Login's `current_user`, loaded once per request; None: not
    signed in, signed out, expired or revoked; the cookie is then cleared)."""
    v = current_user._get_current_object()
    if isinstance(v, Viewer):
        return v
    if "_user_id" in session or "sid" in session:  # ended (or from before Flask-Login)
        session.clear()
    return None


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
