"""Projection of SKM summary reports: one document per (unit, period, submission id), as the
survey service recorded it, with the moment it was recorded (`recorded_at`) and, once the unit
attached it, its report file (`report`: SHA-256, size, pages, file name; the bytes stay in the
survey service). Nothing is ever replaced: the newest submission of a unit and period supersedes the older ones when read
(services/aggregator/skm_summaries.py), and every one stays as history."""
from __future__ import annotations

from pantau.envelope import Event
from pantau.events import skm as ev

from .entities import EntityProjection

FIELDS = ("unit_id", "period", "submission_id", "respondents", "nrr", "counts", "profile", "reported_ikm",
          "reported_mutu", "executor", "survey_start", "survey_end", "recorded_at")
REPORT_FIELDS = ("sha256", "size", "content_type", "pages", "filename", "attached_at")


def submitted(_current, e: Event) -> dict:
    d = e.data
    return {**{k: d.get(k) for k in FIELDS}, "year": int(d["period"][:4])}


def report_attached(current, e: Event) -> dict:
    d = e.data
    return {**current, "report": {k: d.get(k) for k in REPORT_FIELDS}}


def projection(db) -> EntityProjection:
    return EntityProjection(db["skm_summaries"],
                            lambda e: f"{e.data['unit_id']}:{e.data['period']}:{e.data['submission_id']}",
                            {ev.SUMMARY_SUBMITTED: submitted, ev.SUMMARY_REPORT_ATTACHED: report_attached})
