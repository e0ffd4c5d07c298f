"""The joined reports (card_reports) on plain documents: SKM at as_of, FKP and complaint parts,
PEKPPP indicators, compliance cells, matrix totals, province overview.

Expected figures are worked out by hand from the scenario in tests/card_scenario.py.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from card_scenario import AS_OF, TZ, UNITS, YEAR, complaint_report, fkp_doc, install_registry, scenario_card, skm_docs

from pantau.rules import ikm as rules
from services.aggregator import card_overview, fkp_reports
from services.aggregator import card_reports as cr


@pytest.fixture(autouse=True)
def registry(monkeypatch):
    return install_registry(monkeypatch)


def cut(as_of: datetime = AS_OF) -> cr.SkmInputs:
    d = skm_docs()
    return cr.cut_skm(d["months"], d["settings"], d["rtl"], d["pubs"], as_of, "Asia/Makassar")


def test_skm_section_latest_period_trend_weakest_and_sample():
    skm = cr.skm_section("lab", YEAR, cut(), "exact")
    # 22 respondents (Feb 12 + May 10); sums: persyaratan 8·3+4·4+10·4 = 80, waktu 8·2+4·3+10·4 = 68,
    # biaya 8·3+4·4+10·2 = 60; IKM = 25 · (7·80 + 68 + 60) / (9·22) = 86.868… → 86.87 (B)
    y = skm["year"]
    assert (y["respondents"], y["ikm"], y["mutu"]) == (22, 86.87, "B")
    assert y["sample"] == {"population": 20, "required": 19, "actual": 22, "adequate": True}
    latest = skm["latest"]
    assert latest["period"] == f"{YEAR}-S1" and latest["ikm"] == 86.87  # the unit reports by semester
    assert [w["element"] for w in latest["weakest"]] == ["biaya", "waktu", "persyaratan"]
    assert latest["elements"]["waktu"]["nrr"] == round(68 / 22, 4)
    assert (
        latest["elements"]["biaya"]["ikm"] == rules.round_half_up(25 * 60 / 22, 2)
        and latest["elements"]["biaya"]["mutu"] == "C"
    )
    # S1's population is the yearly figure scaled: 10 users → sample 10
    assert latest["sample"]["required"] == 10
    assert [(t["period"], t["ikm"], t["respondents"]) for t in skm["trend"]] == [
        (f"{YEAR - 1}-S1", None, 0),
        (f"{YEAR - 1}-S2", 50.0, 8),
        (f"{YEAR}-S1", 86.87, 22),
        (f"{YEAR}-S2", None, 0),
    ]
    assert skm["last_response_month"] == f"{YEAR}-05"
    assert skm["periods_without_responses"] == [f"{YEAR}-S2"]


def test_as_of_cuts_months_rtl_and_publications():
    at = cut()
    assert "lab" in at.months and all(m <= f"{YEAR}-07" for m in at.months["lab"])
    skm = cr.skm_section("lab", YEAR, at, "exact")
    assert skm["rtl"] == {"planned": 2, "done": 1, "progress_pct": 50.0, "months_to_complete": None}
    assert skm["publication"]["media"] == ["papan_pengumuman", "website"]  # the September post is later
    late = cr.skm_section("lab", YEAR, cut(datetime(YEAR, 12, 1, tzinfo=TZ)), "exact")
    assert late["year"]["respondents"] == 27  # August's 5 all-1 questionnaires now count
    assert late["rtl"]["done"] == 2 and len(late["publication"]["media"]) == 3
    early = cr.skm_section("lab", YEAR, cut(datetime(YEAR, 2, 28, tzinfo=TZ)), "exact")
    assert early["year"]["respondents"] == 12 and early["rtl"]["planned"] == 0  # RTL planned on 1 March
    before_settings = cut(datetime(YEAR, 1, 2, tzinfo=TZ))
    assert f"lab:{YEAR}" not in before_settings.settings


def test_fkp_and_complaint_sections_carry_the_other_reports_figures():
    figs = fkp_reports.unit_figures(fkp_doc(), YEAR, AS_OF, TZ)
    fkp = cr.fkp_section(figs)
    assert fkp["available"] and fkp["forums_held"] == 1 and fkp["elements_covered_count"] == 3
    assert {k: fkp["promises"][k] for k in ("total", "fulfilled", "open", "overdue")} == {
        "total": 3,
        "fulfilled": 1,
        "open": 2,
        "overdue": 1,
    }
    assert [(p["promise_id"], p["days_overdue"]) for p in fkp["overdue_promises"]] == [("p2", 76)]  # 30 Apr → 15 Jul
    assert fkp["sp_reviews"] == [f"{YEAR}-02-10"]
    comp = cr.complaints_section(complaint_report())
    assert comp["available"] and comp["complaints"] == 2 and comp["backlog"]["total"] == 2
    # C-1: first follow-up (5 working days after 5 May) and resolution (60 days after 4 May) overdue at 15 July,
    # both charged to lab; C-2: never verified (charged to the province), resolution not yet due
    assert comp["breaches_charged"]["by_kind"] == {"verification": 0, "first_follow_up": 1, "resolution": 1}
    assert comp["overdue"]["by_tier"] == {"instansi": 1, "upp": 2}
    assert comp["resolved"]["pct"] == 0.0


def test_pekppp_indicators_with_their_evidence():
    card = scenario_card()
    ind = card["pekppp"]
    assert {k: v["score"] for k, v in ind.items()} == {"2": 3, "4": 4, "6": 5, "7": 2, "8": 3, "9": 0, "28": 3,
                                                       "26": None, "27": None}
    assert "3 unsur" in ind["2"]["evidence"] and "2026-02-10" in ind["4"]["evidence"]
    # 26 and 27: the complaints' channels and archive as evidence beside the evaluator's score
    assert "kanal yang dipakai" in ind["26"]["evidence"] and "SP4N-LAPOR!" in ind["26"]["evidence"]
    assert ind["8"]["evidence"].startswith("50%") and ind["28"]["source"] == "SP4N-LAPOR!"
    assert all(v["evidence"] for v in ind.values())


def test_obligation_cells_met_not_met_and_no_data():
    cells = scenario_card()["obligations"]
    assert {k: c["state"] for k, c in cells.items()} == {
        "skm_run": "met",
        "sample_adequate": "met",
        "skm_published": "met",
        "rtl_done": "not_met",
        "fkp_held": "not_met",
        "promises_kept": "not_met",
        "complaints_on_time": "not_met",
    }
    assert cells["fkp_held"]["evidence"] == "1 FKP, 3 dari 5 unsur masyarakat"
    # a unit with nothing recorded: SKM obligations not met, the rest without data
    empty = cr.skm_section("pelabuhan", YEAR, cut(), "exact")
    fkp = cr.fkp_section(fkp_reports.unit_figures(None, YEAR, AS_OF, TZ))
    none = cr.obligation_cells(empty, fkp, cr.complaint_row_section(None))
    assert {k: c["state"] for k, c in none.items()} == {
        "skm_run": "not_met",
        "sample_adequate": "no_data",
        "skm_published": "not_met",
        "rtl_done": "no_data",
        "fkp_held": "not_met",
        "promises_kept": "no_data",
        "complaints_on_time": "no_data",
    }


def test_sections_say_data_not_yet_available_instead_of_figures():
    skm = cr.skm_section("lab", YEAR, cut(), "exact")
    fkp, comp = cr.fkp_section(None), cr.complaints_section(None)
    assert fkp == {"available": False, "reason": "data belum tersedia"} == comp
    ind = cr.pekppp_indicators(skm, fkp, comp)
    assert (ind["2"]["score"], ind["4"]["score"], ind["28"]["score"]) == (None, None, None)
    assert ind["28"]["evidence"] == "data belum tersedia" and ind["6"]["score"] == 5
    cells = cr.obligation_cells(skm, fkp, comp)
    assert {cells[k]["state"] for k in ("fkp_held", "promises_kept", "complaints_on_time")} == {"no_data"}


def test_matrix_totals_per_opd(registry):
    card = scenario_card()
    rows = [
        {"unit_id": "lab", "name": "Lab", "opd_id": "dinkes", "cells": card["obligations"]},
        {
            "unit_id": "pelabuhan",
            "name": "Pelabuhan",
            "opd_id": "dkp",
            "cells": {k: {"state": "no_data", "evidence": ""} for k in cr.OBLIGATION_KEYS},
        },
    ]
    m = cr.matrix_from(rows, YEAR, AS_OF, registry)
    assert m["totals"]["skm_run"] == {"met": 1, "not_met": 0, "no_data": 1}
    assert [(o["opd_id"], o["units"], o["totals"]["rtl_done"]["not_met"]) for o in m["per_opd"]] == [
        ("dinkes", 1, 1),
        ("dkp", 1, 0),
    ]
    assert [o["key"] for o in m["obligations"]] == list(cr.OBLIGATION_KEYS) and m["as_of"] == AS_OF.isoformat()


def test_province_overview_distribution_attention_and_both_methods():
    inp = cut()
    upps = [u for u in UNITS if u.kind == "upp"]
    ikm = {u.id: cr.unit_year_ikm(u.id, YEAR, inp, "exact") for u in upps}
    figs = {u.id: fkp_reports.unit_figures(fkp_doc() if u.id == "lab" else None, YEAR, AS_OF, TZ) for u in upps}
    row = {
        "unit_id": "lab",
        "complaints": 2,
        "resolved": {"closed_resolved": 0, "eligible": 2, "pct": 0.0},
        "overdue": {"total": 3},
        "breaches_charged": 2,
    }
    ov = cr.overview_from(
        upps,
        ikm,
        figs,
        {"rows": {"lab": row}},
        {u.id: cr.last_response_month(u.id, inp) for u in upps},
        YEAR,
        AS_OF,
        "Asia/Makassar",
        "exact",
        "pooled",
        lambda i: {"lab": "dinkes", "rs": "dinkes", "pelabuhan": "dkp"}[i],
    )
    h = ov["headline"]
    assert (h["units"], h["units_with_skm"], h["units_adequate"], h["respondents"]) == (3, 2, 1, 25)
    # only lab has an adequate sample: both methods give its IKM; rs (3 of 383) is left out
    assert h["ikm"]["ikm"] == h["ikm"]["ikm_mean_of_units"] == h["ikm"]["ikm_pooled_respondents"] == 86.87
    assert (h["ikm"]["unit_count"], h["ikm"]["respondent_count"]) == (1, 22)
    assert ov["mutu_distribution"] == {"A": 0, "B": 1, "C": 0, "D": 0, "sampel_kurang": 1, "tanpa_data": 1}
    assert h["fkp"]["promises_overdue"] == 1 and h["complaints"]["breaches_charged"] == 2
    a = ov["attention"]
    assert [r["unit_id"] for r in a["lowest_ikm"]] == ["lab"]
    assert [r["unit_id"] for r in a["most_overdue_promises"]] == ["lab"]
    assert [(r["unit_id"], r["breaches_charged"]) for r in a["most_breaches"]] == [("lab", 2)]
    assert [(r["unit_id"], r["last_response_month"]) for r in a["silent"]] == [("pelabuhan", None)]
    assert [(o["opd_id"], o["units"], o["ikm"]) for o in ov["per_opd"]] == [("dinkes", 2, 86.87), ("dkp", 1, None)]
    absent = cr.overview_from(upps, ikm, None, None, {}, YEAR, AS_OF, "Asia/Makassar", "exact", "mean", lambda i: "x")
    assert absent["headline"]["fkp"] == {"available": False, "reason": "data belum tersedia"}
    assert absent["attention"]["most_breaches"] is None


def test_silence_counts_whole_months_up_to_as_of():
    assert card_overview._months_between("2026-01", "2026-07") == 6
    assert card_overview._months_between("2025-11", "2026-02") == 3
