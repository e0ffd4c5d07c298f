"""Inputs that once kept a worker busy for minutes are refused up front (found by the fuzzer)."""
from __future__ import annotations

import pytest
from security_world import UNIT_B

pytestmark = pytest.mark.e2e

FAR = ["3133-06-06T05:00:00Z", "2442-08-09T01:40:31Z", "0001-01-01T00:00:00+14:00", "1999-12-31T23:00:00Z"]


@pytest.mark.parametrize("as_of", FAR)
def test_as_of_out_of_range_is_a_422(world, as_of):
    for service, path in (("complaints", f"/v1/complaints/{world.tracking_id}"),
                          ("aggregator", f"/v1/complaints/units/{UNIT_B}?period=2026"),
                          ("aggregator", f"/v1/fkp/units/{UNIT_B}?year=2026"),
                          ("aggregator", f"/v1/units/{UNIT_B}/card?year=2026")):
        r = world.call(service, "GET", path, "bureau", params={"as_of": as_of})
        assert r.status_code == 422, (path, r.status_code, r.text[:300])
        assert r.json()["errors"][0]["pointer"] == "as_of"


def test_dashboard_refuses_an_as_of_date_far_ahead(sessions, world):
    for path in (f"/dasbor/unit/{UNIT_B}/pengaduan", f"/dasbor/unit/{UNIT_B}"):
        r = sessions["bureau"].get(world.url("aggregator", path), params={"per": "2999-12-31"}, timeout=60)
        assert r.status_code == 400 and 'data-status="400"' in r.text, (path, r.status_code)
