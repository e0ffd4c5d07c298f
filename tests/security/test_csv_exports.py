"""Formula-safe CSV exports on the live platform: a `=HYPERLINK(...)` written through the real
APIs into every free-text field that a dashboard table shows arrives in the downloaded CSV with a
leading `'` (OWASP CSV injection), and no cell of any CSV export that the pages offer starts like
a formula unless it is a number."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from typing import NamedTuple

import pytest
import requests
from security_world import TIMEOUT, csrf_of, noon, today

from pantau.csv_safe import FORMULA_START
from pantau.rules.ikm import ELEMENTS

pytestmark = pytest.mark.e2e

UNIT, OPD = "uptd-museum-mulawarman", "disdikbud"
MONTH = "2025-08"  # complaints and SKM: a month no other test writes, so this unit's category tops the province
HELD = today() - timedelta(days=20)
YEAR = HELD.year  # FKP and RTL: the year of the forum (its promise is overdue now)
TAG = "csv"  # ids of this module's entities


def hostile(name: str) -> str:
    return f'=HYPERLINK("http://x","{name}")'


class Export(NamedTuple):
    page: str
    table: str
    column: str  # the column's label in the CSV header
    field: str  # which hostile value it shows


EXPORTS = [
    Export(f"/dasbor/unit/{UNIT}?tahun={YEAR}", "rtl", "Program/kegiatan", "rtl-programme"),
    Export(f"/dasbor/unit/{UNIT}?tahun={YEAR}", "rtl", "Penanggung jawab", "rtl-owner"),
    Export(f"/dasbor/unit/{UNIT}?tahun={YEAR}", "janji-lewat-target", "Janji", "promise-description"),
    Export(f"/dasbor/unit/{UNIT}?tahun={YEAR}", "janji-lewat-target", "Penanggung jawab", "promise-owner"),
    Export(f"/dasbor/unit/{UNIT}/fkp?tahun={YEAR}", "janji", "Janji", "promise-description"),
    Export(f"/dasbor/unit/{UNIT}/fkp?tahun={YEAR}", "janji", "Penanggung jawab", "promise-owner"),
    Export(f"/dasbor/unit/{UNIT}/fkp?tahun={YEAR}", "forum", "Judul", "forum-title"),
    Export(f"/dasbor/fkp?tahun={YEAR}", "janji-lewat-target", "Janji", "promise-description"),
    Export(f"/dasbor/fkp?tahun={YEAR}", "janji-lewat-target", "Penanggung jawab", "promise-owner"),
    Export(f"/dasbor/unit/{UNIT}/skm?periode={MONTH}", "profil", "Kategori", "service-type"),
    Export(f"/dasbor/unit/{UNIT}/pengaduan?periode={MONTH}", "kategori", "Kategori", "complaint-category"),
    Export(f"/dasbor/pengaduan?periode={MONTH}", "kategori", "Kategori", "complaint-category"),
]
# every page that offers CSV exports, for the sweep over all of them
PAGES = sorted({e.page for e in EXPORTS} | {
    f"/dasbor?tahun={YEAR}", f"/dasbor/opd/{OPD}?tahun={YEAR}", f"/dasbor/kepatuhan?tahun={YEAR}",
    f"/dasbor/pengaduan?periode={MONTH}&opd={OPD}", f"/dasbor/fkp?tahun={YEAR}&opd={OPD}",
    f"/dasbor/unit/{UNIT}/skm?periode={YEAR}", "/publik/skm", f"/publik/skm/{UNIT}?periode={MONTH}"})


def post(platform, service: str, path: str, status: int, **kw) -> requests.Response:
    r = requests.post(platform.url(service, path), headers=platform.headers(platform.key(UNIT)), timeout=TIMEOUT,
                      **kw)
    assert r.status_code in (status, 200), (path, r.status_code, r.text[:400])
    return r


@pytest.fixture(scope="module")
def written(platform) -> None:
    """The hostile values, each through its own API, as the unit's systems would send them."""
    post(platform, "survey", "/v1/skm/responses", 202, json={
        "unit_id": UNIT, "response_id": f"{TAG}-1", "submitted_at": "2025-08-12T10:00:00+08:00",
        "answers": {k: 3 for k in ELEMENTS}, "service_type": hostile("service-type")})
    post(platform, "survey", f"/v1/skm/rtl/{UNIT}/{YEAR}/items", 201, json={
        "item_id": f"{TAG}-rtl", "element": "waktu", "programme": hostile("rtl-programme"),
        "owner": hostile("rtl-owner"), "target_date": f"{YEAR}-12-31"})
    fkp_id = f"fkp-{TAG}"
    post(platform, "consultation", "/v1/fkp", 201, json={
        "unit_id": UNIT, "fkp_id": fkp_id, "topic": "standar_pelayanan", "format": "tatap_muka",
        "title": hostile("forum-title"), "held_on": HELD.isoformat(), "place": "Aula", "stage": "planned",
        "participants": [{"element": "pengguna_layanan", "name": "Siti Aminah"}], "minutes": None,
        "promises": [{"promise_id": f"{TAG}-janji", "description": hostile("promise-description"),
                      "owner": hostile("promise-owner"), "target_date": (today() - timedelta(days=2)).isoformat(),
                      "elements": ["waktu"]}]})
    post(platform, "consultation", f"/v1/fkp/{fkp_id}/stage", 200, json={"stage": "held", "minutes": "Notulen."})
    for n in range(3):  # three, so that the category is among the province's top categories of the month
        post(platform, "complaints", "/v1/complaints", 201, json={
            "unit_id": UNIT, "tracking_id": f"CSV-{n}-{TAG.upper()}", "channel": "web",
            "classification": "pengaduan", "category": hostile("complaint-category"),
            "subject": "Antrean terlalu lama", "description": "Dua jam menunggu.",
            "received_at": noon(date(2025, 8, 12)),
            "reporter": {"name": "Wati", "phone": "081300000002"}})


