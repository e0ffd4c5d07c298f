"""FKP projection: one document per forum."""
from __future__ import annotations

from pantau.envelope import Event
from pantau.events import fkp as ev

from .entities import EntityProjection


def forum_recorded(_current, e: Event) -> dict:
    d = e.data
    return {"unit_id": d["unit_id"], "topic": d["topic"], "title": d["title"], "held_on": d["held_on"],
            "year": int(d["held_on"][:4]), "format": d["format"], "stage": d["stage"],
            "elements": d["elements"], "participant_count": d["participant_count"]}


def projection(db) -> EntityProjection:
    return EntityProjection(db["fkp_forums"], lambda e: e.data["fkp_id"], {ev.FORUM_RECORDED: forum_recorded})


def handler(db):
    """The consumer's handler for this topic: events → {event id: Rejected}."""
    return projection(db).apply
