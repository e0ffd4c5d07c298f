"""Login and logout (an API key in a form with CSRF), and the access rule every page applies."""

from __future__ import annotations

import functools

from flask import g, redirect, render_template, request, url_for

from pantau import auth
from pantau.units import Registry

from .blueprint import blp
from .render import error_page, nav
from .session import LoginForm, LogoutForm, Viewer, _safe_next, home_for, sign_in, sign_out, viewer


def page_access(bureau_only: bool = False):
    """Login required; `bureau_only` pages answer 403 to a unit key; a `unit_id` in the route must
    be the unit key's own unit."""

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            v = viewer()
            if v is None:
                return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))
            g.viewer = v
            if bureau_only and not v.bureau:
                return error_page(403, "Halaman ini hanya untuk Biro Organisasi.")
            unit_id = kwargs.get("unit_id")
            if unit_id is not None:
                unit = Registry.instance().get(unit_id)
                if unit is None or unit.kind != "upp":
                    return error_page(404, "Unit tidak ditemukan.")
                if not v.can_see(unit_id):
                    return error_page(403, f"Kunci ini hanya berlaku untuk unit {v.unit_id}.")
            return fn(*args, **kwargs)

        return wrapper

    return deco


@blp.route("/", methods=["GET"])
def root():
    v = viewer()
    return redirect(home_for(v) if v else url_for("dashboard.login"))


@blp.route("/masuk", methods=["GET", "POST"])
def login():
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        p = auth.verify(form.api_key.data.strip())
        if p is None:
            error, status = "Kunci API tidak dikenal atau sudah dicabut.", 401
        else:
            sign_in(p)
            v = Viewer(p.key_id, p.role, p.unit_id)
            return redirect(_safe_next(request.args.get("next")) or home_for(v))
    elif request.method == "POST":
        error, status = "Formulir tidak valid atau kedaluwarsa; coba lagi.", 400
    return render_template("login.html", form=form, error=error, viewer=None, nav=nav(None)), status


@blp.route("/keluar", methods=["POST"])
def logout():
    form = LogoutForm()
    if not form.validate_on_submit():
        return error_page(400, "Formulir tidak valid atau kedaluwarsa.")
    sign_out()
    return redirect(url_for("dashboard.login"))
