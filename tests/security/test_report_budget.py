"""Expensive reads are bounded: a report request that cannot finish within the deadline answers
503 with Retry-After instead of holding a thread, a key may have only two report requests in
flight (across both workers), and an ordinary request still answers 200.

As-of reads are cheap now (skm_read.py), so the deadline is shown on a second aggregator started
for this module on the same store with a deadline of 20 ms (`PANTAU_REPORT_DEADLINE_S`), which the
province compliance matrix (every unit's SKM, FKP and complaints) cannot meet; the concurrency
limit on the platform's own aggregator with two PDF reports in flight (their layout takes
seconds and holds the key's slot)."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest
import requests
from security_world import UNIT_B

from pantau import mongo
from pantau_platform.infra import procs
from services.aggregator.report_budget import CONCURRENCY

pytestmark = pytest.mark.e2e

TIGHT_S = 0.02
FAST = 5.0  # answered soon after the deadline, not after the whole computation


@pytest.fixture(scope="module")
def tight(world):
    """A second aggregator (one gunicorn worker) with a 20 ms report deadline; its base URL."""
    platform = world.platform
    port = platform.profile.http_ports["aggregator"] + 50
    env = {**os.environ, **platform.profile.env(), "PORT": str(port), "PANTAU_REPORT_DEADLINE_S": str(TIGHT_S),
           "PANTAU_WORKERS": "1"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(procs.ROOT / "deploy" / "gunicorn.conf.py"),
                             "services.aggregator.wsgi:app"], env=env, cwd=procs.ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        platform.wait_for(lambda: _up(base), timeout=60, what="the tight aggregator")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _up(base: str) -> bool:
    try:
        return requests.get(base + "/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_a_report_past_its_deadline_answers_503_with_retry_after_fast(world, tight):
    platform = world.platform
    t0 = time.monotonic()
    r = requests.get(tight + "/v1/compliance", params={"year": "2026"}, headers=platform.headers(platform.bureau),
                     timeout=60)
    took = time.monotonic() - t0
    assert r.status_code == 503, (r.status_code, took, r.text[:300])
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert int(r.headers["Retry-After"]) >= 1
    assert r.json()["reason"] == "deadline" and "detik" in r.json()["detail"]
    assert took < FAST, took
    # the platform's own aggregator (deadline 5 s) answers the same report
    r = requests.get(platform.url("aggregator", "/v1/compliance"), params={"year": "2026"},
                     headers=platform.headers(platform.bureau), timeout=60)
    assert r.status_code == 200, r.text[:300]


def test_a_dashboard_page_past_its_deadline_answers_the_error_page_with_503(world, sessions, tight):
    s = sessions["bureau"]
    t0 = time.monotonic()
    r = s.get(tight + "/dasbor/kepatuhan", params={"tahun": "2026"}, timeout=60, allow_redirects=False)
    took = time.monotonic() - t0
    assert r.status_code == 503 and r.headers["Content-Type"].startswith("text/html"), (r.status_code, took)
    assert int(r.headers["Retry-After"]) >= 1 and 'data-status="503"' in r.text and "detik" in r.text
    assert took < FAST, took


def test_a_third_concurrent_report_of_one_key_is_refused_while_two_run(world):
    platform = world.platform
    token = platform.key(UNIT_B)
    key_id = token.split("_")[1]
    session = world.session(UNIT_B)
    slots = mongo.db("registry")["report_slots"]
    slow: list[int] = []

    def pdf():
        r = session.get(platform.url("aggregator", f"/dasbor/unit/{UNIT_B}/laporan-skm.pdf"),
                        params={"periode": "2026"}, timeout=120)
        slow.append(r.status_code)

    threads = [threading.Thread(target=pdf) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    mine = {"_id": {"$in": [f"{key_id}:{n}" for n in range(CONCURRENCY)]}}
    platform.wait_for(lambda: slots.count_documents(mine) == CONCURRENCY, timeout=30,
                      what="both PDF reports in flight")
    refused = []
    for _ in range(4):  # several requests, so both workers answer some
        t0 = time.monotonic()
        r = requests.get(platform.url("aggregator", f"/v1/ikm/units/{UNIT_B}"), headers=platform.headers(token),
                         params={"period": "2026"}, timeout=60)
        refused.append((r.status_code, r.json().get("reason"), r.headers.get("Retry-After"),
                        round(time.monotonic() - t0, 2)))
    other = requests.get(platform.url("aggregator", f"/v1/ikm/units/{UNIT_B}"),
                         headers=platform.headers(platform.bureau), params={"period": "2026"}, timeout=60)
    for t in threads:
        t.join()
    if slots.count_documents(mine) == 0 and any(s == 200 for s, *_ in refused):
        pytest.fail(f"the PDFs finished before the probes: {refused}")  # a too fast machine: say so
    assert all(s == 503 and r == "concurrency" and int(ra) >= 1 and took < 2 for s, r, ra, took in refused), refused
    assert slow == [200] * CONCURRENCY, slow
    assert other.status_code == 200, other.text[:300]  # another key is not limited by this one
    assert slots.count_documents(mine) == 0  # once over, the key's slots are free again
    r = requests.get(platform.url("aggregator", f"/v1/ikm/units/{UNIT_B}"), headers=platform.headers(token),
                     params={"period": "2026"}, timeout=60)
    assert r.status_code == 200, r.text[:300]
