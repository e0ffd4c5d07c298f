"""The stored form of SKM buckets (projections/skm_codec.py): counts keyed by client values are
stored as lists of {value, count}, round trip exactly, and documents stored before (counts keyed
by value) still read."""
from __future__ import annotations

import copy

from pantau.rules.ikm import ELEMENTS
from services.aggregator.projections import skm_bursts, skm_codec
from services.aggregator.projections.skm import PROFILE_FIELDS, add, empty_bucket

HOSTILE = ["izin usaha (Perda No. 5)", "$where", "$x", "a.b.c", ".", "$", "Perizinan ✓ — ümlaut 日本語",
           "x" * 200, "tidak_diisi"]


def field_names(doc) -> list[str]:
    if isinstance(doc, dict):
        return [name for k, v in doc.items() for name in (k, *field_names(v))]
    if isinstance(doc, list):
        return [k for v in doc for k in field_names(v)]
    return []


def fact(n: int, service_type: str) -> dict:
    return {"unit_id": "u", "month": "2026-03", "answers": {k: 1 + (n + i) % 4 for i, k in enumerate(ELEMENTS)},
            "local_hour": 9, "submitted_at": "2026-03-10T09:00:00+08:00", "channel": "web",
            "service_type": service_type, "sex": "P", "education": None, "occupation": "PNS"}


def test_counts_round_trip_with_hostile_values():
    counts = {v: i + 1 for i, v in enumerate(HOSTILE)}
    stored = skm_codec.counts_to_store(counts)
    assert all(set(e) == {"value", "count"} for e in stored)
    assert skm_codec.counts_from_store(stored) == counts
    assert list(skm_codec.counts_from_store(stored)) == HOSTILE  # order kept
    assert skm_codec.counts_from_store([]) == {} and skm_codec.counts_from_store(None) == {}


def test_counts_stored_before_the_list_form_read_as_they_are():
    old = {"KTP": 3, "SIM": 1}
    assert skm_codec.counts_from_store(old) == old
    assert skm_codec.profile_from_store({"sex": {"L": 2}, "service_type": [{"value": "a.b", "count": 1}]}) == \
        {"sex": {"L": 2}, "service_type": {"a.b": 1}}


def test_a_stored_bucket_names_no_client_value_and_reads_back_equal():
    b = empty_bucket("u", "2026-03")
    for n, v in enumerate(HOSTILE * 2):
        add(b, fact(n, v), +1)
    b[skm_bursts.MARKS], b[skm_bursts.LATE] = {}, []  # the in-memory form carries the bursts' marks
    before = copy.deepcopy(b)
    doc, bursts_doc = skm_bursts.stored_forms(b)
    assert b == before  # the in-memory bucket is not changed
    names = field_names(doc) + field_names(bursts_doc)
    assert not [k for k in names if "." in k or k.startswith("$")]
    assert set(doc["profile"]) == set(PROFILE_FIELDS)  # the only field names under profile
    again = skm_bursts.attach({b["_id"]: skm_codec.bucket_from_store(copy.deepcopy(doc))},
                              {b["_id"]: copy.deepcopy(bursts_doc)})[b["_id"]]
    assert again == before
    assert again["profile"]["service_type"] == {v: 2 for v in HOSTILE}


def test_a_bucket_stored_before_the_bursts_split_and_the_list_form_reads():
    legacy = empty_bucket("u", "2026-03")
    for n, v in enumerate(["KTP", "KTP", "SIM"]):
        add(legacy, fact(n, v), +1)
    stored = copy.deepcopy(legacy)  # as it was stored: counts keyed by value, bursts inside
    b = skm_bursts.attach({legacy["_id"]: skm_codec.bucket_from_store(stored)}, {})[legacy["_id"]]
    assert b["profile"]["service_type"] == {"KTP": 2, "SIM": 1}
    assert b["bursts"] == legacy["bursts"] and b["largest_identical_burst"] == legacy["largest_identical_burst"]
