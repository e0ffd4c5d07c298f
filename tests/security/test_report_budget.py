"""Expensive reads are bounded: a report request that cannot finish within the deadline answers
503 with Retry-After instead of holding a thread, a key may have only two report requests in
flight (across both workers), and an ordinary request still answers 200.

The expensive request is the one the security probe found: an SKM report with an `as_of` long
before thousands of recorded responses (each one is read back to rewind the buckets)."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
import requests
from security_world import TZ

from pantau import mongo
from pantau.rules.ikm import ELEMENTS
from services.aggregator.report_budget import CONCURRENCY, DEADLINE_S

pytestmark = pytest.mark.e2e

UNIT = "perpustakaan-kaltim"
RESPONSES = 5000  # at ≈1 ms per recorded response read back, twice per unit IKM: well past 5 s
OLD = "2000-01-01T00:00:00Z"
FAST = DEADLINE_S + 3  # answered soon after the deadline, not after the whole computation


@pytest.fixture(scope="module")
def expensive(world):
    """RESPONSES responses of UNIT recorded now, applied by the aggregator."""
    platform = world.platform
    start = datetime(2026, 3, 2, 8, 0, tzinfo=TZ)
    batch = [{"unit_id": UNIT, "response_id": f"budget-{world.tag}-{i}",
              "submitted_at": (start + timedelta(minutes=i)).isoformat(),
              "answers": {k: 1 + (i + j) % 4 for j, k in enumerate(ELEMENTS)}} for i in range(RESPONSES)]
    r = requests.post(platform.url("survey", "/v1/skm/responses"), headers=world.auth(UNIT),
                      json={"responses": batch}, timeout=120)
    assert r.status_code == 202, r.text[:300]
    platform.wait_for(lambda: platform.summary(UNIT)["skm_responses"] >= RESPONSES, timeout=240,
                      what="the batch in the aggregator")
    return platform


def ikm(platform, token: str, **params) -> tuple[requests.Response, float]:
    t0 = time.monotonic()
    r = requests.get(platform.url("aggregator", f"/v1/ikm/units/{UNIT}"), headers=platform.headers(token),
                     params={"period": "2026", **params}, timeout=60)
    return r, time.monotonic() - t0


def test_a_report_past_its_deadline_answers_503_with_retry_after_fast(expensive):
    token = expensive.key(UNIT)
    r, took = ikm(expensive, token, as_of=OLD)
    assert r.status_code == 503, (r.status_code, took, r.text[:300])
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert int(r.headers["Retry-After"]) >= 1
    assert r.json()["reason"] == "deadline" and "detik" in r.json()["detail"]
    assert took < FAST, took
    # the same report without as_of reads only the buckets: still answered
    r, took = ikm(expensive, token)
    assert r.status_code == 200 and r.json()["respondents"] >= RESPONSES, r.text[:300]


def test_a_dashboard_page_past_its_deadline_answers_the_error_page_with_503(expensive, sessions):
    t0 = time.monotonic()
    r = sessions["bureau"].get(expensive.url("aggregator", f"/dasbor/unit/{UNIT}/skm"),
                               params={"per": "2000-01-01"}, timeout=60, allow_redirects=False)
    took = time.monotonic() - t0
    assert r.status_code == 503 and r.headers["Content-Type"].startswith("text/html"), (r.status_code, took)
    assert int(r.headers["Retry-After"]) >= 1 and 'data-status="503"' in r.text and "detik" in r.text
    assert took < FAST, took


def test_a_third_concurrent_report_of_one_key_is_refused_while_two_run(expensive):
    token = expensive.key(UNIT)
    key_id = token.split("_")[1]
    slots = mongo.db("registry")["report_slots"]
    slow: list[tuple[int, float]] = []

    def run():
        r, took = ikm(expensive, token, as_of=OLD)
        slow.append((r.status_code, took))

    threads = [threading.Thread(target=run) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    mine = {"_id": {"$in": [f"{key_id}:{n}" for n in range(CONCURRENCY)]}}
    expensive.wait_for(lambda: slots.count_documents(mine) == CONCURRENCY, timeout=DEADLINE_S,
                       what="both slow requests in flight")
    refused = []
    for _ in range(4):  # several requests, so both workers answer some
        r, took = ikm(expensive, token)
        refused.append((r.status_code, r.json().get("reason"), r.headers.get("Retry-After"), round(took, 2)))
        assert took < 2, refused
    other, _ = ikm(expensive, expensive.bureau)  # another key is not limited by this one
    for t in threads:
        t.join()
    assert all(s == 503 and r == "concurrency" and int(ra) >= 1 for s, r, ra, _ in refused), refused
    assert [s for s, _ in slow] == [503] * CONCURRENCY and all(t < FAST for _, t in slow), slow
    assert other.status_code == 200, other.text[:300]
    # once they are over, the key's slots are free again and an ordinary request answers
    assert slots.count_documents(mine) == 0
    r, _ = ikm(expensive, token)
    assert r.status_code == 200, r.text[:300]
