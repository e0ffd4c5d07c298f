"""Dashboard routes: login, the bureau's and units' pages, public SKM pages, exports.

A route reads its filters (`tahun`, `periode`, `opd`, `per` = state of the data at the end of
that local day), calls the report function the JSON API calls for the same query, builds the
page model and renders it, or writes it as CSV/XLSX (`format=csv|xlsx`, `table=` for CSV).
"""

from __future__ import annotations

import functools
import re
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime

from flask import Response, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired

from pantau import auth, mongo
from pantau.config import settings
from pantau.rules.periods import Period, parse_period
from pantau.units import Registry

from .. import card_reports, reports
from ..exports import fmt, pdf, sheets
from . import blp, pages, pages_detail

YEARS_BACK = 4
KEY_RECHECK_SECONDS = 5.0


def db():
    return mongo.db("aggregator")


# ---- session -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    key_id: str
    role: str
    unit_id: str | None

    @property
    def bureau(self) -> bool:
        return self.role == "bureau"

    def can_see(self, unit_id: str) -> bool:
        return self.bureau or self.unit_id == unit_id


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


def error_page(status: int, message: str):
    v = g.get("viewer")
    return render_template(
        "error.html", status=status, message=message, viewer=v, nav=nav(v), logout_form=LogoutForm() if v else None
    ), status


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
            session.clear()  # a fresh session: no fixation, a new CSRF token
            session["u"] = {"k": p.key_id, "r": p.role, "unit": p.unit_id}
            session.permanent = True
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
    session.clear()
    return redirect(url_for("dashboard.login"))


# ---- filters ------------------------------------------------------------------------------------


def this_year() -> int:
    return datetime.now(fmt.tz()).year


def arg_year() -> int:
    raw = request.args.get("tahun", "")
    if raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= 2100:
        return int(raw)
    return this_year()


def arg_period(default_year: int | None = None) -> Period:
    raw = request.args.get("periode", "")
    try:
        return parse_period(raw)
    except ValueError:
        return Period("year", default_year or arg_year())


def arg_opd() -> str | None:
    raw = request.args.get("opd") or None
    if raw is None:
        return None
    o = Registry.instance().get(raw)
    return raw if o is not None and o.kind == "opd" else None


def arg_as_of() -> tuple[datetime, str | None]:
    """`per=YYYY-MM-DD`: the data as it stood at the end of that local day; else now."""
    raw = request.args.get("per", "")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            d = date.fromisoformat(raw)
            return datetime(d.year, d.month, d.day, 23, 59, 59, tzinfo=fmt.tz()), raw
        except ValueError:
            pass
    return card_reports.now(), None


def filter_bar(
    *,
    year: int | None = None,
    period: Period | None = None,
    opd: str | None = None,
    as_of: str | None = None,
    with_opd: bool = False,
    with_as_of: bool = False,
) -> dict:
    reg = Registry.instance()
    y = year or (period.year if period else this_year())
    years = sorted({*range(this_year() - YEARS_BACK, this_year() + 1), y}, reverse=True)
    out: dict = {"year": year, "years": years, "as_of": as_of, "with_as_of": with_as_of}
    if period is not None:
        out["period"] = str(period)
        out["periods"] = [
            (str(p), fmt.periode(p))
            for yy in years
            for p in [
                Period("year", yy),
                Period("semester", yy, 1),
                Period("semester", yy, 2),
                *[Period("quarter", yy, i) for i in range(1, 5)],
            ]
        ]
        if str(period) not in [p for p, _ in out["periods"]]:
            out["periods"].append((str(period), fmt.periode(period)))
    if with_opd:
        out["opd"] = opd
        out["opds"] = [(o.id, o.name) for o in sorted((u for u in reg.all() if u.kind == "opd"), key=lambda u: u.name)]
    return out


# ---- rendering and exports --------------------------------------------------------------------


