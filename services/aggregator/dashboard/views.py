"""Dashboard routes: the bureau's and units' pages, public SKM pages, exports.

A route reads its filters (`filters`), calls the report function the JSON API calls for the same
query, builds the page model (`pages`) and renders it, or writes it as CSV/XLSX (`render.show`).
The pages, exports and PDFs that show an IKM honour `weight=` as the API does (`ikm_settings`);
the public pages stay on the configured mode.
Login and the access rule are in `login`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import g, redirect, request, url_for

from pantau import mongo
from pantau.config import settings
from pantau.problems import PROBLEM_JSON, problem
from pantau.rules.periods import Period
from pantau.units import Registry

from .. import card_reports, pekppp_reports, reports, skm_summaries
from ..exports import pdf
from . import pages
from .blueprint import blp
from .filters import (
    FilterError,
    arg_as_of,
    arg_opd,
    arg_period,
    arg_recap_order,
    arg_weight,
    arg_year,
    filter_bar,
    ikm_settings,
)
from .login import page_access
from .render import error_page, pdf_response, show
from .session import viewer


def db():
    return mongo.db("aggregator")


@blp.errorhandler(FilterError)
def _bad_filter(exc: FilterError):
    return error_page(400, str(exc))


def own_unit_page(endpoint: str, args=None):
    """A unit key opening a province-wide page is sent to its own unit's page (None otherwise)."""
    v = viewer()
    if v is not None and not v.bureau:
        return redirect(url_for(endpoint, unit_id=v.unit_id, **(args or {})))
    return None


# ---- bureau pages ------------------------------------------------------------------------------


@blp.route("/dasbor", methods=["GET"])
def province():
    return own_unit_page("dashboard.unit_card") or _province()


@page_access(bureau_only=True)
def _province():
    year, opd = arg_year(), arg_opd()
    as_of, per = arg_as_of()
    if opd:
        rest: dict[str, Any] = {k: v for k, v in request.args.items() if k != "opd"}
        return redirect(url_for("dashboard.opd", opd_id=opd, **rest))
    s = ikm_settings()
    ov = card_reports.province_overview(db(), s, year, as_of, live=per is None)
    return show(pages.province_page(ov, weight=arg_weight()),
                filter_bar(year=year, as_of=per, with_opd=True, with_as_of=True, weight=s.ikm_weight_mode))


@blp.route("/dasbor/opd/<opd_id>", methods=["GET"])
@page_access(bureau_only=True)
def opd(opd_id: str):
    o = Registry.instance().get(opd_id)
    if o is None or o.kind != "opd":
        return error_page(404, "Perangkat daerah tidak ditemukan.")
    year = arg_year()
    as_of, per = arg_as_of()
    s = ikm_settings()
    ov = card_reports.province_overview(db(), s, year, as_of, opd_id, live=per is None)
    m = card_reports.compliance_matrix(db(), s, year, as_of, opd_id, live=per is None)
    return show(pages.opd_page(ov, m), filter_bar(year=year, opd=opd_id, as_of=per, with_opd=True, with_as_of=True,
                                                  weight=s.ikm_weight_mode))


@blp.route("/dasbor/kepatuhan", methods=["GET"])
@page_access(bureau_only=True)
def compliance():
    year, opd_id = arg_year(), arg_opd()
    as_of, per = arg_as_of()
    m = card_reports.compliance_matrix(db(), ikm_settings(), year, as_of, opd_id, live=per is None)
    return show(pages.compliance_page(m), filter_bar(year=year, opd=opd_id, as_of=per, with_opd=True, with_as_of=True))


@blp.route("/dasbor/fkp", methods=["GET"])
def fkp():
    return own_unit_page("dashboard.unit_fkp", request.args) or _fkp()


@page_access(bureau_only=True)
def _fkp():
    from .. import fkp_reports

    year, opd_id = arg_year(), arg_opd()
    as_of, per = arg_as_of()
    rep = fkp_reports.province_report(db(), year, as_of)
    return show(
        pages.fkp_province_page(rep, opd_id),
        filter_bar(year=year, opd=opd_id, as_of=per, with_opd=True, with_as_of=True),
    )


@blp.route("/dasbor/pengaduan", methods=["GET"])
def complaints():
    return own_unit_page("dashboard.unit_complaints", request.args) or _complaints()


