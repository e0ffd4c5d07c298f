"""A real Prometheus (Debian's 2.42, pantau_platform.infra.prometheus) scrapes the running test platform
every second with the repository's alert rules; the test drives traffic (good, failing, a bulk
that makes the consumer lag, a poison record published straight into a topic) and reads the
series back through Prometheus's HTTP API. Also: every /metrics passes `promtool check metrics`,
and a request's correlation id is followed from the HTTP log through the event to the consumer.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests

from pantau import bus
from pantau.config import settings
from pantau.rules.ikm import ELEMENTS
from pantau_platform.infra import procs
from pantau_platform.infra import prometheus as prom

pytestmark = pytest.mark.e2e
WITA = timezone(timedelta(hours=8))
SURVEY_POST = 'job="survey", route="/v1/skm/responses", method="POST"'
BULK = 1000    # responses in one HTTP request
DIRECT = 12000  # response events published straight into the topic: a backlog of several batches
JOBS = {"prometheus", "aggregator", "survey", "consultation", "complaints", "consumer", "relay-survey",
        "relay-consultation", "relay-complaints"}


@pytest.fixture(scope="module")
def prometheus(platform):
    p = platform.profile
    prom.check_installed()  # fails (never skips) without Debian's package: `make install`
    prom.stop(p)
    prom.start(p, scrape_interval="1s", evaluation_interval="1s", fresh=True)
    try:
        wait(lambda: prom.targets(p) if set(prom.targets(p)) == JOBS and
             all(h == "up" for h in prom.targets(p).values()) else None, "every target up", 60)
        yield p
    finally:
        prom.stop(p)


def wait(fn, what: str, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = fn()
        except (requests.RequestException, ValueError) as exc:
            last = exc
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def value(p, promql: str) -> float:
    v = prom.value(p, promql)
    return 0.0 if v is None else v


def wait_value(p, promql: str, pred, what: str, timeout: float = 90.0) -> float:
    def check():
        v = prom.value(p, promql)
        return (v,) if v is not None and pred(v) else None
    return wait(check, f"{what}: {promql}", timeout)[0]


def response(unit: str, rid: str, when: datetime | None = None) -> dict:
    when = when or datetime.now(WITA) - timedelta(minutes=1)
    return {"unit_id": unit, "response_id": rid, "submitted_at": when.isoformat(timespec="seconds"),
            "answers": {k: 3 + (i % 2) for i, k in enumerate(ELEMENTS)}}


def publish_responses(profile, unit: str, n: int, marker: str) -> None:
    """n valid `skm.response_recorded` events straight into the topic, as the relay sends them,
    while the consumer is paused (SIGSTOP, well under its session timeout): when it resumes
    they are all in the broker, a fetch brings at most ~1 MB of them, and the lag it computes
    (highwater - position) is the rest. Sent while it runs, it would fetch them as they arrive,
    every fetch would end at the highwater it reports, and the lag would always read ~0."""
    import orjson

    from services.survey.intake import build_doc
    s = settings()
    when = datetime.now(WITA) - timedelta(minutes=1)
    records = []
    for i in range(n):
        item = {**response(unit, f"prom-{marker}-direct-{i}", when), "submitted_at": when}
        doc = build_doc(item, f"direct-{marker}", s.tz)
        records.append((doc["key"].encode(), orjson.dumps(doc["envelope"])))
    producer = bus.producer(s)
    producer.partitions_for(s.topic("survey"))  # metadata first: the pause stays short
    pid = procs.pid_of(profile.name, "consumer")
    assert pid
    os.kill(pid, signal.SIGSTOP)
    try:
        for key, value in records:
            producer.send(s.topic("survey"), key=key, value=value)
        producer.flush(timeout=30)
    finally:
        os.kill(pid, signal.SIGCONT)
    producer.close()


def post(platform, unit: str, body: dict, **headers) -> requests.Response:
    return requests.post(platform.url("survey", "/v1/skm/responses"), json=body,
                         headers={**platform.headers(platform.key(unit)), **headers}, timeout=120)


def test_every_target_is_scraped_and_every_rule_evaluates(prometheus):
    p = prometheus
    assert set(prom.targets(p)) == JOBS

    def rules_ok():
        groups = requests.get(prom.url(p) + "/api/v1/rules", timeout=5).json()["data"]["groups"]
        rules = [r for g in groups for r in g["rules"]]
        bad = [(r["name"], r["health"], r.get("lastError")) for r in rules if r["health"] != "ok"]
        return rules if rules and not bad else None
    rules = wait(rules_ok, "every rule evaluated without error", 30)
    names = {r["name"] for r in rules}
    assert {"PantauTargetDown", "PantauDlqReceiving", "PantauComplaintDeadlineBreachesRising",
            "pantau:http_request_slow:ratio_rate5m"} <= names
    assert value(p, 'min(pantau_ready{job=~"aggregator|survey|consultation|complaints"})') == 1
    assert value(p, 'pantau_ready{job="consumer", check="apply"}') == 1


def test_every_metrics_endpoint_passes_promtool_check_metrics(platform):
    exe = shutil.which("promtool")
    assert exe, "promtool is missing: run `make install`"
    p = platform.profile
    requests.get(platform.url("survey", "/healthz"), timeout=5)  # at least one request per service
    urls = {n: f"http://127.0.0.1:{port}/metrics" for n, port in {**p.http_ports, **p.metrics_ports}.items()}
    problems = {}
    for name, url in urls.items():
        for svc in p.http_ports:
            requests.get(platform.url(svc, "/healthz"), timeout=5)
        body = requests.get(url, timeout=10).content
        assert b"pantau_" in body, name
        r = subprocess.run([exe, "check", "metrics"], input=body, capture_output=True, timeout=60)
        if r.returncode != 0:
            problems[name] = (r.stdout + r.stderr).decode()
    assert not problems, problems


def test_series_move_requests_errors_dlq_lag_and_domain_gauges(prometheus, platform):
    p = prometheus
    s = settings()
    year = datetime.now(WITA).year
    h = platform.headers(platform.bureau)

    def without_skm() -> list[str]:
        r = requests.get(platform.url("aggregator", f"/v1/skm/compliance?year={year}"), headers=h, timeout=60)
        r.raise_for_status()
        return r.json()["units_without_skm"]

    unit = sorted(set(without_skm()) - platform.reserved_units)[-1]  # a UPP without any SKM response this year

    def skm_run() -> bool:
        return unit not in without_skm()

    # the domain gauges are computed every ~15 s by the consumer; take their first values
    base_without = wait_value(p, "max(pantau_skm_units_without_responses)", lambda v: v > 0,
                              "units without SKM computed")
    base_month = value(p, 'max(pantau_skm_province_respondents{period="month"})')
    base_ok = value(p, f'sum(pantau_http_requests_total{{{SURVEY_POST}, status="202"}})')
    base_4xx = value(p, 'sum(pantau_http_requests_total{job="survey", status=~"4.."})')
    base_dlq = value(p, f'sum(pantau_consumer_dlq_records_total{{topic="{s.topic("survey")}", reason="undecodable"}})')
    base_published = value(p, 'sum(pantau_relay_published_events_total{job="relay-survey"})')
    base_applied = value(p, f'sum(pantau_consumer_records_total{{topic="{s.topic("survey")}", outcome="applied"}})')

    # 1. good requests: five single responses, then one bulk of 1,000
    marker = uuid.uuid4().hex[:8]
    for i in range(5):
        assert post(platform, unit, response(unit, f"prom-{marker}-{i}")).status_code == 202
    bulk = {"responses": [response(unit, f"prom-{marker}-bulk-{i}") for i in range(BULK)]}
    assert post(platform, unit, bulk).status_code == 202
    wait_value(p, f'sum(pantau_http_requests_total{{{SURVEY_POST}, status="202"}})', lambda v: v >= base_ok + 6,
               "request count")
    assert value(p, f'sum(pantau_http_request_duration_seconds_count{{{SURVEY_POST}, size_class="small"}})') >= 5
    assert value(p, f'sum(pantau_http_request_duration_seconds_count{{{SURVEY_POST}, size_class="large"}})') >= 1
    assert value(p, 'sum(pantau_events_stored_total{job="survey", type="skm.response_recorded"})') >= 5 + BULK

    # 2. failing requests: a 422 (invalid answers), a 401 (no key), a 404 (no route)
    bad = response(unit, f"prom-{marker}-bad")
    bad["answers"]["waktu"] = 9
    assert post(platform, unit, bad).status_code == 422
    assert requests.post(platform.url("survey", "/v1/skm/responses"), json=bad, timeout=10).status_code == 401
    assert requests.get(platform.url("survey", "/v1/no-such-route"), timeout=10).status_code == 404
    wait_value(p, 'sum(pantau_http_requests_total{job="survey", status=~"4.."})', lambda v: v >= base_4xx + 3,
               "client errors counted")
    assert value(p, f'sum(pantau_http_requests_total{{{SURVEY_POST}, status="422"}})') >= 1
    assert value(p, 'sum(pantau_http_requests_total{job="survey", route="<unmatched>", status="404"})') >= 1

    # 3. a poison record published straight into the topic
    producer = bus.producer(s)
    producer.send(s.topic("survey"), key=b"poison-prom", value=b"{not json " + marker.encode())
    producer.flush()
    producer.close()
    wait_value(p, f'sum(pantau_consumer_dlq_records_total{{topic="{s.topic("survey")}", reason="undecodable"}})',
               lambda v: v >= base_dlq + 1, "DLQ counter")
    wait(lambda: prom.query(p, 'ALERTS{alertname="PantauDlqReceiving", alertstate="firing", reason="undecodable"}'),
         "the PantauDlqReceiving alert firing in the real Prometheus", 30)

    # 4. the relay published everything. Through HTTP the relay trickles events out as the intake
    #    stores them and the consumer keeps up (lag stays 0 at every 1 s scrape), so a backlog is
    #    made the way a consumer outage makes one: DIRECT valid response events (built by the
    #    survey's own intake code) sent while the consumer is paused; it then takes them in
    #    batches of at most 5,000 (pantau.consumer.RECORDS_PER_BATCH, fetches of ≤ 4 MB a
    #    partition), so the lag is visible for a few seconds, then drains back to zero.
    wait_value(p, 'sum(pantau_relay_published_events_total{job="relay-survey"})',
               lambda v: v >= base_published + 5 + BULK, "events published")
    publish_responses(platform.profile, unit, DIRECT, marker)
    wait_value(p, f'sum(pantau_consumer_records_total{{topic="{s.topic("survey")}", outcome="applied"}})',
               lambda v: v >= base_applied + 5 + BULK + DIRECT, "records applied", timeout=300)
    lag = f'sum(pantau_consumer_lag_records{{topic="{s.topic("survey")}"}})'
    assert wait_value(p, f"max_over_time({lag}[10m:1s])", lambda v: v > 0, "lag seen above zero", 30) > 0
    wait_value(p, lag, lambda v: v == 0, "lag back to zero", 120)
    assert value(p, f'count(pantau_consumer_lag_records{{topic="{s.topic("survey")}"}})') == s.kafka_partitions
    assert value(p, f'sum(pantau_consumer_apply_seconds_count{{topic="{s.topic("survey")}"}})') > 0
    assert prom.query(p, f'pantau_projection_freshness_seconds{{topic="{s.topic("survey")}"}}')

    # 5. the bureau's gauges: the unit has SKM this year now; the month's respondents went up
    wait(skm_run, "the aggregator applied the responses", 60)
    wait_value(p, "max(pantau_skm_units_without_responses)", lambda v: v <= base_without - 1,
               "units without SKM down by one", 90)
    wait(lambda: value(p, "max(pantau_skm_units_without_responses)") == len(without_skm()),
         "the gauge agrees with GET /v1/skm/compliance", 60)
    wait_value(p, 'max(pantau_skm_province_respondents{period="month"})',
               lambda v: v >= base_month + 5 + BULK + DIRECT, "month respondents up", 60)
    assert value(p, 'max(pantau_domain_metrics_last_success_timestamp_seconds{source="skm"})') > time.time() - 120
    assert value(p, "count(pantau_skm_units_without_responses)") == 1  # only the consumer exposes it


def test_complaint_gauge_moves(prometheus, platform):
    p = prometheus
    unit = "samsat-samarinda"
    wait(lambda: prom.query(p, "pantau_complaints_open"), "complaint gauges computed", 60)
    base = value(p, "sum(pantau_complaints_open)")
    body = {"unit_id": unit, "channel": "web", "classification": "pengaduan", "subject": "Antrian panjang",
            "description": "Antrian di loket pembayaran terlalu panjang pada pagi hari."}
    r = requests.post(platform.url("complaints", "/v1/complaints"), json=body,
                      headers=platform.headers(platform.key(unit)), timeout=30)
    assert r.status_code in (201, 202), r.text
    wait_value(p, "sum(pantau_complaints_open)", lambda v: v >= base + 1, "open complaints up", 90)
    tiers = {r["metric"]["tier"] for r in prom.query(p, "pantau_complaints_open")}
    assert tiers == {"instansi", "upp", "opd", "kabkota", "unit"}


def test_correlation_id_follows_a_request_to_the_aggregator(platform):
    unit = "samsat-samarinda"
    corr = f"e2e-corr-{uuid.uuid4().hex[:12]}"
    r = post(platform, unit, response(unit, f"corr-{corr}"), **{"X-Correlation-ID": corr})
    assert r.status_code == 202 and r.headers["X-Correlation-ID"] == corr
    logs = procs.run_dir(platform.profile.name) / "logs"

    def lines(name: str) -> list[dict]:
        out = []
        for raw in (logs / f"{name}.log").read_text(errors="replace").splitlines():
            if corr in raw and raw.startswith("{"):
                out.append(json.loads(raw))
        return out

    http = wait(lambda: lines("survey"), "the survey's log line", 30)
    assert http[0]["correlation_id"] == corr and http[0]["msg"] == "request handled" and http[0]["status"] == 202
    applied = wait(lambda: [x for x in lines("consumer") if x["msg"] == "batch applied"], "the consumer's log line", 90)
    assert corr in applied[0]["correlation_ids"] and applied[0]["topic"] == settings().topic("survey")
