"""The event topics follow the CloudEvents Kafka protocol binding, structured mode (issue 19): read
with the official CloudEvents Python SDK's Kafka binding, unmodified (`from_kafka_event` picks the
mode from the headers itself), every record the platform published is a CloudEvent equal to the
envelope it carries, and the three writes made here are among them."""
from __future__ import annotations

import json
import uuid

import pytest
import requests
from cloudevents.core.bindings.kafka import KafkaMessage, from_kafka_event
from kafka import KafkaConsumer, TopicPartition
from test_walking_skeleton import response

from pantau.config import settings
from pantau.envelope import CONTENT_TYPE

pytestmark = pytest.mark.e2e
UNIT = "samsat-balikpapan"


def records(topics: list[str]) -> list:
    s = settings()
    c = KafkaConsumer(bootstrap_servers=s.kafka_bootstrap, enable_auto_commit=False, consumer_timeout_ms=5000)
    parts = [TopicPartition(t, p) for t in topics for p in c.partitions_for_topic(t)]
    c.assign(parts)
    c.seek_to_beginning(*parts)
    ends = c.end_offsets(parts)
    out = []
    while any(c.position(tp) < ends[tp] for tp in parts):
        for batch in c.poll(timeout_ms=2000, max_records=5000).values():
            out.extend(batch)
    c.close()
    return out


def test_every_published_record_reads_with_the_cloudevents_sdk(platform):
    h = platform.headers(platform.key(UNIT))
    rid = f"ce-{uuid.uuid4().hex[:10]}"
    assert requests.post(platform.url("survey", "/v1/skm/responses"), json=response(UNIT, rid), headers=h,
                         timeout=10).status_code == 202
    forum = {"unit_id": UNIT, "fkp_id": f"fkp-ce-{uuid.uuid4().hex[:8]}", "topic": "standar_pelayanan",
             "title": "Forum CloudEvents", "held_on": "2026-04-02", "format": "tatap_muka", "stage": "held",
             "participants": [{"element": "pengguna_layanan", "name": "Budi"}]}
    assert requests.post(platform.url("consultation", "/v1/fkp"), json=forum, headers=h, timeout=10).status_code == 201
    complaint = {"unit_id": UNIT, "channel": "lapor", "classification": "pengaduan", "subject": "CloudEvents",
                 "description": "Uji pembacaan topik.", "reporter": {"name": "Ani", "phone": "0811"}}
    made = requests.post(platform.url("complaints", "/v1/complaints"), json=complaint, headers=h, timeout=10)
    assert made.status_code == 201
    s = settings()
    topics = [s.topic(svc) for svc in ("survey", "consultation", "complaints")]
    wanted = {rid, forum["fkp_id"], made.json()["tracking_id"]}
    seen: dict = {}

    def all_published():
        found = records(topics)
        seen["records"] = found
        return all(any(w.encode() in r.value for r in found) for w in wanted)
    platform.wait_for(all_published, timeout=60)
    published = [r for r in seen["records"] if dict(r.headers).get("content-type")]
    assert len(published) >= 3
    for r in published:
        headers = dict(r.headers)
        assert headers["content-type"] == CONTENT_TYPE.encode()
        assert not [k for k in headers if k.lower().startswith("ce_")], headers  # structured mode only
    # every record but the poison that tests inject on purpose (its key says so), read by the SDK
    readable = [r for r in seen["records"] if not r.key.startswith(b"poison")]
    assert len(readable) >= len(published)
    for r in readable:
        event = from_kafka_event(KafkaMessage(headers=dict(r.headers), key=r.key, value=r.value))
        body = json.loads(r.value)
        assert event.get_id() == body["id"] and event.get_type() == body["type"]
        assert event.get_source() == body["source"] and event.get_specversion() == "1.0"
        assert event.get_data() == body["data"]
