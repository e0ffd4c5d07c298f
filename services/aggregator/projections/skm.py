"""SKM projection: unit × month buckets updated incrementally, exactly once.

Shaped for a store where only inserts and reads and writes by `_id` are cheap (FerretDB 1.24
scans the whole collection for every other filter, README "Store notes"):
- each response becomes an insert-only fact (`_id` = the response's subject) that records the
  Kafka position `(topic, partition, offset)` of the record that inserted it; a void becomes an
  insert-only `skm_voids` document the same way;
- a unit × month bucket (`_id` = "<unit>:<month>") holds small sums and, per partition, the next
  offset it has applied (`applied`); its identical-answer bursts, which grow with the responses,
  live in `skm_bursts` (skm_bursts.py), so the buckets the reports read stay small. Counts keyed
  by client values (respondent profile, bursts) are stored as lists of {value, count}
  (skm_codec.py): a service type such as "izin usaha (Perda No. 5)" is never a field name.
A record changes a bucket only if its offset is not yet applied there *and* it is the record that
inserted the fact (or void). So a redelivery after a crash (same offsets) is applied exactly
where it was missing, and a republished duplicate (same event, new offset) finds a fact inserted
by another record and changes nothing. Buckets of one unit have one writer: responses are keyed
by unit, so one consumer owns all of a unit's records.
Facts and voids also keep `recorded_at` (when the survey service stored them), and each is
copied, insert-only, into a small collection per day of recording (`skm_recorded_<YYYYMMDD>`,
UTC) before any bucket changes, so a report "as the data stood at as_of" reads only what was
recorded after it and takes it back out of the live buckets (services/aggregator/skm_asof.py)
without versioning the buckets or scanning all facts.
A record the consumer parks (its apply keeps failing, pantau/consumer.py) gets a note in
`skm_parked` (`_id` = its position) saying whether its bucket's sums and bursts already hold it;
later records move the offset marks past it, so from then on the note decides, and a record
applied after its note (a replay, or a redelivery once the cause is fixed) is listed in the
bucket's `late` (and the bursts' `late`) instead of moving a mark: applied once, whenever it comes.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone

from pymongo import ASCENDING, ReplaceOne

from pantau.consumer import Rejected
from pantau.envelope import Event
from pantau.events import skm as ev
from pantau.mongo import by_id, insert_ignoring_duplicates
from pantau.rules.ikm import ELEMENTS

from . import skm_bursts
from .skm_codec import bucket_from_store

SERVICE_HOURS = range(7, 17)  # 07:00–16:59 local; outside is an objectivity signal, not an error
PROFILE_FIELDS = ("sex", "education", "occupation", "channel", "service_type")
RECORDED_PREFIX = "skm_recorded_"
PARKED = "skm_parked"
# what `add` needs of a fact and where it belongs (also what the day-of-recording copies hold)
CONTRIBUTION_FIELDS = ("unit_id", "month", "answers", "local_hour", "submitted_at", *PROFILE_FIELDS)


def recorded_slot(t: datetime) -> str:
    """The collection that holds what was recorded on `t`'s day (UTC)."""
    return RECORDED_PREFIX + t.astimezone(timezone.utc).strftime("%Y%m%d")


def recorded_at(e: Event) -> datetime:
    """When the write service stored the event: a response's `recorded_at` (its envelope time is
    the respondent's submitted_at; events from before that field fall back to it), a void's time."""
    raw = e.data.get("recorded_at") if e.type == ev.RESPONSE_RECORDED else None
    return datetime.fromisoformat(raw) if raw else e.time


def fact_from(e: Event) -> dict:
    d = e.data
    resp = d.get("respondent") or {}
    return {"_id": e.subject, "unit_id": d["unit_id"], "response_id": d["response_id"],
            "month": d["period_month"], "submitted_at": d["submitted_at"], "local_hour": d["local_hour"],
            "answers": {k: int(d["answers"][k]) for k in ELEMENTS}, "channel": d.get("channel"),
            "service_type": d.get("service_type"), "sex": resp.get("sex"), "education": resp.get("education"),
            "occupation": resp.get("occupation"), "event_id": e.id, "position": list(e.position or ()),
            "recorded_at": recorded_at(e)}


def empty_bucket(unit_id: str, month: str) -> dict:
    return {"_id": f"{unit_id}:{month}", "unit_id": unit_id, "month": month, "respondents": 0,
            "sums": {k: 0 for k in ELEMENTS}, "sum_x": 0.0, "sum_x2": 0.0, "all4": 0, "out_of_hours": 0,
            "profile": {f: {} for f in PROFILE_FIELDS}, "bursts": {}, "largest_identical_burst": 0,
            "last_submitted_at": None, "applied": {}, "late": []}


