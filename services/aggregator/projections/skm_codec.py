"""The stored form of SKM buckets and their bursts: no client value is ever a field name.

In memory (the folds `add_sums`/`add_burst`, the as_of rewind, the reports) a bucket holds
`profile` = {field: {value: count}} and `bursts` = {key: count}. The values come from clients (a
free-text service type such as "izin usaha (Perda No. 5)"), and a MongoDB-protocol store refuses
field names with "." or a leading "$", so the stored documents hold them as values:
`profile` = {field: [{"value": v, "count": n}, ...]} (the fields are the projection's fixed
PROFILE_FIELDS) and `bursts` = [{"value": key, "count": n}, ...]. These functions are the only
conversions; reading also accepts documents stored before (counts keyed by value).
"""
from __future__ import annotations

from typing import Any


def counts_to_store(counts: dict[str, int]) -> list[dict]:
    return [{"value": v, "count": n} for v, n in counts.items()]


def counts_from_store(stored: Any) -> dict[str, int]:
    """{value: count} from the list form, or from a mapping stored before it."""
    if isinstance(stored, dict):
        return dict(stored)
    out: dict[str, int] = {}
    for entry in stored or ():
        out[entry["value"]] = out.get(entry["value"], 0) + entry["count"]
    return out


def profile_to_store(profile: dict[str, dict[str, int]]) -> dict[str, list[dict]]:
    return {field: counts_to_store(counts) for field, counts in profile.items()}


def profile_from_store(stored: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {field: counts_from_store(counts) for field, counts in (stored or {}).items()}


def bucket_to_store(bucket: dict) -> dict:
    """The document to store for an in-memory bucket (without its bursts, see skm_bursts.py)."""
    doc = dict(bucket)
    if "profile" in doc:
        doc["profile"] = profile_to_store(doc["profile"])
    return doc


def bucket_from_store(doc: dict) -> dict:
    """A stored bucket document in its in-memory form (converted in place, and returned);
    buckets from before the bursts split still carry `bursts` themselves."""
    if "profile" in doc:
        doc["profile"] = profile_from_store(doc["profile"])
    if "bursts" in doc:
        doc["bursts"] = counts_from_store(doc["bursts"])
    return doc
