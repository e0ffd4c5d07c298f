"""The aggregator's readiness tells the truth about the pipeline: a consumer that stops making
progress shows in `/readyz` (check `pipeline`), in `pantau_ready{check="pipeline"}` and in the
dashboard's freshness line, and recovers by itself once the consumer moves again."""
from __future__ import annotations

import os
import signal

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from pantau_platform.infra import procs

pytestmark = pytest.mark.e2e


def ready(platform) -> requests.Response:
    return requests.get(platform.url("aggregator", "/readyz"), timeout=10)


def pipeline_metric(platform) -> float | None:
    text = requests.get(platform.url("aggregator", "/metrics"), timeout=10).text
    for fam in text_string_to_metric_families(text):
        if fam.name == "pantau_ready":
            for smp in fam.samples:
                if smp.labels.get("check") == "pipeline":
                    return smp.value
    return None


def test_a_hung_consumer_makes_the_aggregator_not_ready_until_it_moves_again(platform):
    assert ready(platform).status_code == 200
    pid = procs.pid_of(platform.profile.name, "consumer")
    assert pid
    os.kill(pid, signal.SIGSTOP)  # hung: alive, holding its partitions, doing nothing
    try:
        (r,) = platform.wait_for(lambda: [x] if (x := ready(platform)).status_code == 503 else None,
                                 timeout=60, what="/readyz to report the stalled pipeline")
        body = r.json()
        assert r.headers["Content-Type"].startswith("application/problem+json")
        assert body["checks"]["pipeline"] is False and body["checks"]["store"] is True
        assert body["details"]["pipeline"]["status"] == "stalled"
        assert "no heartbeat" in body["details"]["pipeline"]["problems"][0]
        platform.wait_for(lambda: pipeline_metric(platform) == 0.0, timeout=30, what="pantau_ready{check=pipeline} 0")
        assert "Perhatian: pemrosesan data tertunda" in public_page(platform)  # the dashboard says so too
    finally:
        os.kill(pid, signal.SIGCONT)
    platform.wait_for(lambda: ready(platform).status_code == 200 or None, timeout=90,
                      what=f"ready again (last: {ready(platform).text[:600]})")
    assert ready(platform).json()["details"]["pipeline"]["status"] == "ok"
    page = public_page(platform)
    assert "Data mutakhir" in page and "tertunda" not in page


def public_page(platform) -> str:
    r = requests.get(platform.url("aggregator", "/publik/skm"), timeout=30)
    assert r.status_code == 200
    return r.text
