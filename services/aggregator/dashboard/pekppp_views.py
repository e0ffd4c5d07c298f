"""Dashboard routes of the PEKPPP evaluation: the province page, a unit's page, and the scoring
form. The form is the person's: the dashboard forwards it to the survey service, which owns the
score events (`PUT /v1/pekppp/{unit}/{year}/scores`), with the person's own session
(`Authorization: Session <id>`, pantau/sessions.py), so the service checks who they are and the
event and the audit entry name the account, not a shared key."""

from __future__ import annotations

import requests
from flask import g, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from pantau import mongo
from pantau.config import settings
from pantau.rules.pekppp import MEASURED
from pantau.rules.pekppp_instrument import instrument

from .. import card_reports, pekppp_reports
from ..exports import pekppp_pdf
from .blueprint import blp
from .filters import FilterError, arg_as_of, arg_opd, arg_year, filter_bar
from .login import page_access
from .page_pekppp import province_pekppp_page, unit_pekppp_page
from .render import error_page, nav, pdf_response, show
from .session import LogoutForm
from .views import own_unit_page, pdf_bad_request

SCORING_ROLES = ("bureau_admin", "evaluator")  # evaluator scores; a unit_operator records the self-assessment


def db():
    return mongo.db("aggregator")


def _form_role(v) -> str | None:
    """What this viewer's form records: evaluator scores, the unit's self-assessment, or nothing."""
    if v.account is None:
        return None  # a key's session: the API is the way for systems
    if v.account_role in SCORING_ROLES:
        return "evaluator"
    if v.account_role == "unit_operator":
        return "self"
    return None


@blp.route("/dasbor/pekppp", methods=["GET"])
def pekppp_province():
    return own_unit_page("dashboard.unit_pekppp", request.args) or _province()


@page_access(bureau_only=True)
def _province():
    year, opd_id = arg_year(), arg_opd()
    as_of, per = arg_as_of()
    rep = pekppp_reports.province_evaluation(db(), settings(), year, as_of, opd_id, live=per is None)
    return show(province_pekppp_page(rep), filter_bar(year=year, opd=opd_id, as_of=per, with_opd=True, with_as_of=True))


@blp.route("/dasbor/unit/<unit_id>/pekppp", methods=["GET"])
@page_access()
def unit_pekppp(unit_id: str):
    year = arg_year()
    as_of, per = arg_as_of()
    ev = pekppp_reports.unit_evaluation(db(), settings(), unit_id, year, as_of, live=per is None)
    return show(unit_pekppp_page(ev, can_score=_form_role(g.viewer) is not None),
                filter_bar(year=year, as_of=per, with_as_of=True))


@blp.route("/dasbor/unit/<unit_id>/hasil-pekppp.pdf", methods=["GET"])
@page_access()
def unit_pekppp_pdf(unit_id: str):
    try:
        year = arg_year()
        as_of, _ = arg_as_of()
    except FilterError as exc:
        return pdf_bad_request(exc)
    data = pekppp_pdf.load_unit(db(), settings(), unit_id, year, as_of)
    return pdf_response(pekppp_pdf.render_unit(data), f"hasil-pekppp-{unit_id}-{year}.pdf")


@blp.route("/dasbor/rekap-pekppp.pdf", methods=["GET"])
@page_access(bureau_only=True)
def province_pekppp_pdf():
    try:
        year, opd_id = arg_year(), arg_opd()
        as_of, _ = arg_as_of()
    except FilterError as exc:
        return pdf_bad_request(exc)
    data = pekppp_pdf.load_province(db(), settings(), year, as_of, opd_id)
    return pdf_response(pekppp_pdf.render_province(data), f"rekap-pekppp-{year}.pdf")


class ScoreForm(FlaskForm):
    pass  # the CSRF token; the score fields are read from the posted form by indicator number


def _forward(unit_id: str, year: int, body: dict) -> tuple[int, dict]:
    """PUT the scores to the survey service as this person (their session id)."""
    url = f"{settings().survey_url.rstrip('/')}/v1/pekppp/{unit_id}/{year}/scores"
    try:
        r = requests.put(url, json=body, timeout=15, headers={"Authorization": f"Session {g.viewer.session_id}"})
    except requests.RequestException:
        return 503, {"detail": "Layanan survei tidak dapat dihubungi; skor belum tersimpan. Coba lagi sebentar lagi."}
    try:
        payload = r.json()
    except ValueError:
        payload = {"detail": "Jawaban layanan survei tidak terbaca; skor belum tersimpan."}
    return r.status_code, payload


def _posted(role: str) -> tuple[dict, list[str]]:
    scores, errors = {}, []
    for n in instrument().numbers():
        raw = (request.form.get(f"s{n}") or "").strip()
        if raw == "":
            continue
        if raw not in {"0", "1", "2", "3", "4", "5"}:
            errors.append(f"Indikator {n}: skor harus 0 sampai 5.")
            continue
        scores[str(n)] = int(raw)
    body: dict = {"scores": scores, "role": role}
    note = (request.form.get("note") or "").strip()
    if note:
        body["note"] = note
    links = [x.strip() for x in (request.form.get("evidence") or "").splitlines() if x.strip()]
    if links:
        body["evidence"] = links
    if not scores and not errors:
        errors.append("Pilih sedikitnya satu skor untuk disimpan.")
    return body, errors


@blp.route("/dasbor/unit/<unit_id>/pekppp/nilai", methods=["GET", "POST"])
@page_access()
def pekppp_score_form(unit_id: str):
    v = g.viewer
    role = _form_role(v)
    if role is None:
        return error_page(403, "Skor PEKPPP diisi oleh evaluator atau admin Biro Organisasi (atau operator unit "
                               "untuk penilaian mandiri), dengan akun masing-masing.")
    year = arg_year()
    form = ScoreForm()
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            return error_page(400, "Formulir tidak valid atau kedaluwarsa; muat ulang halaman lalu coba lagi.")
        body, errors = _posted(role)
        if not errors:
            code, payload = _forward(unit_id, year, body)
            if code == 200:
                return redirect(url_for("dashboard.unit_pekppp", unit_id=unit_id, tahun=year, tersimpan=1))
            errors = [e.get("message", "") for e in payload.get("errors", [])] or [payload.get("detail", "")]
            errors = [e for e in errors if e] or ["Skor belum tersimpan."]
            status = code if 400 <= code < 600 else 502
        else:
            status = 422
    ev = pekppp_reports.unit_evaluation(db(), settings(), unit_id, year, card_reports.now())
    current = {i["number"]: (i["evaluator"] if role == "evaluator" else i["self"]) for a in ev["aspects"]
               for i in a["indicators"]}
    return render_template("pekppp_form.html", ev=ev, role=role, form=form, errors=errors, current=current,
                           measured=MEASURED, posted=request.form if request.method == "POST" else {},
                           viewer=v, nav=nav(v), logout_form=LogoutForm()), status
