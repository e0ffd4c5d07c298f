"""FKP projections: one document per forum, and one document per unit with its forums and promises.

- `fkp_forums` (`_id` = fkp_id): the forum's current stage, date and elements (EntityProjection,
  seq-ordered); the unit summary counts these.
- `fkp_units` (`_id` = unit id): what the reports read. For every forum of the unit its stage
  history and Berita Acara uploads, for every promise its recorded history, each entry stamped
  with the event's time `t`, so a report can answer "as the data stood at as_of" by folding
  only the entries with `t <= as_of` (pantau.rules.fkp.state_at). Nothing here depends on the
  clock: overdue is judged by the report. A unit's document stays small (a forum or promise is
  a few hundred bytes; a unit holds a handful of forums a year), the collection has one
  document per unit, so the province report reads one bounded collection.
- Exactly-once effect: each forum and promise entry keeps the last applied `seq` of its
  subject; an event at or below it is a duplicate (skipped), a gap is rejected to the DLQ.
  FKP events are keyed by unit id, so one consumer owns a unit's partition and is the single
  writer of its document; the write is a replace guarded by the document's revision anyway.
"""
from __future__ import annotations

from collections import defaultdict

from pymongo.errors import DuplicateKeyError

from pantau.consumer import Rejected
from pantau.envelope import Event
from pantau.events import fkp as ev
from pantau.mongo import by_id

from .entities import EntityProjection

# ---- fkp_forums: one document per forum -----------------------------------------------------

def forum_recorded(_current, e: Event) -> dict:
    d = e.data
    return {"unit_id": d["unit_id"], "topic": d["topic"], "title": d["title"], "held_on": d["held_on"],
            "year": int(d["held_on"][:4]), "format": d["format"], "stage": d["stage"],
            "elements": d["elements"], "participant_count": d["participant_count"]}


def stage_changed(current, e: Event) -> dict:
    d = e.data
    return {**current, "stage": d["stage"], "held_on": d["held_on"], "year": int(d["held_on"][:4]),
            "elements": d["elements"], "participant_count": d["participant_count"]}


def berita_acara(current, e: Event) -> dict:
    d = e.data
    return {**current, "berita_acara": {"sha256": d["sha256"], "size": d["size"], "content_type": d["content_type"],
                                        "signatory_count": d["signatory_count"], "uploaded_at": e.time}}


def projection(db) -> EntityProjection:
    return EntityProjection(db["fkp_forums"], lambda e: e.data["fkp_id"],
                            {ev.FORUM_RECORDED: forum_recorded, ev.STAGE_CHANGED: stage_changed,
                             ev.BERITA_ACARA_UPLOADED: berita_acara})


# ---- fkp_units: a unit's forums and promises with their histories ---------------------------

def new_unit_doc(unit_id: str) -> dict:
    return {"_id": unit_id, "unit_id": unit_id, "forums": [], "promises": [], "rev": 0}


def _find(items: list[dict], **match) -> dict | None:
    for it in items:
        if all(it.get(k) == v for k, v in match.items()):
            return it
    return None


def _stage_entry(e: Event) -> dict:
    d = e.data
    return {"t": e.time, "stage": d["stage"], "held_on": d["held_on"], "elements": list(d["elements"]),
            "participant_count": d["participant_count"]}