def nav(v: Viewer | None) -> list[tuple[str, str]]:
    if v is None:
        return [("Hasil SKM", url_for("dashboard.public_province"))]
    if v.bureau:
        return [
            ("Ikhtisar provinsi", url_for("dashboard.province")),
            ("Kepatuhan", url_for("dashboard.compliance")),
            ("Janji FKP", url_for("dashboard.fkp")),
            ("Pengaduan", url_for("dashboard.complaints")),
            ("Hasil SKM publik", url_for("dashboard.public_province")),
        ]
    u = v.unit_id
    return [
        ("Kartu unit", url_for("dashboard.unit_card", unit_id=u)),
        ("Detail SKM", url_for("dashboard.skm", unit_id=u)),
        ("Janji FKP", url_for("dashboard.unit_fkp", unit_id=u)),
        ("Pengaduan", url_for("dashboard.unit_complaints", unit_id=u)),
        ("Hasil SKM publik", url_for("dashboard.public_unit", unit_id=u)),
    ]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "pantau"


def export_links(page: pages.Page) -> dict:
    args = {k: v for k, v in request.args.items() if k not in ("format", "table")}
    base = request.path
    return {
        "xlsx": url_for_path(base, {**args, "format": "xlsx"}),
        "csv": {t.name: url_for_path(base, {**args, "format": "csv", "table": t.name}) for t in page.tables()},
    }


def url_for_path(path: str, args: dict) -> str:
    from urllib.parse import urlencode

    return path + ("?" + urlencode(args) if args else "")


