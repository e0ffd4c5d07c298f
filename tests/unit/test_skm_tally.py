"""The SKM tally (pantau/rules/skm_tally.py): sums add, figures come from rules.ikm, and the
stored month document holds client values only as values (never as field names)."""
from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.rules.ikm import ELEMENTS, compute_ikm
from pantau.rules.skm_tally import (
    PROFILE_FIELDS,
    SkmTally,
    counts_from_store,
    counts_to_store,
    month_doc_add,
    month_doc_new,
)

HOSTILE = ["izin usaha (Perda No. 5)", "$where", "$x", "a.b.c", ".", "$", "Perizinan ✓ — ümlaut 日本語",
           "x" * 200, "tidak_diisi"]


def field_names(doc) -> list[str]:
    if isinstance(doc, dict):
        return [name for k, v in doc.items() for name in (k, *field_names(v))]
    if isinstance(doc, list):
        return [k for v in doc for k in field_names(v)]
    return []


def contribution(n: int, service_type: str, hour: int = 9) -> dict:
    return {"answers": {k: 1 + (n + i) % 4 for i, k in enumerate(ELEMENTS)}, "local_hour": hour,
            "submitted_at": f"2026-03-{10 + n % 9:02d}T09:00:00+08:00", "channel": "web",
            "service_type": service_type, "sex": "P", "education": None, "occupation": "PNS"}


def test_a_month_document_names_no_client_value_and_its_tally_counts_them():
    doc = month_doc_new()
    for n, v in enumerate(HOSTILE * 2):
        month_doc_add(doc, contribution(n, v), +1)
    names = field_names(doc)
    assert not [k for k in names if "." in k or k.startswith("$")]
    assert set(doc["profile"]) == set(PROFILE_FIELDS)
    t = SkmTally.of_month(copy.deepcopy(doc))
    assert t.respondents == 2 * len(HOSTILE)
    assert t.profile["service_type"] == {v: 2 for v in HOSTILE}
    assert t.profile["education"] == {"tidak_diisi": 2 * len(HOSTILE)}


def test_taking_a_response_out_restores_the_document():
    doc = month_doc_new()
    month_doc_add(doc, contribution(1, "a.b"), +1)
    before = copy.deepcopy(doc)
    month_doc_add(doc, contribution(2, "$c", hour=20), +1)
    month_doc_add(doc, contribution(2, "$c", hour=20), -1)
    doc["last_submitted_at"] = before["last_submitted_at"]
    assert doc["profile"] == before["profile"] and doc["sums"] == before["sums"]
    assert doc["respondents"] == 1 and doc["out_of_hours"] == 0


def test_counts_round_trip_and_older_keyed_counts_still_read():
    counts = {v: i + 1 for i, v in enumerate(HOSTILE)}
    assert counts_from_store(counts_to_store(counts)) == counts
    assert counts_from_store({"KTP": 3}) == {"KTP": 3} and counts_from_store(None) == {}


answers = st.lists(st.integers(1, 4), min_size=9, max_size=9)


@settings(max_examples=200, deadline=None)
@given(st.lists(answers, min_size=1, max_size=30), st.integers(0, 29))
def test_tallies_add_up_to_the_tally_of_all_and_give_the_rules_figures(rows, cut):
    def tally(rs):
        doc = month_doc_new()
        for r in rs:
            month_doc_add(doc, {"answers": dict(zip(ELEMENTS, r, strict=True)), "local_hour": 10,
                                "submitted_at": "2026-03-01T10:00:00+08:00"}, 1)
        return SkmTally.of_month(doc)
    cut = min(cut, len(rows))
    whole, parts = tally(rows), tally(rows[:cut]) + tally(rows[cut:])
    assert parts.respondents == whole.respondents and dict(parts.sums) == dict(whole.sums)
    assert parts.all4 == whole.all4 and abs(parts.sum_x - whole.sum_x) < 1e-9
    sums = {k: sum(r[i] for r in rows) for i, k in enumerate(ELEMENTS)}
    assert whole.ikm() == compute_ikm(sums, len(rows))
    assert whole.mutu() == compute_ikm(sums, len(rows))["mutu"]
    assert SkmTally.total([]) == SkmTally() and SkmTally().ikm() is None
