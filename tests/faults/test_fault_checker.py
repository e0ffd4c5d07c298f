"""The fault suite's checker catches what it must: a dropped, a duplicated, a reordered, an
unacknowledged record, a figure that differs from the recompute, a DLQ that is off (synthetic
inputs, no infrastructure)."""
from __future__ import annotations

import copy

from fault_checker import check, outage_answers
from fault_writers import Ledger

A1, A2 = {"waktu": 3}, {"waktu": 4}


def ledger() -> Ledger:
    L = Ledger(tag="Ftest")
    L.skm_acked = {("u", "Ftest-1-0"): A1, ("u", "Ftest-2-0"): A2}
    L.skm_rejected = {("u", "Ftest-9-0")}
    L.skm_unknown = {("u", "Ftest-5-0")}
    L.forums = {"Ftest-u-f1": {"unit": "u", "acked": True, "progress": [12, 25, 31]},
                "Ftest-u-f7": {"unit": "u", "acked": False, "unknown": False, "progress": []},
                "Ftest-u-f8": {"unit": "u", "acked": True, "progress": [10], "unknown_tail": 20}}
    L.complaints = {"Ftest-u-c1": {"unit": "u", "acked": True, "actions": ["verify", "follow_up", "resolve"]}}
    return L


def observed() -> dict:
    return {"skm": {("u", "Ftest-1-0"): A1, ("u", "Ftest-2-0"): A2, ("u", "Ftest-5-0"): A1},
            "skm_service": {("u", "Ftest-1-0"): A1, ("u", "Ftest-2-0"): A2},
            "skm_fact_counts": {("u", "Ftest-1-0"): 1, ("u", "Ftest-2-0"): 1},
            "forums": {"Ftest-u-f1": {"progress": [12, 25, 31]}, "Ftest-u-f8": {"progress": [10, 20]}},
            "complaints": {"Ftest-u-c1": {"actions": ["verify", "follow_up", "resolve"], "status": "ANSWERED"}},
            "figures": [("u skm respondents", 3, 3)],
            "dlq": {"poison": 9, "new": 9, "marked": 9}}


def test_a_clean_run_passes_and_undecided_calls_may_go_either_way():
    v = check(ledger(), observed())
    assert v.ok, v.problems
    obs = observed()
    del obs["skm"][("u", "Ftest-5-0")]
    obs["forums"]["Ftest-u-f8"]["progress"] = [10]
    assert check(ledger(), obs).ok


def test_a_dropped_record_is_lost():
    obs = observed()
    del obs["skm"][("u", "Ftest-2-0")]
    assert check(ledger(), obs).lost == 1
    obs = observed()
    obs["forums"]["Ftest-u-f1"]["progress"] = [12, 31]
    assert check(ledger(), obs).lost == 1
    obs = observed()
    del obs["complaints"]["Ftest-u-c1"]
    assert check(ledger(), obs).lost == 1


def test_a_duplicated_record_is_counted():
    obs = observed()
    obs["complaints"]["Ftest-u-c1"]["actions"] = ["verify", "follow_up", "follow_up", "resolve"]
    assert check(ledger(), obs).duplicated == 1
    obs = observed()
    obs["skm_fact_counts"][("u", "Ftest-1-0")] = 2
    assert check(ledger(), obs).duplicated == 1
    obs = observed()
    obs["figures"] = [("u skm respondents", 4, 3)]  # a bucket counted one response twice
    v = check(ledger(), obs)
    assert v.duplicated == 1 and v.figure_mismatches == 1


def test_order_must_be_the_acknowledged_order():
    obs = observed()
    obs["complaints"]["Ftest-u-c1"]["actions"] = ["follow_up", "verify", "resolve"]
    assert check(ledger(), obs).reordered == 1


def test_refused_or_never_sent_records_must_not_show_up():
    for change in (lambda o: o["skm"].__setitem__(("u", "Ftest-9-0"), A1),
                   lambda o: o["skm"].__setitem__(("u", "Ftest-77-0"), A1),
                   lambda o: o["forums"].__setitem__("Ftest-u-f7", {"progress": []}),
                   lambda o: o["complaints"].__setitem__("Ftest-u-c9", {"actions": [], "status": "RECEIVED"}),
                   lambda o: o["skm"].__setitem__(("u", "Ftest-1-0"), A2)):  # content not the acknowledged one
        obs = observed()
        change(obs)
        assert check(ledger(), obs).unacknowledged_visible == 1


