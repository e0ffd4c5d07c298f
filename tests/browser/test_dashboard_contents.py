"""Long pages (province overview, OPD page) carry a server-rendered table of contents that works
without JavaScript and is left out of print (every section prints); the `per` as-of filter of
the SKM detail page changes its figures."""

from __future__ import annotations

from datetime import timedelta

from dashboard_helpers import MAIN, MAIN_OPD, Y, login, shot, today_local

from services.aggregator.exports import fmt


def base(platform) -> str:
    return platform.url("aggregator", "")


def contents(page) -> list[tuple[str, str]]:
    links = page.locator("nav.toc a")
    return [(links.nth(i).get_attribute("href"), links.nth(i).inner_text().strip()) for i in range(links.count())]


def test_long_pages_have_a_table_of_contents_that_works_without_js_and_prints_every_section(
    platform, demo, chromium, new_context
):
    for path, name in ((f"/dasbor?tahun={Y}", "ikhtisar-provinsi-daftar-isi"),
                       (f"/dasbor/opd/{MAIN_OPD}?tahun={Y}", None)):
        ctx = chromium.new_context(locale="id-ID", timezone_id="Asia/Makassar", viewport={"width": 1366, "height": 800},
                                   java_script_enabled=False)
        try:
            page = ctx.new_page()
            login(page, base(platform), demo["bureau"])
            assert page.goto(base(platform) + path).status == 200
            toc = contents(page)
            sections = page.locator("main section.block")
            ids = [sections.nth(i).get_attribute("id") for i in range(sections.count())]
            titles = [sections.nth(i).locator("h2").inner_text().strip() for i in range(sections.count())]
            assert len(toc) >= 5 and toc == [(f"#{i}", t) for i, t in zip(ids, titles, strict=True)], (path, toc)
            last_href = toc[-1][0]
            page.click(f'nav.toc a[href="{last_href}"]')
            assert page.url.endswith(last_href)
            assert page.evaluate("window.scrollY") > 0  # the browser moved to the section, no script involved
            target = page.locator(f"section{last_href}").bounding_box()
            assert target is not None and 0 <= target["y"] < 800
            page.click(f"section{last_href} a.to-top")
            assert page.url.endswith("#daftar-isi")
            if name:
                page.goto(base(platform) + path)
                shot(page, name)
            page.emulate_media(media="print")
            assert not page.locator("nav.toc").is_visible() and page.locator("a.to-top").first.is_visible() is False
            assert all(sections.nth(i).is_visible() for i in range(sections.count()))
        finally:
            ctx.close()


def test_the_as_of_filter_of_the_skm_detail_changes_its_figures(platform, demo, new_context):
    page = new_context().new_page()
    login(page, base(platform), demo["bureau"])
    page.goto(base(platform) + f"/dasbor/unit/{MAIN}/skm?periode={Y}")
    now = page.locator('[data-figure="respondents"]').inner_text().strip()
    assert now not in ("", fmt.bulat(0))
    yesterday = (today_local() - timedelta(days=1)).isoformat()  # the demo set was recorded today
    page.fill("form.filters input[name=per]", yesterday)
    page.click("form.filters button[type=submit]")
    page.wait_for_url(f"**per={yesterday}**")
    assert page.locator('[data-figure="respondents"]').inner_text().strip() == fmt.bulat(0)
    assert page.locator("form.filters input[name=per]").input_value() == yesterday
