"""SKM summary reports end to end (issue 18, first part): a unit that surveys with another tool
sends its Laporan Hasil SKM; it is stored and readable with its arithmetic checked, a newer
submission supersedes it with the older kept as history, a report whose IKM its own NRRs do not
give is in the bureau's list "laporan yang perlu diperiksa" with its cause (and on the unit card),
and what cannot be an SKM is refused with nothing stored."""
from __future__ import annotations

import re

import pytest
import requests

from pantau import mongo
from pantau.rules.ikm import ELEMENTS

pytestmark = pytest.mark.e2e
UNIT, OTHER = "uptd-taman-budaya", "rsjd-atma-husada"

# sum 29.35: exact IKM 81.53 (B); the same NRRs with 0,111 weights 81.45, × 20: 65.22
NRR = {"persyaratan": 3.2, "prosedur": 3.1, "waktu": 2.9, "biaya": 3.8, "produk": 3.3, "kompetensi": 3.4,
       "perilaku": 3.5, "pengaduan": 3.0, "sarana": 3.15}


def _summary(submission_id: str, **kw) -> dict:
    return {"unit_id": UNIT, "period": "2026-Q1", "submission_id": submission_id, "respondents": 90,
            "executor": "independent", "survey_start": "2026-01-05", "survey_end": "2026-03-27", **kw}


def test_summaries_are_stored_superseded_checked_and_flagged(platform):
    unit_h, bureau = platform.headers(platform.key(UNIT)), platform.headers(platform.bureau)
    post = lambda body, h=unit_h: requests.post(platform.url("survey", "/v1/skm/summaries"), json=body, headers=h)  # noqa: E731
    mine = platform.url("aggregator", f"/v1/skm/summaries/units/{UNIT}?period=2026")
    flagged = platform.url("aggregator", "/v1/skm/summaries/flagged?period=2026-Q1")
    # no responses for this unit: the summary is all the bureau gets; N = 100 needs 80 respondents
    assert requests.put(platform.url("survey", f"/v1/skm/settings/{UNIT}/2026-Q1"), json={
        "population": 100, "period_type": "quarter", "executor": "independent"}, headers=unit_h).ok
    assert requests.get(platform.url("aggregator", f"/v1/ikm/units/{UNIT}?period=2026-Q1"),
                        headers=bureau).json()["respondents"] == 0

    first = _summary("lhs-1", nrr=NRR, reported_ikm=81.53, reported_mutu="B", profile={"sex": {"L": 40, "P": 50}})
    r = post(first)
    assert r.status_code == 201, r.text
    assert post(first).headers.get("Idempotent-Replay") == "true"  # the same report again: a replay
    assert post({**first, "reported_ikm": 80.0}).status_code == 409  # the same id, other numbers

    rep = platform.wait_for(lambda: (x := requests.get(mine, headers=unit_h).json())["periods"] and x,
                            what="the first summary")
    (q1,) = rep["periods"]
    assert q1["period"] == "2026-Q1" and q1["population"] == 100 and q1["history"] == []
    cur = q1["current"]
    assert (cur["submission_id"], cur["respondents"], cur["profile"]["sex"]) == ("lhs-1", 90, {"L": 40, "P": 50})
    check = cur["check"]
    assert (check["basis"], check["ikm"], check["mutu"], check["flags"]) == ("nrr", 81.53, "B", [])
    assert check["sample"] == {"population": 100, "required": 80, "actual": 90, "adequate": True}
    assert rep["flagged"] is False

    # a second report for the quarter, from counts, with 0,111 weights; it supersedes the first
    counts = {k: {"1": 0, "2": 9, "3": 45, "4": 36} for k in ELEMENTS}  # NRR 3.3 everywhere: exact 82.50 (B)
    assert post(_summary("lhs-2", counts=counts, reported_ikm=82.42, reported_mutu="B")).status_code == 201
    rep = platform.wait_for(lambda: (x := requests.get(mine, headers=bureau).json())["periods"]
                            and x["periods"][0]["current"]["submission_id"] == "lhs-2" and x, what="the superseding one")
    q1 = rep["periods"][0]
    assert [h["submission_id"] for h in q1["history"]] == ["lhs-1"]  # kept as history, unchanged
    check = q1["current"]["check"]
    assert (check["basis"], check["ikm"], check["mutu"]) == ("counts", 82.5, "B")
    assert [f["code"] for f in check["flags"]] == ["ikm_mismatch", "weights_0_111"] and rep["flagged"] is True

    # a third replaces it again, whose IKM its own NRRs do not give (× 20), with a mutu to match
    assert post(_summary("lhs-3", nrr=NRR, reported_ikm=65.22, reported_mutu="C")).status_code == 201
    row = platform.wait_for(lambda: next((u for u in requests.get(flagged, headers=bureau).json()["units"]
                                          if u["unit_id"] == UNIT and u["submission_id"] == "lhs-3"), None),
                            what="the unit in the flagged list")
    assert row["period"] == "2026-Q1" and row["superseded"] == 2 and row["opd_name"]
    assert (row["reported_ikm"], row["ikm"], row["mutu"], row["difference"]) == (65.22, 81.53, "B", -16.31)
    assert row["flags"] == ["ikm_mismatch", "conversion_x20"]
    assert any("× 20" in m for m in row["messages"]) and any("81,53" in m for m in row["messages"])
    # the flagged list is the bureau's; the unit reads its own reports only
    assert requests.get(flagged, headers=unit_h).status_code == 403
    assert requests.get(platform.url("aggregator", f"/v1/skm/summaries/units/{OTHER}?period=2026"),
                        headers=unit_h).status_code == 403
    # the unit card says so
    web = requests.Session()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', web.get(platform.url("aggregator", "/masuk")).text)
    assert web.post(platform.url("aggregator", "/masuk"),
                    data={"csrf_token": token.group(1), "api_key": platform.bureau}).ok
    html = web.get(platform.url("aggregator", f"/dasbor/unit/{UNIT}"), params={"tahun": "2026"}).text
    assert "Laporan hasil SKM dari unit" in html and "konversi × 20" in html
    page = web.get(platform.url("aggregator", "/dasbor/skm/laporan-diperiksa"), params={"periode": "2026-Q1"})
    assert page.status_code == 200 and "lhs-3" in page.text


