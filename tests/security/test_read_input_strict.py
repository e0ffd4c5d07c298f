"""Read-side parameters are parsed strictly: a value is either valid or refused, never a 500 and
never a silent default. API: 422 problem+json with the parameter as pointer; dashboard: a 400 page
in Indonesian."""
from __future__ import annotations

import pytest
from security_world import OPD_B, UNIT_B

pytestmark = pytest.mark.e2e

PERIOD_ROUTES = [f"/v1/ikm/units/{UNIT_B}", f"/v1/ikm/opd/{OPD_B}", "/v1/ikm/province", "/v1/ikm/ranking",
                 f"/v1/complaints/units/{UNIT_B}", "/v1/complaints/province"]
YEAR_ROUTES = [f"/v1/skm/compliance/units/{UNIT_B}", "/v1/skm/compliance", f"/v1/fkp/units/{UNIT_B}",
               "/v1/fkp/province", f"/v1/units/{UNIT_B}/card", "/v1/compliance", "/v1/province"]
BAD_PERIODS = ["0001", "1999", "2101", "9999-Q4", "abc", "2026-Q5", "2026-13", " 2026", "2026\x00"]
BAD_AS_OF = ["", "kemarin", "2026-01-01", "2026-01-01T00:00:00", "20260101T000000Z", "2026-W01-1T00:00:00Z",
             "2026-01-01T00:00:00+25:00", "2026-02-30T00:00:00Z", "2026-01-01T00:00:00Z\x00", "0001-01-01T00:00:00Z",
             "3026-01-01T00:00:00Z", "99999-01-01T00:00:00Z", "2026-01-01T00:00:00.1234567890Z"]


def assert_problem_at(r, pointer: str):
    assert r.status_code == 422, (r.url, r.status_code, r.text[:300])
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["pointer"] == pointer, r.text[:300]


@pytest.mark.parametrize("period", BAD_PERIODS)
def test_api_period_out_of_shape_or_range_is_a_422(world, period):
    for path in PERIOD_ROUTES:
        assert_problem_at(world.call("aggregator", "GET", path, "bureau", params={"period": period}), "period")


def test_api_periods_at_the_range_ends_answer(world):
    for period in ("2000", "2000-Q1", "2100-12"):
        for path in PERIOD_ROUTES:
            r = world.call("aggregator", "GET", path, "bureau", params={"period": period})
            assert r.status_code == 200, (path, period, r.status_code, r.text[:300])


@pytest.mark.parametrize("as_of", BAD_AS_OF)
def test_api_as_of_malformed_empty_or_far_is_a_422(world, as_of):
    for path, params in [*((p, {"period": "2026"}) for p in PERIOD_ROUTES), *((p, {"year": "2026"}) for p in YEAR_ROUTES)]:
        assert_problem_at(world.call("aggregator", "GET", path, "bureau", params={**params, "as_of": as_of}), "as_of")
    for who in ("bureau", UNIT_B):  # the complaint handler's view
        assert_problem_at(world.call("complaints", "GET", f"/v1/complaints/{world.tracking_id}", who,
                                     params={"as_of": as_of}), "as_of")
    assert_problem_at(world.call("complaints", "GET", f"/v1/complaints/track/{world.tracking_id}", None,
                                 params={"as_of": as_of}), "as_of")


WEIGHT_ROUTES = [*((p, {"period": "2026"}) for p in PERIOD_ROUTES[:4]),
                 *((p, {"year": "2026"}) for p in YEAR_ROUTES[4:])]  # the reports that compute an IKM


@pytest.mark.parametrize("weight", ["", "bogus", "EXACT", "1/9", "0.111", "exact\x00"])
def test_api_weight_unknown_or_empty_is_a_422(world, weight):
    for path, params in WEIGHT_ROUTES:
        assert_problem_at(world.call("aggregator", "GET", path, "bureau", params={**params, "weight": weight}), "weight")


def test_api_weight_modes_answer_and_are_echoed(world):
    for path, params in WEIGHT_ROUTES:
        for mode in ("exact", "printed_0_111"):
            r = world.call("aggregator", "GET", path, "bureau", params={**params, "weight": mode})
            assert r.status_code == 200 and r.json()["weight_mode"] == mode, (path, mode, r.status_code, r.text[:300])


def test_api_as_of_in_rfc3339_variants_is_accepted(world):
    for as_of in ("2026-06-30T23:59:59+08:00", "2026-06-30t15:59:59z", "2026-06-30T15:59:59.123456789Z",
                  "2026-06-30T23:59:59 08:00"):  # a "+" sent unencoded arrives as a space
        r = world.call("aggregator", "GET", f"/v1/complaints/units/{UNIT_B}", "bureau",
                       params={"period": "2026", "as_of": as_of})
        assert r.status_code == 200, (as_of, r.status_code, r.text[:300])


