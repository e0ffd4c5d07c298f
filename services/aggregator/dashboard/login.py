"""Sign-in and sign-out (a person's username and password in a form with CSRF; an API key only
when `PANTAU_DASHBOARD_KEY_SIGNIN=1`), the person's own password change, and the access rule every
page applies."""

from __future__ import annotations

import functools

from flask import g, redirect, render_template, request, url_for

from pantau import accounts, audit, auth
from pantau.units import Registry

from .blueprint import blp
from .render import error_page, nav
from .session import (
    KeyLoginForm,
    LoginForm,
    LogoutForm,
    PasswordChangeForm,
    _safe_next,
    home_for,
    key_signin_enabled,
    sign_in,
    sign_in_account,
    sign_out,
    viewer,
)

FAILED = "Nama pengguna atau kata sandi salah, atau akun tidak aktif."
LOCKED = (f"Terlalu banyak percobaan masuk yang gagal untuk nama pengguna ini; coba lagi dalam "
          f"{int(accounts.LOCK_FOR.total_seconds() // 60)} menit atau minta admin mengatur ulang kata sandi.")


def page_access(bureau_only: bool = False, admin_only: bool = False):
    """Login required; `bureau_only` pages answer 403 to a unit's viewer, `admin_only` pages to
    anyone but a `bureau_admin` account; a `unit_id` in the route must be the unit viewer's own."""

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            v = viewer()
            if v is None:
                return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))
            g.viewer = v
            if v.must_change and request.endpoint != "dashboard.my_account" and _still_temporary(v):
                return redirect(url_for("dashboard.my_account"))
            if bureau_only and not v.bureau:
                return error_page(403, "Halaman ini hanya untuk Biro Organisasi.")
            if admin_only and not v.admin:
                return error_page(403, "Halaman ini hanya untuk admin Biro Organisasi.")
            unit_id = kwargs.get("unit_id")
            if unit_id is not None:
                unit = Registry.instance().get(unit_id)
                if unit is None or unit.kind != "upp":
                    return error_page(404, "Unit tidak ditemukan.")
                if not v.can_see(unit_id):
                    return error_page(403, f"Akun ini hanya berlaku untuk unit {v.unit_id}.")
            return fn(*args, **kwargs)

        return wrapper

    return deco


def _still_temporary(v) -> bool:
    """Read past the brief account cache: a password changed a moment ago on another worker counts."""
    a = accounts.get(v.account) if v.account else None
    return bool(a and a.must_change)


@blp.route("/", methods=["GET"])
def root():
    v = viewer()
    return redirect(home_for(v) if v else url_for("dashboard.login"))


def _login_page(form, key_form, error, status):
    return render_template("login.html", form=form, key_form=key_form, error=error, viewer=None,
                           nav=nav(None)), status


@blp.route("/masuk", methods=["GET", "POST"])
def login():
    form = LoginForm()
    key_form = KeyLoginForm() if key_signin_enabled() else None
    target = _safe_next(request.args.get("next"))
    if request.method == "POST" and key_form is not None and "api_key" in request.form:
        if not key_form.validate_on_submit():
            return _login_page(form, key_form, "Formulir tidak valid atau kedaluwarsa; coba lagi.", 400)
        p = auth.verify(key_form.api_key.data.strip())
        if p is None:
            return _login_page(form, key_form, "Kunci API tidak dikenal atau sudah dicabut.", 401)
        sign_in(p)
        audit.record(f"key:{p.key_id}:{p.role}", "signin.key", p.key_id, _where())
        return redirect(target or home_for(viewer_after_sign_in()))
    if request.method == "POST":
        if not form.validate_on_submit():
            return _login_page(form, key_form, "Formulir tidak valid atau kedaluwarsa; coba lagi.", 400)
        result = accounts.authenticate(form.username.data, form.password.data)
        typed = accounts.normalise(form.username.data)[:64]
        if result.outcome != "ok" or result.account is None:
            # written before the answer: a lock and every failure are on record (the name as typed)
            audit.record(f"user:{typed}", "signin.locked" if result.outcome == "locked" else "signin.failed", typed,
                         _where())
            return _login_page(form, key_form, LOCKED if result.outcome == "locked" else FAILED,
                               429 if result.outcome == "locked" else 401)
        audit.record(f"user:{typed}", "signin.ok", typed, _where())
        sign_in_account(result.account)
        return redirect(target or home_for(viewer_after_sign_in()))
    return _login_page(form, key_form, None, 200)


def viewer_after_sign_in():
    return viewer()


@blp.route("/keluar", methods=["POST"])
def logout():
    form = LogoutForm()
    if not form.validate_on_submit():
        return error_page(400, "Formulir tidak valid atau kedaluwarsa.")
    v = viewer()
    if v is not None:
        audit.record(v.actor, "signout", v.account or v.key_id, _where())
    sign_out()
    return redirect(url_for("dashboard.login"))


def _where() -> dict:
    """Where a sign-in came from, for its audit entry (never the password)."""
    return {"address": request.remote_addr, "user_agent": (request.user_agent.string or "")[:200]}


@blp.route("/akun", methods=["GET", "POST"])
@page_access()
def my_account():
    """The signed-in person's account: who they are, and a password change."""
    v = g.viewer
    form = PasswordChangeForm()
    message, error, status = None, None, 200
    if v.account is None:
        error = "Sesi ini dibuka dengan kunci API; tidak ada akun untuk diubah."
    elif request.method == "GET" and v.must_change and _still_temporary(v):
        error = "Kata sandi Anda masih kata sandi sementara: ganti dulu di sini sebelum membuka halaman lain."
    elif request.method == "POST":
        if not form.validate_on_submit():
            error, status = "Formulir tidak valid atau kedaluwarsa; coba lagi.", 400
        elif form.new.data != form.repeat.data:
            error, status = "Ulangan kata sandi baru tidak sama.", 422
        else:
            try:
                accounts.change_password(v.account, form.current.data, form.new.data)
            except accounts.AccountError as exc:
                error, status = str(exc), 422
            else:
                audit.record(v.actor, "account.password_change", v.account)
                message = "Kata sandi sudah diganti."
    return render_template("account.html", viewer=v, nav=nav(v), logout_form=LogoutForm(), form=form,
                           message=message, error=error, role_label=accounts.ROLE_LABELS.get(v.account_role or "", ""),
                           min_length=accounts.MIN_LENGTH), status
