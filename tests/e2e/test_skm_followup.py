"""Survey settings, RTL and publication → compliance, PEKPPP 6–9 and ranking, end to end."""
from __future__ import annotations

import pytest
import requests

from pantau.rules.ikm import ELEMENTS

pytestmark = pytest.mark.e2e
UNIT = "samsat-tanjung-redeb"


def test_settings_rtl_publication_drive_compliance_and_pekppp(platform):
    h = platform.headers(platform.key(UNIT))
    bureau = platform.headers(platform.bureau)
    sv = lambda path: platform.url("survey", path)  # noqa: E731
    # N = 20 service users this year → Krejcie–Morgan sample 19
    r = requests.put(sv(f"/v1/skm/settings/{UNIT}/2026"), json={"population": 20, "period_type": "year",
                                                                "executor": "internal"}, headers=h)
    assert r.status_code == 200, r.text
    assert requests.put(sv(f"/v1/skm/settings/{UNIT}/2026"), json={"population": 20, "period_type": "year",
                                                                   "executor": "internal"}, headers=h).status_code == 200
    bad = requests.put(sv(f"/v1/skm/settings/{UNIT}/2026-Q5"), json={"population": 20, "period_type": "year",
                                                                     "executor": "internal"}, headers=h)
    assert bad.status_code == 422
    batch = [{"unit_id": UNIT, "response_id": f"fu-{i}", "submitted_at": "2026-02-10T10:00:00+08:00",
              "answers": {k: (2 if k == "waktu" else 4) for k in ELEMENTS}} for i in range(20)]
    assert requests.post(sv("/v1/skm/responses"), json={"responses": batch}, headers=h).status_code == 202
    for medium, day in (("website", "2026-03-01"), ("papan_pengumuman", "2026-03-02")):
        r = requests.post(sv(f"/v1/skm/publications/{UNIT}/2026"), json={"medium": medium, "published_on": day},
                          headers=h)
        assert r.status_code == 201, r.text
    for item in ("rtl-1", "rtl-2"):
        r = requests.post(sv(f"/v1/skm/rtl/{UNIT}/2026/items"), json={
            "item_id": item, "element": "waktu", "programme": "Tambah loket pada jam sibuk",
            "owner": "Kepala Seksi Pelayanan", "target_date": "2026-06-30"}, headers=h)
        assert r.status_code == 201, r.text
    done = {"status": "done", "progress_pct": 100, "at": "2026-03-20T10:00:00+08:00",
            "evidence": [{"name": "Foto loket baru", "sha256": "a" * 64}]}
    r = requests.post(sv(f"/v1/skm/rtl/{UNIT}/2026/items/rtl-1/progress"), json=done, headers=h)
    assert r.status_code == 200, r.text
    # illegal: progress after done, done without 100 %, another unit's key
    assert requests.post(sv(f"/v1/skm/rtl/{UNIT}/2026/items/rtl-1/progress"), json=done, headers=h).status_code == 200
    again = dict(done, at="2026-03-21T10:00:00+08:00")
    assert requests.post(sv(f"/v1/skm/rtl/{UNIT}/2026/items/rtl-1/progress"), json=again, headers=h).status_code == 409
    half = dict(done, progress_pct=50)
    assert requests.post(sv(f"/v1/skm/rtl/{UNIT}/2026/items/rtl-2/progress"), json=half, headers=h).status_code == 422
    other = platform.headers(platform.key("rsud-aws"))
    assert requests.post(sv(f"/v1/skm/rtl/{UNIT}/2026/items/rtl-2/progress"), json=done,
                         headers=other).status_code == 403

    url = platform.url("aggregator", f"/v1/skm/compliance/units/{UNIT}?year=2026")
    card = platform.wait_for(lambda: (c := requests.get(url, headers=h).json()) and c["rtl"]["done"] == 1
                             and c["respondents"] == 20 and len(c["publication_media"]) == 2 and c,
                             what="compliance with one RTL item done")
    assert card["sample"] == {"population": 20, "required": 19, "actual": 20, "adequate": True}
    assert card["rtl"]["progress_pct"] == 50.0
    assert {k: v["score"] for k, v in card["pekppp"].items() if k != "version"} == {"6": 5, "7": 2, "8": 3, "9": 0}

    r = requests.post(sv(f"/v1/skm/rtl/{UNIT}/2026/items/rtl-2/progress"),
                      json=dict(done, at="2026-03-25T10:00:00+08:00"), headers=h)
    assert r.status_code == 200
    card = platform.wait_for(lambda: (c := requests.get(url, headers=h).json())["rtl"]["done"] == 2 and c,
                             what="both RTL items done")
    assert {k: v["score"] for k, v in card["pekppp"].items() if k != "version"} == {"6": 5, "7": 2, "8": 5, "9": 5}
    assert card["rtl"]["months_to_complete"] == 0.8  # 2026-03-01 → 2026-03-25: 24 days

    ikm = requests.get(platform.url("aggregator", f"/v1/ikm/units/{UNIT}?period=2026"), headers=h).json()
    assert ikm["lowest_elements"][0] == "waktu" and ikm["sample"]["adequate"] is True
    ranking = requests.get(platform.url("aggregator", "/v1/ikm/ranking?period=2026"), headers=bureau).json()
    assert UNIT in [r["unit_id"] for r in ranking["ranking"]]
    assert requests.get(platform.url("aggregator", "/v1/ikm/ranking?period=2026"), headers=h).status_code == 403
    province = requests.get(platform.url("aggregator", "/v1/skm/compliance?year=2026"), headers=bureau).json()
    mine = [c for c in province["units"] if c["unit_id"] == UNIT][0]
    assert mine["pekppp"]["8"]["score"] == 5 and UNIT not in province["units_without_skm"]
    assert province["per_opd"]["bapenda"]["units"] >= 1


