"""The dashboard login's `next` parameter only ever leads back into the dashboard (no open redirect)."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from security_world import UNIT_A, World, csrf_of

pytestmark = pytest.mark.e2e

OUTSIDE = ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/\t/evil.example", "/\n/evil.example",
           "/\r\n/evil.example", " //evil.example", "/ /evil.example", "\\\\evil.example"]


def login(world: World, next_: str) -> str:
    s = requests.Session()
    page = s.get(world.url("aggregator", "/masuk"), timeout=30)
    r = s.post(world.url("aggregator", "/masuk"), params={"next": next_}, timeout=30, allow_redirects=False,
               data={"csrf_token": csrf_of(page.text), "api_key": world.platform.key(UNIT_A)})
    assert r.status_code == 302, r.text[:300]
    return r.headers["Location"]


@pytest.mark.parametrize("target", OUTSIDE, ids=repr)
def test_login_never_redirects_off_site(world, target):
    location = login(world, target)
    parts = urlsplit(location)
    assert not parts.netloc or parts.netloc == urlsplit(world.url("aggregator", "/")).netloc, location
    assert parts.path.startswith("/dasbor/unit/"), location


def test_login_returns_to_the_page_asked_for(world):
    assert urlsplit(login(world, f"/dasbor/unit/{UNIT_A}/fkp?tahun=2026")).path == f"/dasbor/unit/{UNIT_A}/fkp"
