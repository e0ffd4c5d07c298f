"""A unit that surveys with another tool counts through its summary report (issue 18,
compilation): its period result comes from its Laporan Hasil SKM when it has no responses
(`source: summary`) in its own report, its OPD's and the province's (both compilation methods,
pooled by respondents), the ranking and the unit card; a newer submission replaces it; a unit with
both shows both and their difference; a summary of NRRs gives no confidence interval and says so.
Hostile profile values (a service type with "." and "$") do not stop the pipeline."""
from __future__ import annotations

from fractions import Fraction

import pytest
import requests

from pantau.rules import ikm as rules
from pantau.rules.ikm import ELEMENTS

pytestmark = pytest.mark.e2e
OPD = "dishut"
S, R = "uptd-tahura-bukit-soeharto", "uptd-kph-berau"  # the OPD's two units, used by no other test

NRR_1 = {"persyaratan": 3.2, "prosedur": 3.1, "waktu": 2.9, "biaya": 3.8, "produk": 3.3, "kompetensi": 3.4,
         "perilaku": 3.5, "pengaduan": 3.0, "sarana": 3.15}
COUNTS_2 = {k: {"1": 2, "2": 10 + i, "3": 50 - 2 * i, "4": 28 + i} for i, k in enumerate(ELEMENTS)}  # 90 each


def _answers(i: int) -> dict:
    return {k: 2 + (i * 5 + j) % 3 for j, k in enumerate(ELEMENTS)}


def _get(platform, path, **params):
    r = requests.get(platform.url("aggregator", path), params=params, headers=platform.headers(platform.bureau))
    assert r.status_code == 200, (path, r.text)
    return r.json()


