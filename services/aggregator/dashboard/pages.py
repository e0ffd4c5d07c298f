"""The dashboard's pages, built from the report dicts (pure: no store, no request).

Every page is tiles, charts and tables grouped in sections (`model`). The builders take exactly
what the JSON API returns for the same query, so a figure on a page is the API's figure,
formatted id-ID. One module per page (or family of pages), named for it; this module lists them.
"""

from __future__ import annotations

from .model import Chart, Page, Section, Tile
from .page_complaints import complaint_sections, complaints_province_page, complaints_unit_page
from .page_compliance import compliance_page, matrix_table
from .page_fkp import fkp_province_page, fkp_unit_page
from .page_overview import opd_page, overview_sections, province_page
from .page_public import public_province_page, public_unit_page
from .page_skm import element_chart, element_table, skm_page, skm_tiles, trend_chart, trend_table
from .page_unit import unit_page

__all__ = [
    "Chart", "Page", "Section", "Tile", "complaint_sections", "complaints_province_page", "complaints_unit_page",
    "compliance_page", "element_chart", "element_table", "fkp_province_page", "fkp_unit_page", "matrix_table",
    "opd_page", "overview_sections", "province_page", "public_province_page", "public_unit_page", "skm_page",
    "skm_tiles", "trend_chart", "trend_table", "unit_page",
]
