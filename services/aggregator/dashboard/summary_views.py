"""Dashboard routes of SKM summary reports: the bureau's list of reports to check
(`/dasbor/skm/laporan-diperiksa?periode=`; the unit card shows a unit's own reports, views.py) and
the download of a report file (`/dasbor/skm/laporan/{unit}/{period}/{submission_id}/berkas.pdf`).
The file stays in the survey service, which owns it and checks who may read it: the dashboard
forwards the viewer's own session (`Authorization: Session <id>`, pantau/sessions.py) and passes
the PDF through, so a unit's viewer gets its own unit's files only, the bureau every unit's."""

from __future__ import annotations

import requests
from flask import Response, g

from pantau import mongo
from pantau.config import settings

from .. import skm_summaries
from .blueprint import blp
from .filters import arg_period, filter_bar
from .login import page_access
from .page_summaries import flagged_page
from .render import error_page, show

_PASSED = ("Content-Type", "Content-Disposition", "X-Content-SHA256")


@blp.route("/dasbor/skm/laporan-diperiksa", methods=["GET"])
@page_access(bureau_only=True)
def summaries_flagged():
    period = arg_period()
    rep = skm_summaries.flagged(mongo.db("aggregator"), period)
    return show(flagged_page(rep), filter_bar(period=period))


@blp.route("/dasbor/skm/laporan/<unit_id>/<period>/<submission_id>/berkas.pdf", methods=["GET"])
@page_access()
def summary_report_file(unit_id: str, period: str, submission_id: str):
    url = settings().survey_url.rstrip("/") + skm_summaries.report_path(unit_id, period, submission_id)
    try:
        r = requests.get(url, timeout=30, headers={"Authorization": f"Session {g.viewer.session_id}"})
    except requests.RequestException:
        return error_page(503, "Layanan survei tidak dapat dihubungi; coba unduh lagi sebentar lagi.")
    if r.status_code == 404:
        return error_page(404, "Berkas laporan belum diunggah atau tidak ditemukan.")
    if r.status_code != 200 or r.headers.get("Content-Type") != "application/pdf":
        return error_page(r.status_code if r.status_code in (401, 403) else 502,
                          "Berkas laporan tidak dapat diambil dari layanan survei.")
    return Response(r.content, status=200, headers={k: r.headers[k] for k in _PASSED if k in r.headers})