@pytest.mark.parametrize("change, pointer", [
    ({"nrr": {**NRR, "waktu": 0}}, "/nrr/waktu"),
    ({"nrr": {**NRR, "waktu": 4.5}}, "/nrr/waktu"),
    ({"nrr": NRR, "respondents": 0}, "/respondents"),
    ({"nrr": {**NRR, "keamanan": 3.0}}, "/nrr/keamanan"),
    ({"nrr": {k: v for k, v in NRR.items() if k != "sarana"}}, "/nrr/sarana"),
    ({"nrr": NRR, "counts": {k: {"1": 0, "2": 0, "3": 5, "4": 5} for k in ELEMENTS}}, "/counts"),
    ({}, "/nrr"),
    ({"nrr": NRR, "period": "2026-Q5"}, "/period"),
])
def test_what_cannot_be_an_skm_is_refused_and_nothing_stored(platform, change, pointer):
    body = {**_summary("lhs-bad"), "unit_id": OTHER, **change}
    r = requests.post(platform.url("survey", "/v1/skm/summaries"), json=body,
                      headers=platform.headers(platform.key(OTHER)))
    assert r.status_code == 422 and r.headers["Content-Type"].startswith("application/problem+json"), r.text
    assert pointer in [e["pointer"] for e in r.json()["errors"]]
    assert mongo.db("survey")["events"].count_documents({"_id": {"$regex": f"^skm-summary:{OTHER}:"}}) == 0
