"""Client values that look like store syntax are stored as values and counted (issue 13): one
survey response whose service type held a "." or started with "$" once made the store refuse the
aggregator's bucket write, and the consumer stalled every topic behind it. Now such service types
(by the API and by paper forms) are grouped in the unit's IKM report, the pipeline keeps flowing,
and text with control characters or beyond its length is refused at the edge."""
from __future__ import annotations

import uuid

import pytest
import requests

from pantau.rules.ikm import ELEMENTS

pytestmark = pytest.mark.e2e

UNIT, OTHER = "layanan-kearsipan", "layanan-kepegawaian"  # no other test writes here
PERIOD = "2025-07"
DOTTED, DOLLAR = "izin usaha (Perda No. 5)", "$set"


def response(unit: str, service_type: str | None, rid: str | None = None) -> dict:
    return {"unit_id": unit, "response_id": rid or f"hv-{uuid.uuid4().hex[:10]}",
            "submitted_at": "2025-07-15T10:00:00+08:00", "answers": {k: 3 for k in ELEMENTS},
            "channel": "web", "service_type": service_type}


def ikm(platform, unit: str) -> dict:
    r = requests.get(platform.url("aggregator", f"/v1/ikm/units/{unit}"), params={"period": PERIOD},
                     headers=platform.headers(platform.bureau), timeout=30)
    assert r.status_code == 200, r.text[:300]
    return r.json()


def service_types(body: dict) -> dict:
    return (body.get("profile") or {}).get("service_type") or {}


def test_service_types_with_dots_and_dollars_are_grouped_and_the_pipeline_keeps_flowing(platform):
    h = platform.headers(platform.key(UNIT))
    before = ikm(platform, UNIT)
    batch = [response(UNIT, DOTTED), response(UNIT, DOTTED), response(UNIT, DOLLAR)]
    r = requests.post(platform.url("survey", "/v1/skm/responses"), json={"responses": batch}, headers=h, timeout=30)
    assert r.status_code == 202, r.text[:300]
    head = "response_id,submitted_at,jenis_layanan," + ",".join(ELEMENTS)
    row = f"hv-paper-{uuid.uuid4().hex[:8]},2025-07-16,\"{DOTTED}\"," + ",".join("4" for _ in ELEMENTS)
    r = requests.post(platform.url("survey", "/v1/skm/paper-forms"), data={"unit_id": UNIT}, headers=h, timeout=30,
                      files={"file": ("kuesioner.csv", f"{head}\r\n{row}\r\n".encode(), "text/csv")})
    assert r.status_code == 202, r.text[:300]
    # a clean response of another unit, sent after them, arrives: nothing stalls behind them
    other_before = ikm(platform, OTHER)["respondents"]
    r = requests.post(platform.url("survey", "/v1/skm/responses"), json=response(OTHER, "KTP"),
                      headers=platform.headers(platform.key(OTHER)), timeout=30)
    assert r.status_code == 202, r.text[:300]
    platform.wait_for(lambda: ikm(platform, OTHER)["respondents"] == other_before + 1,
                      what="the other unit's response in the aggregator")
    after = platform.wait_for(lambda: (b := ikm(platform, UNIT))["respondents"] == before["respondents"] + 4 and b,
                              what="the four responses in the unit's report")
    was, now = service_types(before), service_types(after)
    assert now[DOTTED] - was.get(DOTTED, 0) == 3  # two by the API, one by the paper form
    assert now[DOLLAR] - was.get(DOLLAR, 0) == 1


@pytest.mark.parametrize(("value", "message"), [
    ("a\x00b", "Tidak boleh memuat karakter kendali (baris baru, tab, NUL, ...)."),
    ("izin\nusaha", "Tidak boleh memuat karakter kendali (baris baru, tab, NUL, ...)."),
    ("x" * 201, "Panjang harus antara 1 dan 200."),
])
def test_a_service_type_with_control_characters_or_too_long_is_refused(platform, value, message):
    r = requests.post(platform.url("survey", "/v1/skm/responses"), json=response(UNIT, value),
                      headers=platform.headers(platform.key(UNIT)), timeout=30)
    assert r.status_code == 422, r.text[:300]
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert [(e["pointer"], e["message"]) for e in r.json()["errors"]] == [("/service_type", message)]
