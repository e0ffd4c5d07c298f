"""Lists that lead to the case (issue 14), in Chromium on the running platform with the demo set:
the province's and a unit's overdue deadlines, most days late first, each row leading to the
complaint's page (status history, units, deadlines and who is charged); the OPD filter changes
every figure and the list; columns sort; a long table can be searched; a unit sees only its
cases. Screenshots: test-artifacts/screenshots/kasus-* and lewat-tenggat-*."""
from __future__ import annotations

import pytest
from dashboard_helpers import MAIN, MAIN_OPD, OTHER_OPD, Y, login, shot

pytestmark = pytest.mark.e2e


def _url(platform) -> str:
    return f"http://127.0.0.1:{platform.profile.http_ports['aggregator']}"


def _list_ids(page) -> list[str]:
    return page.locator('table[data-table="lewat-tenggat"] td[data-col="complaint_id"]').all_inner_texts()


@pytest.mark.parametrize("width", [1366, 390])
def test_the_overdue_list_leads_to_the_case(platform, demo, new_context, width):
    url = _url(platform)
    page = new_context().new_page()
    page.set_viewport_size({"width": width, "height": 900})
    login(page, url, demo["bureau"])
    page.goto(url + f"/dasbor/pengaduan?periode={Y}")
    ids = _list_ids(page)
    assert f"BROWSER-{Y}-1" in ids and f"BROWSER-{Y}-2" in ids, ids
    late = [int(x.replace(".", "")) for x in
            page.locator('table[data-table="lewat-tenggat"] td[data-col="working_days_late"]').all_inner_texts()]
    assert late == sorted(late, reverse=True) and late[0] > 0  # most days late first
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1  # cards on a phone, no overflow
    shot(page, f"lewat-tenggat-provinsi-{width}")
    page.locator('table[data-table="lewat-tenggat"] a', has_text=f"BROWSER-{Y}-2").first.click()
    page.wait_for_url(f"**/dasbor/pengaduan/kasus/BROWSER-{Y}-2")
    assert page.locator("h1").inner_text() == f"Pengaduan BROWSER-{Y}-2"
    outcomes = page.locator('table[data-table="tenggat"] td[data-col="outcome"]').all_inner_texts()
    assert "Terlampaui" in outcomes, outcomes
    history = page.locator('table[data-table="riwayat"] td[data-col="action"]').all_inner_texts()
    assert history[0] == "Diterima"
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert "Warga Uji" not in page.content() and "081200000001" not in page.content()  # no personal data
    shot(page, f"kasus-{width}")


def test_the_opd_filter_changes_every_figure_and_the_list(platform, demo, new_context):
    url = _url(platform)
    page = new_context().new_page()
    login(page, url, demo["bureau"])
    counts = {}
    for opd in (MAIN_OPD, OTHER_OPD):
        page.goto(url + f"/dasbor/pengaduan?periode={Y}&opd={opd}")
        counts[opd] = page.locator('[data-figure="complaints"]').first.inner_text()
        ids = _list_ids(page)
        assert (f"BROWSER-{Y}-1" in ids) == (opd == MAIN_OPD), (opd, ids)
        units = page.locator('table[data-table="per-unit"] td[data-col="name"]').all_inner_texts()
        assert units, opd
    assert counts[MAIN_OPD] != counts[OTHER_OPD] or counts[MAIN_OPD] == "0", counts


def test_columns_sort_and_long_tables_search(platform, demo, new_context):
    url = _url(platform)
    page = new_context().new_page()
    login(page, url, demo["bureau"])
    page.goto(url + f"/dasbor/pengaduan?periode={Y}")
    table = 'table[data-table="per-unit"]'
    names = page.locator(f"{table} td[data-col='name']").all_inner_texts()
    assert len(names) >= 10
    page.locator(f"{table} th button.sort", has_text="Unit").click()
    asc = page.locator(f"{table} td[data-col='name']").all_inner_texts()
    page.locator(f"{table} th button.sort", has_text="Unit").click()
    desc = page.locator(f"{table} td[data-col='name']").all_inner_texts()
    assert desc == list(reversed(asc)) and sorted(asc, key=str.casefold) == asc and set(asc) == set(names)
    page.locator(f"{table} th button.sort", has_text="Pengaduan").first.click()
    numbers = [int(x.replace(".", "")) for x in page.locator(f"{table} td[data-col='complaints']").all_inner_texts()]
    assert numbers == sorted(numbers)
    search = page.locator("input.table-search[aria-label='Cari di tabel per-unit']")
    target = names[0]
    search.fill(target)
    visible = [r for r in page.locator(f"{table} tbody tr").all() if r.is_visible()]
    assert visible and all(target.lower() in r.inner_text().lower() for r in visible)
    assert len(visible) < len(names)


def test_a_unit_sees_its_own_list_and_cases_only(platform, demo, new_context):
    url = _url(platform)
    unit = new_context().new_page()
    login(unit, url, demo["main_key"])
    unit.goto(url + f"/dasbor/unit/{MAIN}/pengaduan?periode={Y}")
    assert f"BROWSER-{Y}-1" in _list_ids(unit)
    assert unit.goto(url + f"/dasbor/pengaduan/kasus/BROWSER-{Y}-1").status == 200
    other = new_context().new_page()
    login(other, url, demo["other_key"])
    assert other.goto(url + f"/dasbor/pengaduan/kasus/BROWSER-{Y}-1").status == 403
    assert other.goto(url + "/dasbor/pengaduan/kasus/TIDAK-ADA-999").status == 404


def test_overdue_and_disputed_promises_lead_to_the_promise(platform, demo, new_context):
    url = _url(platform)
    page = new_context().new_page()
    login(page, url, demo["bureau"])
    page.goto(url + f"/dasbor/fkp?tahun={Y}")
    rows = page.locator('table[data-table="janji-lewat-target"] tbody tr')
    assert rows.count() >= 1
    assert page.locator('table[data-table="janji-lewat-target"] td[data-col="unit_name"]').first.inner_text() \
        != MAIN  # the unit's name, not its code
    rows.first.locator('td[data-col="description"] a').click()
    page.wait_for_url("**/dasbor/fkp/janji/**")
    assert page.locator("h1").inner_text().startswith("Janji FKP — ")
    kinds = page.locator('table[data-table="riwayat"] td[data-col="what"]').all_inner_texts()
    assert kinds[0] == "Dicatat", kinds
    shot(page, "janji-1366")
    other = new_context().new_page()
    login(other, url, demo["other_key"])
    assert other.goto(page.url).status == 403  # another unit's promise
