"""HTTP metrics hooks of pantau.web: route templates (never raw paths), status, latency, in-flight,
readiness as a metric, the PANTAU_METRICS switch, multiprocess exposition, and the access-log
line that starts a correlation id's trail."""
from __future__ import annotations

import io
import json
import logging
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from pantau import web
from pantau.logs import JsonFormatter
from pantau.problems import ProblemError
from pantau.web import Blueprint, create_app, json_response

ROOT = Path(__file__).resolve().parents[2]
SERVICE = "unittest-web"


def make_app(service: str = SERVICE):
    blp = Blueprint(f"things-{service}", __name__, url_prefix="/v1/things")

    @blp.route("/<thing_id>", methods=["GET"])
    def get_thing(thing_id):
        if thing_id == "bad":
            raise ProblemError(422, "salah", detail_en="wrong")
        return json_response({"id": thing_id})

    @blp.route("/<thing_id>/boom", methods=["POST"])
    def boom(thing_id):
        raise RuntimeError("bug")

    return create_app(service, [blp], title="test")


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def deps(monkeypatch):
    state = {"store": True, "kafka": True}
    monkeypatch.setattr(web.mongo, "ping", lambda *a, **k: state["store"])
    monkeypatch.setattr(web, "_kafka_ready", lambda: state["kafka"])
    web._scrape_ready.clear()
    yield state
    web._scrape_ready.clear()


def test_requests_are_counted_by_route_template_method_and_status(deps):
    client = make_app().test_client()
    key = dict(service=SERVICE, route="/v1/things/<thing_id>", method="GET")
    before_ok = sample("pantau_http_requests_total", **key, status="200")
    before_422 = sample("pantau_http_requests_total", **key, status="422")
    before_obs = sample("pantau_http_request_duration_seconds_count", **key, size_class="small")
    for i in range(3):
        assert client.get(f"/v1/things/t{i}").status_code == 200  # three raw paths, one series
    assert client.get("/v1/things/bad").status_code == 422
    assert client.get("/no/such/path/123").status_code == 404
    assert sample("pantau_http_requests_total", **key, status="200") == before_ok + 3
    assert sample("pantau_http_requests_total", **key, status="422") == before_422 + 1
    assert sample("pantau_http_requests_total", service=SERVICE, route="<unmatched>", method="GET", status="404") >= 1
    assert sample("pantau_http_request_duration_seconds_count", **key, size_class="small") == before_obs + 4
    assert sample("pantau_http_requests_in_flight", service=SERVICE) == 0
    raw = client.get("/metrics").data.decode()
    assert "/v1/things/t1" not in raw and "/no/such/path" not in raw


def test_unusual_methods_are_one_label_value(deps):
    client = make_app().test_client()
    client.open("/v1/things/x", method="PROPFIND")
    methods = {s.labels["method"] for m in REGISTRY.collect() if m.name == "pantau_http_requests"
               for s in m.samples if s.labels.get("service") == SERVICE}
    assert "OTHER" in methods and "PROPFIND" not in methods


def test_server_errors_are_counted_and_in_flight_returns_to_zero(deps):
    client = make_app().test_client()
    key = dict(service=SERVICE, route="/v1/things/<thing_id>/boom", method="POST", status="500")
    before = sample("pantau_http_requests_total", **key)
    assert client.post("/v1/things/x/boom").status_code == 500
    assert sample("pantau_http_requests_total", **key) == before + 1
    assert sample("pantau_http_requests_in_flight", service=SERVICE) == 0


def test_readiness_is_exported_at_scrape_time(deps):
    client = make_app().test_client()
    text = client.get("/metrics").data.decode()
    assert 'pantau_ready{check="store"} 1.0' in text and 'pantau_ready{check="kafka"} 1.0' in text
    deps["store"] = False
    web._scrape_ready.clear()  # the 5 s cache would otherwise answer
    text = client.get("/metrics").data.decode()
    assert 'pantau_ready{check="store"} 0.0' in text
    assert client.get("/readyz").status_code == 503
    deps["store"] = True
    assert client.get("/readyz").status_code == 200
    assert sample("pantau_ready", check="store") == 1.0