def test_summary_units_count_in_unit_opd_province_and_card(platform):
    unit_h = {u: platform.headers(platform.key(u)) for u in (S, R)}
    sv = lambda path: platform.url("survey", path)  # noqa: E731
    for u, n in ((S, 100), (R, 30)):
        assert requests.put(sv(f"/v1/skm/settings/{u}/2026"), json={
            "population": n, "period_type": "year", "executor": "independent"}, headers=unit_h[u]).ok

    first = {"unit_id": S, "period": "2026", "submission_id": "lhs-2026-1", "respondents": 90, "nrr": NRR_1,
             "reported_ikm": 81.53, "reported_mutu": "B",
             "profile": {"service_type": {"Izin.Usaha": 50, "$set": 40}, "sex": {"L": 45, "P": 45}}}
    assert requests.post(sv("/v1/skm/summaries"), json=first, headers=unit_h[S]).status_code == 201
    items = [{"unit_id": R, "response_id": f"cmp-{i}", "submitted_at": f"2026-05-{10 + i % 15:02d}T10:15:00+08:00",
              "answers": _answers(i), "channel": "web"} for i in range(30)]
    assert requests.post(sv("/v1/skm/responses"), json={"responses": items}, headers=unit_h[R]).status_code == 202
    r_sums = {k: sum(it["answers"][k] for it in items) for k in ELEMENTS}
    r_summary = {"unit_id": R, "period": "2026", "submission_id": "kph-lhs", "respondents": 60,
                 "nrr": {k: 3.0 for k in ELEMENTS}, "reported_ikm": 75.0, "reported_mutu": "C"}
    assert requests.post(sv("/v1/skm/summaries"), json=r_summary, headers=unit_h[R]).status_code == 201

    expected_s = rules.compute_ikm_from_nrr(NRR_1)
    unit = platform.wait_for(lambda: (x := _get(platform, f"/v1/ikm/units/{S}", period="2026"))["source"] and x,
                             what="the summary unit's report")
    assert (unit["source"], unit["respondents"], unit["ikm"], unit["mutu"]) == ("summary", 90, expected_s["ikm"], "B")
    assert unit["elements"]["biaya"]["nrr"] == 3.8 and unit["lowest_elements"][0] == "waktu"
    assert unit["ci95"] is None and unit["ci95_note"] == "summary_nrr_only"
    assert unit["summary"]["submissions"][0]["submission_id"] == "lhs-2026-1"
    assert unit["profile"]["service_type"] == {"Izin.Usaha": 50, "$set": 40}
    assert unit["sample"]["adequate"] is True and unit["both_sources"] is None
    # a period the summary does not cover: nothing is invented
    assert _get(platform, f"/v1/ikm/units/{S}", period="2026-Q1")["source"] is None

    both = platform.wait_for(lambda: (x := _get(platform, f"/v1/ikm/units/{R}", period="2026"))["both_sources"]
                             and x["respondents"] == 30 and x, what="the unit with both")
    mine = rules.compute_ikm(r_sums, 30)["ikm"]
    assert (both["source"], both["ikm"]) == ("responses", mine)
    assert both["both_sources"]["summary"]["ikm"] == 75.0
    assert both["both_sources"]["difference"] == rules.round_half_up(Fraction(str(mine)) - 75, 2)

    def compiled(s_nrr):
        return rules.compile_region([
            {"unit_id": S, "respondents": 90, "nrr": s_nrr, "adequate": True},
            {"unit_id": R, "respondents": 30, "sums": r_sums, "adequate": True}])

    def check_groups(s_nrr, s_ikm):
        want = compiled(s_nrr)
        opd = _get(platform, f"/v1/ikm/opd/{OPD}", period="2026")
        assert {u["unit_id"]: u["source"] for u in opd["units"]} == {S: "summary", R: "responses"}
        assert opd["units_from_summaries"] == [S]
        for key in ("ikm_mean_of_units", "ikm_pooled_respondents", "respondent_count", "unit_ikm"):
            assert opd[key] == want[key], key
        prov = _get(platform, "/v1/ikm/province", period="2026")
        assert S in prov["units_included"] and S in prov["units_from_summaries"]
        assert prov["unit_ikm"][S] == s_ikm
        ranked = {x["unit_id"]: x for x in _get(platform, "/v1/ikm/ranking", period="2026")["ranking"]}
        assert (ranked[S]["ikm"], ranked[S]["source"]) == (s_ikm, "summary")
        card = _get(platform, f"/v1/units/{S}/card", year="2026")["skm"]
        assert (card["year"]["ikm"], card["year"]["respondents"]) == (s_ikm, 90)
        assert card["latest"]["source"] == "summary"
        # a survey run elsewhere counts as run in the compliance report (and so in the gauge of
        # units without SKM, domain_metrics), with its respondents
        comp = _get(platform, "/v1/skm/compliance", year="2026")
        assert S not in comp["units_without_skm"]
        mine = next(c for c in comp["units"] if c["unit_id"] == S)
        assert (mine["skm_run"], mine["respondents"], mine["source"]) == (True, 90, "summary")
        assert mine["periods_without_responses"] == []
        over = _get(platform, "/v1/province", year="2026", opd=OPD)["headline"]["ikm"]
        for key in ("ikm_mean_of_units", "ikm_pooled_respondents", "respondent_count"):
            assert over[key] == want[key], key

    check_groups(NRR_1, expected_s["ikm"])

    # a newer submission with answer counts replaces the first; the first stays in the history
    second = {"unit_id": S, "period": "2026", "submission_id": "lhs-2026-2", "respondents": 90, "counts": COUNTS_2,
              "reported_ikm": 80.0}
    assert requests.post(sv("/v1/skm/summaries"), json=second, headers=unit_h[S]).status_code == 201
    nrr_2 = {k: Fraction(sum(int(a) * n for a, n in c.items()), 90) for k, c in COUNTS_2.items()}
    expected_2 = rules.compute_ikm_from_nrr(nrr_2)
    unit = platform.wait_for(
        lambda: (x := _get(platform, f"/v1/ikm/units/{S}", period="2026"))["ikm"] == expected_2["ikm"] and x,
        what="the superseding summary")
    assert unit["summary"]["submissions"][0]["submission_id"] == "lhs-2026-2" and unit["summary"]["basis"] == "counts"
    assert unit["ci95_note"] == "summary_counts_bound"
    low, high = unit["ci95"]
    assert low < unit["ikm"] < high
    check_groups(nrr_2, expected_2["ikm"])
    hist = _get(platform, f"/v1/skm/summaries/units/{S}", period="2026")["periods"][0]
    assert [h["submission_id"] for h in hist["history"]] == ["lhs-2026-1"]
