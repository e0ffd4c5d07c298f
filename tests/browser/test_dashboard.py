"""The dashboard in Debian's Chromium against the running platform: pages load without console
errors, charts render, figures equal the JSON API's (formatted id-ID), filters change them, and
login separates the bureau, a unit and the public. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import time

import pytest
import requests
from dashboard_helpers import MAIN, MAIN_OPD, OTHER, Y, end_of_today, login, shot, today_local

from pantau.rules.ikm import ELEMENTS
from pantau.units import Registry
from services.aggregator.exports import fmt
from services.aggregator.exports.tables import STATE_LABELS

pytestmark = pytest.mark.e2e


def base(platform) -> str:
    return platform.url("aggregator", "")


def api(platform, path: str, **params) -> dict:
    r = requests.get(
        platform.url("aggregator", path), params=params, headers=platform.headers(platform.bureau), timeout=60
    )
    assert r.status_code == 200, r.text
    return r.json()


class Watch:
    """Console errors, uncaught exceptions and failed requests of a page."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.errors.append(f"requestfailed: {r.url}"))


def figure(page, key: str) -> str:
    return " ".join(page.locator(f'[data-figure="{key}"]').first.inner_text().split())


def cell(page, table: str, row: str, col: str) -> str:
    loc = page.locator(f'table[data-table="{table}"] tr[data-row="{row}"] td[data-col="{col}"]')
    return " ".join(loc.first.inner_text().split())


def charts_drawn(page) -> int:
    canvases = page.locator("canvas[data-chart]")
    n = canvases.count()
    for i in range(n):
        c = canvases.nth(i)
        assert c.get_attribute("data-rendered") == "1", c.get_attribute("data-chart")
        box = c.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 50, (c.get_attribute("data-chart"), box)
    return n


def fnum(v, kind: str = "dec2") -> str:
    if v is None:
        return fmt.NONE
    return {"dec2": fmt.angka, "int": fmt.bulat, "pct": fmt.persen}[kind](v)


PAGES = [  # (screenshot name, path, number of charts at least)
    ("ikhtisar-provinsi", f"/dasbor?tahun={Y}", 2),
    ("perangkat-daerah", f"/dasbor/opd/{MAIN_OPD}?tahun={Y}", 2),
    ("kartu-unit", f"/dasbor/unit/{MAIN}?tahun={Y}", 1),
    ("matriks-kepatuhan", f"/dasbor/kepatuhan?tahun={Y}", 1),
    ("detail-skm", f"/dasbor/unit/{MAIN}/skm?periode={Y}", 4),
    ("janji-fkp", f"/dasbor/fkp?tahun={Y}", 1),
    ("janji-fkp-unit", f"/dasbor/unit/{MAIN}/fkp?tahun={Y}", 1),
    ("pengaduan", f"/dasbor/pengaduan?periode={Y}", 3),
    ("pengaduan-unit", f"/dasbor/unit/{MAIN}/pengaduan?periode={Y}", 3),
]


def test_main_pages_load_without_console_errors_and_charts_render(platform, demo, new_context):
    ctx = new_context()
    page = ctx.new_page()
    watch = Watch(page)
    login(page, base(platform), demo["bureau"])
    for name, path, min_charts in PAGES:
        resp = page.goto(base(platform) + path)
        assert resp.status == 200, (path, resp.status)
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").inner_text(), path
        assert charts_drawn(page) >= min_charts, path
        shot(page, name)
    public = new_context().new_page()
    pw = Watch(public)
    for name, path in (
        ("publik-provinsi", f"/publik/skm?periode={Y}"),
        ("publik-unit", f"/publik/skm/{MAIN}?periode={Y}"),
        ("masuk", "/masuk"),
    ):
        resp = public.goto(base(platform) + path)
        assert resp.status == 200, path
        public.wait_for_load_state("networkidle")
        if name != "masuk":
            assert charts_drawn(public) >= 1, path
        shot(public, name)
    assert watch.errors == [] and pw.errors == []


