"""SKM projection: unit × month buckets updated incrementally, idempotent by membership.

Exactly-once effect without transactions (design.md §5), shaped for a store where only `_id`
lookups are cheap (FerretDB 1.24 scans the collection for every other filter):
- each response becomes an insert-only fact (`_id` = the response's subject), kept for voids,
  audits and the naive recompute;
- its unit × month bucket (`_id` = "<unit>:<month>") holds the sums *and the ids it counts*
  (`members`, and `voided` for those taken out again). An event whose id is already a member
  (a redelivery, a republish by the relay, a replay) changes nothing, so a crash between any
  two writes is repaired by simply applying the batch again.
Buckets of one unit are written only by the consumer that owns the unit's partition (events are
keyed by unit), so a read-modify-write of a bucket has a single writer.
"""
from __future__ import annotations

from collections import defaultdict

from pymongo import ASCENDING
from pymongo.errors import BulkWriteError

from pantau.consumer import Rejected
from pantau.envelope import Event
from pantau.events import skm as ev
from pantau.rules.ikm import ELEMENTS

SERVICE_HOURS = range(7, 17)  # 07:00–16:59 local; outside is an objectivity signal, not an error
PROFILE_FIELDS = ("sex", "education", "occupation", "channel", "service_type")


def fact_from(e: Event) -> dict:
    d = e.data
    answers = {k: int(d["answers"][k]) for k in ELEMENTS}
    resp = d.get("respondent") or {}
    return {"_id": e.subject, "unit_id": d["unit_id"], "response_id": d["response_id"],
            "month": d["period_month"], "submitted_at": d["submitted_at"], "local_hour": d["local_hour"],
            "answers": answers, "channel": d.get("channel"), "service_type": d.get("service_type"),
            "sex": resp.get("sex"), "education": resp.get("education"), "occupation": resp.get("occupation"),
            "event_id": e.id}


def empty_bucket(unit_id: str, month: str) -> dict:
    return {"_id": f"{unit_id}:{month}", "unit_id": unit_id, "month": month, "respondents": 0,
            "sums": {k: 0 for k in ELEMENTS}, "sum_x": 0.0, "sum_x2": 0.0, "all4": 0, "out_of_hours": 0,
            "profile": {f: {} for f in PROFILE_FIELDS}, "bursts": {}, "largest_identical_burst": 0,
            "last_submitted_at": None, "members": [], "voided": []}


def _burst_key(f: dict) -> str:
    # identical answer sets from one channel within the same 10 minutes (local clock text)
    sig = "".join(str(f["answers"][k]) for k in ELEMENTS)
    return f"{f.get('channel') or '-'}|{sig}|{f['submitted_at'][:15]}"


def add(bucket: dict, f: dict, sign: int) -> None:
    """Add (sign=1) or remove (sign=-1) one fact's contribution (pure)."""
    total = 0
    for k in ELEMENTS:
        bucket["sums"][k] += sign * f["answers"][k]
        total += f["answers"][k]
    x = total / 9
    bucket["respondents"] += sign
    bucket["sum_x"] += sign * x
    bucket["sum_x2"] += sign * x * x
    bucket["all4"] += sign * (total == 36)
    bucket["out_of_hours"] += sign * (f["local_hour"] not in SERVICE_HOURS)
    for field in PROFILE_FIELDS:
        value = f.get(field) or "tidak_diisi"
        counts = bucket["profile"].setdefault(field, {})
        counts[value] = counts.get(value, 0) + sign
        if counts[value] == 0:
            del counts[value]
    key = _burst_key(f)
    bucket["bursts"][key] = bucket["bursts"].get(key, 0) + sign
    if bucket["bursts"][key] <= 0:
        del bucket["bursts"][key]
    bucket["largest_identical_burst"] = max(bucket["bursts"].values(), default=0)
    if sign > 0 and (bucket["last_submitted_at"] or "") < f["submitted_at"]:
        bucket["last_submitted_at"] = f["submitted_at"]


class SkmProjection:
    def __init__(self, db):
        self.facts = db["skm_facts"]
        self.buckets = db["skm_buckets"]

    def ensure_indexes(self) -> None:
        self.buckets.create_index([("month", ASCENDING)], name="month")
        self.buckets.create_index([("unit_id", ASCENDING)], name="unit")

    def apply(self, events: list[Event]) -> dict[str, Rejected]:
        rejected: dict[str, Rejected] = {}
        recorded = [fact_from(e) for e in events if e.type == ev.RESPONSE_RECORDED]
        voids = [e for e in events if e.type == ev.RESPONSE_VOIDED]
        if recorded:
            self._insert_facts(recorded)
        facts = {f["_id"]: f for f in recorded}
        missing = [e.subject for e in voids if e.subject not in facts]
        for sid in missing:
            doc = self.facts.find_one({"_id": sid})
            if doc is not None:
                facts[sid] = doc
        # group the changes per bucket, in event order
        changes: dict[str, list[tuple[str, dict]]] = defaultdict(list)
        for e in events:
            if e.type == ev.RESPONSE_RECORDED:
                f = facts[e.subject]
                changes[f"{f['unit_id']}:{f['month']}"].append(("add", f))
            elif e.type == ev.RESPONSE_VOIDED:
                f = facts.get(e.subject)
                if f is None:
                    rejected[e.id] = Rejected("unknown_subject", f"void of unrecorded response {e.subject}")
                    continue
                changes[f"{f['unit_id']}:{f['month']}"].append(("void", f))
        for bucket_id, ops in changes.items():
            self._apply_bucket(bucket_id, ops)
        return rejected

    def _insert_facts(self, facts: list[dict]) -> None:
        try:
            self.facts.insert_many(facts, ordered=False)
        except BulkWriteError as exc:
            if any(err.get("code") != 11000 for err in exc.details.get("writeErrors", [])):
                raise

    def _apply_bucket(self, bucket_id: str, ops: list[tuple[str, dict]]) -> None:
        current = self.buckets.find_one({"_id": bucket_id})
        unit_id, month = bucket_id.rsplit(":", 1)
        bucket = current or empty_bucket(unit_id, month)
        members, voided = set(bucket["members"]), set(bucket["voided"])
        changed = False
        for kind, f in ops:
            sid = f["_id"]
            if kind == "add" and sid not in members:
                members.add(sid)
                add(bucket, f, +1)
                changed = True
            elif kind == "void" and sid in members and sid not in voided:
                voided.add(sid)
                add(bucket, f, -1)
                changed = True
        if not changed:
            return  # a redelivery: everything here is already counted
        bucket["members"], bucket["voided"] = sorted(members), sorted(voided)
        self.buckets.replace_one({"_id": bucket_id}, bucket, upsert=True)
