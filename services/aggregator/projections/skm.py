"""SKM projection: responses and voids into each unit's year documents, exactly once.

- Each response becomes an insert-only fact (`skm_facts`, `_id` = the response's subject) that
  records the Kafka position of the record that inserted it; a void becomes an insert-only
  `skm_voids` document the same way. A record changes the tallies only if it is the one that
  inserted its fact (or void): a republished duplicate (same event, new offset) finds the fact
  inserted by another record and changes nothing; a redelivery (same offset) is applied exactly
  where it was missing (the documents' offset marks, skm_history.py).
- The tallies live in one document per unit × year with its history (skm_history.py), so a
  report reads one small document per unit and year, and "as it stood at as_of" a few more.
- A unit's records are keyed by unit, so one consumer owns a unit's partition and is the single
  writer of its documents.

Round trips per batch, whatever its size: facts and voids inserted; then per part of the batch
(at most DAYS_PER_PART recording days of each unit year, `in_parts`; one part when the batch was
recorded within a few days) the year documents, their bursts (only those no earlier part wrote),
the parked notes and the slots read by `_id $in` (the snapshots too when a response was recorded before the live day); slots, bursts,
the compact copies (skm_compact.py), snapshots and year documents written in one bulk each
(tests/integration/test_store_round_trips.py).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from pymongo import ASCENDING, ReplaceOne

from pantau.config import settings
from pantau.consumer import Rejected
from pantau.envelope import Event
from pantau.events import skm as ev
from pantau.mongo import by_id, insert_ignoring_duplicates
from pantau.rules.ikm import ELEMENTS
from pantau.rules.skm_tally import PROFILE_FIELDS

from . import skm_compact
from . import skm_history as hist

UNITS = "skm_units"  # the live year documents
DAYS = "skm_unit_days"  # their snapshots, one per recorded day
SLOTS = "skm_unit_slots"  # every change per ten-minute slot of recording
BURSTS = "skm_bursts"
PARKED = "skm_parked"  # notes of parked records (`_id` = their position)
CONTRIBUTION_FIELDS = ("answers", "local_hour", "submitted_at", *PROFILE_FIELDS)
DAYS_PER_PART = 4  # recording days of a unit year applied and written together (in_parts)


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


def change_of(e: Event, fact: dict) -> hist.Change:
    sign, kind = (1, "fact") if e.type == ev.RESPONSE_RECORDED else (-1, "void")
    return hist.Change(sign, f"{kind}:{e.subject}", tuple(e.position or ()), recorded_at(e), fact["month"],
                       {k: fact.get(k) for k in CONTRIBUTION_FIELDS})


def year_of(fact: dict) -> str:
    return hist.unit_year_id(fact["unit_id"], fact["month"][:4])


class SkmProjection:
    def __init__(self, db, tz: str | None = None):
        self.db = db
        self.facts = db["skm_facts"]
        self.voids = db["skm_voids"]
        self.units = db[UNITS]
        self.days = db[DAYS]
        self.slots = db[SLOTS]
        self.bursts = db[BURSTS]
        self.notes = db[PARKED]
        self.tz = tz or settings().tz

    def ensure_indexes(self) -> None:
        self.units.create_index([("year", ASCENDING)], name="year")

    # ---- apply ----------------------------------------------------------------------------

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
        changes: dict[str, list[hist.Change]] = defaultdict(list)
        for e in events:
            f: dict | None
            if e.type == ev.RESPONSE_RECORDED and owner.get(e.subject) == list(e.position or ()):
                f = facts[e.subject]
                changes[year_of(f)].append(change_of(e, f))
            elif e.type == ev.RESPONSE_VOIDED:
                f = facts.get(e.subject)
                if f is None:
                    rejected[e.id] = Rejected("unknown_subject", f"void of unrecorded response {e.subject}")
                elif void_owner.get(e.subject) == list(e.position or ()):
                    changes[year_of(f)].append(change_of(e, f))
        known: dict[str, hist.UnitYear] = {}  # year documents as the previous part wrote them
        for part in in_parts(changes, self.tz):
            years = self._load(part, known)
            notes = by_id(self.notes, [ch.pos_key for chs in part.values() for ch in chs])
            for uy_id, chs in part.items():
                for ch in chs:
                    hist.apply_change(years[uy_id], ch, ch.pos_key in notes, self.tz)
                hist.refresh_bursts(years[uy_id])
            self._write(years.values())
            known.update(years)
        return rejected

    def _load(self, changes: dict[str, list[hist.Change]],
              known: dict[str, hist.UnitYear] | None = None) -> dict[str, hist.UnitYear]:
        return load_years(changes, self.tz, lambda name, ids: by_id(self.db[name], ids), known)

    def _write(self, years) -> None:
        for name, docs in writes(years):
            self.db[name].bulk_write([ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in docs], ordered=False)

    @staticmethod
    def _insert(col, docs: list[dict]) -> dict[str, list]:
        """Insert docs, ignoring ones that exist; returns {_id: position of the inserting record}."""
        dup = insert_ignoring_duplicates(col, docs)
        owner = {d["_id"]: d["position"] for d in docs if d["_id"] not in dup}
        existing = by_id(col, list(dup))  # rare: a redelivery or a republished duplicate
        for _id in dup:
            owner[_id] = existing[_id].get("position") if _id in existing else None
        return owner

    # ---- parking --------------------------------------------------------------------------

    def parked(self, e: Event) -> None:
        """The consumer parks this record: take its change out of every document that holds it
        and note it (the note is written last: a crash before it parks the record again)."""
        if e.type not in (ev.RESPONSE_RECORDED, ev.RESPONSE_VOIDED) or not e.position:
            return
        if e.type == ev.RESPONSE_RECORDED:
            fact = fact_from(e)
        else:
            fact = self.facts.find_one({"_id": e.subject})
        if fact is not None:
            ch = change_of(e, fact)
            uy = self._load({year_of(fact): [ch]})[year_of(fact)]  # with every snapshot from its day on
            hist.park_change(uy, ch, self.tz)
            self._write([uy])
        insert_ignoring_duplicates(self.notes, [{"_id": ":".join(map(str, e.position)), "event_id": e.id,
                                                 "type": e.type}])


def in_parts(changes: dict[str, list[hist.Change]], tz: str,
             days: int = DAYS_PER_PART) -> list[dict[str, list[hist.Change]]]:
    """The batch's changes in parts that each span at most `days` recording days of a unit year,
    applied and written one after the other. Each new recording day closes a snapshot, a copy of
    the whole year document, and a batch's documents stay in memory until written: a batch of
    records spanning a month of recording (a replay, paper forms entered late) made a copy per day
    and unit (bench/README.md, "Memory"). A unit year's changes stay in their order (its offset
    marks need it), cut into consecutive runs; part i holds run i of every unit year. A crash
    between parts is a crash between writes: the redelivery applies what the documents lack."""
    runs: dict[str, list[list[hist.Change]]] = {}
    for uy_id, chs in changes.items():
        mine: list[list[hist.Change]] = []
        seen: set[str] = set()
        for ch in chs:
            day = hist.day_of(ch.recorded_at, tz)
            if not mine or (day not in seen and len(seen) == days):
                mine.append([])
                seen = set()
            seen.add(day)
            mine[-1].append(ch)
        runs[uy_id] = mine
    n = max((len(r) for r in runs.values()), default=0)
    return [{uy_id: r[i] for uy_id, r in runs.items() if i < len(r)} for i in range(n)]


def writes(years) -> list[tuple[str, list[dict]]]:
    """The changed documents per collection, in the order they are written: slots first, then
    bursts, the compact copies of the snapshots and year documents (skm_compact.py), the
    snapshots and the year documents; each holds its own marks (a compact copy is derived from
    the document written after it), so a crash between two writes is made good by the
    redelivery."""
    slots, bursts, snaps, lives = [], [], [], []
    for uy in years:
        slots += [d for i, d in uy.slots.items() if i in uy.changed]
        if "bursts" in uy.changed:
            bursts.append(uy.bursts)
        snaps += [d for d in uy.snapshots.values() if d["_id"] in uy.changed]
        if uy.live["_id"] in uy.changed:
            lives.append(uy.live)
    compact = [skm_compact.compact_of(d) for d in (*snaps, *lives)]
    return [(name, docs) for name, docs in ((SLOTS, slots), (BURSTS, bursts), (skm_compact.COLLECTION, compact),
                                            (DAYS, snaps), (UNITS, lives)) if docs]


def load_years(changes: dict[str, list[hist.Change]], tz: str, fetch,
               known: dict[str, hist.UnitYear] | None = None) -> dict[str, hist.UnitYear]:
    """The year documents these changes touch, with what they need: bursts, the snapshots a
    change recorded before the live day must reach, and the slots the changes go into (pure but
    for `fetch(name, ids)` -> {_id: document}: three or four calls). The live documents and bursts
    in `known` (written by an earlier part of the batch, so as stored) are taken, not read again."""
    known = known or {}
    ids = list(changes)
    missing = [i for i in ids if i not in known]
    live = fetch(UNITS, missing) if missing else {}
    bursts = fetch(BURSTS, missing) if missing else {}
    years = {}
    for uy_id in ids:
        unit_id, year = uy_id.rsplit(":", 1)
        if uy_id in known:
            years[uy_id] = hist.UnitYear(known[uy_id].live, known[uy_id].bursts)
            continue
        years[uy_id] = hist.UnitYear(live.get(uy_id) or hist.new_live(unit_id, year),
                                     bursts.get(uy_id) or hist.new_bursts(uy_id))
    want = {hist.snapshot_id(uy_id, d): uy_id for uy_id, chs in changes.items()
            for d in _snapshots_needed(years[uy_id], [hist.day_of(ch.recorded_at, tz) for ch in chs])}
    for d in (fetch(DAYS, list(want)) if want else {}).values():
        years[want[d["_id"]]].snapshots[d["day"]] = d
    slot_ids = {sid: uy_id for uy_id, chs in changes.items() for ch in chs
                for sid in hist.slot_ids(years[uy_id], ch, tz)}
    for s in fetch(SLOTS, list(slot_ids)).values():
        years[slot_ids[s["_id"]]].slots[s["_id"]] = s
    return years


def _snapshots_needed(uy: hist.UnitYear, days: list[str]) -> list[str]:
    """Stored snapshot days that changes recorded on `days` may reach: none when every change
    is of the live day or later; else every snapshot from the earliest such day on, and the
    one before it (the base of a snapshot that a late change creates)."""
    live_day = uy.live.get("day")
    late = [d for d in days if live_day is not None and d < live_day]
    if not late:
        return []
    first = min(late)
    stored = uy.live["days"][:-1]
    earlier = [d for d in stored if d < first]
    return [d for d in stored if d >= first] + earlier[-1:]