def test_unit_card_figures_equal_the_card_api(platform, demo, new_context):
    page = new_context().new_page()
    login(page, base(platform), demo["bureau"])
    page.goto(base(platform) + f"/dasbor/unit/{MAIN}?tahun={Y}&per={today_local().isoformat()}")
    card = api(platform, f"/v1/units/{MAIN}/card", year=Y, as_of=end_of_today())
    assert figure(page, "as_of") == fmt.waktu(card["as_of"])
    skm, fkp, comp = card["skm"], card["fkp"], card["complaints"]
    assert skm["year"]["respondents"] == 40 and skm["latest"]["period"] == f"{Y}-Q3"
    assert figure(page, "skm.latest.ikm") == fmt.angka(skm["latest"]["ikm"])
    assert figure(page, "skm.latest.respondents") == fmt.bulat(skm["latest"]["respondents"])
    assert figure(page, "skm.year.ikm") == fmt.angka(skm["year"]["ikm"])
    assert figure(page, "skm.year.respondents") == "40"
    assert figure(page, "skm.rtl") == f"{skm['rtl']['done']} / {skm['rtl']['planned']}" == "1 / 1"
    assert figure(page, "fkp.forums_held") == fmt.bulat(fkp["forums_held"]) == "1"
    assert figure(page, "fkp.elements_covered_count") == "4"
    assert figure(page, "fkp.promises.overdue") == fmt.bulat(fkp["promises"]["overdue"]) == "1"
    assert figure(page, "fkp.promises.fulfilled") == fmt.bulat(fkp["promises"]["fulfilled"]) == "1"
    assert figure(page, "complaints.complaints") == fmt.bulat(comp["complaints"]) == "2"
    assert figure(page, "complaints.resolved.pct") == fnum(comp["resolved"]["pct"], "pct")
    assert figure(page, "complaints.breaches_charged.total") == fmt.bulat(comp["breaches_charged"]["total"])
    for t in skm["trend"]:
        assert cell(page, "tren", t["period"], "ikm") == fnum(t["ikm"]), t
        assert cell(page, "tren", t["period"], "respondents") == fmt.bulat(t["respondents"]), t
    for w in skm["latest"]["weakest"]:
        assert cell(page, "unsur-terlemah", w["element"], "nrr") == fmt.angka(w["nrr"], 4)
    for k, v in card["pekppp"].items():
        assert cell(page, "pekppp", k, "score") == (fmt.bulat(v["score"]) if v["score"] is not None else fmt.NONE), k
    for k, c in card["obligations"].items():
        assert cell(page, "kewajiban", k, "cell") == STATE_LABELS[c["state"]], k
    # the latest quarter's IKM is the SKM API's for that quarter
    q = api(platform, f"/v1/ikm/units/{MAIN}", period=skm["latest"]["period"])
    assert (q["ikm"], q["respondents"]) == (skm["latest"]["ikm"], skm["latest"]["respondents"])


def _compare(platform, page, url: str, checks) -> list:
    page.goto(base(platform) + url)
    return [c for c in checks() if c[1] != c[2]]


