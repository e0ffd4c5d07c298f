"""The aggregator's complaint document keeps the state its events leave (a snapshot with its seq)
and applies each next event to it once: after any legal log, stored and read back between events
as the store does, the snapshot must be what re-folding the whole log gives, and the fields
derived from it must match; a document stored before it kept a snapshot gets one from its log."""
from __future__ import annotations

import copy
import random
from datetime import datetime, timedelta, timezone

import orjson
import pytest

from pantau.envelope import Event
from pantau.rules import lapor
from pantau.rules.workdays import default_calendar
from services.aggregator.projections.complaints import fold

CAL = default_calendar()
TZ = timezone(timedelta(hours=8))
U, OTHER = "samsat-samarinda", "ptsp-kaltim"
START = datetime(2026, 3, 2, 9, tzinfo=TZ)
DATA = {"verify": {"holder_unit_id": U, "tags": ["loket"]}, "forward": {"to_unit_id": OTHER},
        "rate": {"satisfaction": 3}, "archive": {"reason": "duplikat"}, "forward_out": {"to_instansi": "bpjs"}}


def event(etype: str, seq: int, at: datetime, data: dict) -> Event:
    return Event(id=f"e{seq}", source="pantau/complaints", type=etype, subject="complaint:C1", time=at, seq=seq,
                 dataversion=1, data={"complaint_id": "C1", **data})


def random_events(rnd: random.Random) -> list[Event]:
    """A legal log: each next action drawn from those the table allows after settling, with gaps
    of hours to weeks so that reply and pending-info windows sometimes end between events."""
    events = [event(lapor.RECEIVED_TYPE, 1, START, {
        "unit_id": U, "channel": "lapor", "classification": "pengaduan", "category": "antrean",
        "received_at": START.isoformat(), "anonymous": False, "confidential": False, "status": "RECEIVED"})]
    st, t = lapor.replay([events[0]], CAL), START
    assert st is not None
    for seq in range(2, 2 + rnd.randint(2, 9)):
        t = t + timedelta(hours=rnd.choice([3, 20, 70, 300, 1500]))
        actions = [a for (s, a) in lapor.TRANSITIONS if s == lapor.settle(st, t, CAL).status]
        if not actions:
            break
        action = rnd.choice(sorted(actions))
        events.append(event(lapor.EVENT_TYPES[action], seq, t, copy.deepcopy(DATA.get(action, {}))))
        st = lapor.fold(st, events[-1], CAL)
    return events


def stored(doc: dict) -> dict:
    """The document as the store gives it back (JSON types only, nothing shared)."""
    return orjson.loads(orjson.dumps(doc))


@pytest.mark.parametrize("seed", range(60))
def test_the_snapshot_applied_event_by_event_is_the_fold_of_the_whole_log(seed):
    events = random_events(random.Random(seed))
    doc = None
    for e in events:
        doc = stored(fold(doc, e))
    assert doc is not None
    whole = lapor.replay(doc["log"], CAL, strict=False)
    assert whole is not None
    assert lapor.ComplaintState.from_dict(doc["state"]) == whole
    assert doc["state"]["seq"] == events[-1].seq == len(doc["log"])
    assert (doc["status"], doc["unit_id"], doc["holders"]) == (
        whole.status, whole.holder_unit_id, sorted({h["to"] for h in whole.hops if h["to"]}))


def test_a_document_without_a_snapshot_gets_one_from_its_log():
    events = random_events(random.Random(7))
    doc = None
    for e in events[:-1]:
        doc = stored(fold(doc, e))
    assert doc is not None
    legacy = {k: v for k, v in doc.items() if k != "state"}
    assert stored(fold(legacy, events[-1])) == stored(fold(doc, events[-1]))


def test_an_illegal_event_is_rejected_from_the_snapshot_too():
    from pantau.consumer import Rejected
    events = random_events(random.Random(3))
    doc = None
    for e in events:
        doc = stored(fold(doc, e))
    again = event(lapor.RECEIVED_TYPE, len(events) + 1, events[-1].time, {})
    with pytest.raises(Rejected):
        fold(doc, again)
