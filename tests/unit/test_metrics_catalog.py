"""The metric catalogue (pantau/metrics.py) against Prometheus conventions, and every query in the
alert rules and Grafana dashboards against the catalogue (a renamed metric must not leave a
dashboard or an alert silently empty)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.metrics import MetricWrapperBase

from pantau import metrics

ROOT = Path(__file__).resolve().parents[2]
ALLOWED_LABELS = {"service", "route", "method", "status", "topic", "partition", "reason", "outcome", "type", "size_class", "province",
                  "check", "period", "tier", "source"}
UNIT_SUFFIXES = ("_seconds", "_records", "_events", "_ikm", "_respondents", "_units", "_included",
                 "_responses", "_open", "_overdue", "_breaches", "_in_flight", "_ready")


def catalogue() -> dict[str, MetricWrapperBase]:
    return {m._name: m for m in vars(metrics).values() if isinstance(m, MetricWrapperBase)}


def exposed_names() -> set[str]:
    names = set()
    for name, m in catalogue().items():
        if isinstance(m, Counter):
            names.add(name + "_total")
        elif isinstance(m, Histogram):
            names |= {name + "_bucket", name + "_count", name + "_sum"}
        else:
            names.add(name)
    return names


def test_names_follow_the_conventions():
    for name, m in catalogue().items():
        assert re.fullmatch(r"pantau_[a-z0-9_]+", name), name
        assert not name.endswith("_total"), f"{name}: prometheus_client adds _total to counters"
        if isinstance(m, Histogram):
            assert name.endswith("_seconds"), f"{name}: durations in seconds"
        if isinstance(m, Gauge):
            assert name.endswith(UNIT_SUFFIXES) or name.endswith("_timestamp_seconds"), name
        assert not re.search(r"(milli|micro)seconds|_ms$|bytes_total_", name), name


def test_labels_are_bounded():
    for name, m in catalogue().items():
        assert set(m._labelnames) <= ALLOWED_LABELS, f"{name}: {m._labelnames}"


def test_every_gauge_has_a_multiprocess_mode_that_makes_sense():
    assert metrics.HTTP_IN_FLIGHT._multiprocess_mode == "livesum"
    assert metrics.READY._multiprocess_mode == "livemostrecent"  # the scraping worker's fresh check wins


def test_full_exposition_passes_promtool_check_metrics():
    """Every metric with one label set, as a single process exposes it."""
    exe = shutil.which("promtool")
    assert exe, "promtool is missing: run `make install`"
    code = r'''
import sys
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.metrics import MetricWrapperBase
from pantau import metrics
for m in vars(metrics).values():
    if isinstance(m, MetricWrapperBase):
        child = m.labels(*["x"] * len(m._labelnames)) if m._labelnames else m
        if hasattr(child, "set"):
            child.set(1)
        elif hasattr(child, "inc"):
            child.inc()
        else:
            child.observe(0.1)
sys.stdout.buffer.write(generate_latest(REGISTRY))
'''
    text = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True, timeout=60).stdout
    r = subprocess.run([exe, "check", "metrics"], input=text, capture_output=True, timeout=60)
    assert r.returncode == 0, (r.stdout + r.stderr).decode()
    for name in exposed_names():
        assert f"\n{name}".encode() in text or text.startswith(name.encode()), name


def referenced(expr: str) -> set[str]:
    return set(re.findall(r"\bpantau_[a-z0-9_]+", expr))


def rule_exprs() -> list[tuple[str, str]]:
    out = []
    for path in (ROOT / "deploy/prometheus/rules").glob("*.yml"):
        for g in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
            for r in g["rules"]:
                out.append((r.get("alert") or r.get("record"), r["expr"]))
    return out


def dashboard_exprs() -> list[tuple[str, str]]:
    out = []
    for path in (ROOT / "deploy/grafana/dashboards").glob("*.json"):
        d = json.loads(path.read_text(encoding="utf-8"))
        for p in d["panels"]:
            for t in p.get("targets", []):
                out.append((f"{path.name}: {p['title']}", t["expr"]))
    return out


@pytest.mark.parametrize("where,expr", rule_exprs() + dashboard_exprs())
def test_queries_only_use_metrics_that_exist(where, expr):
    unknown = referenced(expr) - exposed_names()
    assert not unknown, f"{where} reads metrics nobody exposes: {unknown}"
    for rec in re.findall(r"\bpantau:[a-z0-9_:]+", expr):
        assert rec in {r for r, _ in rule_exprs()}, f"{where} reads unrecorded {rec}"


def test_histogram_bucket_used_by_the_slo_exists():
    assert 1.0 in metrics.HTTP_LATENCY._upper_bounds  # rules select le="1.0"


def test_dashboards_are_generated_and_use_the_provisioned_datasource():
    r = subprocess.run([sys.executable, str(ROOT / "deploy/grafana/generate.py"), "--check"], capture_output=True)
    assert r.returncode == 0, r.stdout.decode()
    uids = set()
    for path in (ROOT / "deploy/grafana/dashboards").glob("*.json"):
        d = json.loads(path.read_text(encoding="utf-8"))
        uids.add(d["uid"])
        assert len({p["id"] for p in d["panels"]}) == len(d["panels"])
        for p in d["panels"]:
            assert p["datasource"] == {"type": "prometheus", "uid": "prometheus"}, p["title"]
            assert all(t["datasource"]["uid"] == "prometheus" for t in p["targets"]), p["title"]
    assert uids == {"pantau-platform", "pantau-bureau"}


def test_domain_dashboard_shows_every_domain_gauge():
    exprs = " ".join(e for w, e in dashboard_exprs() if w.startswith("domain.json"))
    for m in (metrics.SKM_PROVINCE_IKM, metrics.SKM_PROVINCE_RESPONDENTS, metrics.SKM_UNITS_WITHOUT_RESPONSES,
              metrics.COMPLAINTS_OPEN, metrics.COMPLAINTS_OVERDUE, metrics.COMPLAINT_DEADLINE_BREACHES,
              metrics.FKP_PROMISES_OVERDUE):
        assert m._name in exprs, m._name


def test_recent_ids_is_bounded_fifo():
    r = metrics.RecentIds(size=3)
    for i in range(5):
        r.add(str(i))
    assert [r.seen(str(i)) for i in range(5)] == [False, False, True, True, True]
    r.add("4")  # re-adding keeps one copy
    assert len(r._ids) == 3


def test_metrics_switch(monkeypatch):
    monkeypatch.delenv("PANTAU_METRICS", raising=False)
    assert metrics.enabled()
    for off in ("off", "0", "false", "OFF"):
        monkeypatch.setenv("PANTAU_METRICS", off)
        assert not metrics.enabled()


def test_unused_registry_helpers_do_not_leak_into_the_default_registry():
    # a fresh registry renders nothing of ours: multiprocess renders build their own per scrape
    assert generate_latest(CollectorRegistry()) == b""
