"""The dashboard's Flask blueprint: its configuration (sessions, Jinja filters), security
headers and the freshness line every page shows (routes: views.py, login.py)."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

from flask import Blueprint

from ..exports import fmt
from ..exports.tables import display
from .labels import empty_text
from .session import login_manager, max_lifetime


def unit_name(unit_id: str | None) -> str:
    """A unit's name for headers (its id if the registry does not know it)."""
    from pantau.units import Registry
    unit = Registry.instance().get(unit_id) if unit_id else None
    return unit.name if unit else (unit_id or "")

log = logging.getLogger("pantau.dashboard")

blp = Blueprint("dashboard", __name__, template_folder="templates", static_folder="static", static_url_path="/aset")
blp.record_once(lambda state: login_manager.init_app(state.app))  # Flask-Login carries the signed-in viewer

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def secret_key() -> str:
    """`PANTAU_SECRET_KEY`, else a key generated once into a file every worker reads (created
    with O_EXCL, so two workers starting together agree on one key)."""
    env = os.environ.get("PANTAU_SECRET_KEY")
    if env:
        return env
    from pantau.paths import ROOT

    path = Path(os.environ.get("PANTAU_SECRET_KEY_FILE") or ROOT / ".local" / "secret_key")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        for _ in range(50):  # another worker may be between create and write
            value = path.read_text().strip()
            if value:
                return value
            import time

            time.sleep(0.02)
    except OSError as exc:
        log.warning("no shared secret key file; sessions will not survive a worker switch", extra={"error": repr(exc)})
    return secrets.token_hex(32)


@blp.record_once
def _configure(state) -> None:
    app = state.app
    if not app.secret_key:
        app.secret_key = secret_key()
    app.config.update(
        SESSION_COOKIE_NAME="pantau_sesi",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("PANTAU_COOKIE_SECURE", "") in ("1", "true", "yes"),
        PERMANENT_SESSION_LIFETIME=max_lifetime(),  # the cookie; the session document ends sooner when idle
        WTF_CSRF_TIME_LIMIT=int(max_lifetime().total_seconds()),
    )
    app.jinja_env.filters.update(
        angka=fmt.angka, bulat=fmt.bulat, persen=fmt.persen, tanggal=fmt.tanggal, waktu=fmt.waktu, periode=fmt.periode
    )
    app.jinja_env.globals.update(cell_text=display, unit_name=unit_name, empty_text=empty_text)


@blp.context_processor
def _freshness() -> dict:
    from .freshness import line

    return {"freshness": line()}


@blp.after_request
def _headers(resp):
    for k, v in SECURITY_HEADERS.items():
        resp.headers[k] = v
    if resp.mimetype == "text/html" or resp.headers.get("Content-Disposition"):
        resp.headers["Cache-Control"] = "no-store"
    return resp

