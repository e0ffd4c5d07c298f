"""SKM reports "as the data stood at as_of", exactly: responses, voids, settings and RTL progress
recorded after `as_of` do not count, even in the same month (unit, OPD, province, ranking,
compliance, card, dashboard)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests

from pantau.rules import ikm as rules
from pantau.rules.ikm import ELEMENTS
from pantau.rules.sample import sample_adequacy

pytestmark = pytest.mark.e2e
OPD = "disnakertrans"
A, B = "uptd-blk-samarinda", "uptd-blk-balikpapan"  # both of OPD, used by no other test
POP = {A: 30, B: 200}


def answers(i: int, low: bool = False) -> dict:
    if low:
        return {k: 1 + (i + j) % 2 for j, k in enumerate(ELEMENTS)}
    return {k: 2 + (i * 7 + j * 3) % 3 for j, k in enumerate(ELEMENTS)}


def batch(unit: str, prefix: str, n: int, month: str, low: bool = False, hour: int = 10) -> list[dict]:
    return [{"unit_id": unit, "response_id": f"{prefix}-{i}",
             "submitted_at": f"2026-{month}-{10 + i % 15:02d}T{hour:02d}:15:00+08:00",
             "answers": answers(i, low), "channel": "web", "respondent": {"sex": "P" if i % 3 else "L"}}
            for i in range(n)]


def sums_of(items: list[dict]) -> dict:
    return {k: sum(it["answers"][k] for it in items) for k in ELEMENTS}


def without_bursts(doc):
    if isinstance(doc, dict):
        return {k: without_bursts(v) for k, v in doc.items() if k != "largest_identical_burst"}
    if isinstance(doc, list):
        return [without_bursts(v) for v in doc]
    return doc


def reports(platform, as_of: str | None) -> dict:
    """Every SKM-bearing report, as the API answers it (with `as_of` when given)."""
    bureau = platform.headers(platform.bureau)
    extra = {"as_of": as_of} if as_of else {}
    paths = {
        "unit": (f"/v1/ikm/units/{A}", {"period": "2026"}),
        "unit_q1": (f"/v1/ikm/units/{A}", {"period": "2026-Q1"}),
        "unit_b": (f"/v1/ikm/units/{B}", {"period": "2026-03"}),
        "opd": (f"/v1/ikm/opd/{OPD}", {"period": "2026"}),
        "province": ("/v1/ikm/province", {"period": "2026"}),
        "ranking": ("/v1/ikm/ranking", {"period": "2026"}),
        "compliance": (f"/v1/skm/compliance/units/{A}", {"year": "2026"}),
        "compliance_all": ("/v1/skm/compliance", {"year": "2026"}),
        "card": (f"/v1/units/{A}/card", {"year": "2026"}),
        "matrix": ("/v1/compliance", {"year": "2026", "opd": OPD}),
        "overview": ("/v1/province", {"year": "2026"}),
    }
    out = {}
    for name, (path, params) in paths.items():
        r = requests.get(platform.url("aggregator", path), params={**params, **extra}, headers=bureau)
        assert r.status_code == 200, (name, r.text)
        out[name] = r.json()
    return out


def dashboard_respondents(platform, per: str | None) -> str:
    web = requests.Session()
    page = web.get(platform.url("aggregator", "/masuk"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    login = web.post(platform.url("aggregator", "/masuk"),
                     data={"csrf_token": token.group(1), "api_key": platform.bureau})
    assert login.status_code == 200 and "/masuk" not in login.url
    params = {"periode": "2026", **({"per": per} if per else {})}
    html = web.get(platform.url("aggregator", f"/dasbor/unit/{A}/skm"), params=params).text
    assert 'name="per"' in html  # the filter form carries the as-of date
    return re.search(r'data-figure="respondents">([^<]*)<', html).group(1).strip()


def test_as_of_reports_count_only_what_was_recorded_by_then(platform):
    sv = lambda path: platform.url("survey", path)  # noqa: E731
    h = {u: platform.headers(platform.key(u)) for u in (A, B)}
    live0 = reports(platform, None)
    assert live0["opd"]["respondent_count"] == 0 and all(u["respondents"] == 0 for u in live0["opd"]["units"])
    for u in (A, B):
        r = requests.put(sv(f"/v1/skm/settings/{u}/2026"), json={"population": POP[u], "period_type": "quarter",
                                                                 "executor": "internal"}, headers=h[u])
        assert r.status_code == 200, r.text
    first = {A: batch(A, "a1", 30, "03"), B: batch(B, "b1", 12, "03")}
    for u, items in first.items():
        assert requests.post(sv("/v1/skm/responses"), json={"responses": items}, headers=h[u]).status_code == 202
    platform.wait_for(lambda: all(platform.summary(u)["skm_responses"] == len(first[u]) for u in (A, B)),
                      what="first set applied")
    rtl = lambda path: sv(f"/v1/skm/rtl/{A}/2026/items{path}")  # noqa: E731
    r = requests.post(rtl(""), json={"item_id": "rtl-1", "element": "waktu", "programme": "Antrean daring",
                                     "owner": "Kasi Pelayanan", "target_date": "2026-06-30"}, headers=h[A])
    assert r.status_code == 201, r.text
    evidence = [{"name": "Foto", "sha256": "b" * 64}]
    r = requests.post(rtl("/rtl-1/progress"), json={"status": "in_progress", "progress_pct": 50, "evidence": evidence,
                                                    "at": "2026-04-10T10:00:00+08:00"}, headers=h[A])
    assert r.status_code == 200, r.text
    comp_url = platform.url("aggregator", f"/v1/skm/compliance/units/{A}?year=2026")
    card_url = platform.url("aggregator", f"/v1/units/{A}/card?year=2026")
    platform.wait_for(lambda: requests.get(comp_url, headers=h[A]).json()["sample"]["population"] == POP[A]
                      and [i["progress_pct"] for i in requests.get(card_url, headers=h[A]).json()["skm"]["rtl_items"]]
                      == [50], what="settings and RTL progress applied")
    t = datetime.now(timezone.utc).isoformat()  # everything above was answered 2xx before this
    at_t = reports(platform, t)

    # later: more responses in the same month (and February, out of service hours), a void of a
    # response of the first set, a publication and an RTL item
    second = {A: batch(A, "a2", 10, "03", low=True) + batch(A, "a3", 4, "02", hour=21),
              B: batch(B, "b2", 5, "03", low=True)}
    for u, items in second.items():
        assert requests.post(sv("/v1/skm/responses"), json={"responses": items}, headers=h[u]).status_code == 202
    voided = first[A][0]
    r = requests.post(sv(f"/v1/skm/responses/{A}/{voided['response_id']}/void"), json={"reason": "duplikat"},
                      headers=h[A])
    assert r.status_code in (200, 201, 202), r.text
    r = requests.post(sv(f"/v1/skm/publications/{A}/2026"), json={"medium": "website", "published_on": "2026-04-01"},
                      headers=h[A])
    assert r.status_code == 201, r.text
    r = requests.post(rtl(""), json={"item_id": "rtl-x", "element": "waktu", "programme": "Loket tambahan",
                                     "owner": "Kasi Pelayanan", "target_date": "2026-12-31"}, headers=h[A])
    assert r.status_code == 201, r.text
    # rtl-1 recorded as done now, with a completion date long before T: at T it was not done yet
    r = requests.post(rtl("/rtl-1/progress"), json={"status": "done", "progress_pct": 100, "evidence": evidence,
                                                    "at": "2026-04-20T10:00:00+08:00"}, headers=h[A])
    assert r.status_code == 200, r.text
    r = requests.put(sv(f"/v1/skm/settings/{A}/2026"), json={"population": 60, "period_type": "quarter",
                                                            "executor": "internal"}, headers=h[A])
    assert r.status_code == 200, r.text
    n_live = {A: len(first[A]) + len(second[A]) - 1, B: len(first[B]) + len(second[B])}
    platform.wait_for(lambda: all(platform.summary(u)["skm_responses"] == n_live[u] for u in (A, B))
                      and (c := requests.get(comp_url, headers=h[A]).json())["published"] and c["rtl"]["planned"] == 2
                      and c["rtl"]["done"] == 1 and c["sample"]["population"] == 60,
                      what="second set, void, publication, RTL items and new settings applied")

    later_at_t, live = reports(platform, t), reports(platform, None)
    # 1. as_of=T answers now exactly what it answered at T (every report, every figure but the
    #    identical-answer burst signal, exact only at the end of a day: services/aggregator/skm_read.py)
    assert without_bursts(later_at_t) == without_bursts(at_t)
    # 2. ... and those are the figures of the first set, computed here by hand
    mode = at_t["unit"]["weight_mode"]
    hand = rules.compute_ikm(sums_of(first[A]), len(first[A]), mode)
    u = at_t["unit"]
    assert u["respondents"] == len(first[A]) and u["ikm"] == hand["ikm"] and u["mutu"] == hand["mutu"]
    assert {k: v["nrr"] for k, v in u["elements"].items()} == {k: v["nrr"] for k, v in hand["elements"].items()}
    assert u["sample"] == sample_adequacy(POP[A], len(first[A]))
    assert u["profile"]["sex"] == {"L": sum(1 for it in first[A] if it["respondent"]["sex"] == "L"),
                                   "P": sum(1 for it in first[A] if it["respondent"]["sex"] == "P")}
    assert "outside_service_hours" not in u["flags"] and u["signals"]["out_of_hours_share"] == 0
    assert at_t["unit_q1"]["respondents"] == len(first[A]) and at_t["unit_q1"]["ikm"] == hand["ikm"]
    region = rules.compile_region([{"unit_id": x, "respondents": len(first[x]), "sums": sums_of(first[x]),
                                    "adequate": sample_adequacy(POP[x], len(first[x]))["adequate"]}
                                   for x in (A, B)], mode)
    opd = at_t["opd"]
    for k in ("ikm_mean_of_units", "ikm_pooled_respondents", "unit_count", "respondent_count"):
        assert opd[k] == region[k], k
    assert {x["unit_id"]: x["respondents"] for x in opd["units"] if x["respondents"]} == {A: 30, B: 12}
    assert at_t["unit_b"]["respondents"] == len(first[B])
    c = at_t["compliance"]
    assert c["skm_run"] and c["respondents"] == len(first[A]) and c["sample"] == u["sample"]
    assert not c["published"] and (c["rtl"]["planned"], c["rtl"]["done"]) == (1, 0)
    card = at_t["card"]
    assert card["skm"]["year"]["respondents"] == len(first[A]) and card["skm"]["year"]["ikm"] == hand["ikm"]
    q1 = [p for p in card["skm"]["trend"] if p["period"] == "2026-Q1"][0]
    assert q1["respondents"] == len(first[A]) and q1["ikm"] == hand["ikm"]
    assert card["obligations"]["skm_published"]["state"] == "not_met"
    rtl_then = [(i["item_id"], i["status"], i["progress_pct"]) for i in card["skm"]["rtl_items"]]
    assert rtl_then == [("rtl-1", "in_progress", 50)]
    row = [x for x in at_t["matrix"]["units"] if x["unit_id"] == A][0]
    assert row["cells"]["skm_published"]["state"] == "not_met"
    assert [x for x in at_t["overview"]["units"] if x["unit_id"] == A][0]["respondents"] == len(first[A])
    # 3. the live reports include everything: the second set, the void, the publication, the RTL item
    kept = first[A][1:] + second[A]
    hand_live = rules.compute_ikm(sums_of(kept), len(kept), mode)
    assert live["unit"]["respondents"] == n_live[A] and live["unit"]["ikm"] == hand_live["ikm"]
    assert live["unit"]["signals"]["out_of_hours_share"] == round(4 / n_live[A], 4)
    assert live["unit_b"]["respondents"] == n_live[B]
    assert live["opd"]["respondent_count"] == 0 < at_t["opd"]["respondent_count"]  # A's new N: sample now short
    assert {x["unit_id"]: x["respondents"] for x in live["opd"]["units"] if x["respondents"]} == n_live
    lc = live["compliance"]
    assert lc["published"] and (lc["rtl"]["planned"], lc["rtl"]["done"]) == (2, 1)
    assert lc["sample"] == sample_adequacy(60, n_live[A]) and live["unit"]["sample"]["population"] == 60
    assert live["card"]["skm"]["year"]["respondents"] == n_live[A]
    assert live["province"]["units"] != at_t["province"]["units"]
    # 4. an as_of before any of it shows none of it
    before = reports(platform, (datetime.fromisoformat(t) - timedelta(days=1)).isoformat())
    assert before["unit"]["respondents"] == 0 and before["card"]["skm"]["year"]["respondents"] == 0
    # 5. the dashboard passes its as-of date through (`per`, the end of that local day)
    yesterday = (datetime.now(ZoneInfo("Asia/Makassar")) - timedelta(days=1)).date().isoformat()
    assert dashboard_respondents(platform, yesterday) == "0"
    assert dashboard_respondents(platform, None) == str(n_live[A])