@pytest.fixture(scope="module")
def bureau(platform, written) -> requests.Session:
    s = requests.Session()
    page = s.get(platform.url("aggregator", "/masuk"), timeout=TIMEOUT)
    r = s.post(platform.url("aggregator", "/masuk"), data={"csrf_token": csrf_of(page.text),
                                                             "api_key": platform.bureau},
               timeout=TIMEOUT, allow_redirects=False)
    assert r.status_code == 302, r.text[:300]
    return s


def download(platform, session: requests.Session, path: str) -> list[list[str]]:
    r = session.get(platform.url("aggregator", path), timeout=TIMEOUT)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv"), (path, r.status_code)
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))


def csv_path(page: str, table: str) -> str:
    return f"{page}{'&' if '?' in page else '?'}format=csv&table={table}"


@pytest.mark.parametrize("export", EXPORTS, ids=[f"{e.page.split('?')[0]}:{e.table}:{e.field}" for e in EXPORTS])
def test_a_formula_written_through_the_api_arrives_prefixed(platform, bureau, export):
    value = hostile(export.field)

    def column():
        lines = download(platform, bureau, csv_path(export.page, export.table))
        j = lines[0].index(export.column)
        cells = [line[j] for line in lines[1:]]
        return cells if ("'" + value in cells or value in cells) else None

    cells = platform.wait_for(column, timeout=90, what=f"{export.field} in {export.page} {export.table}")
    assert "'" + value in cells and value not in cells


NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def test_no_csv_export_offered_by_any_page_starts_a_cell_like_a_formula(platform, bureau):
    """Every `?format=csv&table=` link on the pages, the free-text exports above among them."""
    platform.wait_for(lambda: "'" + hostile("complaint-category") in str(download(
        platform, bureau, csv_path(f"/dasbor/pengaduan?periode={MONTH}", "kategori"))), timeout=90,
        what="every hostile value in the aggregator")
    offered: set[tuple[str, str]] = set()
    cells = 0
    for page in PAGES:
        html = bureau.get(platform.url("aggregator", page), timeout=TIMEOUT)
        assert html.status_code == 200, (page, html.status_code)
        for table in sorted(set(re.findall(r"format=csv&amp;table=([a-z0-9-]+)", html.text))):
            offered.add((page, table))
            for line in download(platform, bureau, csv_path(page, table)):
                cells += len(line)
                risky = [c for c in line if c.startswith(FORMULA_START) and not NUMBER.match(c)]
                assert not risky, (page, table, risky)
    print(f"\n{len(offered)} CSV exports on {len(PAGES)} pages, {cells} cells: none starts like a formula")
    assert {(e.page, e.table) for e in EXPORTS} <= offered