@page_access(bureau_only=True)
def _complaints():
    from pantau.rules.workdays import default_calendar

    from .. import complaint_reports

    period, opd_id = arg_period(), arg_opd()
    as_of, per = arg_as_of()
    s = settings()
    rep = complaint_reports.province_report(db(), period, as_of, default_calendar(), s.tz, s.province_id, opd_id)
    return show(
        pages.complaints_province_page(rep, opd_id),
        filter_bar(period=period, opd=opd_id, as_of=per, with_opd=True, with_as_of=True),
    )


def pdf_bad_request(exc: FilterError):
    """A PDF report asked for with a filter it does not offer: 400. A browser (HTML acceptable, as
    with `*/*`) gets the dashboard's error page; a client that asks only for the PDF or for JSON
    gets problem+json, with the parameter named."""
    if request.accept_mimetypes.best_match(["text/html", PROBLEM_JSON]) == "text/html":
        return error_page(400, str(exc))
    return problem(400, str(exc), errors=[{"field": exc.param, "message": str(exc)}] if exc.param else None)


@blp.route("/dasbor/rekap-skm.pdf", methods=["GET"])
@page_access(bureau_only=True)
def province_recap_pdf():
    try:
        period, order, s = arg_period(), arg_recap_order(), ikm_settings()
    except FilterError as exc:
        return pdf_bad_request(exc)
    data = pdf.load_province_recap(db(), s, period, order)
    return pdf_response(pdf.render_province_recap(data), f"rekap-ikm-{period}-{order}.pdf")


# ---- unit pages -----------------------------------------------------------------------------------


@blp.route("/dasbor/unit/<unit_id>", methods=["GET"])
@page_access()
def unit_card(unit_id: str):
    year = arg_year()
    as_of, per = arg_as_of()
    s = ikm_settings()
    card = card_reports.unit_card(db(), s, unit_id, year, as_of, live=per is None)
    summaries = skm_summaries.unit_summaries(db(), unit_id, Period("year", year))
    evaluation = pekppp_reports.evaluation_of_card(db(), card, unit_id, year, as_of)
    return show(pages.unit_page(card, summaries, evaluation), filter_bar(year=year, as_of=per, with_as_of=True, weight=s.ikm_weight_mode))


def skm_trend(unit_id: str, period: Period, ikm: dict, n: int = 4, as_of: datetime | None = None) -> list[dict]:
    """The period and the n-1 before it, each as `/v1/ikm/units/{unit}?period=&as_of=&weight=` answers it."""
    s = ikm_settings()
    out = [{"period": str(period), "ikm": ikm["ikm"], "mutu": ikm["mutu"], "respondents": ikm["respondents"]}]
    p = period
    for _ in range(n - 1):
        p = p.previous()
        r = reports.unit_ikm(db(), s, unit_id, p, with_trend=False, as_of=as_of)
        out.insert(0, {"period": str(p), "ikm": r["ikm"], "mutu": r["mutu"], "respondents": r["respondents"]})
    return out


@blp.route("/dasbor/unit/<unit_id>/skm", methods=["GET"])
@page_access()
def skm(unit_id: str):
    period = arg_period()
    at, per = arg_as_of()
    as_of = at if per else None
    s = ikm_settings()
    ikm = reports.unit_ikm(db(), s, unit_id, period, as_of=as_of)
    unit = Registry.instance().get(unit_id)
    assert unit is not None  # page_access answered 404 for an unknown unit
    return show(
        pages.skm_page(ikm, unit.name, skm_trend(unit_id, period, ikm, as_of=as_of), weight=arg_weight()),
        filter_bar(period=period, as_of=per, with_as_of=True, weight=s.ikm_weight_mode),
    )


@blp.route("/dasbor/unit/<unit_id>/laporan-skm.pdf", methods=["GET"])
@page_access()
def skm_report_pdf(unit_id: str):
    try:
        period, s = arg_period(), ikm_settings()
    except FilterError as exc:
        return pdf_bad_request(exc)
    data = pdf.load_skm_report(db(), s, unit_id, period)
    return pdf_response(pdf.render_skm_report(data), f"laporan-skm-{unit_id}-{period}.pdf")


