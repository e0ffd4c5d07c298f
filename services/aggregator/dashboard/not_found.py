"""A person who mistypes a dashboard address gets an Indonesian page, not a JSON problem.

An API client (a path under /v1/, or any request that does not prefer HTML over JSON) still gets
the application/problem+json answer of pantau.web; a browser asking for a page that does not
exist gets error.html with a way back. `/publik` leads to the public SKM page."""
from __future__ import annotations

from flask import Flask, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound

from pantau.problems import PROBLEM_JSON

from .blueprint import SECURITY_HEADERS
from .freshness import line

API_PREFIXES = ("/v1/", "/metrics", "/healthz", "/readyz", "/openapi", "/static/")


def wants_page() -> bool:
    """A browser navigation: HTML preferred to JSON, outside the API's paths."""
    if request.path.startswith(API_PREFIXES):
        return False
    accept = request.accept_mimetypes
    return accept.quality("text/html") > max(accept.quality("application/json"), accept.quality(PROBLEM_JSON))


def install(app: Flask) -> None:
    fallback = app.error_handler_spec[None][None].get(Exception)
    if fallback is None:
        raise RuntimeError("install the app's problem handlers (pantau.web) before the dashboard's 404 page")

    @app.errorhandler(NotFound)
    def _not_found(exc: NotFound):
        if not wants_page():
            return fallback(exc)
        # outside the blueprint: no viewer is loaded (the header shows the public navigation)
        html = render_template("error.html", status=404, viewer=None, nav=[], logout_form=None, freshness=line(),
                               message="Halaman yang Anda cari tidak ada. Periksa alamatnya, atau mulai dari beranda.")
        return html, 404, SECURITY_HEADERS

    app.add_url_rule("/publik", "public_root", lambda: redirect(url_for("dashboard.public_province"), 302))
