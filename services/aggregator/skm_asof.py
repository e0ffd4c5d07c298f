"""SKM figures "as the data stood at `as_of`", exactly, without versioned buckets.

The live month buckets (`projections/skm.py`) hold every response applied so far minus the
voided ones. A response or void counts at `as_of` only if it was *recorded* (stored by the
survey service; the fact's and void's `recorded_at`) at or before `as_of`, so:

    buckets at as_of = live buckets
                       + the facts whose void was recorded after as_of    (void not yet there)
                       − the facts recorded after as_of                   (response not yet there)

A fact recorded and voided after `as_of` is added back and taken out again (net nothing), as it
should. Each correction is made only where the bucket already holds that record (its Kafka
offset is below the bucket's `applied` mark, or for a parked record its note and the bucket's
`late` list: `holds`), so a fact or void that is stored but still on its way into the bucket
is not corrected twice. Corrections use the same pure `add` as the
projection, so sums, profile counts and identical-answer bursts are the ones the buckets would
have held then.

Cost: the live path (no `as_of`) reads only buckets. An `as_of` read also reads the copies of
what was recorded from the day of `as_of` on (one small insert-only collection per day of
recording, `skm_recorded_<YYYYMMDD>`): its cost grows with what was recorded after `as_of`, not
with all responses ever stored (on FerretDB 1.24 a filter scans its collection, so the day of
`as_of` is scanned once and the later days are read whole).

The survey follow-up (settings, RTL items, publications) is kept as one document per subject
with the history of its states and their event times, and is taken as it stood at `as_of` by
`followup_at` / `settings_at`.
"""
from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from pantau import deadline
from pantau.mongo import by_id

from .projections import skm_bursts
from .projections.skm import PARKED, RECORDED_PREFIX, add_burst, add_sums, holds, position_key, recorded_slot
from .projections.skm_codec import bucket_from_store
from .projections.skm_followup import RTL_STATE, SETTINGS_STATE


def _take(b: dict, f: dict, position: list, sign: int, notes: dict) -> None:
    if holds(b, position, notes):
        add_sums(b, f, sign)
    if holds(b, position, notes, skm_bursts.MARKS):
        add_burst(b, f, sign)


def rewind(buckets: list[dict], later_facts: list[dict], revived: list[tuple[dict, list]],
           notes: dict | None = None) -> list[dict]:
    """Pure: `buckets` as they stood before `later_facts` were recorded and before the voids of
    `revived` ((fact, position of the void record)) were recorded. `notes`: the parked notes of
    those positions (projections/skm.py). The inputs are not changed."""
    notes = notes or {}
    out = {b["_id"]: copy.deepcopy(b) for b in buckets}
    # add back first, so no count goes below zero on the way (bursts and profile entries at
    # zero are dropped by `add`)
    for f, void_position in revived:
        b = out.get(f"{f['unit_id']}:{f['month']}")
        if b is not None:
            _take(b, f, void_position, +1, notes)
    for f in later_facts:
        deadline.check()
        b = out.get(f"{f['unit_id']}:{f['month']}")
        if b is not None:
            _take(b, f, f.get("position"), -1, notes)
    return list(out.values())


def buckets_at(db, unit_ids: list[str] | None, months: list[str], as_of: datetime | None,
               live_fields: dict | None = None) -> list[dict]:
    """The unit × month buckets of `months` (all units when `unit_ids` is None) as they stood at
    `as_of`; None = now (the live buckets, read with `live_fields`). Every report reads buckets
    here, in their in-memory form (projections/skm_codec.py)."""
    q: dict = {"month": {"$in": list(months)}}
    if unit_ids is not None:
        q["unit_id"] = unit_ids[0] if len(unit_ids) == 1 else {"$in": list(unit_ids)}
    if unit_ids is not None and len(unit_ids) == 1:
        # one unit: `_id` lookups of its months (an index search) instead of a filter that reads
        # every unit's buckets; the cost of a unit report stays independent of the province size
        fields = live_fields if as_of is None else None  # as_of: whole documents (`applied` marks)
        ids = [f"{unit_ids[0]}:{m}" for m in months]
        found = by_id(db["skm_buckets"], ids, projection=fields)
        live = [bucket_from_store(found[i]) for i in ids if i in found]  # in month order
        if as_of is None:
            return live
    elif as_of is None:
        return [bucket_from_store(b) for b in db["skm_buckets"].find(q, projection=live_fields)]
    else:
        # whole documents: the `applied` marks are needed
        live = [bucket_from_store(b) for b in db["skm_buckets"].find(q)]
    skm_bursts.attach({b["_id"]: b for b in live}, by_id(db[skm_bursts.COLLECTION], [b["_id"] for b in live]))
    keep = {b["_id"] for b in live}
    later, revived = [], []
    for doc in recorded_after(db, as_of):
        if f"{doc['unit_id']}:{doc['month']}" not in keep:
            continue
        if doc["kind"] == "fact":
            later.append(doc)
        else:
            revived.append((doc, doc["position"]))
    positions = [position_key(d["position"]) for d in later + [v for v, _ in revived] if d.get("position")]
    return rewind(live, later, revived, by_id(db[PARKED], positions))