def test_readiness_for_scrapes_is_cached(deps, monkeypatch):
    calls = []
    monkeypatch.setattr(web.mongo, "ping", lambda *a, **k: calls.append(1) or True)
    client = make_app().test_client()
    for _ in range(5):
        client.get("/metrics")
    assert len(calls) == 1


def test_metrics_switch_off_skips_the_hooks(deps, monkeypatch):
    monkeypatch.setenv("PANTAU_METRICS", "off")
    client = make_app("unittest-web-off").test_client()
    assert client.get("/v1/things/a").status_code == 200
    assert sample("pantau_http_requests_total", service="unittest-web-off", route="/v1/things/<thing_id>",
                  method="GET", status="200") == 0
    assert client.get("/v1/things/a").headers["X-Correlation-ID"]  # correlation ids stay


def test_writes_log_one_json_line_with_the_correlation_id(deps):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(SERVICE))
    logger = logging.getLogger("pantau.web")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        client = make_app().test_client()
        client.get("/v1/things/quiet")  # reads are not logged
        r = client.post("/v1/things/x/boom", headers={"X-Correlation-ID": "corr-web-1"})
        assert r.headers["X-Correlation-ID"] == "corr-web-1"
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    lines = [json.loads(x) for x in stream.getvalue().splitlines()]
    handled = [x for x in lines if x["msg"] == "request handled"]
    assert len(handled) == 1
    assert handled[0]["correlation_id"] == "corr-web-1"
    assert handled[0]["status"] == 500 and handled[0]["route"] == "/v1/things/<thing_id>/boom"
    assert all(x.get("correlation_id") == "corr-web-1" for x in lines)  # the unhandled-error line too


def test_multiprocess_exposition_passes_promtool(tmp_path):
    """Two gunicorn-like worker processes writing to one PROMETHEUS_MULTIPROC_DIR; a scrape from
    either shows the sum and one readiness value (the scraping worker's)."""
    exe = shutil.which("promtool")
    assert exe, "promtool is missing: run `make install`"
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r}); sys.path.insert(0, {str(Path(__file__).parent)!r})
        from pantau import web
        web.mongo.ping = lambda *a, **k: True
        web._kafka_ready = lambda: sys.argv[1] == "scrape"
        import test_metrics_web as t
        c = t.make_app("mp").test_client()
        for i in range(5):
            c.get(f"/v1/things/{{i}}")
        c.get("/v1/things/bad")
        if sys.argv[1] == "scrape":
            sys.stdout.write(c.get("/metrics").data.decode())
    """)
    env = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", script, "work"], env=env, check=True, timeout=60, cwd=ROOT)
    out = subprocess.run([sys.executable, "-c", script, "scrape"], env=env, check=True, timeout=60, cwd=ROOT,
                         capture_output=True).stdout
    text = out.decode()
    assert 'pantau_http_requests_total{method="GET",route="/v1/things/<thing_id>",service="mp",status="200"} 10.0' in text
    assert 'pantau_http_requests_total{method="GET",route="/v1/things/<thing_id>",service="mp",status="422"} 2.0' in text
    assert text.count('pantau_ready{check="kafka"}') == 1 and 'pantau_ready{check="kafka"} 1.0' in text
    r = subprocess.run([exe, "check", "metrics"], input=out, capture_output=True, timeout=60)
    assert r.returncode == 0, (r.stdout + r.stderr).decode()


def test_bulk_bodies_are_a_separate_latency_class(deps):
    client = make_app().test_client()
    key = dict(service=SERVICE, route="/v1/things/<thing_id>/boom", method="POST")
    before = sample("pantau_http_request_duration_seconds_count", **key, size_class="large")
    client.post("/v1/things/x/boom", data=b"x" * (64 * 1024 + 1), content_type="application/json")
    client.post("/v1/things/x/boom", data=b"{}", content_type="application/json")
    assert sample("pantau_http_request_duration_seconds_count", **key, size_class="large") == before + 1
    assert sample("pantau_http_request_duration_seconds_count", **key, size_class="small") >= 1
