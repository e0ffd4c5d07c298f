"""SKM projection: responses as insert-only facts, then unit × month buckets recomputed from them.

Exactly-once effect without transactions (design.md §5): a fact's `_id` is the response's
subject, so a redelivered or republished event inserts nothing; a void sets a flag on its fact.
Every bucket touched by a batch is then recomputed from its facts, so a bucket is a pure function
of its facts and replays cannot double count. The fold runs in Python: FerretDB 1.24's `$group`
computes only the first accumulator of a stage (every further `$sum` comes back 0).
"""
from __future__ import annotations

from collections import Counter, defaultdict

from pymongo import ASCENDING, UpdateOne
from pymongo.errors import BulkWriteError

from pantau import mongo
from pantau.consumer import Rejected
from pantau.envelope import Event
from pantau.events import skm as ev
from pantau.rules.ikm import ELEMENTS

SERVICE_HOURS = range(7, 17)  # 07:00–16:59 local; outside is an objectivity signal, not an error
PROFILE_FIELDS = ("sex", "education", "occupation")


def fact_from(e: Event) -> dict:
    d = e.data
    answers = {k: int(d["answers"][k]) for k in ELEMENTS}
    total = sum(answers.values())
    resp = d.get("respondent") or {}
    return {"_id": e.subject, "unit_id": d["unit_id"], "response_id": d["response_id"],
            "month": d["period_month"], "submitted_at": d["submitted_at"], "local_hour": d["local_hour"],
            "answers": answers, "total": total, "all4": total == 36,
            "signature": "".join(str(answers[k]) for k in ELEMENTS), "channel": d.get("channel"),
            "service_type": d.get("service_type"), "sex": resp.get("sex"), "education": resp.get("education"),
            "occupation": resp.get("occupation"), "voided": False, "event_id": e.id}


class SkmProjection:
    def __init__(self, db):
        self.facts = db["skm_facts"]
        self.buckets = db["skm_buckets"]

    def ensure_indexes(self) -> None:
        self.facts.create_index([("unit_id", ASCENDING), ("month", ASCENDING)], name="unit_month")
        self.buckets.create_index([("month", ASCENDING)], name="month")
        self.buckets.create_index([("unit_id", ASCENDING)], name="unit")

    def apply(self, events: list[Event]) -> dict[str, Rejected]:
        rejected: dict[str, Rejected] = {}
        touched: set[tuple[str, str]] = set()
        facts = [fact_from(e) for e in events if e.type == ev.RESPONSE_RECORDED]
        if facts:
            try:
                self.facts.insert_many(facts, ordered=False)
            except BulkWriteError as exc:
                if any(err.get("code") != 11000 for err in exc.details.get("writeErrors", [])):
                    raise
            touched.update((f["unit_id"], f["month"]) for f in facts)
        voids = [e for e in events if e.type == ev.RESPONSE_VOIDED]
        if voids:
            known = {d["_id"]: d for d in self.facts.find({"_id": {"$in": [e.subject for e in voids]}},
                                                          projection={"unit_id": 1, "month": 1})}
            ops = []
            for e in voids:
                fact = known.get(e.subject)
                if fact is None:
                    rejected[e.id] = Rejected("unknown_subject", f"void of unrecorded response {e.subject}")
                    continue
                ops.append(UpdateOne({"_id": e.subject}, {"$set": {"voided": True, "void_reason": e.data["reason"]}}))
                touched.add((fact["unit_id"], fact["month"]))
            mongo.bulk_write_chunked(self.facts, ops)
        for unit_id, month in sorted(touched):
            self.recompute(unit_id, month)
        return rejected

    def recompute(self, unit_id: str, month: str) -> None:
        proj = {"answers": 1, "total": 1, "all4": 1, "local_hour": 1, "channel": 1, "signature": 1,
                "submitted_at": 1, "service_type": 1, **{f: 1 for f in PROFILE_FIELDS}}
        rows = list(self.facts.find({"unit_id": unit_id, "month": month, "voided": False}, projection=proj))
        self.buckets.replace_one({"_id": f"{unit_id}:{month}"}, bucket(unit_id, month, rows), upsert=True)


def bucket(unit_id: str, month: str, rows: list[dict]) -> dict:
    """Fold the live facts of one unit × month into the bucket document (pure)."""
    sums = {k: 0 for k in ELEMENTS}
    sum_x = sum_x2 = 0.0
    profile: dict[str, Counter] = defaultdict(Counter)
    sig_by_channel: Counter = Counter()
    all4 = out_of_hours = 0
    last = None
    for r in rows:
        for k in ELEMENTS:
            sums[k] += r["answers"][k]
        x = r["total"] / 9
        sum_x += x
        sum_x2 += x * x
        all4 += 1 if r["all4"] else 0
        out_of_hours += 0 if r["local_hour"] in SERVICE_HOURS else 1
        for f in PROFILE_FIELDS:
            profile[f][r.get(f) or "tidak_diisi"] += 1
        profile["channel"][r.get("channel") or "tidak_diisi"] += 1
        profile["service_type"][r.get("service_type") or "tidak_diisi"] += 1
        sig_by_channel[(r.get("channel") or "-", r["signature"], r["submitted_at"][:15])] += 1
        last = max(last or r["submitted_at"], r["submitted_at"])
    # the largest group of identical answer sets from one channel within the same 10 minutes
    burst = max(sig_by_channel.values()) if sig_by_channel else 0
    return {"_id": f"{unit_id}:{month}", "unit_id": unit_id, "month": month, "respondents": len(rows),
            "sums": sums, "sum_x": sum_x, "sum_x2": sum_x2, "all4": all4, "out_of_hours": out_of_hours,
            "largest_identical_burst": burst, "last_submitted_at": last,
            "profile": {f: dict(c) for f, c in profile.items()}}