def test_complaint_views_before_receipt_are_a_404_not_a_500(world):
    before = "2001-01-01T00:00:00Z"
    public = world.call("complaints", "GET", f"/v1/complaints/track/{world.tracking_id}", None,
                        params={"as_of": before})
    handler = world.call("complaints", "GET", f"/v1/complaints/{world.tracking_id}", "bureau", params={"as_of": before})
    for r in (public, handler):
        assert r.status_code == 404, (r.url, r.status_code, r.text[:300])
        assert r.headers["Content-Type"].startswith("application/problem+json")
        assert "as_of" in r.json()["detail"]
    # and after receipt both answer
    for path, who in ((f"/v1/complaints/track/{world.tracking_id}", None), (f"/v1/complaints/{world.tracking_id}", "bureau")):
        assert world.call("complaints", "GET", path, who).status_code == 200


DASHBOARD_PERIOD_PAGES = [f"/dasbor/unit/{UNIT_B}/skm", f"/dasbor/unit/{UNIT_B}/pengaduan", "/dasbor/pengaduan",
                          f"/dasbor/unit/{UNIT_B}/laporan-skm.pdf", "/dasbor/rekap-skm.pdf", "/publik/skm",
                          f"/publik/skm/{UNIT_B}"]
DASHBOARD_YEAR_PAGES = ["/dasbor", f"/dasbor/opd/{OPD_B}", "/dasbor/kepatuhan", "/dasbor/fkp", f"/dasbor/unit/{UNIT_B}",
                        f"/dasbor/unit/{UNIT_B}/fkp"]


def assert_error_page(r, status: int = 400):
    assert r.status_code == status, (r.url, r.status_code, r.text[:200])
    assert r.headers["Content-Type"].startswith("text/html")
    assert f'data-status="{status}"' in r.text and "tidak" in r.text.lower()


def dashboard(sessions, world, path: str, **params):
    return sessions["bureau"].get(world.url("aggregator", path), params=params, timeout=60, allow_redirects=False)


@pytest.mark.parametrize("periode", ["0001", "abc", "2026-Q9", "2101"])
def test_dashboard_periode_out_of_shape_or_range_is_a_400_page(sessions, world, periode):
    for path in DASHBOARD_PERIOD_PAGES:
        assert_error_page(dashboard(sessions, world, path, periode=periode))


@pytest.mark.parametrize("params", [{"tahun": "abc"}, {"tahun": "0001"}, {"tahun": "26"}, {"per": "2000-1-1"},
                                    {"per": "1999-12-31"}, {"per": "2999-12-31"}, {"per": "2026-02-30"},
                                    {"per": "kemarin"}, {"opd": "bukan-opd"}, {"opd": UNIT_B}])
def test_dashboard_filters_out_of_shape_or_range_are_a_400_page(sessions, world, params):
    pages = DASHBOARD_YEAR_PAGES if "opd" not in params else ["/dasbor", "/dasbor/kepatuhan", "/dasbor/fkp",
                                                               "/dasbor/pengaduan"]
    for path in pages:
        assert_error_page(dashboard(sessions, world, path, **params))


DASHBOARD_WEIGHT_PAGES = ["/dasbor", f"/dasbor/opd/{OPD_B}", "/dasbor/kepatuhan", f"/dasbor/unit/{UNIT_B}",
                          f"/dasbor/unit/{UNIT_B}/skm", f"/dasbor/unit/{UNIT_B}/laporan-skm.pdf", "/dasbor/rekap-skm.pdf"]


@pytest.mark.parametrize("weight", ["bogus", "EXACT", "0,111"])
def test_dashboard_weight_unknown_is_a_400_page(sessions, world, weight):
    for path in DASHBOARD_WEIGHT_PAGES:
        assert_error_page(dashboard(sessions, world, path, weight=weight))


def test_dashboard_empty_filters_are_the_defaults(sessions, world):
    """The filter form sends every field, empty ones included."""
    for path in DASHBOARD_YEAR_PAGES:
        assert dashboard(sessions, world, path, tahun="", opd="", per="").status_code == 200, path
    assert dashboard(sessions, world, f"/dasbor/unit/{UNIT_B}/skm", periode="", per="", weight="").status_code == 200


def test_dashboard_unknown_export_format_or_table_is_a_400_page(sessions, world):
    path = f"/dasbor/unit/{UNIT_B}"
    assert_error_page(dashboard(sessions, world, path, format="pdf"))
    r = dashboard(sessions, world, path, format="csv", table="tidak-ada")
    assert_error_page(r)
    assert "tren" in r.text  # the page's tables are named
    ok = dashboard(sessions, world, path, format="csv", table="tren")
    assert ok.status_code == 200 and ok.headers["Content-Type"].startswith("text/csv")
