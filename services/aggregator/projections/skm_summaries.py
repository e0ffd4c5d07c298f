"""Projection of SKM summary reports: one document per (unit, period, submission id), as the
survey service recorded it, with the moment it was recorded (`recorded_at`) and, once the unit
attached it, its report file (`report`: SHA-256, size, pages, file name; the bytes stay in the
survey service). Nothing is ever replaced: the newest submission of a unit and period supersedes
the older ones when read (services/aggregator/skm_summaries.py), and every one stays as history.
Profile counts are stored as lists of {value, count} (`counts_to_store`)."""
from __future__ import annotations

from pantau.envelope import Event
from pantau.events import skm as ev
from pantau.rules.skm_tally import counts_from_store, counts_to_store

from .entities import EntityProjection

COLLECTION = "skm_summaries"
FIELDS = ("unit_id", "period", "submission_id", "respondents", "nrr", "counts", "profile", "reported_ikm",
          "reported_mutu", "executor", "survey_start", "survey_end", "recorded_at")
REPORT_FIELDS = ("sha256", "size", "content_type", "pages", "filename", "attached_at")


def submitted(_current, e: Event) -> dict:
    d = e.data
    doc = {**{k: d.get(k) for k in FIELDS}, "year": int(d["period"][:4])}
    # profile values (a service type may hold "." or start with "$") are kept as values, never as names
    # (event v1 carried {field: {value: n}}, v2 {field: [{value, count}]}: both stored as the latter)
    doc["profile"] = {f: counts_to_store(counts_from_store(c)) for f, c in (d.get("profile") or {}).items()
                      if c} or None
    return doc


def profile_of(doc: dict) -> dict[str, dict[str, int]]:
    """The stored profile back as {field: {value: count}}."""
    return {f: counts_from_store(c) for f, c in (doc.get("profile") or {}).items()}


def report_attached(current, e: Event) -> dict:
    d = e.data
    return {**current, "report": {k: d.get(k) for k in REPORT_FIELDS}}


def projection(db) -> EntityProjection:
    return EntityProjection(db[COLLECTION],
                            lambda e: f"{e.data['unit_id']}:{e.data['period']}:{e.data['submission_id']}",
                            {ev.SUMMARY_SUBMITTED: submitted, ev.SUMMARY_REPORT_ATTACHED: report_attached})
