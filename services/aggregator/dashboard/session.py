"""Who is looking: the dashboard session (a verified API key's id, role and unit), checked against
the key store briefly cached, so a revoked key ends its sessions within seconds."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import session, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired

from pantau import auth

KEY_RECHECK_SECONDS = 5.0


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


def viewer() -> Viewer | None:
    data = session.get("u")
    if not isinstance(data, dict) or "k" not in data:
        return None
    if not key_active(data["k"]):
        session.clear()
        return None
    return Viewer(data["k"], data["r"], data.get("unit"))


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
