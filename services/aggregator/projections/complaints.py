"""Complaints projection: one document per complaint (its follow-up state)."""
from __future__ import annotations

from pantau.envelope import Event
from pantau.events import complaints as ev

from .entities import EntityProjection


def received(_current, e: Event) -> dict:
    d = e.data
    return {"unit_id": d["unit_id"], "channel": d["channel"], "classification": d["classification"],
            "category": d.get("category"), "received_at": d["received_at"], "status": d["status"],
            "confidential": d["confidential"], "anonymous": d["anonymous"]}


def projection(db) -> EntityProjection:
    return EntityProjection(db["complaints"], lambda e: e.data["complaint_id"], {ev.RECEIVED: received})


def handler(db):
    """The consumer's handler for this topic: events → {event id: Rejected}."""
    return projection(db).apply
