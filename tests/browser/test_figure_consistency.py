"""One name, one figure: every tile named from the glossary (services/aggregator/figures.py) reads
the same on every page that shows it for the same filters (issue 14: "Tenggat terlampaui" read 0
on one page and 10 on another). The test walks the bureau's pages of each scope (province, an
OPD, a unit), with and without "keadaan per", and compares the tiles that carry the same glossary
id and the same label; it also checks that each such tile explains itself (its definition)."""
from __future__ import annotations

from collections import defaultdict

import pytest
from dashboard_helpers import MAIN, MAIN_OPD, Y, login

from services.aggregator.figures import FIGURES

pytestmark = pytest.mark.e2e


def tiles(page, url: str) -> dict[tuple[str, str], str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-status]").count() == 0, f"{url} answered an error page"
    out = {}
    for tile in page.locator(".tile[data-figure-id]").all():
        fig = tile.get_attribute("data-figure-id")
        label = tile.locator(".label").evaluate("e => e.firstChild.textContent").strip()
        value = tile.locator(".value").inner_text().strip()
        assert fig in FIGURES, (url, fig)
        assert tile.locator("details.help p").text_content().strip() == FIGURES[fig].definition, (url, fig)
        out[(fig, label)] = value
    return out


SCOPES = {
    "province": ["/dasbor?tahun={y}", "/dasbor/pengaduan?periode={y}", "/dasbor/fkp?tahun={y}",
                 "/dasbor/pekppp?tahun={y}"],
    "opd": [f"/dasbor/opd/{MAIN_OPD}?tahun={{y}}", f"/dasbor/pengaduan?periode={{y}}&opd={MAIN_OPD}",
            f"/dasbor/fkp?tahun={{y}}&opd={MAIN_OPD}", f"/dasbor/pekppp?tahun={{y}}&opd={MAIN_OPD}"],
    "unit": [f"/dasbor/unit/{MAIN}?tahun={{y}}", f"/dasbor/unit/{MAIN}/pengaduan?periode={{y}}",
             f"/dasbor/unit/{MAIN}/fkp?tahun={{y}}", f"/dasbor/unit/{MAIN}/skm?periode={{y}}",
             f"/dasbor/unit/{MAIN}/pekppp?tahun={{y}}"],
}
# figures that must be shared by two pages of a scope (so the comparison compares something)
MUST_SHARE = {"unit": {"pekppp.ipp", "pekppp.predikat", "pekppp.completeness"}}


@pytest.mark.parametrize("per", [None, f"{Y}-12-20"])
@pytest.mark.parametrize("scope", list(SCOPES))
def test_a_glossary_figure_reads_the_same_on_every_page_of_its_scope(platform, demo, new_context, scope, per):
    base = platform.url("aggregator", "")
    page = new_context().new_page()
    login(page, base, demo["bureau"])
    seen: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for path in SCOPES[scope]:
        url = base + path.format(y=Y) + (f"&per={per}" if per else "")
        for key, value in tiles(page, url).items():
            seen[key][path] = value
    shared = {k: v for k, v in seen.items() if len(v) > 1}
    differing = {k: v for k, v in shared.items() if len(set(v.values())) > 1}
    assert not differing, differing
    assert seen, "no glossary tile on these pages"
    missing = MUST_SHARE.get(scope, set()) - {fig for fig, _ in shared}
    assert not missing, f"not on two pages of the {scope}: {missing}"