def test_province_compliance_fkp_and_complaint_pages_equal_their_apis(platform, demo, new_context):
    page = new_context().new_page()
    login(page, base(platform), demo["bureau"])
    per, as_of = today_local().isoformat(), end_of_today()

    def province():
        ov = api(platform, "/v1/province", year=Y, as_of=as_of)
        h, i = ov["headline"], ov["headline"]["ikm"]
        disd = next(o for o in ov["per_opd"] if o["opd_id"] == MAIN_OPD)
        out = [
            ("units", figure(page, "units"), fmt.bulat(h["units"])),
            ("respondents", figure(page, "respondents"), fmt.bulat(h["respondents"])),
            ("ikm", figure(page, "ikm"), fnum(i["ikm"])),
            ("mean", figure(page, "ikm_mean_of_units"), fnum(i["ikm_mean_of_units"])),
            ("pooled", figure(page, "ikm_pooled_respondents"), fnum(i["ikm_pooled_respondents"])),
            ("opd", cell(page, "ikm-opd", MAIN_OPD, "respondents"), fmt.bulat(disd["respondents"])),
            (
                "unit",
                cell(page, "ikm-unit", MAIN, "ikm"),
                fnum(next(u for u in ov["units"] if u["unit_id"] == MAIN)["ikm"]),
            ),
        ]
        for k, v in ov["mutu_distribution"].items():
            out.append((k, cell(page, "sebaran-mutu", k, "units"), fmt.bulat(v)))
        if h["fkp"].get("available"):
            out.append(("fkp", figure(page, "fkp.promises_overdue"), fmt.bulat(h["fkp"]["promises_overdue"])))
        if h["complaints"].get("available"):
            out.append(("comp", figure(page, "complaints.complaints"), fmt.bulat(h["complaints"]["complaints"])))
        return out

    def compliance():
        m = api(platform, "/v1/compliance", year=Y, as_of=as_of)
        row = next(u for u in m["units"] if u["unit_id"] == MAIN)
        out = [
            (k, cell(page, "matriks", MAIN, f"cells.{k}"), STATE_LABELS[c["state"]]) for k, c in row["cells"].items()
        ]
        out += [(k, cell(page, "ringkasan", k, "met"), fmt.bulat(t["met"])) for k, t in m["totals"].items()]
        return out

    def fkp():
        r = api(platform, "/v1/fkp/province", year=Y, as_of=as_of)
        out = [
            (k, figure(page, f"promises.{k}"), fmt.bulat(r["promises"][k]))
            for k in ("total", "fulfilled", "open", "overdue")
        ]
        unit = next(u for o in r["opd"] for u in o["unit_figures"] if u["unit_id"] == MAIN)
        out.append(("unit-overdue", cell(page, "per-unit", MAIN, "overdue"), fmt.bulat(unit["promises"]["overdue"])))
        return out

    def complaints():
        r = api(platform, "/v1/complaints/province", period=str(Y), as_of=as_of)
        out = [
            ("n", figure(page, "complaints"), fmt.bulat(r["complaints"])),
            ("pct", figure(page, "resolved.pct"), fnum(r["resolved"]["pct"], "pct")),
            ("breaches", figure(page, "breaches.total"), fmt.bulat(r["breaches"]["total"])),
        ]
        out += [(s, cell(page, "status", s, "count"), fmt.bulat(n)) for s, n in r["by_status"].items()]
        return out

    for url, checks in (
        (f"/dasbor?tahun={Y}&per={per}", province),
        (f"/dasbor/kepatuhan?tahun={Y}&per={per}", compliance),
        (f"/dasbor/fkp?tahun={Y}&per={per}", fkp),
        (f"/dasbor/pengaduan?periode={Y}&per={per}", complaints),
    ):
        # other tests' events may still be reaching the aggregator: compare again until both read the same state
        deadline = time.monotonic() + 60
        while (diff := _compare(platform, page, url, checks)) and time.monotonic() < deadline:
            time.sleep(1)
        assert diff == [], (url, diff)


def test_skm_detail_equals_the_ikm_api(platform, demo, new_context):
    page = new_context().new_page()
    login(page, base(platform), demo["bureau"])
    page.goto(base(platform) + f"/dasbor/unit/{MAIN}/skm?periode={Y}")
    ikm = api(platform, f"/v1/ikm/units/{MAIN}", period=str(Y))
    assert figure(page, "ikm") == fmt.angka(ikm["ikm"]) and figure(page, "respondents") == "40"
    assert figure(page, "sample.required") == fmt.bulat(ikm["sample"]["required"]) == "36"
    for k in ELEMENTS:
        assert cell(page, "unsur", k, "nrr") == fmt.angka(ikm["elements"][k]["nrr"], 4), k
        assert cell(page, "unsur", k, "mutu") == ikm["elements"][k]["mutu"], k
    assert ikm["lowest_elements"][0] == "waktu"
    assert cell(page, "profil", "sex:P", "count") == fmt.bulat(ikm["profile"]["sex"]["P"])


