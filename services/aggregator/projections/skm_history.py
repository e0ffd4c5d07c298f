"""A unit's SKM year and its history, as documents (pure: no store, no clock).

For each unit × year (the year of `submitted_at`) the projection keeps:
- the **live** document (`skm_units`, `_id` "<unit>:<year>"): a tally per month (rules.skm_tally
  stored form), the Kafka offset marks per partition it has applied, and `days`, the local days
  (province time) on which responses or voids of that year were *recorded* (by the survey
  service), the last of which is `day`;
- a **snapshot** per recorded day but the last (`skm_unit_days`, "<unit>:<year>:<YYYYMMDD>"): the
  document as it stood at the end of that day, i.e. holding exactly what was recorded by then.
  A response recorded late (after a later day's) is added to its day's snapshot, created if
  missing, and to every later one;
- the **slots** (`skm_unit_slots`, "<unit>:<year>:<YYYYMMDDHHm>:<chunk>"): every change of a
  ten-minute slot of recording, with its exact recording time, up to CHUNK per document; the
  day's snapshot (or the live document for the live day) counts them per slot.

So "the figures as they stood at `as_of`" read the live document, at most two snapshots and the
slots of one day on the cheaper side of `as_of` (skm_read.py: `state_at`), whatever was recorded
before or since. Offset marks make every document apply each record once under redelivery; a
record the consumer parks (pantau/consumer.py) is taken out of every document that held it, and
listed in each document's `parked` with whether it holds it now, so that its replay (or its
redelivery once the cause is fixed) is applied exactly once wherever it belongs.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import orjson

from pantau.rules.ikm import ELEMENTS
from pantau.rules.skm_tally import counts_from_store, month_doc_add, month_doc_new

CHUNK = 2000  # changes per slot document (a 5,000-response batch in one slot spans three)


@dataclass(frozen=True)
class Change:
    """One response (+1) or void (-1) to apply: where its record stood, when it was recorded,
    which month it counts in, and what it contributes."""
    sign: int
    key: str  # "fact:<subject>" or "void:<subject>"
    position: tuple  # (topic, partition, offset) of the record (a replay: its original's)
    recorded_at: datetime
    month: str  # YYYY-MM
    contribution: dict  # answers, local_hour, submitted_at, channel, profile fields

    @property
    def pos_key(self) -> str:
        return ":".join(str(x) for x in self.position)

    @property
    def partition_key(self) -> str:
        return f"p{self.position[1]}"

    @property
    def offset(self) -> int:
        return int(self.position[2])


def local(t: datetime, tz: str) -> datetime:
    return t.astimezone(ZoneInfo(tz))


def day_of(t: datetime, tz: str) -> str:
    return local(t, tz).strftime("%Y%m%d")


def slot_of(t: datetime, tz: str) -> str:
    """The ten-minute slot of recording: YYYYMMDDHH + the tens of minutes."""
    lt = local(t, tz)
    return lt.strftime("%Y%m%d%H") + str(lt.minute // 10)


def unit_year_id(unit_id: str, year: str | int) -> str:
    return f"{unit_id}:{year}"


def snapshot_id(uy_id: str, day: str) -> str:
    return f"{uy_id}:{day}"


def slot_id(uy_id: str, slot: str, chunk: int) -> str:
    return f"{uy_id}:{slot}:{chunk}"


def new_live(unit_id: str, year: str) -> dict:
    return {"_id": unit_year_id(unit_id, year), "unit_id": unit_id, "year": int(year), "months": {}, "applied": {},
            "parked": [], "days": [], "day": None, "slots": {}, "last_recorded_at": None}


def new_bursts(uy_id: str) -> dict:
    return {"_id": uy_id, "months": {}, "applied": {}, "parked": []}


def burst_key(c: dict) -> str:
    # identical answer sets from one channel within the same 10 minutes (local clock text)
    sig = "".join(str(c["answers"][k]) for k in ELEMENTS)
    return f"{c.get('channel') or '-'}|{sig}|{c['submitted_at'][:15]}"


# ---- applying one change to one document, guarded -----------------------------------------

def _entry(doc: dict, pos_key: str) -> dict | None:
    for e in doc.get("parked", ()):
        if e["pos"] == pos_key:
            return e
    return None


def holds(doc: dict, ch: Change, noted: bool) -> bool:
    """Does the document hold this change? Offset marks; for a parked record, its entry."""
    if noted:
        e = _entry(doc, ch.pos_key)
        return bool(e and e["held"])
    return ch.offset < doc.get("applied", {}).get(ch.partition_key, 0)


def _mark(doc: dict, ch: Change, noted: bool, held: bool) -> None:
    if noted:
        e = _entry(doc, ch.pos_key)
        if e is None:
            doc.setdefault("parked", []).append({"pos": ch.pos_key, "held": held})
        else:
            e["held"] = held
    elif held:
        doc["applied"][ch.partition_key] = ch.offset + 1


def _add_month(doc: dict, ch: Change, sign: int) -> None:
    month = doc["months"].setdefault(ch.month[5:7], month_doc_new())
    month_doc_add(month, ch.contribution, sign)


def burst_counts(stored) -> dict[str, int]:
    """A bursts document's month as {burst key: count}: packed (one JSON string, as written now),
    or the list of {value, count} (or mapping) that older code wrote."""
    return orjson.loads(stored) if isinstance(stored, str) else counts_from_store(stored)


def pack_bursts(doc: dict) -> None:
    """Every month of a bursts document in its stored form: one JSON string of {key: count}. A
    month holds an entry per distinct answer set and ten minutes (about one per response), so
    as BSON lists of {value, count} a unit year's document grew to ≈ 200 KB and several thousand
    values, and to ≈ 7× that as Python objects, loaded for every unit a batch touches."""
    doc["months"] = {m: v if isinstance(v, str) else orjson.dumps(burst_counts(v)).decode()
                     for m, v in doc["months"].items()}


def _add_burst(doc: dict, ch: Change, sign: int) -> None:
    # the month stays unpacked ({key: count}) until pack_bursts, once per part
    m = ch.month[5:7]
    counts = doc["months"].get(m)
    if not isinstance(counts, dict):
        counts = doc["months"][m] = burst_counts(counts)
    k = burst_key(ch.contribution)
    counts[k] = counts.get(k, 0) + sign
    if counts[k] <= 0:
        del counts[k]


def apply_to(doc: dict, ch: Change, noted: bool, add=_add_month) -> bool:
    """Apply the change to the document unless it holds it already; True if it changed."""
    if holds(doc, ch, noted):
        return False
    add(doc, ch, ch.sign)
    _mark(doc, ch, noted, True)
    return True


def take_out(doc: dict, ch: Change, add=_add_month) -> bool:
    """Parking: take the change out if the document holds it; afterwards it is listed as not
    held (the record's note makes the entry, not the offset marks, decide from then on)."""
    held = holds(doc, ch, _entry(doc, ch.pos_key) is not None)
    if held:
        add(doc, ch, -ch.sign)
    _mark(doc, ch, True, False)
    return True


# ---- a unit year in a batch: live, snapshots, slots, bursts ---------------------------------

@dataclass
class UnitYear:
    """The documents of one unit year that a batch reads and changes (in memory)."""
    live: dict
    bursts: dict
    snapshots: dict = field(default_factory=dict)  # day -> document (loaded or created)
    slots: dict = field(default_factory=dict)  # slot id -> document (loaded or created)
    changed: set = field(default_factory=set)  # ids of changed documents

    def snapshot_days_needed(self, day: str) -> list[str]:
        """The stored snapshots a change recorded on `day` (before the live day) must reach."""
        days = self.live["days"]
        later = [d for d in days[:-1] if d >= day]
        earlier = [d for d in days[:-1] if d < day]
        return later + ([earlier[-1]] if earlier and day not in days else [])


def slot_ids(uy: UnitYear, ch: Change, tz: str) -> list[str]:
    """The slot documents a change may be in: every chunk counted so far and two more (a crash
    between a slot's write and its count's may leave the count short)."""
    s = slot_of(ch.recorded_at, tz)
    n = _slot_counts(uy, day_of(ch.recorded_at, tz)).get(s[8:], 0)
    return [slot_id(uy.live["_id"], s, c) for c in range(n // CHUNK + 2)]


def _slot_counts(uy: UnitYear, day: str) -> dict:
    if day == uy.live.get("day"):
        return uy.live.setdefault("slots", {})
    snap = uy.snapshots.get(day)
    return snap.setdefault("slots", {}) if snap is not None else {}


def _put_in_slot(uy: UnitYear, ch: Change, tz: str) -> None:
    """Record the change in its slot (once: a slot's documents list each change by key)."""
    s = slot_of(ch.recorded_at, tz)
    mine = sorted((d for d in uy.slots.values() if d["slot"] == s), key=lambda d: d["_id"])
    counts = _slot_counts(uy, day_of(ch.recorded_at, tz))
    if not any(i["k"] == ch.key for d in mine for i in d["items"]):
        last = mine[-1] if mine and len(mine[-1]["items"]) < CHUNK else None
        if last is None:
            sid = slot_id(uy.live["_id"], s, len(mine))
            last = uy.slots[sid] = {"_id": sid, "unit_year": uy.live["_id"], "slot": s, "items": []}
            mine.append(last)
        last["items"].append({"k": ch.key, "at": ch.recorded_at, "month": ch.month, "sign": ch.sign,
                              "c": ch.contribution, "pos": ch.pos_key})
        uy.changed.add(last["_id"])
    counts[s[8:]] = sum(len(d["items"]) for d in mine)


def _take_out_of_slot(uy: UnitYear, ch: Change, tz: str) -> None:
    s = slot_of(ch.recorded_at, tz)
    for sid, doc in uy.slots.items():
        if doc["slot"] == s and any(i["k"] == ch.key for i in doc["items"]):
            doc["items"] = [i for i in doc["items"] if i["k"] != ch.key]
            counts = _slot_counts(uy, day_of(ch.recorded_at, tz))
            counts[s[8:]] = max(0, counts.get(s[8:], 1) - 1)
            uy.changed.add(sid)


def _snapshot_of(uy: UnitYear, day: str) -> dict:
    """A new snapshot for `day`: the latest earlier state (a snapshot, or nothing)."""
    earlier = [d for d in uy.live["days"] if d < day]
    if earlier and earlier[-1] != uy.live["day"]:
        base = copy.deepcopy(uy.snapshots[earlier[-1]])
    else:
        base = {"months": {}, "applied": {}, "parked": []}
    return {"_id": snapshot_id(uy.live["_id"], day), "unit_year": uy.live["_id"], "day": day,
            "months": base["months"], "applied": base["applied"], "parked": base["parked"], "slots": {}}


def apply_change(uy: UnitYear, ch: Change, noted: bool, tz: str) -> None:
    """Apply one change (in offset order within its partition) to the unit year's documents."""
    live, day = uy.live, day_of(ch.recorded_at, tz)
    if apply_to(uy.bursts, ch, noted, _add_burst):
        uy.changed.add("bursts")
    if live["day"] is None or day > live["day"]:  # a new day of recording: the last one closes
        if live["day"] is not None:
            snap = {"_id": snapshot_id(live["_id"], live["day"]), "unit_year": live["_id"], "day": live["day"],
                    **copy.deepcopy({k: live[k] for k in ("months", "applied", "parked", "slots")})}
            uy.snapshots[live["day"]] = snap
            uy.changed.add(snap["_id"])
        live["days"].append(day)
        live["day"], live["slots"] = day, {}
    elif day < live["day"]:  # recorded before the live day: its snapshot and every later one
        if day not in live["days"]:
            uy.snapshots[day] = _snapshot_of(uy, day)
            live["days"] = sorted([*live["days"], day])
        for d in live["days"][:-1]:
            if d >= day and apply_to(uy.snapshots[d], ch, noted):
                uy.changed.add(uy.snapshots[d]["_id"])
    if apply_to(live, ch, noted):
        uy.changed.add(live["_id"])
    _put_in_slot(uy, ch, tz)
    if live["last_recorded_at"] is None or ch.recorded_at > live["last_recorded_at"]:
        live["last_recorded_at"] = ch.recorded_at
    uy.changed.add(live["_id"])


def park_change(uy: UnitYear, ch: Change, tz: str) -> None:
    """Take a parked record's change out of every document of the unit year that exists."""
    day = day_of(ch.recorded_at, tz)
    take_out(uy.bursts, ch, _add_burst)
    uy.changed.add("bursts")
    if uy.live["day"] is not None:
        take_out(uy.live, ch)
        uy.changed.add(uy.live["_id"])
        for d in uy.live["days"][:-1]:
            if d >= day and d in uy.snapshots:
                take_out(uy.snapshots[d], ch)
                uy.changed.add(uy.snapshots[d]["_id"])
    _take_out_of_slot(uy, ch, tz)
    pack_bursts(uy.bursts)


def refresh_bursts(uy: UnitYear) -> None:
    """The largest identical-answer burst of each month, from the bursts, into the live document
    and the snapshots changed in this batch (for a snapshot, as known now: see skm_read.py); the
    bursts packed again for writing."""
    largest = {m: max(burst_counts(v).values(), default=0) for m, v in uy.bursts["months"].items()}
    for doc in [uy.live, *uy.snapshots.values()]:
        if doc["_id"] in uy.changed:
            for m, month in doc["months"].items():
                month["burst"] = largest.get(m, 0)
    pack_bursts(uy.bursts)
