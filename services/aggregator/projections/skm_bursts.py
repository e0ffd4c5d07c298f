"""Identical-answer bursts of a unit × month bucket, stored apart from the bucket.

A bucket's `bursts` map (one entry per channel × answer set × 10 minutes) grows with the number
of responses, while its sums do not; kept inside the bucket it made every report that reads
buckets grow with the responses (FerretDB parses whole documents). So the map lives in
`skm_bursts` (`_id` = the bucket's `_id`) with its own per-partition applied marks, and the
bucket keeps only `largest_identical_burst`. In memory a bucket carries both (`bursts` and
`bursts_applied`), so the pure folds (`add`, the as_of `rewind`) see one structure; stored, the
bursts are a list of {value, count} (skm_codec.py).

The projection writes the bursts document before the bucket: a bucket document therefore never
exists without its bursts document, except buckets projected before this split, which still hold
`bursts` themselves (written atomically with their sums, so their marks are the bucket's).
"""
from __future__ import annotations

from .skm_codec import bucket_to_store, counts_from_store, counts_to_store

COLLECTION = "skm_bursts"
MARKS = "bursts_applied"
LATE = "bursts_late"  # parked records applied to the bursts after their note (projections/skm.py)


def attach(buckets: dict[str, dict], bursts_docs: dict[str, dict]) -> dict[str, dict]:
    """Buckets ({_id: bucket} in memory, `skm_codec.bucket_from_store`) with their bursts (as
    stored) and marks attached, in place."""
    for bucket_id, b in buckets.items():
        d = bursts_docs.get(bucket_id)
        if d is not None:
            b["bursts"], b[MARKS] = counts_from_store(d["bursts"]), d["applied"]
            b[LATE] = list(d.get("late", []))
        else:  # projected before the split (same marks as the sums), or a new empty bucket
            b.setdefault("bursts", {})
            b[MARKS] = dict(b.get("applied", {}))
            b[LATE] = []
        # from the bursts, not as stored: a crash between the bursts write and the bucket write
        # leaves the bucket's figure behind, and a redelivery then changes no burst
        b["largest_identical_burst"] = max(b["bursts"].values(), default=0)
    return buckets


def stored_forms(bucket: dict) -> tuple[dict, dict]:
    """(bucket document, bursts document) to store for an in-memory bucket."""
    doc = bucket_to_store({k: v for k, v in bucket.items() if k not in ("bursts", MARKS, LATE)})
    return doc, {"_id": bucket["_id"], "bursts": counts_to_store(bucket["bursts"]), "applied": bucket[MARKS],
                 "late": bucket.get(LATE, [])}