def test_filters_change_the_figures(platform, demo, new_context):
    page = new_context().new_page()
    login(page, base(platform), demo["bureau"])
    page.goto(base(platform) + f"/dasbor/unit/{MAIN}?tahun={Y}")
    assert figure(page, "skm.year.respondents") == "40"
    page.select_option("form.filters select[name=tahun]", str(Y - 1))
    page.click("form.filters button[type=submit]")
    page.wait_for_url(f"**tahun={Y - 1}**")
    before = api(platform, f"/v1/units/{MAIN}/card", year=Y - 1)
    assert figure(page, "skm.year.respondents") == fmt.bulat(before["skm"]["year"]["respondents"]) == "20"
    assert figure(page, "skm.year.ikm") == fmt.angka(before["skm"]["year"]["ikm"])
    # period filter on the SKM detail: the first quarter only
    page.goto(base(platform) + f"/dasbor/unit/{MAIN}/skm?periode={Y}")
    page.select_option("form.filters select[name=periode]", f"{Y}-Q1")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(f"**periode={Y}-Q1**")
    q1 = api(platform, f"/v1/ikm/units/{MAIN}", period=f"{Y}-Q1")
    assert figure(page, "respondents") == fmt.bulat(q1["respondents"]) == "20"
    # OPD filter on the province overview leads to the OPD's page with its units only
    page.goto(base(platform) + f"/dasbor?tahun={Y}")
    all_units = figure(page, "units")
    page.select_option("form.filters select[name=opd]", MAIN_OPD)
    page.click("form.filters button[type=submit]")
    page.wait_for_url(f"**/dasbor/opd/{MAIN_OPD}**")
    opd = api(platform, "/v1/province", year=Y, opd=MAIN_OPD)
    expected = len([u for u in Registry.instance().upps() if Registry.instance().opd_of(u.id) == MAIN_OPD])
    assert figure(page, "units") == fmt.bulat(opd["headline"]["units"]) == fmt.bulat(expected) != all_units
    assert page.locator(f'table[data-table="matriks"] tr[data-row="{MAIN}"]').count() == 1
    assert page.locator(f'table[data-table="matriks"] tr[data-row="{OTHER}"]').count() == 0


def test_login_separates_bureau_unit_and_public_views(platform, demo, new_context):
    url = base(platform)
    public = new_context().new_page()
    r = public.goto(url + f"/publik/skm?periode={Y}")
    assert r.status == 200 and public.locator(f'table[data-table="ikm-unit"] tr[data-row="{MAIN}"]').count() == 1
    assert public.locator("text=Keluar").count() == 0 and public.locator("text=Profil responden").count() == 0
    public.goto(url + f"/dasbor/unit/{MAIN}?tahun={Y}")
    assert "/masuk" in public.url
    assert public.request.get(url + f"/dasbor/unit/{MAIN}/laporan-skm.pdf?periode={Y}", max_redirects=0).status == 302

    unit = new_context().new_page()
    login(unit, url, demo["main_key"])
    assert unit.url.endswith(f"/dasbor/unit/{MAIN}")
    assert unit.locator("header nav a", has_text="Kepatuhan").count() == 0
    assert unit.locator('[data-role="unit"]').count() == 1
    r = unit.goto(url + f"/dasbor/kepatuhan?tahun={Y}")
    assert r.status == 403 and "Akses ditolak" in unit.locator("h1").inner_text()
    r = unit.goto(url + f"/dasbor/unit/{OTHER}?tahun={Y}")
    assert r.status == 403
    pdf = unit.request.get(url + f"/dasbor/unit/{MAIN}/laporan-skm.pdf?periode={Y}")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    shot(unit, "unit-ditolak")

    bureau = new_context().new_page()
    login(bureau, url, demo["bureau"])
    assert bureau.url.endswith("/dasbor")
    assert bureau.locator('[data-role="bureau"]').count() == 1
    assert bureau.goto(url + f"/dasbor/unit/{OTHER}?tahun={Y}").status == 200
    bureau.click("header form button[type=submit]")  # Keluar (with its CSRF token)
    bureau.wait_for_url("**/masuk")
    bureau.goto(url + "/dasbor")
    assert "/masuk" in bureau.url
