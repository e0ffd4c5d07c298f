"""Dashboard pages and the card API in-process (Flask test client, report functions fed with the
plain scenario): the page shows the API's figures formatted id-ID, login with CSRF, unit keys
see only their unit, security headers, CSV/XLSX of the tables shown, public pages without login.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import openpyxl
import pytest
from card_scenario import AS_OF, YEAR, install_registry, scenario_card

from pantau import auth
from services.aggregator import card_reports, pekppp_reports, reports, skm_summaries
from services.aggregator.exports import fmt
from services.aggregator.wsgi import app

pytestmark = pytest.mark.infra

BUREAU, LAB = "pantau_bureau_x", "pantau_lab_x"
PRINCIPALS = {BUREAU: auth.Principal("kb", "bureau", None), LAB: auth.Principal("kl", "unit", "lab")}


class Figures(HTMLParser):
    """Collects `data-figure` texts and table cells (`data-table` / `data-row` / `data-col`)."""

    def __init__(self):
        super().__init__()
        self.figures: dict[str, str] = {}
        self.cells: dict[tuple[str, str, str], str] = {}
        self._table = self._row = None
        self._target: tuple | None = None
        self._text: list[str] = []
        self.csrf: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") == "csrf_token":
            self.csrf = a.get("value")
        if "data-table" in a:
            self._table = a["data-table"]
        if tag == "tr":
            self._row = a.get("data-row")
        if "data-figure" in a:
            self._target, self._text = ("figure", a["data-figure"]), []
        elif "data-col" in a:
            self._target, self._text = ("cell", (self._table, self._row, a["data-col"])), []

    def handle_data(self, data):
        if self._target:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._target and tag in ("div", "td", "time", "span"):
            kind, key = self._target
            text = " ".join("".join(self._text).split())
            (self.figures if kind == "figure" else self.cells)[key] = text
            self._target = None


def parse(html: str) -> Figures:
    p = Figures()
    p.feed(html)
    return p


@pytest.fixture()
def client(monkeypatch, infra):
    install_registry(monkeypatch)  # the figures are the scenario's; sessions and report slots are in the real store
    monkeypatch.setattr(auth, "verify", lambda token: PRINCIPALS.get(token))
    from pantau import sessions as session  # where a session document is checked

    monkeypatch.setattr(session, "key_active", lambda key_id: key_id in ("kb", "kl"))
    card = scenario_card()
    monkeypatch.setattr(card_reports, "unit_card", lambda db, s, unit_id, year, as_of, registry=None, live=False: card)
    monkeypatch.setattr(card_reports, "now", lambda: AS_OF)
    # the scenario's unit sent no SKM summary report (the card page reads them beside the card)
    monkeypatch.setattr(skm_summaries, "unit_summaries", lambda db, unit_id, period: {"unit_id": unit_id, "periods": []})
    # nor any PEKPPP score (the card page shows the IPP computed from the card and the scores)
    monkeypatch.setattr(pekppp_reports, "_docs", lambda db, keys: {})
    monkeypatch.setattr("services.aggregator.card_api.db", lambda: None)
    monkeypatch.setattr("services.aggregator.dashboard.views.db", lambda: None)
    app.config.update(TESTING=True)
    return app.test_client()


def login(client, token: str):
    page = client.get("/masuk")
    assert page.status_code == 200
    csrf = parse(page.get_data(as_text=True)).csrf
    assert csrf
    r = client.post("/masuk", data={"api_key": token, "csrf_token": csrf})
    return r


def test_unit_page_shows_the_card_api_figures(client):
    api = client.get(f"/v1/units/lab/card?year={YEAR}", headers={"Authorization": f"Bearer {BUREAU}"})
    assert api.status_code == 200
    card = api.get_json()
    assert login(client, BUREAU).status_code == 302
    r = client.get(f"/dasbor/unit/lab?tahun={YEAR}")
    assert r.status_code == 200
    p = parse(r.get_data(as_text=True))
    latest, year = card["skm"]["latest"], card["skm"]["year"]
    assert p.figures["skm.latest.ikm"] == fmt.angka(latest["ikm"]) == "86,87"
    assert p.figures["skm.year.ikm"] == fmt.angka(year["ikm"])
    assert p.figures["skm.year.respondents"] == fmt.bulat(year["respondents"])
    assert p.figures["fkp.promises.overdue"] == fmt.bulat(card["fkp"]["promises"]["overdue"])
    assert p.figures["complaints.breaches_charged.total"] == fmt.bulat(card["complaints"]["breaches_charged"]["total"])
    assert p.figures["complaints.resolved.pct"] == fmt.persen(card["complaints"]["resolved"]["pct"]) == "0,0%"
    for t in card["skm"]["trend"]:
        assert p.cells[("tren", t["period"], "ikm")] == (fmt.angka(t["ikm"]) if t["ikm"] is not None else fmt.NONE)
    for w in latest["weakest"]:
        assert p.cells[("unsur-terlemah", w["element"], "nrr")] == fmt.angka(w["nrr"], 4)
    for k, v in card["pekppp"].items():
        assert p.cells[("pekppp", k, "score")] == (fmt.bulat(v["score"]) if v["score"] is not None else fmt.NONE)
    assert p.cells[("kewajiban", "rtl_done", "cell")] == "Tidak terpenuhi"
    assert p.figures["as_of"] == fmt.waktu(card["as_of"]) == "15 Juli 2026 12.00 WITA"


def test_login_needs_csrf_and_a_known_key_and_sets_a_signed_session(client):
    r = client.post("/masuk", data={"api_key": BUREAU})
    assert r.status_code == 400  # no CSRF token
    r = login(client, "pantau_unknown_key")
    assert r.status_code == 401 and "tidak dikenal" in r.get_data(as_text=True)
    r = login(client, BUREAU)
    assert r.status_code == 302 and r.headers["Location"].endswith("/dasbor")
    cookie = r.headers.get("Set-Cookie", "")
    assert "pantau_sesi=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert BUREAU not in cookie  # the key itself never goes into the cookie


def test_not_logged_in_redirects_to_login(client):
    r = client.get(f"/dasbor/unit/lab?tahun={YEAR}")
    assert r.status_code == 302 and "/masuk?next=" in r.headers["Location"]


def test_a_unit_key_sees_only_its_unit(client):
    r = login(client, LAB)
    assert r.status_code == 302 and r.headers["Location"].endswith("/dasbor/unit/lab")
    assert client.get(f"/dasbor/unit/lab?tahun={YEAR}").status_code == 200
    assert client.get(f"/dasbor/unit/rs?tahun={YEAR}").status_code == 403
    assert client.get("/dasbor/kepatuhan").status_code == 403
    assert client.get("/dasbor").headers["Location"].endswith("/dasbor/unit/lab")
    api = client.get("/v1/units/rs/card?year=2026", headers={"Authorization": f"Bearer {LAB}"})
    assert api.status_code == 403


def test_logout_needs_the_csrf_token_and_ends_the_session(client):
    login(client, BUREAU)
    assert client.post("/keluar").status_code == 400
    page = client.get(f"/dasbor/unit/lab?tahun={YEAR}")
    csrf = parse(page.get_data(as_text=True)).csrf
    r = client.post("/keluar", data={"csrf_token": csrf})
    assert r.status_code == 302 and r.headers["Location"].endswith("/masuk")
    assert client.get(f"/dasbor/unit/lab?tahun={YEAR}").status_code == 302


def test_a_revoked_key_ends_the_session(client, monkeypatch):
    login(client, BUREAU)
    from pantau import sessions as session  # where a session document is checked

    monkeypatch.setattr(session, "key_active", lambda key_id: False)
    assert client.get(f"/dasbor/unit/lab?tahun={YEAR}").status_code == 302


def test_html_pages_carry_security_headers(client):
    r = client.get("/masuk")
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["Referrer-Policy"] == "same-origin"
    html = r.get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html  # nothing inline for the CSP to block
    js = client.get("/aset/vendor/chart.umd.min.js")
    assert js.status_code == 200 and b"Chart.js v4.6.1" in js.data


def test_csv_and_xlsx_hold_the_tables_shown(client):
    login(client, BUREAU)
    card = scenario_card()
    csv = client.get(f"/dasbor/unit/lab?tahun={YEAR}&format=csv&table=tren")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()
    assert lines[0] == "Periode;Responden;IKM;Mutu"  # the Indonesian convention by default
    assert lines[3] == f"{YEAR}-S1;22;86,87;B"
    plain = client.get(f"/dasbor/unit/lab?tahun={YEAR}&format=csv&table=tren&sep=comma")
    assert plain.get_data(as_text=True).lstrip("\ufeff").strip().splitlines()[3] == f"{YEAR}-S1,22,86.87,B"
    assert client.get(f"/dasbor/unit/lab?tahun={YEAR}&format=csv&table=tren&sep=tab").status_code == 400
    x = client.get(f"/dasbor/unit/lab?tahun={YEAR}&format=xlsx")
    assert x.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(x.data))
    assert {"tren", "pekppp", "kewajiban", "Keterangan"} <= set(wb.sheetnames)
    ws = wb["tren"]
    assert [c.value for c in ws[1]] == ["Periode", "Responden", "IKM", "Mutu"]
    assert ws.auto_filter.ref == "A1:D5"
    assert ws["C4"].value == card["skm"]["trend"][2]["ikm"] and ws["C4"].number_format == "0.00"
    assert ws["B4"].number_format == "#,##0"
    ind = wb["pekppp"]
    assert [r[1].value for r in ind.iter_rows(min_row=2)] == [v["score"] for v in card["pekppp"].values()]


def test_card_api_validates_year_and_as_of(client):
    h = {"Authorization": f"Bearer {BUREAU}"}
    r = client.get("/v1/units/lab/card?year=26", headers=h)
    assert r.status_code == 422 and r.mimetype == "application/problem+json"
    r = client.get("/v1/units/lab/card?year=2026&as_of=2026-07-01", headers=h)
    assert r.status_code == 422 and r.get_json()["errors"][0]["field"] == "as_of"
    assert client.get("/v1/units/nowhere/card?year=2026", headers=h).status_code == 404
    assert client.get("/v1/compliance?year=2026").status_code == 401
    assert client.get("/v1/province?year=2026", headers={"Authorization": f"Bearer {LAB}"}).status_code == 403


def test_pdf_reports_refuse_a_malformed_periode_or_urut_with_400(client, monkeypatch):
    """A PDF asked for by a client that wants the PDF (or JSON) gets problem+json in Indonesian,
    naming the parameter; a browser gets the dashboard's 400 page; nothing silently defaults."""
    from services.aggregator.exports import pdf

    assert login(client, BUREAU).status_code == 302
    asked: list = []
    monkeypatch.setattr(pdf, "load_province_recap", lambda db, s, period, order: asked.append((str(period), order)))
    monkeypatch.setattr(pdf, "render_province_recap", lambda data: b"%PDF-1.7 stub")
    for path, param in (("/dasbor/unit/lab/laporan-skm.pdf?periode=abc", "periode"),
                        ("/dasbor/rekap-skm.pdf?periode=2026-Q9", "periode"),
                        ("/dasbor/rekap-skm.pdf?periode=2026&urut=acak", "urut")):
        r = client.get(path, headers={"Accept": "application/pdf"})
        assert r.status_code == 400 and r.mimetype == "application/problem+json", (path, r.data[:200])
        body = r.get_json()
        assert body["errors"][0]["field"] == param and body["status"] == 400
        assert ("Periode tidak valid" if param == "periode" else "Urutan tidak dikenal") in body["detail"]
        html = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        assert html.status_code == 400 and html.mimetype == "text/html" and 'data-status="400"' in html.get_data(True)
    assert asked == []  # nothing was rendered for a refused request
    for urut in ("peringkat", "opd", ""):
        r = client.get(f"/dasbor/rekap-skm.pdf?periode=2026-S1&urut={urut}", headers={"Accept": "application/pdf"})
        assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert asked == [("2026-S1", "peringkat"), ("2026-S1", "opd"), ("2026-S1", "peringkat")]


def test_public_unit_page_needs_no_login_and_shows_no_profile(client, monkeypatch):
    from card_scenario import skm_docs

    d = skm_docs()
    inp = card_reports.cut_skm(d["months"], d["settings"], d["rtl"], d["pubs"], AS_OF, "Asia/Makassar")
    body = card_reports.period_ikm("lab", card_reports.Period("year", YEAR), inp, "exact")
    ikm = {
        **{k: v for k, v in body.items() if k != "sums"},
        "unit_id": "lab",
        "as_of": AS_OF.isoformat(),
        "lowest_elements": [w["element"] for w in body["weakest"]],
    }
    monkeypatch.setattr(reports, "unit_ikm", lambda *a, **k: ikm)
    r = client.get(f"/publik/skm/lab?periode={YEAR}")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    p = parse(html)
    assert p.figures["ikm"] == "86,87" and p.figures["respondents"] == "22"
    assert "Profil responden" not in html and "Keluar" not in html
    assert re.search(r"data-row=\"biaya\"", html)
    assert client.get("/publik/skm/dinkes").status_code == 404
