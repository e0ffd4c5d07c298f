"""Projection of PEKPPP score events: one document per unit, year and role (`evaluator`, `self`),
`_id` = `<unit_id>:<year>:<role>`, keeping every recorded write in `entries` (time `t`, actor,
the scores it set, note, evidence links), so a report can take the scores that stood at `as_of`
and show who set each one and why (services/aggregator/pekppp_reports.py)."""
from __future__ import annotations

from pantau.envelope import Event
from pantau.events import pekppp as ev

from .entities import EntityProjection


def scores_recorded(current, e: Event) -> dict:
    d = e.data
    entry = {"t": e.time, "event_id": e.id, "actor": d["actor"], "scores": d["scores"], "note": d.get("note"),
             "evidence": d.get("evidence") or []}
    return {"unit_id": d["unit_id"], "year": d["year"], "role": d["role"],
            "entries": [*(current or {}).get("entries", []), entry]}


def projections(db) -> list[EntityProjection]:
    return [EntityProjection(db["pekppp_scores"], lambda e: f"{e.data['unit_id']}:{e.data['year']}:{e.data['role']}",
                             {ev.SCORES_RECORDED: scores_recorded})]