def test_settings_signatory_is_validated_read_back_and_projected(platform):
    """The head of the unit who signs the SKM report: set by the unit's own key or the bureau, NIP
    18 ASCII digits when given, read back, and carried to the aggregator's settings projection."""
    unit = "samsat-tanjung-redeb"
    sv = lambda path: platform.url("survey", path)  # noqa: E731
    base = {"population": 20, "period_type": "year", "executor": "internal"}
    sig = {"name": "Drs. Budi Santoso, M.Si.", "nip": "197003151994031005", "position": "Kepala UPTD Samsat",
           "place": "Tanjung Redeb"}
    for bad, field in (({**sig, "nip": "19700315199403100"}, "nip"), ({**sig, "nip": "١٩٧٠٠٣١٥١٩٩٤٠٣١٠٠٥"}, "nip"),
                       ({**sig, "name": "x\u0000y"}, "name"), ({"nip": sig["nip"]}, "name"),
                       ({**sig, "email": "a@b.id"}, "email")):
        r = requests.put(sv(f"/v1/skm/settings/{unit}/2025"), json={**base, "signatory": bad},
                         headers=platform.headers(platform.key(unit)))
        assert r.status_code == 422, (bad, r.text)
        assert r.headers["Content-Type"].startswith("application/problem+json") and field in r.text
    other = requests.put(sv(f"/v1/skm/settings/{unit}/2025"), json={**base, "signatory": sig},
                         headers=platform.headers(platform.key("rsud-aws")))
    assert other.status_code == 403
    for who in (platform.key(unit), platform.bureau):  # the unit itself, then the bureau
        r = requests.put(sv(f"/v1/skm/settings/{unit}/2025"), json={**base, "signatory": sig},
                         headers=platform.headers(who))
        assert r.status_code == 200, r.text
    got = requests.get(sv(f"/v1/skm/settings/{unit}/2025"), headers=platform.headers(platform.key(unit))).json()
    assert got["signatory"] == sig
    from pantau import mongo

    doc = platform.wait_for(lambda: mongo.db("aggregator")["skm_settings"].find_one(
        {"_id": f"{unit}:2025", "signatory.nip": sig["nip"]}), what="the signatory in the settings projection")
    assert doc["signatory"] == sig and doc["population"] == 20
