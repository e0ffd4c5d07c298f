"""The survey follow-up (settings, RTL items, publications) as it stood at `as_of`.

Each is kept as one document per subject with the history of its states and their event times
(projections/skm_followup.py), and taken as it stood at `as_of` by `followup_at` / `settings_at`.
(The SKM tallies at `as_of` are skm_read.py's.)
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from .projections.skm_followup import RTL_STATE, SETTINGS_STATE

# ---- survey follow-up at as_of ------------------------------------------------------------------


@dataclass
class Followup:
    """Settings, RTL items and publications as they stood at `as_of` (plain dicts, as stored)."""

    settings: dict[str, dict] = field(default_factory=dict)  # "unit:period" -> settings
    rtl: dict[str, list[dict]] = field(default_factory=dict)  # unit -> RTL items
    pubs: dict[str, list[dict]] = field(default_factory=dict)  # unit -> publications


def aware(v: datetime | str | None) -> datetime | None:
    if v is None:
        return None
    if isinstance(v, str):
        v = datetime.fromisoformat(v)
    return v if v.tzinfo else v.replace(tzinfo=timezone.utc)


def _aware_t(entry: dict) -> datetime:
    """The time of a history entry (every entry has one)."""
    t = aware(entry["t"])
    assert t is not None
    return t


def state_at(doc: dict, as_of: datetime, fields: tuple[str, ...]) -> dict | None:
    """Pure: the document with the state it had at `as_of` from its `history` (None: it did not
    exist yet); a document without history (projected before it was kept) is taken as it is."""
    history = doc.get("history")
    if not history:
        return doc
    then = [h for h in history if _aware_t(h) <= as_of]
    if not then:
        return None
    return {**doc, **{k: then[-1].get(k) for k in fields}}


def followup_at(settings_docs: list[dict], rtl: list[dict], pubs: list[dict], as_of: datetime,
                tz: str) -> Followup:
    """Pure: settings and RTL items as they stood at `as_of` (their recorded history); a
    publication counts once recorded and from its date (local). Documents without history
    (older projections): settings recorded after `as_of` do not count, RTL items planned after
    `as_of` do not, one done after `as_of` counts as in progress. Cheap (a few documents per
    unit), so also applied at now."""
    out = Followup()
    for d in settings_docs:
        then = settings_at(d, as_of)
        if then is not None:
            out.settings[f"{d['unit_id']}:{d['period']}"] = then
    rtl_by: dict[str, list[dict]] = defaultdict(list)
    for r in rtl:
        item = _rtl_at(r, as_of)
        if item is not None:
            rtl_by[r["unit_id"]].append(item)
    out.rtl = dict(rtl_by)
    local_day = as_of.astimezone(ZoneInfo(tz)).date().isoformat()
    pubs_by: dict[str, list[dict]] = defaultdict(list)
    for p in pubs:
        recorded = aware(p.get("updated_at"))
        if p["published_on"] <= local_day and (recorded is None or recorded <= as_of):
            pubs_by[p["unit_id"]].append(p)
    out.pubs = dict(pubs_by)
    return out


def _rtl_at(r: dict, as_of: datetime) -> dict | None:
    if r.get("history"):
        return state_at(r, as_of, RTL_STATE)
    planned = aware(r.get("planned_at"))
    if planned is not None and planned > as_of:
        return None
    item = dict(r)
    done = aware(r.get("done_at"))
    if r.get("status") == "done" and (done is None or done > as_of):
        item.update(status="in_progress", done_at=None)
    elif r.get("status") == "cancelled" and (aware(r.get("updated_at")) or as_of) > as_of:
        item["status"] = "planned"
    return item


def settings_at(doc: dict | None, as_of: datetime | None) -> dict | None:
    """A settings document as it stood at `as_of` (None = now: as it is)."""
    if doc is None or as_of is None:
        return doc
    if doc.get("history"):
        return state_at(doc, as_of, SETTINGS_STATE)
    t = aware(doc.get("updated_at"))
    return doc if t is None or t <= as_of else None
