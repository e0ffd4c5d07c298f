"""Rendering a page model: HTML with the navigation and filter form, or its tables as CSV/XLSX
(`format=csv|xlsx`, `table=` for CSV); error pages and PDF answers."""

from __future__ import annotations

import re

from flask import Response, g, render_template, request, url_for

from .. import card_reports
from ..exports import fmt, sheets
from .model import Page
from .session import LogoutForm, Viewer


def nav(v: Viewer | None) -> list[tuple[str, str]]:
    if v is None:
        return [("Hasil SKM", url_for("dashboard.public_province")), ("Lacak pengaduan", url_for("dashboard.public_track"))]
    if v.bureau:
        return [
            ("Ikhtisar provinsi", url_for("dashboard.province")),
            ("Kepatuhan", url_for("dashboard.compliance")),
            ("Janji FKP", url_for("dashboard.fkp")),
            ("Pengaduan", url_for("dashboard.complaints")),
            ("PEKPPP", url_for("dashboard.pekppp_province")),
            ("Laporan SKM diperiksa", url_for("dashboard.summaries_flagged")),
            ("Hasil SKM publik", url_for("dashboard.public_province")),
        ]
    u = v.unit_id
    return [
        ("Kartu unit", url_for("dashboard.unit_card", unit_id=u)),
        ("Detail SKM", url_for("dashboard.skm", unit_id=u)),
        ("Janji FKP", url_for("dashboard.unit_fkp", unit_id=u)),
        ("Pengaduan", url_for("dashboard.unit_complaints", unit_id=u)),
        ("PEKPPP", url_for("dashboard.unit_pekppp", unit_id=u)),
        ("Hasil SKM publik", url_for("dashboard.public_unit", unit_id=u)),
    ]


def error_page(status: int, message: str):
    v = g.get("viewer")
    return render_template(
        "error.html", status=status, message=message, viewer=v, nav=nav(v), logout_form=LogoutForm() if v else None
    ), status


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "pantau"


def export_links(page: Page) -> dict:
    args = {k: v for k, v in request.args.items() if k not in ("format", "table", "sep")}
    base = request.path
    return {
        "xlsx": url_for_path(base, {**args, "format": "xlsx"}),
        "csv": {t.name: url_for_path(base, {**args, "format": "csv", "table": t.name}) for t in page.tables()},
    }


def url_for_path(path: str, args: dict) -> str:
    from urllib.parse import urlencode

    return path + ("?" + urlencode(args) if args else "")


def show(page: Page, filters: dict | None, public: bool = False):
    wanted = request.args.get("format") or None
    name = _slug(page.title + " " + page.subtitle)
    if wanted not in (None, "csv", "xlsx"):
        return error_page(400, "Format unduhan tidak dikenal: pilih csv atau xlsx.")
    if wanted == "csv":
        sep = request.args.get("sep") or "semicolon"
        if sep not in sheets.CSV_CONVENTIONS:
            return error_page(400, "Pemisah CSV tidak dikenal: pilih sep=semicolon (bawaan, koma desimal) atau "
                                   "sep=comma (RFC 4180, titik desimal).")
        tables = page.tables()
        if not tables:
            return error_page(404, "Halaman ini tidak memiliki tabel.")
        asked = request.args.get("table") or None  # none asked: the page's first table
        t = tables[0] if asked is None else next((t for t in tables if t.name == asked), None)
        if t is None:
            return error_page(400, "Tabel tidak dikenal di halaman ini; pilih salah satu dari: "
                                   + ", ".join(t.name for t in tables) + ".")
        return Response(
            sheets.to_csv(t, sep),
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
            ("Filter", ", ".join(f"{k}={v}" for k, v in request.args.items() if k not in ("format", "table", "sep")) or "–"),
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