def test_figures_and_dlq_must_match_exactly():
    obs = observed()
    obs["figures"] = [("u complaints by status", {"ANSWERED": 1}, {"ANSWERED": 1, "RECEIVED": 1})]
    assert check(ledger(), obs).figure_mismatches == 1
    for dlq in ({"poison": 9, "new": 10, "marked": 9}, {"poison": 9, "new": 8, "marked": 8}):
        obs = copy.deepcopy(observed())
        obs["dlq"] = dlq
        assert check(ledger(), obs).dlq_mismatch == 1


def test_a_2xx_to_a_request_sent_while_the_store_was_down_is_a_breach():
    L = Ledger(tag="Ftest")
    L.timeline = [(99.0, 100.5, 201),    # sent before the outage, answered late: not a breach
                  (100.2, 100.4, 201),   # sent and answered inside it: a breach
                  (99.9, 100.3, 503),    # inside the 1 s grace
                  (101.0, 102.0, 503), (101.5, 103.0, "ReadTimeout"),
                  (104.0, 106.0, 201)]   # answered after the store came back
    out = outage_answers(L, [(100.0, 105.0)])
    assert out == {"503": 1, "2xx": 1, "2xx_sent_before": 1, "refused_4xx": 0, "other": {"ReadTimeout": 1}}
    L.timeline.pop(1)
    assert outage_answers(L, [(100.0, 105.0)])["2xx"] == 0


def test_a_503_to_a_request_under_way_during_the_outage_counts_when_it_arrives_after():
    L = Ledger(tag="Ftest")
    L.timeline = [(104.0, 119.2, 503),   # sent late in the outage: its deadline ends after the window
                  (98.0, 113.0, 503),    # waiting since before the outage, answered after it
                  (106.0, 107.0, 503),   # sent after the store was back: not this outage's
                  (95.0, 99.0, 503)]     # answered before the outage: not this outage's
    assert outage_answers(L, [(100.0, 105.0)])["503"] == 2


def test_a_hostile_value_accepted_that_should_be_refused_or_stored_altered_is_caught():
    L = ledger()
    L.hostile = [("service_type with dots", "stored", 202), ("service_type with NUL", "refused", 422)]
    L.skm_service_type = {("u", "Ftest-1-0"): "izin usaha (Perda No. 5)"}
    obs = observed()
    obs["skm_service_type"] = {("u", "Ftest-1-0"): "izin usaha (Perda No. 5)"}
    assert check(L, obs).ok
    L.hostile.append(("submitted_at in 9999", "refused", 202))  # accepted: it must have been a 422
    L.hostile.append(("forum title with dots and $", "stored", 422))  # refused: it must have been stored
    v = check(L, obs)
    assert v.hostile_mismatch == 2, v.problems
    L.hostile = L.hostile[:2]
    obs["skm_service_type"] = {("u", "Ftest-1-0"): "izin usaha (Perda No_ 5)"}  # a value mangled on the way
    assert check(L, obs).hostile_mismatch == 1


def test_a_bureau_write_without_its_audit_entry_or_an_entry_without_its_write_is_caught():
    obs = observed()
    obs["audit"] = {"carried": {"w:1": {"cmp:SEC-1:2"}}, "logged": {"w:1": "cmp:SEC-1:2"}, "existing": {"cmp:SEC-1:2"}}
    assert check(ledger(), obs).ok
    obs["audit"]["carried"]["w:2"] = {"cmp:SEC-2:2"}  # stored, never logged
    obs["audit"]["logged"]["w:3"] = "cmp:SEC-3:2"  # logged, never stored
    v = check(ledger(), obs)
    assert v.audit_mismatch == 2 and not v.ok, v.problems


def test_a_request_refused_at_the_edge_during_an_outage_is_not_a_breach():
    L = ledger()
    L.timeline = [(101.0, 101.2, 422), (101.5, 102.0, 503), (102.0, 102.5, 500)]
    out = outage_answers(L, [(100.0, 105.0)])
    assert out["refused_4xx"] == 1 and out["503"] == 1 and out["other"] == {"500": 1}