def show(page: pages.Page, filters: dict | None, public: bool = False):
    wanted = request.args.get("format")
    name = _slug(page.title + " " + page.subtitle)
    if wanted == "csv":
        tables = page.tables()
        t = next((t for t in tables if t.name == request.args.get("table")), tables[0] if tables else None)
        if t is None:
            return error_page(404, "Halaman ini tidak memiliki tabel.")
        return Response(
            sheets.to_csv(t),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="{name}-{t.name}.csv"',
                "Content-Type": "text/csv; charset=utf-8",
            },
        )
    if wanted == "xlsx":
        meta = [
            ("Judul", page.title),
            ("Keterangan", page.subtitle),
            ("Keadaan data per", fmt.waktu(page.as_of)),
            ("Filter", ", ".join(f"{k}={v}" for k, v in request.args.items() if k not in ("format", "table")) or "–"),
            ("Dibuat", fmt.waktu(card_reports.now())),
            ("Sumber", "Pantau — agregator laporan provinsi"),
        ]
        return Response(
            sheets.to_xlsx(page.tables(), meta),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    v = g.get("viewer")
    charts = {c.id: c.config() for s in page.sections for c in s.charts}
    return render_template(
        "page.html",
        page=page,
        filters=filters,
        viewer=v,
        nav=nav(v),
        public=public,
        exports=export_links(page),
        charts=charts,
        logout_form=LogoutForm() if v else None,
    )


def pdf_response(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="{filename}"'})


# ---- bureau pages ------------------------------------------------------------------------------


@blp.route("/dasbor", methods=["GET"])
def province():
    v = viewer()
    if v is not None and not v.bureau:
        return redirect(url_for("dashboard.unit_card", unit_id=v.unit_id))
    return _province()


@page_access(bureau_only=True)
def _province():
    year, opd = arg_year(), arg_opd()
    as_of, per = arg_as_of()
    if opd:
        return redirect(url_for("dashboard.opd", opd_id=opd, **{k: v for k, v in request.args.items() if k != "opd"}))
    ov = card_reports.province_overview(db(), settings(), year, as_of, live=per is None)
    return show(pages.province_page(ov), filter_bar(year=year, as_of=per, with_opd=True, with_as_of=True))


@blp.route("/dasbor/opd/<opd_id>", methods=["GET"])
@page_access(bureau_only=True)
def opd(opd_id: str):
    o = Registry.instance().get(opd_id)
    if o is None or o.kind != "opd":
        return error_page(404, "Perangkat daerah tidak ditemukan.")
    year = arg_year()
    as_of, per = arg_as_of()
    s = settings()
    ov = card_reports.province_overview(db(), s, year, as_of, opd_id, live=per is None)
    m = card_reports.compliance_matrix(db(), s, year, as_of, opd_id, live=per is None)
    return show(pages.opd_page(ov, m), filter_bar(year=year, opd=opd_id, as_of=per, with_opd=True, with_as_of=True))


@blp.route("/dasbor/kepatuhan", methods=["GET"])
@page_access(bureau_only=True)
def compliance():
    year, opd_id = arg_year(), arg_opd()
    as_of, per = arg_as_of()
    m = card_reports.compliance_matrix(db(), settings(), year, as_of, opd_id, live=per is None)
    return show(pages.compliance_page(m), filter_bar(year=year, opd=opd_id, as_of=per, with_opd=True, with_as_of=True))


@blp.route("/dasbor/fkp", methods=["GET"])
def fkp():
    v = viewer()
    if v is not None and not v.bureau:
        return redirect(url_for("dashboard.unit_fkp", unit_id=v.unit_id, **request.args))
    return _fkp()


@page_access(bureau_only=True)
def _fkp():
    from .. import fkp_reports

    year, opd_id = arg_year(), arg_opd()
    as_of, per = arg_as_of()
    rep = fkp_reports.province_report(db(), year, as_of)
    return show(
        pages_detail.fkp_province_page(rep, opd_id),
        filter_bar(year=year, opd=opd_id, as_of=per, with_opd=True, with_as_of=True),
    )


@blp.route("/dasbor/pengaduan", methods=["GET"])
def complaints():
    v = viewer()
    if v is not None and not v.bureau:
        return redirect(url_for("dashboard.unit_complaints", unit_id=v.unit_id, **request.args))
    return _complaints()


@page_access(bureau_only=True)
def _complaints():
    from pantau.rules.workdays import default_calendar

    from .. import complaint_reports

    period, opd_id = arg_period(), arg_opd()
    as_of, per = arg_as_of()
    s = settings()
    rep = complaint_reports.province_report(db(), period, as_of, default_calendar(), s.tz, s.province_id)
    return show(
        pages_detail.complaints_province_page(rep, opd_id),
        filter_bar(period=period, opd=opd_id, as_of=per, with_opd=True, with_as_of=True),
    )


@blp.route("/dasbor/rekap-skm.pdf", methods=["GET"])
@page_access(bureau_only=True)
def province_recap_pdf():
    period = arg_period()
    data = pdf.load_province_recap(db(), settings(), period)
    return pdf_response(pdf.render_province_recap(data), f"rekap-ikm-{period}.pdf")


# ---- unit pages -----------------------------------------------------------------------------------


@blp.route("/dasbor/unit/<unit_id>", methods=["GET"])
@page_access()
def unit_card(unit_id: str):
    year = arg_year()
    as_of, per = arg_as_of()
    card = card_reports.unit_card(db(), settings(), unit_id, year, as_of, live=per is None)
    return show(pages.unit_page(card), filter_bar(year=year, as_of=per, with_as_of=True))


def skm_trend(unit_id: str, period: Period, ikm: dict, n: int = 4, as_of: datetime | None = None) -> list[dict]:
    """The period and the n-1 before it, each as `/v1/ikm/units/{unit}?period=&as_of=` answers it."""
    s = settings()
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
    ikm = reports.unit_ikm(db(), settings(), unit_id, period, as_of=as_of)
    unit = Registry.instance().get(unit_id)
    return show(
        pages_detail.skm_page(ikm, unit.name, skm_trend(unit_id, period, ikm, as_of=as_of)),
        filter_bar(period=period, as_of=per, with_as_of=True),
    )


@blp.route("/dasbor/unit/<unit_id>/laporan-skm.pdf", methods=["GET"])
@page_access()
def skm_report_pdf(unit_id: str):
    period = arg_period()
    data = pdf.load_skm_report(db(), settings(), unit_id, period)
    return pdf_response(pdf.render_skm_report(data), f"laporan-skm-{unit_id}-{period}.pdf")


@blp.route("/dasbor/unit/<unit_id>/fkp", methods=["GET"])
@page_access()
def unit_fkp(unit_id: str):
    from .. import fkp_reports

    year = arg_year()
    as_of, per = arg_as_of()
    rep = fkp_reports.unit_report(db(), unit_id, year, as_of)
    return show(pages_detail.fkp_unit_page(rep), filter_bar(year=year, as_of=per, with_as_of=True))


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
    return show(pages_detail.complaints_unit_page(rep), filter_bar(period=period, as_of=per, with_as_of=True))


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
    page = pages_detail.public_province_page(
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
    return show(pages_detail.public_unit_page(ikm, unit.name), filter_bar(period=period), public=True)
