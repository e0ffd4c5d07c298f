"""PEKPPP end to end: measured indicators filled from the unit's SKM data with evidence, evaluator
scores for the rest, the IPP and predikat as domain.md §4.4 documents them, a later publication
changing indicator 7 and the IPP, `as_of` before it giving the old value, and bad input refused
with nothing stored."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests

from pantau import mongo
from pantau.rules.ikm import ELEMENTS

pytestmark = pytest.mark.e2e
UNIT, OTHER = "sman-1-berau", "sman-1-bontang"

# domain.md §4.2, typed in from the document (not read from the table under test)
ASPECT_WEIGHTS = {"kebijakan": 24, "sdm": 25, "sarpras": 18, "sipp": 11, "pengaduan": 10, "inovasi": 12}
KEBIJAKAN = {1: 17, 2: 14, 3: 7, 4: 14, 5: 10, 6: 17, 7: 7, 8: 7, 9: 7}


def _expected_ipp(kebijakan_scores: dict[int, int], others: int) -> float:
    """Σ aspect weight × Σ indicator weight × score (every other aspect scored `others` throughout)."""
    keb = sum(KEBIJAKAN[n] * s for n, s in kebijakan_scores.items()) / 100
    return ASPECT_WEIGHTS["kebijakan"] / 100 * keb + (100 - ASPECT_WEIGHTS["kebijakan"]) / 100 * others


def test_evaluation_fills_measured_indicators_scores_the_rest_and_follows_new_data(platform):
    unit_h, bureau = platform.headers(platform.key(UNIT)), platform.headers(platform.bureau)
    sv = lambda path: platform.url("survey", path)  # noqa: E731
    ev_url = platform.url("aggregator", f"/v1/pekppp/units/{UNIT}?year=2026")
    # the unit surveys its 20 users per regulation, publishes on two media, and does one of two RTL items
    assert requests.put(sv(f"/v1/skm/settings/{UNIT}/2026"), json={"population": 20, "period_type": "year",
                                                                   "executor": "internal"}, headers=unit_h).ok
    batch = [{"unit_id": UNIT, "response_id": f"pk-{i}", "submitted_at": "2026-02-10T10:00:00+08:00",
              "answers": {k: (2 if k == "waktu" else 4) for k in ELEMENTS}} for i in range(20)]
    assert requests.post(sv("/v1/skm/responses"), json={"responses": batch}, headers=unit_h).status_code == 202
    for medium, day in (("website", "2026-03-01"), ("papan_pengumuman", "2026-03-02")):
        assert requests.post(sv(f"/v1/skm/publications/{UNIT}/2026"), json={"medium": medium, "published_on": day},
                             headers=unit_h).status_code == 201
    for item in ("rtl-1", "rtl-2"):
        assert requests.post(sv(f"/v1/skm/rtl/{UNIT}/2026/items"), json={
            "item_id": item, "element": "waktu", "programme": "Tambah loket", "owner": "Kepala Seksi",
            "target_date": "2026-06-30"}, headers=unit_h).status_code == 201
    assert requests.post(sv(f"/v1/skm/rtl/{UNIT}/2026/items/rtl-1/progress"), json={
        "status": "done", "progress_pct": 100, "at": "2026-03-20T10:00:00+08:00", "evidence": []},
        headers=unit_h).status_code == 200

    ev = platform.wait_for(lambda: (e := requests.get(ev_url, headers=unit_h).json())
                           and _ind(e, 8)["measured"] and _ind(e, 8)["measured"]["score"] == 3
                           and _ind(e, 7)["measured"]["score"] == 2 and _ind(e, 6)["measured"]["score"] == 5 and e,
                           what="measured indicators 6–8")
    for n, score in ((6, 5), (7, 2), (8, 3)):
        row = _ind(ev, n)
        assert (row["score"], row["source"]) == (score, "measured"), row
        assert row["measured"]["evidence"] and row["rubric_line"] == row["rubric"][score]
    assert ev["provisional"] is True and ev["ipp_min"] <= ev["ipp_max"] and 6 not in ev["missing"]
    assert ev["completeness"]["total"] == 30 and ev["instrument"]["version"]

    # the unit's self-assessment is kept apart and never counted
    mine = {str(n): 5 for n in (1, 3, 5, 10, 11)}
    r = requests.put(sv(f"/v1/pekppp/{UNIT}/2026/scores"), json={"scores": mine}, headers=unit_h)
    assert r.status_code == 200 and r.json()["role"] == "self", r.text

    # the evaluator scores every indicator Pantau does not measure (4) and overrides 2, 4, 9 and 28 with reasons
    rest = {str(n): 4 for n in range(1, 31) if n not in (6, 7, 8, 9)}
    r = requests.put(sv(f"/v1/pekppp/{UNIT}/2026/scores"), json={
        "scores": rest, "note": "Kunjungan lapangan 5 Oktober; BA FKP peninjauan SP diperiksa.",
        "evidence": ["https://example.go.id/f01/sman-1-berau"]}, headers=bureau)
    assert r.status_code == 200 and r.json()["role"] == "evaluator", r.text
    replay = requests.put(sv(f"/v1/pekppp/{UNIT}/2026/scores"), json={
        "scores": rest, "note": "Kunjungan lapangan 5 Oktober; BA FKP peninjauan SP diperiksa.",
        "evidence": ["https://example.go.id/f01/sman-1-berau"]}, headers=bureau)
    assert replay.status_code == 200 and replay.headers.get("Idempotent-Replay") == "true"
    # 9 is measured as 0 (not every recommendation done): the evaluator confirms it explicitly
    assert requests.put(sv(f"/v1/pekppp/{UNIT}/2026/scores"), json={
        "scores": {"9": 0}, "note": "RTL kedua belum selesai."}, headers=bureau).status_code == 200

    want = _expected_ipp({1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 5, 7: 2, 8: 3, 9: 0}, 4)  # 3.9232
    ev = platform.wait_for(lambda: (e := requests.get(ev_url, headers=bureau).json())
                           and not e["provisional"] and _ind(e, 9)["evaluator"] and e,
                           what="a complete evaluation with the evaluator's 9")
    assert ev["ipp"] == round(want, 2) == 3.92 and (ev["predikat"], ev["label"]) == ("B", "Baik")
    assert ev["completeness"] == {"scored": 30, "total": 30} and ev["missing"] == []
    assert _ind(ev, 9)["source"] in ("override", "evaluator") and _ind(ev, 9)["evaluator"]["note"]
    assert _ind(ev, 1)["self"]["score"] == 5 and _ind(ev, 1)["score"] == 4
    assert ev["self_assessment"]["scored"] == 5 and ev["self_assessment"]["provisional"] is True
    kebijakan = next(a for a in ev["aspects"] if a["key"] == "kebijakan")
    assert kebijakan["score"] == 3.68 and kebijakan["weight_pct"] == 24.0

    # a third publication medium later: indicator 7 becomes 3 and the IPP moves; as_of before it does not
    before = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    assert requests.post(sv(f"/v1/skm/publications/{UNIT}/2026"), json={
        "medium": "media_sosial", "published_on": "2026-03-05"}, headers=unit_h).status_code == 201
    want2 = _expected_ipp({1: 4, 2: 4, 3: 4, 4: 4, 5: 4, 6: 5, 7: 3, 8: 3, 9: 0}, 4)  # 3.94
    ev2 = platform.wait_for(lambda: (e := requests.get(ev_url, headers=bureau).json())
                            and _ind(e, 7)["score"] == 3 and e, what="indicator 7 after the third medium")
    assert ev2["ipp"] == round(want2, 2) == 3.94
    old = requests.get(ev_url + f"&as_of={before}", headers=bureau).json()
    assert _ind(old, 7)["score"] == 2 and old["ipp"] == 3.92 and old["as_of"].startswith(before[:19])

    prov = requests.get(platform.url("aggregator", "/v1/pekppp/province?year=2026"), headers=bureau).json()
    row = next(u for u in prov["units"] if u["unit_id"] == UNIT)
    assert (row["ipp"], row["predikat"], row["provisional"]) == (3.94, "B", False)
    assert prov["distribution"]["B"] >= 1 and prov["units_complete"] >= 1 and prov["weakest_aspects"]
    assert requests.get(platform.url("aggregator", "/v1/pekppp/province?year=2026"), headers=unit_h).status_code == 403


def _ind(ev: dict, n: int) -> dict:
    return next(i for a in ev["aspects"] for i in a["indicators"] if i["number"] == n)


@pytest.mark.parametrize("body, role_key, status", [
    ({"scores": {"7": 6}}, "bureau", 422),                      # outside 0–5
    ({"scores": {"31": 3}}, "bureau", 422),                     # unknown indicator
    ({"scores": {"7": "3"}}, "bureau", 422),                    # not an integer
    ({"scores": {}}, "bureau", 422),                            # nothing to record
    ({"scores": {"7": 3}}, "bureau", 422),                      # overriding a measured one without a reason
    ({"scores": {"12": 3}, "role": "evaluator"}, "unit", 403),  # a unit writing evaluator scores
    ({"scores": {"12": 3}}, "other", 403),                      # another unit's key
    ({"scores": {"12": 3}, "extra": 1}, "bureau", 422),         # unknown field
])
def test_bad_scores_are_refused_and_nothing_is_stored(platform, body, role_key, status):
    token = {"bureau": platform.bureau, "unit": platform.key(OTHER), "other": platform.key(UNIT)}[role_key]
    r = requests.put(platform.url("survey", f"/v1/pekppp/{OTHER}/2026/scores"), json=body,
                     headers=platform.headers(token))
    assert r.status_code == status, r.text
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert mongo.db("survey")["events"].find_one({"subject": {"$regex": f"^pekppp:{OTHER}:"}}) is None


def test_year_outside_the_window_is_refused(platform):
    r = requests.put(platform.url("survey", f"/v1/pekppp/{OTHER}/1999/scores"), json={"scores": {"12": 3}},
                     headers=platform.headers(platform.bureau))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "year"
