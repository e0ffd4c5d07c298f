"""Poison records published straight into a topic land in its DLQ with a reason; the consumer
carries on and applies the good records around them."""
from __future__ import annotations

import json
import uuid

import pytest
import requests

from pantau import bus
from pantau.config import settings

pytestmark = pytest.mark.e2e


def test_poison_goes_to_dlq_and_good_records_still_apply(platform):
    s = settings()
    marker = uuid.uuid4().hex
    poison = [b"{not json " + marker.encode(),
              json.dumps({"specversion": "1.0", "id": marker, "source": "t", "type": "skm.unheard_of",
                          "subject": "x", "time": "2026-01-01T00:00:00+08:00", "seq": 1, "dataversion": 1,
                          "data": {}}).encode(),
              json.dumps({"specversion": "1.0", "id": marker + "v", "source": "t", "type": "skm.response_recorded",
                          "subject": "x", "time": "2026-01-01T00:00:00+08:00", "seq": 1, "dataversion": 7,
                          "data": {}}).encode()]
    p = bus.producer(s)
    for raw in poison:
        p.send(s.topic("survey"), key=b"poison", value=raw)
    p.flush()
    p.close()
    unit = "samsat-tana-paser"
    h = platform.headers(platform.key(unit))
    good = {"unit_id": unit, "response_id": f"after-poison-{marker[:8]}", "submitted_at": "2026-02-01T10:00:00+08:00",
            "answers": {k: 4 for k in ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi",
                                        "perilaku", "pengaduan", "sarana")}}
    assert requests.post(platform.url("survey", "/v1/skm/responses"), json=good, headers=h).status_code == 202
    platform.wait_for(lambda: platform.summary(unit)["skm_responses"] >= 1, what="the good record applied")

    def mine():
        recs = [r for r in platform.topic_records(s.dlq("survey"), 1500) if marker.encode() in (r.value or b"")]
        return recs if len(recs) >= 3 else None

    recs = platform.wait_for(mine, what="three poison records in the DLQ")
    assert len(recs) == 3  # each exactly once
    reasons = sorted(dict(r.headers)["dlq_reason"].decode() for r in recs)
    assert reasons == ["undecodable", "unknown_type", "unknown_version"]
    assert all(dict(r.headers)["dlq_topic"].decode() == s.topic("survey") for r in recs)
