"""Projections of survey settings, RTL items and publications (one document per subject).

Settings and RTL items change over time: each document also keeps a short `history` of its
states with the event time `t` (when the survey service recorded it), so a report can take the
state that stood at `as_of` (`services/aggregator/followup_at.py`). A publication is recorded once
per medium (the service refuses a second one), so its `updated_at` is its recording time."""
from __future__ import annotations

from pantau.envelope import Event
from pantau.events import skm as ev

from .entities import EntityProjection

SETTINGS_STATE = ("population", "period_type", "executor")
RTL_STATE = ("status", "progress_pct", "done_at", "evidence_count")


def _history(current, e: Event, state: dict) -> list[dict]:
    return [*(current or {}).get("history", []), {"t": e.time, **state}]


def settings_set(current, e: Event) -> dict:
    d = e.data
    state = {"population": d.get("population"), "period_type": d["period_type"], "executor": d["executor"]}
    # the signatory is printed on the report as it stands now (not "as of"): kept beside the state
    return {"unit_id": d["unit_id"], "period": d["period"], "year": int(d["period"][:4]), **state,
            "signatory": d.get("signatory"), "history": _history(current, e, state)}


def rtl_planned(_current, e: Event) -> dict:
    d = e.data
    return {"unit_id": d["unit_id"], "period": d["period"], "year": int(d["period"][:4]), "item_id": d["item_id"],
            "element": d["element"], "programme": d["programme"], "owner": d["owner"],
            "target_date": d["target_date"], "status": "planned", "progress_pct": 0, "done_at": None,
            "planned_at": e.time.isoformat(),
            "history": _history(None, e, {"status": "planned", "progress_pct": 0, "done_at": None, "evidence_count": 0})}


def rtl_progressed(current, e: Event) -> dict:
    d = e.data
    state = {"status": d["status"], "progress_pct": d["progress_pct"],
             "done_at": d["at"] if d["status"] == "done" else None, "evidence_count": d["evidence_count"]}
    return {**current, **state, "history": _history(current, e, state)}


def published(_current, e: Event) -> dict:
    d = e.data
    return {"unit_id": d["unit_id"], "period": d["period"], "year": int(d["period"][:4]), "medium": d["medium"],
            "electronic": d["electronic"], "published_on": d["published_on"]}


def projections(db) -> list[EntityProjection]:
    return [
        EntityProjection(db["skm_settings"], lambda e: f"{e.data['unit_id']}:{e.data['period']}",
                         {ev.SETTINGS_SET: settings_set}),
        EntityProjection(db["skm_rtl"], lambda e: f"{e.data['unit_id']}:{e.data['period']}:{e.data['item_id']}",
                         {ev.RTL_ITEM_PLANNED: rtl_planned, ev.RTL_ITEM_PROGRESSED: rtl_progressed}),
        EntityProjection(db["skm_publications"],
                         lambda e: f"{e.data['unit_id']}:{e.data['period']}:{e.data['medium']}",
                         {ev.RESULT_PUBLISHED: published}),
    ]
