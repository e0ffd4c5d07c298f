"""A unit's period result from responses or from its summary report (pantau/rules/skm_result.py)."""
from __future__ import annotations

import random
from datetime import datetime, timezone
from fractions import Fraction

import pytest

from pantau.rules import ikm as rules
from pantau.rules.skm_result import CI_NOTE_COUNTS, CI_NOTE_NRR, UnitSkm, covering, summary_basis
from pantau.rules.skm_tally import SkmTally

E = rules.ELEMENTS


def doc(period, sid, recorded, respondents=100, nrr=None, counts=None, **kw):
    d = {"unit_id": "u", "period": period, "submission_id": sid, "recorded_at": recorded,
         "respondents": respondents, "nrr": nrr, "counts": counts, "profile": None}
    if nrr is None and counts is None:
        d["nrr"] = {k: 3.0 for k in E}
    return {**d, **kw}


def test_newer_submission_supersedes_and_as_of_sees_the_older():
    old = doc("2026", "a", "2026-03-01T00:00:00+00:00", nrr={k: 3.0 for k in E})
    new = doc("2026", "b", "2026-04-01T00:00:00+00:00", nrr={k: 3.5 for k in E})
    assert covering([old, new], [f"2026-{m:02d}" for m in range(1, 13)]) == [new]
    then = datetime(2026, 3, 15, tzinfo=timezone.utc)
    assert covering([old, new], [f"2026-{m:02d}" for m in range(1, 13)], then) == [old]
    assert covering([old, new], [f"2026-{m:02d}" for m in range(1, 13)], datetime(2026, 1, 1, tzinfo=timezone.utc)) == []


def test_a_period_takes_the_longest_summaries_that_do_not_overlap():
    year = doc("2026", "y", "2026-01-01T00:00:00+00:00")
    q1 = doc("2026-Q1", "q1", "2026-05-01T00:00:00+00:00")
    q2 = doc("2026-Q2", "q2", "2026-07-01T00:00:00+00:00")
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    assert covering([q1, year, q2], months) == [year]
    assert covering([q1, q2], months) == [q1, q2]
    # a quarter asked takes only what lies within it
    assert covering([q1, year, q2], ["2026-01", "2026-02", "2026-03"]) == [q1]


def test_pooled_summaries_give_the_province_pooling_of_the_same_figures():
    a = doc("2026-Q1", "a", "2026-04-01T00:00:00+00:00", respondents=120,
            nrr={k: 3.0 + i / 10 for i, k in enumerate(E)})
    b = doc("2026-Q2", "b", "2026-07-01T00:00:00+00:00", respondents=80,
            nrr={k: 2.5 + i / 20 for i, k in enumerate(E)})
    basis = summary_basis([a, b])
    assert basis.respondents == 200
    expected = rules.compile_region(
        [{"unit_id": "a", "respondents": 120, "nrr": a["nrr"], "adequate": True},
         {"unit_id": "b", "respondents": 80, "nrr": b["nrr"], "adequate": True}])
    assert basis.ikm()["ikm"] == expected["ikm_pooled_respondents"]
    for k in E:
        assert basis.nrr[k] == (Fraction(str(a["nrr"][k])) * 120 + Fraction(str(b["nrr"][k])) * 80) / 200


def test_compile_region_pools_an_nrr_unit_exactly_like_the_same_sums():
    sums = {k: 300 + 7 * i for i, k in enumerate(E)}
    by_sums = [{"unit_id": "x", "respondents": 100, "sums": sums, "adequate": True},
               {"unit_id": "y", "respondents": 50, "sums": {k: 150 + i for i, k in enumerate(E)}, "adequate": True}]
    by_nrr = [by_sums[0], {"unit_id": "y", "respondents": 50,
                           "nrr": {k: Fraction(150 + i, 50) for i, k in enumerate(E)}, "adequate": True}]
    a, b = rules.compile_region(by_sums), rules.compile_region(by_nrr)
    for key in ("ikm_pooled_respondents", "ikm_mean_of_units", "mutu_pooled_respondents", "unit_ikm"):
        assert a[key] == b[key]
    with pytest.raises(ValueError):
        rules.compile_region([{"unit_id": "z", "respondents": 5, "adequate": True}])
    with pytest.raises(ValueError):
        rules.compile_region([{"unit_id": "z", "respondents": 5, "nrr": {k: 4.5 for k in E}, "adequate": True}])


def test_source_is_responses_first_then_summary():
    t = SkmTally(10, {k: 30 for k in E}, 30.0, 90.0)
    s = summary_basis([doc("2026", "s", "2026-02-01T00:00:00+00:00", respondents=40, nrr={k: 2.0 for k in E})])
    assert UnitSkm(SkmTally()).source is None and UnitSkm(SkmTally()).ikm() is None
    only = UnitSkm(SkmTally(), s)
    assert (only.source, only.respondents, only.ikm()["ikm"]) == ("summary", 40, 50.0)
    assert only.compile_input("u", True) == {"unit_id": "u", "respondents": 40, "nrr": dict(s.nrr), "adequate": True}
    both = UnitSkm(t, s)
    assert (both.source, both.respondents, both.ikm()["ikm"]) == ("responses", 10, 75.0)
    assert both.both()["difference"] == 25.0
    assert both.both()["summary"]["ikm"] == 50.0 and both.ci95_note() is None


def test_a_summary_of_nrrs_gives_no_interval_and_says_so():
    only = UnitSkm(SkmTally(), summary_basis([doc("2026", "s", "2026-02-01T00:00:00+00:00")]))
    assert only.ci95() is None and only.ci95_note() == CI_NOTE_NRR


def test_the_interval_from_counts_is_never_narrower_than_the_respondent_interval():
    rng = random.Random(7)
    for trial in range(30):
        n = rng.randint(20, 400)
        base = [rng.randint(1, 4) for _ in range(n)]
        answers = [[min(4, max(1, b + rng.choice((-1, 0, 0, 1)))) for _ in E] for b in base]
        xs = [sum(a) / 9 for a in answers]
        tally_ci = rules.confidence_interval_95(sum(xs), sum(x * x for x in xs), n)
        counts = {k: {str(v): sum(1 for a in answers if a[i] == v) for v in (1, 2, 3, 4)} for i, k in enumerate(E)}
        s = summary_basis([doc("2026", "s", "2026-02-01T00:00:00+00:00", respondents=n, nrr=None, counts=counts)])
        u = UnitSkm(SkmTally(), s)
        low, high = u.ci95()
        assert u.ci95_note() == CI_NOTE_COUNTS
        # the same centre (the IKM of the same answers), a width at least the true one
        assert low <= rules.round_half_up(tally_ci[0], 2) + 0.01, trial
        assert high >= rules.round_half_up(tally_ci[1], 2) - 0.01, trial
        assert low <= u.ikm()["ikm"] <= high
