"""Complaints projection: one document per complaint, `_id` = complaint id.

The document keeps the complaint's events in compact form (`log`: type, seq, time, data; the
events carry no personal data), the state they leave (`state`, a `lapor.ComplaintState` as of
the document's `seq`: the snapshot each next event is applied to, once) and a few fields of that
state for cheap queries: `unit_id` is the unit holding the complaint now (a forwarded complaint
counts for its current holder), `holders` every unit that ever held it, `status` the status
after the last event. Reports re-fold `log` up to their `as_of` (`pantau.rules.lapor.state_at`),
so any past moment can be answered and the document stays a pure function of the events (time
from the events). A fold that the transition table rejects goes to the DLQ (`Rejected`, reason
illegal_transition).
"""
from __future__ import annotations

from pantau.consumer import Rejected
from pantau.envelope import Event
from pantau.rules import lapor
from pantau.rules.workdays import default_calendar

from .entities import EntityProjection

TYPES = (lapor.RECEIVED_TYPE, *lapor.EVENT_TYPES.values())
default_calendar()  # read the working-day calendar when the consumer starts: a broken file stops it here


def fold(current: dict | None, e: Event) -> dict:
    entry = {"type": e.type, "seq": e.seq, "time": e.time.isoformat(), "data": e.data}
    log = [*(current or {}).get("log", []), entry]
    cal = default_calendar()
    st: lapor.ComplaintState | None
    try:
        if current is not None and current.get("state") is not None:
            st = lapor.apply(lapor.ComplaintState.from_dict(current["state"]), entry, cal, strict=False)
        else:  # a new complaint, or a document stored before it kept its state: folded from its log
            st = lapor.replay(log, cal, strict=False)
    except lapor.IllegalTransition as exc:
        raise Rejected("illegal_transition", f"{e.subject} seq {e.seq}: {exc}") from None
    assert st is not None  # the log holds at least this event
    return {"log": log, "state": st.to_dict(), "unit_id": st.holder_unit_id, "filed_unit_id": st.filed_unit_id,
            "holders": sorted({h["to"] for h in st.hops if h["to"]}), "status": st.status,
            "received_at": st.received_at, "channel": st.channel, "classification": st.classification,
            "category": st.category, "confidential": st.confidential, "anonymous": st.anonymous}


def projection(db) -> EntityProjection:
    return EntityProjection(db["complaints"], lambda e: e.data["complaint_id"], {t: fold for t in TYPES})
