"""OPD and province compilation (domain.md §1.7): both methods, inadequate samples flagged and
left out, never silently averaged in; and the intake's batch limits."""
from __future__ import annotations

import pytest
import requests

from pantau.rules.ikm import ELEMENTS

pytestmark = pytest.mark.e2e
PERIOD = "2025-Q4"
# dinsos has exactly these three UPP in the demo registry
UNITS = {"uptd-pstw-nirwana-puri": (10, 10, 4), "uptd-psaa-samarinda": (10, 30, 3),
         "uptd-rehsos-disabilitas": (100, 5, 2)}  # unit: (population N, respondents, answer)


def test_opd_and_province_compile_with_both_methods(platform):
    bureau = platform.headers(platform.bureau)
    for unit, (population, n, value) in UNITS.items():
        h = platform.headers(platform.key(unit))
        r = requests.put(platform.url("survey", f"/v1/skm/settings/{unit}/{PERIOD}"),
                         json={"population": population, "period_type": "quarter", "executor": "independent"},
                         headers=h)
        assert r.status_code == 200, r.text
        batch = [{"unit_id": unit, "response_id": f"cmp-{i}", "submitted_at": "2025-11-05T10:00:00+08:00",
                  "answers": {k: value for k in ELEMENTS}} for i in range(n)]
        assert requests.post(platform.url("survey", "/v1/skm/responses"), json={"responses": batch},
                             headers=h).status_code == 202
    url = platform.url("aggregator", f"/v1/ikm/opd/dinsos?period={PERIOD}")
    opd = platform.wait_for(lambda: (b := requests.get(url, headers=bureau).json())
                            and sum(u["respondents"] for u in b["units"]) == 45
                            and all(u["sample"]["population"] in (10, 100) for u in b["units"]) and b,
                            what="45 respondents and the three units' settings in dinsos")
    # included: 10 × 100 and 30 × 75; the 5-respondent unit (needs 80 of N=100) is flagged
    assert opd["ikm_mean_of_units"] == 87.5
    assert opd["ikm_pooled_respondents"] == 81.25
    assert opd["official_method"] == "ikm_pooled_respondents" and opd["ikm"] == 81.25
    assert (opd["unit_count"], opd["respondent_count"]) == (2, 40)
    assert [(f["unit_id"], f["reason"], f["ikm"]) for f in opd["flagged_units"]] == [
        ("uptd-rehsos-disabilitas", "inadequate_sample", 50.0)]
    unit_card = requests.get(platform.url("aggregator", f"/v1/ikm/units/uptd-rehsos-disabilitas?period={PERIOD}"),
                             headers=bureau).json()
    assert unit_card["sample"] == {"population": 100, "required": 80, "actual": 5, "adequate": False}
    assert "sample_far_below_required" in unit_card["flags"] and "implausible_all4_share" not in unit_card["flags"]
    top = requests.get(platform.url("aggregator", f"/v1/ikm/units/uptd-pstw-nirwana-puri?period={PERIOD}"),
                       headers=bureau).json()
    assert "implausible_all4_share" in top["flags"]  # every questionnaire all-4
    province = requests.get(platform.url("aggregator", f"/v1/ikm/province?period={PERIOD}"), headers=bureau).json()
    assert {"uptd-pstw-nirwana-puri", "uptd-psaa-samarinda"} <= set(province["units_included"])
    assert "uptd-rehsos-disabilitas" in {f["unit_id"] for f in province["flagged_units"]}
    unit_key = platform.headers(platform.key("uptd-psaa-samarinda"))
    assert requests.get(url, headers=unit_key).status_code == 403


def test_batch_limits_and_missing_element(platform):
    unit = "uptd-psaa-samarinda"
    h = platform.headers(platform.key(unit))
    url = platform.url("survey", "/v1/skm/responses")
    empty = requests.post(url, json={"responses": []}, headers=h)
    assert empty.status_code == 422 and empty.json()["errors"][0]["pointer"] == "/responses"
    item = {"unit_id": unit, "submitted_at": "2025-11-05T10:00:00+08:00", "answers": {k: 3 for k in ELEMENTS}}
    big = requests.post(url, json={"responses": [dict(item, response_id=f"big-{i}") for i in range(5001)]}, headers=h)
    assert big.status_code == 422 and big.json()["errors"][0]["pointer"] == "/responses"
    missing = dict(item, response_id="miss-1", answers={k: 3 for k in ELEMENTS if k != "sarana"})
    r = requests.post(url, json=missing, headers=h)
    assert r.status_code == 422 and r.json()["errors"] == [
        {"pointer": "/answers/sarana", "field": "answers.sarana", "message": "Wajib diisi."}]
    naive = dict(item, response_id="naive-1", submitted_at="2025-11-05T10:00:00")
    r = requests.post(url, json=naive, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/submitted_at"


def test_the_weight_mode_is_a_parameter_of_each_report(platform):
    """`weight=printed_0_111` reproduces a unit's printed figure beside the exact one (0.1 % lower),
    without restarting anything; an unknown mode is a 422."""
    import requests
    unit = "biro-hukum"  # no other test posts for it
    h = platform.headers(platform.key(unit))
    items = [{"unit_id": unit, "response_id": f"w-{i}", "submitted_at": "2026-05-04T10:00:00+08:00",
              "answers": {k: 4 for k in ("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi",
                                         "perilaku", "pengaduan", "sarana")}} for i in range(3)]
    assert requests.post(platform.url("survey", "/v1/skm/responses"), json={"responses": items},
                         headers=h).status_code == 202
    url = platform.url("aggregator", f"/v1/ikm/units/{unit}")
    platform.wait_for(lambda: requests.get(url, params={"period": "2026-05"}, headers=h).json()["respondents"] >= 3,
                      what="the responses applied")
    exact = requests.get(url, params={"period": "2026-05"}, headers=h).json()
    printed = requests.get(url, params={"period": "2026-05", "weight": "printed_0_111"}, headers=h).json()
    assert exact["weight_mode"] == "exact" and exact["ikm"] == 100.0
    assert printed["weight_mode"] == "printed_0_111" and printed["ikm"] == 99.9
    bad = requests.get(url, params={"period": "2026-05", "weight": "0.2"}, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"] == "weight"