def recorded_after(db, as_of: datetime) -> list[dict]:
    """The facts and voids recorded after `as_of`: only the day-of-recording collections from the
    day of `as_of` on are read (projections/skm.py)."""
    first = recorded_slot(as_of)
    names = sorted(n for n in db.list_collection_names() if n.startswith(RECORDED_PREFIX) and n >= first)
    out: list[dict] = []
    for name in names:
        deadline.check()
        out += db[name].find({"recorded_at": {"$gt": as_of}} if name == first else {})
    return out


def by_unit(buckets: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for b in buckets:
        out[b["unit_id"]].append(b)
    return dict(out)


# ---- survey follow-up at as_of ------------------------------------------------------------------


@dataclass
class Followup:
    """Settings, RTL items and publications as they stood at `as_of` (plain dicts, as stored)."""

    settings: dict[str, dict] = field(default_factory=dict)  # "unit:period" -> settings
    rtl: dict[str, list[dict]] = field(default_factory=dict)  # unit -> RTL items
    pubs: dict[str, list[dict]] = field(default_factory=dict)  # unit -> publications


def aware(v) -> datetime | None:
    if v is None:
        return None
    if isinstance(v, str):
        v = datetime.fromisoformat(v)
    return v if v.tzinfo else v.replace(tzinfo=timezone.utc)


def state_at(doc: dict, as_of: datetime, fields: tuple[str, ...]) -> dict | None:
    """Pure: the document with the state it had at `as_of` from its `history` (None: it did not
    exist yet); a document without history (projected before it was kept) is taken as it is."""
    history = doc.get("history")
    if not history:
        return doc
    then = [h for h in history if aware(h["t"]) <= as_of]
    if not then:
        return None
    return {**doc, **{k: then[-1].get(k) for k in fields}}


def followup_at(settings_docs: list[dict], rtl: list[dict], pubs: list[dict], as_of: datetime,
                tz: str) -> Followup:
    """Pure: settings and RTL items as they stood at `as_of` (their recorded history); a
    publication counts once recorded and from its date (local). Documents without history
    (older projections): settings recorded after `as_of` do not count, RTL items planned after
    `as_of` do not, one done after `as_of` counts as in progress. Cheap (a few documents per
    unit), so also applied at now."""
    out = Followup()
    for d in settings_docs:
        then = settings_at(d, as_of)
        if then is not None:
            out.settings[f"{d['unit_id']}:{d['period']}"] = then
    rtl_by: dict[str, list[dict]] = defaultdict(list)
    for r in rtl:
        item = _rtl_at(r, as_of)
        if item is not None:
            rtl_by[r["unit_id"]].append(item)
    out.rtl = dict(rtl_by)
    local_day = as_of.astimezone(ZoneInfo(tz)).date().isoformat()
    pubs_by: dict[str, list[dict]] = defaultdict(list)
    for p in pubs:
        recorded = aware(p.get("updated_at"))
        if p["published_on"] <= local_day and (recorded is None or recorded <= as_of):
            pubs_by[p["unit_id"]].append(p)
    out.pubs = dict(pubs_by)
    return out


def _rtl_at(r: dict, as_of: datetime) -> dict | None:
    if r.get("history"):
        return state_at(r, as_of, RTL_STATE)
    planned = aware(r.get("planned_at"))
    if planned is not None and planned > as_of:
        return None
    item = dict(r)
    done = aware(r.get("done_at"))
    if r.get("status") == "done" and (done is None or done > as_of):
        item.update(status="in_progress", done_at=None)
    elif r.get("status") == "cancelled" and (aware(r.get("updated_at")) or as_of) > as_of:
        item["status"] = "planned"
    return item


def settings_at(doc: dict | None, as_of: datetime | None) -> dict | None:
    """A settings document as it stood at `as_of` (None = now: as it is)."""
    if doc is None or as_of is None:
        return doc
    if doc.get("history"):
        return state_at(doc, as_of, SETTINGS_STATE)
    t = aware(doc.get("updated_at"))
    return doc if t is None or t <= as_of else None
