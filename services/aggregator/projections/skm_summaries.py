"""Projection of SKM summary reports: one document per (unit, period, submission id), as the
survey service recorded it, with the moment it was recorded (`recorded_at`). Nothing is ever
replaced: the newest submission of a unit and period supersedes the older ones when read
(services/aggregator/skm_summaries.py), and every one stays as history."""
from __future__ import annotations

from pantau.envelope import Event
from pantau.events import skm as ev

from .entities import EntityProjection

FIELDS = ("unit_id", "period", "submission_id", "respondents", "nrr", "counts", "profile", "reported_ikm",
          "reported_mutu", "executor", "survey_start", "survey_end", "recorded_at")


def submitted(_current, e: Event) -> dict:
    d = e.data
    return {**{k: d.get(k) for k in FIELDS}, "year": int(d["period"][:4])}


def projection(db) -> EntityProjection:
    return EntityProjection(db["skm_summaries"],
                            lambda e: f"{e.data['unit_id']}:{e.data['period']}:{e.data['submission_id']}",
                            {ev.SUMMARY_SUBMITTED: submitted})
