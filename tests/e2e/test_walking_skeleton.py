"""The walking skeleton end to end: gunicorn services, relays, consumer, real Kafka and store."""
from __future__ import annotations

import json
import uuid

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from pantau.rules.ikm import ELEMENTS

pytestmark = pytest.mark.e2e

SERVICES = ("aggregator", "survey", "consultation", "complaints")


def response(unit_id: str, rid: str | None = None, value: int = 3, at: str = "2026-03-10T09:30:00+08:00") -> dict:
    return {"unit_id": unit_id, "response_id": rid or f"r-{uuid.uuid4().hex[:12]}", "submitted_at": at,
            "answers": {k: value for k in ELEMENTS}, "channel": "web",
            "respondent": {"sex": "P", "age": 34, "education": "SMA", "occupation": "SWASTA"}}


@pytest.mark.parametrize("service", SERVICES)
def test_health_ready_metrics_and_openapi(platform, service):
    assert requests.get(platform.url(service, "/healthz"), timeout=5).status_code == 200
    ready = requests.get(platform.url(service, "/readyz"), timeout=5)
    assert ready.status_code == 200, ready.text
    expected = {"store": True, "kafka": True, **({"pipeline": True} if service == "aggregator" else {})}
    assert ready.json()["checks"] == expected
    if service == "aggregator":  # the consumer's heartbeat, judged (pantau/consumer_health.py)
        pipeline = ready.json()["details"]["pipeline"]
        assert pipeline["status"] == "ok" and pipeline["consumers"] >= 1, pipeline
    metrics = requests.get(platform.url(service, "/metrics"), timeout=5)
    assert metrics.status_code == 200
    names = {f.name for f in text_string_to_metric_families(metrics.text)}
    assert "pantau_http_requests" in names  # counters are exposed without the _total suffix here
    spec = requests.get(platform.url(service, "/openapi.json"), timeout=5).json()
    assert spec["openapi"].startswith("3.") and spec["paths"]


def test_a_post_to_each_write_service_reaches_the_aggregator(platform):
    unit = "samsat-balikpapan"
    h = platform.headers(platform.key(unit))
    before = platform.summary(unit)
    r = requests.post(platform.url("survey", "/v1/skm/responses"), json=response(unit), headers=h, timeout=10)
    assert r.status_code == 202, r.text
    forum = {"unit_id": unit, "fkp_id": f"fkp-{uuid.uuid4().hex[:8]}", "topic": "standar_pelayanan",
             "title": "Peninjauan standar pelayanan", "held_on": "2026-04-02", "format": "tatap_muka",
             "stage": "held", "participants": [{"element": "pengguna_layanan", "name": "Budi"},
                                               {"element": "media", "name": "Sari", "institution": "Kaltim Post"}]}
    r = requests.post(platform.url("consultation", "/v1/fkp"), json=forum, headers=h, timeout=10)
    assert r.status_code == 201, r.text
    complaint = {"unit_id": unit, "channel": "lapor", "classification": "pengaduan", "subject": "Antrean lama",
                 "description": "Menunggu tiga jam di loket.", "reporter": {"name": "Ani", "phone": "0811"}}
    r = requests.post(platform.url("complaints", "/v1/complaints"), json=complaint, headers=h, timeout=10)
    assert r.status_code == 201, r.text
    after = platform.wait_for(
        lambda: (s := platform.summary(unit)) and s["skm_responses"] == before["skm_responses"] + 1
        and s["fkp_forums"] == before["fkp_forums"] + 1 and s["complaints"] == before["complaints"] + 1 and s,
        what="all three events in the aggregator")
    assert after["complaints_by_status"].get("RECEIVED", 0) >= 1


def _events_count(platform, service: str) -> int:
    from pantau import mongo, store
    return store.document_count(mongo.db(service)["events"])


def test_bad_input_gets_problem_json_and_stores_nothing(platform):
    unit, other = "samsat-samarinda", "samsat-bontang"
    h = platform.headers(platform.key(unit))
    url = platform.url("survey", "/v1/skm/responses")
    before = _events_count(platform, "survey")

    def check(resp, status):
        assert resp.status_code == status, resp.text
        assert resp.headers["Content-Type"].startswith("application/problem+json")
        body = resp.json()
        assert body["status"] == status and body["title"] and "Traceback" not in resp.text
        return body

    check(requests.post(url, data=b'{"unit_id": ', headers={**h, "Content-Type": "application/json"}), 400)
    check(requests.post(url, data=json.dumps(response(unit)), headers={**h, "Content-Type": "text/plain"}), 415)
    body = check(requests.post(url, json=response("unit-yang-tidak-ada"), headers=h), 422)
    assert body["errors"][0]["pointer"] == "/unit_id"
    check(requests.post(url, json=response(unit)), 401)
    check(requests.post(url, json=response(unit), headers={"Authorization": "Bearer pantau_x_y"}), 401)
    body = check(requests.post(url, json=response(other), headers=h), 403)
    assert body["errors"][0]["pointer"] == "/unit_id"
    # one bad item in a batch rejects the batch, with the index and field of every error
    bad = response(unit)
    bad["answers"]["waktu"] = 5
    extra = response(unit)
    extra["answers"]["parkir"] = 4
    body = check(requests.post(url, json={"responses": [response(unit), bad, extra]}, headers=h), 422)
    pointers = {e["pointer"] for e in body["errors"]}
    assert pointers == {"/responses/1/answers/waktu", "/responses/2/answers/parkir"}
    # English on request
    en = requests.post(url, json=response("nope"), headers={**h, "Accept-Language": "en"})
    assert en.json()["title"] == "Invalid data"
    assert _events_count(platform, "survey") == before