def _burst_key(f: dict) -> str:
    # identical answer sets from one channel within the same 10 minutes (local clock text)
    sig = "".join(str(f["answers"][k]) for k in ELEMENTS)
    return f"{f.get('channel') or '-'}|{sig}|{f['submitted_at'][:15]}"


def add(bucket: dict, f: dict, sign: int) -> None:
    """Add (sign=1) or remove (sign=-1) one fact's contribution (pure)."""
    add_sums(bucket, f, sign)
    add_burst(bucket, f, sign)


def add_sums(bucket: dict, f: dict, sign: int) -> None:
    """Everything of `add` but the identical-answer bursts (stored apart, see skm_bursts.py)."""
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
    if sign > 0 and (bucket["last_submitted_at"] or "") < f["submitted_at"]:
        bucket["last_submitted_at"] = f["submitted_at"]


def add_burst(bucket: dict, f: dict, sign: int) -> None:
    """The fact's identical-answer burst count, and the bucket's largest burst."""
    key = _burst_key(f)
    bucket["bursts"][key] = bucket["bursts"].get(key, 0) + sign
    if bucket["bursts"][key] <= 0:
        del bucket["bursts"][key]
    bucket["largest_identical_burst"] = max(bucket["bursts"].values(), default=0)


def _partition_key(e: Event) -> str:
    # the projection reads one topic; document keys may not contain "." (topic names do)
    return f"p{e.position[1]}"


def position_key(position) -> str:
    """"topic:partition:offset" of a record position (the `_id` of its parked note)."""
    return ":".join(str(x) for x in position)


def holds(bucket: dict, position, notes: dict, mark: str = "applied") -> bool:
    """Does this bucket (in memory, with its bursts) hold the record at `position` in its sums
    (`mark` "applied") or in its bursts (`skm_bursts.MARKS`)? Offset marks, unless the record was
    parked: then its note and the bucket's `late` list."""
    if not position or len(position) < 3:
        return False
    note = notes.get(position_key(position))
    if note is not None:
        if mark == "applied":
            return bool(note["sums"]) or position_key(position) in bucket.get("late", ())
        return bool(note["bursts"]) or position_key(position) in bucket.get(skm_bursts.LATE, ())
    marks = bucket.get(mark, bucket.get("applied", {}))
    return position[2] < marks.get(f"p{position[1]}", 0)


