"""The compact copy of each SKM year document and snapshot, for the reports over many units.

A store reads a whole document to answer it, whatever the projection (MongoDB loads the full
BSON document before projecting, unless an index covers the query), so a read's cost follows the
document's size: a live year document (`skm_units`) holds 12 month tallies with their respondent
profiles, the offset marks and the list of recorded days (up to a year of them), ≈ 9 KB and
several hundred values; reading 71 of them took ≈ 650 ms at the bench's size, against ≈ 12 ms
for one unit's (bench/README.md, "reports"). This is MongoDB's subset pattern: the
province, OPD, ranking and compliance reports and the bureau's dashboard pages need no
profile, so they read this copy (`skm_unit_tallies`, same `_id` as the document it copies):
the month tallies without the profile, the recorded days and the slot counts (what
skm_read.state_at needs to rewind), each packed into one string value.

It is derived from the document it copies and written right before it in the same batch
(projections/skm.py `writes`), so a crash between the two is made good by the redelivery
(which rewrites both), and a rebuild by replay gives the identical copy. A document written
before this copy existed has none: the reader falls back to the full document.
"""
from __future__ import annotations

from typing import Any

import orjson

from pantau.rules.ikm import ELEMENTS

COLLECTION = "skm_unit_tallies"

_SCALARS = ("sum_x", "sum_x2", "all4", "out_of_hours", "burst", "last_submitted_at")


def pack_month(m: dict[str, Any]) -> list:
    """A stored month document without its profile as one list (respondents, the 9 sums, the rest)."""
    return [m.get("respondents", 0), *(m["sums"][k] for k in ELEMENTS), *(m.get(k) for k in _SCALARS)]


def unpack_month(row: list) -> dict[str, Any]:
    """The stored month document (`month_doc_new` form) of a packed row, with an empty profile."""
    n = len(ELEMENTS)
    return {"respondents": row[0], "sums": dict(zip(ELEMENTS, row[1:1 + n], strict=True)),
            **dict(zip(_SCALARS, row[1 + n:], strict=True)), "profile": {}}


def compact_of(doc: dict[str, Any]) -> dict[str, Any]:
    """Pure: the compact copy of a live year document or of a snapshot."""
    out: dict[str, Any] = {"_id": doc["_id"],
                           "months": orjson.dumps({mm: pack_month(m) for mm, m in doc["months"].items()}).decode(),
                           "slots": orjson.dumps(doc.get("slots") or {}).decode()}
    if "days" in doc:  # a live document: what a rewind plans with
        out.update({"days": " ".join(doc["days"]), "day": doc.get("day"),
                    "last_recorded_at": doc.get("last_recorded_at")})
    return out


def expand(c: dict[str, Any]) -> dict[str, Any]:
    """Pure: the document (without profiles, marks and parking notes) a compact copy stands for."""
    out: dict[str, Any] = {"_id": c["_id"],
                           "months": {mm: unpack_month(row) for mm, row in orjson.loads(c["months"]).items()},
                           "slots": orjson.loads(c["slots"])}
    if "days" in c:
        out.update({"days": c["days"].split() if c["days"] else [], "day": c.get("day"),
                    "last_recorded_at": c.get("last_recorded_at")})
    return out
