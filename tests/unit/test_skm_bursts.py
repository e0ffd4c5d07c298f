"""Identical-answer bursts stored apart from the SKM bucket (projections/skm_bursts.py): the bucket
documents stay the same size however many responses come; a crash between the bursts write and
the bucket write, a redelivery, and buckets projected before the split all end in the figures a
clean run gives (pure: the projection's fold on in-memory documents)."""
from __future__ import annotations

import copy
from types import SimpleNamespace

from pantau.rules.ikm import ELEMENTS
from services.aggregator.projections import skm_bursts
from services.aggregator.projections.skm import SkmProjection, add, empty_bucket
from services.aggregator.projections.skm_codec import bucket_from_store

UNIT, MONTH = "samsat-samarinda", "2026-03"
BID = f"{UNIT}:{MONTH}"


def fact(n: int) -> dict:
    answers = [4] * 9 if n % 3 else [3, 3, 4, 2, 3, 3, 4, 4, 3]  # two answer sets: bursts form
    return {"unit_id": UNIT, "month": MONTH, "answers": dict(zip(ELEMENTS, answers, strict=True)), "local_hour": 9,
            "submitted_at": f"{MONTH}-10T09:0{n % 2}:00+08:00", "channel": "qr", "service_type": None,
            "sex": "L", "education": "SMA", "occupation": None}


def items(lo: int, hi: int) -> list:
    return [(+1, SimpleNamespace(position=("skm", 0, n)), fact(n)) for n in range(lo, hi)]


def load(bucket_doc: dict | None, bursts_doc: dict | None) -> dict:
    b = bucket_from_store(copy.deepcopy(bucket_doc)) if bucket_doc else empty_bucket(UNIT, MONTH)
    return skm_bursts.attach({BID: b}, {BID: copy.deepcopy(bursts_doc)} if bursts_doc else {})[BID]


def run(bucket_doc, bursts_doc, lo, hi) -> tuple[dict, dict]:
    b = SkmProjection._apply_bucket(items(lo, hi), load(bucket_doc, bursts_doc))
    if b is None:
        return bucket_doc, bursts_doc
    return skm_bursts.stored_forms(b)


def clean(n: int) -> tuple[dict, dict]:
    return run(None, None, 0, n)


def test_the_bucket_document_has_no_bursts_and_stays_small():
    small, _ = clean(10)
    big, bursts = clean(400)
    assert "bursts" not in big and set(big) == set(small)
    assert big["respondents"] == 400 and big["largest_identical_burst"] == max(e["count"] for e in bursts["bursts"])
    # one channel, one 10-minute window (09:00 and 09:01): the all-4 answers are the largest burst
    assert big["largest_identical_burst"] == sum(1 for n in range(400) if n % 3)


def test_a_crash_after_the_bursts_write_before_the_bucket_write():
    bucket1, bursts1 = run(None, None, 0, 20)
    _, bursts2 = run(bucket1, bursts1, 20, 40)  # bursts of batch 2 written, its bucket not
    assert run(bucket1, bursts2, 20, 60) == clean(60)  # batch 2 redelivered with more
    assert run(bucket1, bursts2, 20, 40) == clean(40)  # batch 2 redelivered exactly: no burst changes
    _, new_bursts = run(None, None, 0, 20)  # a new bucket: its bursts written, the bucket not
    assert run(None, new_bursts, 0, 20) == clean(20)


def test_a_bucket_that_exists_before_its_bursts_document_is_not_counted_twice():
    # the reverse order cannot happen (bursts are written first); a lost bursts write of a
    # *new* bucket leaves neither document, which a redelivery simply redoes
    assert run(None, None, 0, 30) == clean(30)
    bucket, bursts = clean(30)
    assert run(bucket, bursts, 0, 30) == (bucket, bursts)  # a plain redelivery changes nothing


def test_a_bucket_projected_before_the_split_keeps_its_bursts_and_moves_them_out():
    legacy = empty_bucket(UNIT, MONTH)
    for _, e, f in items(0, 25):
        add(legacy, f, +1)
        legacy["applied"]["p0"] = e.position[2] + 1
    assert "bursts" in legacy
    assert run(legacy, None, 20, 50) == clean(50)
