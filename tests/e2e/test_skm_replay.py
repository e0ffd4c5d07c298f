"""Replaying the SKM topic from the beginning into a fresh projection gives the live figures."""
from __future__ import annotations

import pytest
import requests

from pantau.rules.ikm import ELEMENTS

pytestmark = pytest.mark.e2e
UNIT = "samsat-penajam"


def test_replay_of_the_skm_topic_equals_the_live_figures(platform):
    from pantau import mongo
    from pantau.config import settings
    from pantau.rules.periods import parse_period
    from services.aggregator import reports

    h = platform.headers(platform.key(UNIT))
    batch = [{"unit_id": UNIT, "response_id": f"rp-{i}", "submitted_at": f"2026-0{1 + i % 6}-1{i % 9}T09:00:00+08:00",
              "answers": {k: 1 + (i * 7 + j) % 4 for j, k in enumerate(ELEMENTS)},
              "respondent": {"sex": "LP"[i % 2], "age": 20 + i % 40}} for i in range(60)]
    assert requests.post(platform.url("survey", "/v1/skm/responses"), json={"responses": batch},
                         headers=h).status_code == 202
    for rid in ("rp-3", "rp-8"):
        assert requests.post(platform.url("survey", f"/v1/skm/responses/{UNIT}/{rid}/void"),
                             json={"reason": "Uji pemutaran ulang"}, headers=h).status_code == 202
    url = platform.url("aggregator", f"/v1/ikm/units/{UNIT}?period=2026-S1")
    platform.wait_for(lambda: requests.get(url, headers=h).json()["respondents"] == 58, what="58 live responses")
    platform.wait_published()

    replay_db, records = platform.replay("replay_skm")
    assert records > 0
    s, live = settings(), mongo.db("aggregator")

    def figures(db) -> list:
        out = []
        for p in ("2026", "2026-S1", "2026-Q1", "2026-03", "2025"):
            unit = reports.unit_ikm(db, s, UNIT, parse_period(p))
            unit.pop("as_of")
            province = reports.group_ikm(db, s, [u for u in ("samsat-penajam", "samsat-sangatta", "samsat-tenggarong",
                                                             "uptd-psaa-samarinda")], parse_period(p), {})
            province.pop("as_of")
            out.append((unit, province))
        return out

    replayed = figures(replay_db)
    assert replayed[1][0]["respondents"] == 58
    platform.wait_for(lambda: figures(live) == replayed, what="live figures equal to the replayed ones")
    mongo.client().drop_database(replay_db.name)
