"""The pipeline's health from the consumers' heartbeats (pantau/consumer_health.py): pure."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pantau.consumer_health import assess

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=timezone.utc)


def beat(name: str, ago: float, **kw) -> dict:
    doc = {"_id": name, "updated_at": NOW - timedelta(seconds=ago), "state": "running", "lag": 0,
           "failing_since": None, "last_commit_at": NOW - timedelta(seconds=ago), "started_at": NOW - timedelta(hours=1),
           "last_record_at": []}
    doc.update(kw)
    return doc


def test_a_live_consumer_that_commits_is_ok_and_its_freshness_is_reported():
    h = assess([beat("c1", 3, last_record_at=[{"topic": "skm.events", "at": NOW - timedelta(seconds=9)}])], NOW)
    assert h["ok"] and h["status"] == "ok" and h["consumers"] == 1
    assert h["last_record_at"] == {"skm.events": (NOW - timedelta(seconds=9)).isoformat()}


def test_no_heartbeat_at_all_is_no_consumer_and_a_clean_stop_too():
    assert assess([], NOW)["status"] == "no_consumer"
    assert assess([beat("c1", 500, state="stopped")], NOW)["status"] == "no_consumer"


def test_a_heartbeat_older_than_the_limit_is_a_stalled_pipeline():
    h = assess([beat("c1", 61)], NOW, stale_s=60)
    assert not h["ok"] and h["status"] == "stalled" and "no heartbeat for 61 s" in h["problems"][0]
    assert assess([beat("c1", 59)], NOW, stale_s=60)["ok"]


def test_a_dead_instance_is_ignored_while_another_is_live():
    assert assess([beat("dead", 3600), beat("new", 2)], NOW, stale_s=60)["ok"]


def test_retrying_a_batch_for_longer_than_the_limit_is_failing():
    failing = beat("c1", 2, state="retrying", failing_since=NOW - timedelta(seconds=90), last_error="AutoReconnect()")
    h = assess([failing], NOW, failing_s=60)
    assert h["status"] == "failing" and "AutoReconnect" in h["problems"][0]
    brief = beat("c1", 2, state="retrying", failing_since=NOW - timedelta(seconds=30))
    assert assess([brief], NOW, failing_s=60)["ok"]


def test_lag_without_a_commit_for_the_limit_is_stalled_and_an_idle_consumer_is_not():
    stuck = beat("c1", 2, lag=40, last_commit_at=NOW - timedelta(seconds=120))
    assert assess([stuck], NOW, stale_s=60)["status"] == "stalled"
    idle = beat("c1", 2, lag=0, last_commit_at=NOW - timedelta(hours=5))
    assert assess([idle], NOW, stale_s=60)["ok"]
