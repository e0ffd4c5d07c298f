"""The citizen's complaint tracking page (`/publik/pengaduan?nomor=`): the public view the
complaints service gives for a tracking number (`GET /v1/complaints/track/{id}`: status, the
unit holding it, the timeline and the deadlines; the subject only when not confidential; never
the reporter). The complaints service owns that view and its privacy rules, so this page reads
it from there (`PANTAU_COMPLAINTS_URL`) rather than from the aggregator's projection."""

from __future__ import annotations

import re

import requests
from flask import g, render_template, request

from pantau.config import settings

from .blueprint import blp
from .labels import KIND_LABELS, OUTCOME_LABELS, STATUS_LABELS
from .render import error_page, nav
from .session import viewer

NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")  # as the complaints service allows


def _fetch(number: str) -> tuple[int, dict | None]:
    url = f"{settings().complaints_url.rstrip('/')}/v1/complaints/track/{number}"
    try:
        r = requests.get(url, timeout=10)
    except requests.RequestException:
        return 503, None
    if r.status_code != 200:
        return r.status_code, None
    return 200, r.json()


@blp.route("/publik/pengaduan", methods=["GET"])
def public_track():
    g.viewer = viewer()
    number = (request.args.get("nomor") or "").strip()
    view = None
    if number:
        if not NUMBER.match(number):
            return error_page(400, "Nomor pelacakan hanya berisi huruf, angka, titik, garis bawah dan tanda hubung (paling banyak 80).")
        status, view = _fetch(number)
        if status == 404:
            return error_page(404, f"Pengaduan dengan nomor {number} tidak ditemukan. Periksa kembali nomornya.")
        if view is None:
            return error_page(503, "Layanan pengaduan sedang tidak dapat dihubungi; coba lagi sebentar lagi.")
    return render_template("public_track.html", number=number, view=view, viewer=g.viewer, nav=nav(g.viewer),
                           status_labels=STATUS_LABELS, kind_labels=KIND_LABELS, outcome_labels=OUTCOME_LABELS,
                           logout_form=None)