@blp.route("/dasbor/unit/<unit_id>/fkp", methods=["GET"])
@page_access()
def unit_fkp(unit_id: str):
    from .. import fkp_reports

    year = arg_year()
    as_of, per = arg_as_of()
    rep = fkp_reports.unit_report(db(), unit_id, year, as_of, past=bool(per))
    return show(pages.fkp_unit_page(rep), filter_bar(year=year, as_of=per, with_as_of=True))


@blp.route("/dasbor/unit/<unit_id>/pengaduan", methods=["GET"])
@page_access()
def unit_complaints(unit_id: str):
    from pantau.rules.workdays import default_calendar

    from .. import complaint_reports

    period = arg_period()
    as_of, per = arg_as_of()
    s = settings()
    unit = Registry.instance().get(unit_id)
    rep = complaint_reports.unit_report(db(), unit, period, as_of, default_calendar(), s.tz, s.province_id)
    return show(pages.complaints_unit_page(rep), filter_bar(period=period, as_of=per, with_as_of=True))


@blp.route("/dasbor/fkp/janji/<unit_id>/<fkp_id>/<promise_id>", methods=["GET"])
@page_access()
def promise_case(unit_id: str, fkp_id: str, promise_id: str):
    """One FKP promise of a unit (the unit's own viewer, or the bureau)."""
    from pantau.rules import fkp as fkp_rules

    from .page_fkp import promise_page

    doc = db()["fkp_units"].find_one({"_id": unit_id}) or {}
    promise = next((p for p in doc.get("promises", []) if p["fkp_id"] == fkp_id and p["promise_id"] == promise_id),
                   None)
    if promise is None:
        return error_page(404, "Janji tidak ditemukan.")
    as_of, per = arg_as_of()
    state = fkp_rules.state_at(promise["history"], as_of)
    if state is None:
        return error_page(404, "Janji ini belum dicatat pada tanggal yang dipilih.")
    unit = Registry.instance().get(unit_id)
    assert unit is not None  # page_access answered 404 for an unknown unit
    return show(promise_page(unit_id, unit.name, promise, state, as_of.isoformat()), filter_bar(as_of=per, with_as_of=True))


@blp.route("/dasbor/pengaduan/kasus/<tracking_id>", methods=["GET"])
@page_access()
def complaint_case(tracking_id: str):
    """One complaint: the bureau sees any; a unit sees one it holds or has held."""
    from pantau.rules.workdays import default_calendar

    from .page_case import case_page, case_state

    doc = db()["complaints"].find_one({"_id": tracking_id}) if len(tracking_id) <= 80 else None
    v = g.viewer
    if doc is None:
        return error_page(404, "Pengaduan tidak ditemukan.")
    if not (v.bureau or v.unit_id in (doc.get("holders") or [])):
        return error_page(403, "Pengaduan ini tidak pernah dipegang unit Anda.")
    as_of, per = arg_as_of()
    judged = case_state(doc, as_of, default_calendar(), settings().province_id)
    if judged is None:
        return error_page(404, "Pengaduan ini belum diterima pada tanggal yang dipilih.")
    return show(case_page(*judged, as_of), filter_bar(as_of=per, with_as_of=True))


# ---- public SKM pages (no login, no personal data) -----------------------------------------------


@blp.route("/publik/skm", methods=["GET"])
def public_province():
    g.viewer = viewer()
    period = arg_period()
    s = settings()
    reg = Registry.instance()
    upps = reg.upps()
    group = reports.group_ikm(db(), s, [u.id for u in upps], period, {"province_id": s.province_id})
    province = reg.get(s.province_id)
    page = pages.public_province_page(
        group, {u.id: u.name for u in upps}, province.name if province else s.province_id
    )
    return show(page, filter_bar(period=period), public=True)


@blp.route("/publik/skm/<unit_id>", methods=["GET"])
def public_unit(unit_id: str):
    g.viewer = viewer()
    unit = Registry.instance().get(unit_id)
    if unit is None or unit.kind != "upp":
        return error_page(404, "Unit tidak ditemukan.")
    period = arg_period()
    ikm = reports.unit_ikm(db(), settings(), unit_id, period, with_trend=False)
    return show(pages.public_unit_page(ikm, unit.name), filter_bar(period=period), public=True)