def apply_event(doc: dict, e: Event) -> bool:
    """Fold one event into a unit document (pure, in place). True if applied, False if it was
    already applied; raises Rejected for a gap, a promise of an unknown forum, or a change to a
    forum or promise that was never recorded."""
    d = e.data
    forum = _find(doc["forums"], fkp_id=d["fkp_id"])
    if e.type in ev.FORUM_TYPES:
        entity = forum
    else:
        entity = _find(doc["promises"], fkp_id=d["fkp_id"], promise_id=d["promise_id"])
    have = entity["seq"] if entity else 0
    if e.seq <= have:
        return False
    if e.seq != have + 1:
        raise Rejected("seq_gap", f"{e.subject}: have {have}, got {e.seq}")
    if e.type == ev.FORUM_RECORDED:
        doc["forums"].append({"fkp_id": d["fkp_id"], "seq": 1, "topic": d["topic"], "title": d["title"],
                              "format": d["format"], "stages": [_stage_entry(e)], "berita_acara": []})
        return True
    if e.type in ev.PROMISE_TYPES and forum is None:
        raise Rejected("unknown_forum", f"{e.subject}: forum {d['fkp_id']} not seen for unit {doc['_id']}")
    if e.type == ev.PROMISE_RECORDED:
        entity = {"fkp_id": d["fkp_id"], "promise_id": d["promise_id"], "seq": 0, "description": d["description"],
                  "owner": d["owner"], "target_date": d["target_date"], "elements": list(d["elements"]),
                  "sp_component": d.get("sp_component"), "history": [{"t": e.time, "kind": "recorded",
                                                                      "status": d["status"]}]}
        doc["promises"].append(entity)
    elif entity is None:  # a stage, file or progress of a forum or promise never recorded
        raise Rejected("unknown_entity", f"{e.subject}: {e.type} at seq {e.seq} before its record")
    elif e.type == ev.STAGE_CHANGED:
        entity["stages"].append(_stage_entry(e))
    elif e.type == ev.BERITA_ACARA_UPLOADED:
        entity["berita_acara"].append({"t": e.time, "sha256": d["sha256"], "size": d["size"],
                                       "content_type": d["content_type"], "signatory_count": d["signatory_count"]})
    elif e.type == ev.PROMISE_PROGRESSED:
        entity["history"].append({"t": e.time, "kind": "progress", "status": d["status"], "at": d["at"],
                                  "progress_pct": d["progress_pct"], "evidence_count": d["evidence_count"]})
    elif e.type == ev.PROMISE_FEEDBACK:
        entity["history"].append({"t": e.time, "kind": "feedback", "status": d["status"], "verdict": d["verdict"]})
    elif e.type == ev.PROMISE_REVIEWED:
        entity["history"].append({"t": e.time, "kind": "review", "status": d["status"], "decision": d["decision"]})
    else:
        return False
    entity["seq"] = e.seq
    return True


class UnitProjection:
    TYPES = frozenset(ev.FORUM_TYPES + ev.PROMISE_TYPES)

    def __init__(self, collection):
        self.col = collection

    def apply(self, events: list[Event]) -> dict[str, Rejected]:
        rejected: dict[str, Rejected] = {}
        by_unit: dict[str, list[Event]] = defaultdict(list)
        for e in events:
            if e.type in self.TYPES:
                by_unit[e.data["unit_id"]].append(e)
        stored = by_id(self.col, list(by_unit))
        for unit_id, unit_events in by_unit.items():
            current = stored.get(unit_id)
            doc = current or new_unit_doc(unit_id)
            changed = False
            for e in unit_events:
                try:
                    changed |= apply_event(doc, e)
                except Rejected as rej:
                    rejected[e.id] = rej
            if changed:
                self._write(doc, current)
        return rejected

    def _write(self, doc: dict, current: dict | None) -> None:
        if current is None:
            doc["rev"] = 1
            try:
                self.col.insert_one(doc)
            except DuplicateKeyError:  # an earlier attempt wrote it: retry the batch, duplicates skip
                raise RuntimeError(f"fkp_units {doc['_id']}: written concurrently; retrying") from None
            return
        rev = current.get("rev", 0)
        doc["rev"] = rev + 1
        res = self.col.replace_one({"_id": doc["_id"], "rev": rev}, doc)
        if res.matched_count != 1:
            raise RuntimeError(f"fkp_units {doc['_id']}: concurrent writer (expected rev {rev})")  # retried


def projections(db) -> list:
    """This topic's projections, in the order the consumer applies them."""
    return [projection(db), UnitProjection(db["fkp_units"])]