class SkmProjection:
    def __init__(self, db):
        self.facts = db["skm_facts"]
        self.voids = db["skm_voids"]
        self.buckets = db["skm_buckets"]
        self.bursts = db[skm_bursts.COLLECTION]
        self.notes = db[PARKED]

    def ensure_indexes(self) -> None:
        self.buckets.create_index([("month", ASCENDING)], name="month")
        self.buckets.create_index([("unit_id", ASCENDING)], name="unit")

    def apply(self, events: list[Event]) -> dict[str, Rejected]:
        rejected: dict[str, Rejected] = {}
        recorded = [e for e in events if e.type == ev.RESPONSE_RECORDED]
        voids = [e for e in events if e.type == ev.RESPONSE_VOIDED]
        if not recorded and not voids:
            return rejected
        facts = {f["_id"]: f for f in (fact_from(e) for e in recorded)}
        owner = self._insert(self.facts, list(facts.values()))  # subject -> position that inserted it
        void_docs = [{"_id": e.subject, "unit_id": e.data.get("unit_id"), "event_id": e.id,
                      "position": list(e.position or ()), "recorded_at": recorded_at(e)} for e in voids]
        void_owner = self._insert(self.voids, void_docs)
        # the fact a void takes out may have been recorded in an earlier batch
        facts.update(by_id(self.facts, [e.subject for e in voids if e.subject not in facts]))
        self._log_recorded(recorded, voids, facts, owner, void_owner)  # before any bucket changes
        changes: dict[str, list[tuple[int, Event, dict]]] = defaultdict(list)
        for e in events:
            if e.type == ev.RESPONSE_RECORDED and owner.get(e.subject) == list(e.position):
                f = facts[e.subject]
                changes[f"{f['unit_id']}:{f['month']}"].append((+1, e, f))
            elif e.type == ev.RESPONSE_VOIDED:
                f = facts.get(e.subject)
                if f is None:
                    rejected[e.id] = Rejected("unknown_subject", f"void of unrecorded response {e.subject}")
                elif void_owner.get(e.subject) == list(e.position):
                    changes[f"{f['unit_id']}:{f['month']}"].append((-1, e, f))
        ids = list(changes)
        if not ids:
            return rejected
        found = by_id(self.buckets, ids)
        current = skm_bursts.attach({i: bucket_from_store(found[i]) if i in found else empty_bucket(*i.rsplit(":", 1))
                                     for i in ids},
                                    by_id(self.bursts, ids))
        notes = by_id(self.notes, [position_key(e.position) for items in changes.values() for _, e, _ in items])
        changed = [b for bucket_id, items in changes.items()
                   if (b := self._apply_bucket(items, current[bucket_id], notes)) is not None]
        if changed:  # bursts first: a bucket document never exists without its bursts document
            forms = [skm_bursts.stored_forms(b) for b in changed]
            self.bursts.bulk_write([ReplaceOne({"_id": bd["_id"]}, bd, upsert=True) for _, bd in forms], ordered=False)
            self.buckets.bulk_write([ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d, _ in forms], ordered=False)
        return rejected

    def _log_recorded(self, recorded: list[Event], voids: list[Event], facts: dict, owner: dict,
                      void_owner: dict) -> None:
        """Copy each fact and void, with the position of the record that inserted it, into the
        collection of its day of recording (insert-only; a copy that exists already is kept)."""
        by_slot: dict[str, dict[str, dict]] = defaultdict(dict)
        for kind, evs, owners in (("fact", recorded, owner), ("void", voids, void_owner)):
            for e in evs:
                f = facts.get(e.subject)
                if f is None or owners.get(e.subject) is None:
                    continue  # a void of an unrecorded response is rejected
                at = recorded_at(e)
                doc = {k: f.get(k) for k in CONTRIBUTION_FIELDS}
                by_slot[recorded_slot(at)][f"{kind}:{e.subject}"] = {
                    **doc, "_id": f"{kind}:{e.subject}", "kind": kind, "position": owners[e.subject],
                    "recorded_at": at}
        for slot, docs in by_slot.items():
            insert_ignoring_duplicates(self.facts.database[slot], list(docs.values()))

    @staticmethod
    def _insert(col, docs: list[dict]) -> dict[str, list]:
        """Insert docs, ignoring ones that exist; returns {_id: position of the inserting record}."""
        dup = insert_ignoring_duplicates(col, docs)
        owner = {d["_id"]: d["position"] for d in docs if d["_id"] not in dup}
        existing = by_id(col, list(dup))  # rare: a redelivery or a republished duplicate
        for _id in dup:
            owner[_id] = existing[_id].get("position") if _id in existing else None
        return owner

    @staticmethod
    def _apply_bucket(items: list[tuple[int, Event, dict]], bucket: dict, notes: dict | None = None) -> dict | None:
        """The bucket (in memory, with its bursts) after these changes; None when it already has
        them all. Sums and bursts each have their own applied marks (their documents are
        written one after the other, so a crash between the two leaves them apart)."""
        applied, bursts_applied = bucket["applied"], bucket[skm_bursts.MARKS]
        notes = notes or {}
        changed = False
        for sign, e, f in items:
            pk, offset, key = _partition_key(e), e.position[2], position_key(e.position)
            if key in notes:  # parked once: applied at most once, listed as late
                if not holds(bucket, e.position, notes):
                    add_sums(bucket, f, sign)
                    bucket.setdefault("late", []).append(key)
                    changed = True
                if not holds(bucket, e.position, notes, skm_bursts.MARKS):
                    add_burst(bucket, f, sign)
                    bucket.setdefault(skm_bursts.LATE, []).append(key)
                    changed = True
                continue
            if offset >= applied.get(pk, 0):  # else: this bucket already has it (a redelivery)
                add_sums(bucket, f, sign)
                applied[pk] = offset + 1
                changed = True
            if offset >= bursts_applied.get(pk, 0):
                add_burst(bucket, f, sign)
                bursts_applied[pk] = offset + 1
                changed = True
        return bucket if changed else None

    def parked(self, e: Event) -> None:
        """Note, before the partition moves on, whether the bucket already holds this record
        (insert-only: the first note stands; a redelivery after a crash must not change it)."""
        if e.type not in (ev.RESPONSE_RECORDED, ev.RESPONSE_VOIDED) or not e.position:
            return
        if e.type == ev.RESPONSE_RECORDED:
            bucket_id = f"{e.data.get('unit_id')}:{e.data.get('period_month')}"
        else:
            fact = self.facts.find_one({"_id": e.subject}, {"unit_id": 1, "month": 1})
            bucket_id = f"{fact['unit_id']}:{fact['month']}" if fact else None
        bucket = skm_bursts.attach({bucket_id: by_id(self.buckets, [bucket_id]).get(bucket_id) or {}},
                                   by_id(self.bursts, [bucket_id]))[bucket_id] if bucket_id else {}
        note = {"_id": position_key(e.position), "bucket": bucket_id, "event_id": e.id, "type": e.type,
                "sums": holds(bucket, e.position, {}), "bursts": holds(bucket, e.position, {}, skm_bursts.MARKS)}
        insert_ignoring_duplicates(self.notes, [note])