def test_repeat_is_idempotent_and_changed_content_conflicts(platform):
    unit = "samsat-tenggarong"
    h = platform.headers(platform.key(unit))
    url = platform.url("survey", "/v1/skm/responses")
    batch = {"responses": [response(unit, f"idem-{i}") for i in range(3)]}
    first = requests.post(url, json=batch, headers=h)
    assert first.status_code == 202 and first.json()["new"] == 3
    again = requests.post(url, json=batch, headers=h)
    assert again.status_code == 202 and again.json()["accepted"] == first.json()["accepted"]
    assert again.json()["new"] == 0 and again.headers.get("Idempotent-Replay") == "true"
    changed = {"responses": [response(unit, "idem-9"), response(unit, "idem-1", value=1)]}
    conflict = requests.post(url, json=changed, headers=h)
    assert conflict.status_code == 409
    assert conflict.json()["errors"][0]["pointer"] == "/responses/1/response_id"
    ikm = platform.wait_for(lambda: (r := requests.get(
        platform.url("aggregator", f"/v1/ikm/units/{unit}?period=2026-03"),
        headers=platform.headers(platform.bureau)).json()) and r["respondents"] == 3 and r,
        what="three responses in the unit IKM")
    assert ikm["ikm"] == 75.0 and ikm["mutu"] == "C"  # all answers 3 → 3 × 25


def _pending_pointers() -> int:
    from pantau import mongo, store
    db = mongo.db("survey")
    return sum(store.document_count(db[n]) for n in db.list_collection_names() if n.startswith("outbox_"))


def test_kill9_of_relay_and_consumer_loses_and_duplicates_nothing(platform):
    """Crash each worker while it provably holds unfinished work: the relay frozen with stored,
    unpublished events; the consumer frozen with records it has not applied."""
    import os
    import signal

    from pantau import mongo
    from pantau_platform.infra import procs

    unit = "samsat-sangatta"
    h = platform.headers(platform.key(unit))
    url = platform.url("survey", "/v1/skm/responses")
    facts = mongo.db("aggregator")["skm_facts"]
    acknowledged = 0

    def post(round_no: int) -> None:
        nonlocal acknowledged
        batch = [response(unit, f"k9-{round_no}-{i}") for i in range(40)]
        r = requests.post(url, json={"responses": batch}, headers=h, timeout=30)
        assert r.status_code == 202, r.text
        acknowledged += len(batch)

    post(0)
    # 1. relay frozen: the batch is durable and pointed but not published; then kill -9 and restart
    os.kill(procs.pid_of(platform.profile.name, "relay-survey"), signal.SIGSTOP)
    before = _pending_pointers()
    post(1)
    assert _pending_pointers() >= before + 40
    platform.kill9_and_restart("relay-survey")
    post(2)
    # 2. consumer frozen: records are in Kafka but not applied; then kill -9 and restart
    platform.wait_for(lambda: facts.count_documents({"unit_id": unit}) == acknowledged, what="caught up")
    os.kill(procs.pid_of(platform.profile.name, "consumer"), signal.SIGSTOP)
    post(3)
    post(4)
    assert facts.count_documents({"unit_id": unit}) < acknowledged  # really behind when killed
    platform.kill9_and_restart("consumer")
    platform.restart("relay-survey")  # and a clean stop of the relay for good measure
    post(5)
    ikm = platform.wait_for(lambda: (r := requests.get(
        platform.url("aggregator", f"/v1/ikm/units/{unit}?period=2026"),
        headers=platform.headers(platform.bureau)).json()) and r["respondents"] >= acknowledged and r,
        what="every acknowledged response in the aggregator")
    assert ikm["respondents"] == acknowledged  # nothing lost, nothing counted twice
    assert facts.count_documents({"unit_id": unit}) == acknowledged


def test_void_takes_a_response_out_of_every_figure(platform):
    unit = "samsat-sendawar"
    h = platform.headers(platform.key(unit))
    bureau = platform.headers(platform.bureau)
    url = platform.url("survey", "/v1/skm/responses")
    batch = [response(unit, "v-keep", value=4), response(unit, "v-drop", value=1)]
    assert requests.post(url, json={"responses": batch}, headers=h).status_code == 202
    ikm_url = platform.url("aggregator", f"/v1/ikm/units/{unit}?period=2026-Q1")
    both = platform.wait_for(lambda: (r := requests.get(ikm_url, headers=bureau).json())["respondents"] == 2 and r,
                             what="two responses")
    assert both["ikm"] == 62.5  # (4 + 1) / 2 × 25
    void_url = platform.url("survey", f"/v1/skm/responses/{unit}/v-drop/void")
    first = requests.post(void_url, json={"reason": "Entri ganda"}, headers=h)
    assert first.status_code == 202, first.text
    assert requests.post(void_url, json={"reason": "Entri ganda"}, headers=h).status_code == 202  # idempotent
    assert requests.post(void_url, json={"reason": "Lain"}, headers=h).status_code == 409
    missing = requests.post(platform.url("survey", f"/v1/skm/responses/{unit}/nope/void"),
                            json={"reason": "Entri ganda"}, headers=h)
    assert missing.status_code == 404
    other = requests.post(void_url, json={"reason": "Entri ganda"}, headers=platform.headers(platform.key("rsud-aws")))
    assert other.status_code == 403
    one = platform.wait_for(lambda: (r := requests.get(ikm_url, headers=bureau).json())["respondents"] == 1 and r,
                            what="the void applied")
    assert one["ikm"] == 100.0 and one["mutu"] == "A"
    province = requests.get(platform.url("aggregator", "/v1/ikm/province?period=2026-Q1"), headers=bureau).json()
    mine = [u for u in province["units"] if u["unit_id"] == unit]
    assert mine and mine[0]["respondents"] == 1
