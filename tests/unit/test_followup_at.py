"""The survey follow-up (settings, RTL items, publications) as it stood at `as_of`
(services/aggregator/followup_at.py): pure."""
from __future__ import annotations

from datetime import datetime, timezone

from pantau.envelope import new_event
from pantau.events import skm as ev
from services.aggregator.followup_at import followup_at, settings_at
from services.aggregator.projections import skm_followup as fu

UNIT = "samsat-samarinda"


# ---- survey follow-up at as_of ------------------------------------------------------------------

def at(day: int) -> datetime:
    return datetime(2026, 4, day, 9, 0, tzinfo=timezone.utc)


def event(type_: str, data: dict, day: int):
    return new_event(source="pantau/survey", type=type_, subject="s", seq=1, data=data, time=at(day))


def test_settings_and_rtl_items_are_taken_as_they_stood_then():
    base = {"unit_id": UNIT, "period": "2026"}
    s1 = fu.settings_set(None, event(ev.SETTINGS_SET, {**base, "population": 30, "period_type": "year",
                                                       "executor": "internal"}, 2))
    s2 = fu.settings_set(s1, event(ev.SETTINGS_SET, {**base, "population": 40, "period_type": "quarter",
                                                     "executor": "internal"}, 10))
    assert settings_at(s2, at(1)) is None
    assert settings_at(s2, at(5))["population"] == 30 and settings_at(s2, at(5))["period_type"] == "year"
    assert settings_at(s2, at(11))["population"] == 40 and settings_at(s2, None) is s2
    item = {**base, "item_id": "r1", "element": "waktu", "programme": "Loket", "owner": "Kasi",
            "target_date": "2026-06-30"}
    r = fu.rtl_planned(None, event(ev.RTL_ITEM_PLANNED, item, 3))
    progress = {**base, "item_id": "r1", "evidence_count": 1}
    r = fu.rtl_progressed(r, event(ev.RTL_ITEM_PROGRESSED, {**progress, "status": "in_progress", "progress_pct": 50,
                                                            "at": "2026-03-01T10:00:00+08:00"}, 6))
    # done recorded on the 12th with an earlier completion date: before the 12th it was not done yet
    r = fu.rtl_progressed(r, event(ev.RTL_ITEM_PROGRESSED, {**progress, "status": "done", "progress_pct": 100,
                                                            "at": "2026-03-20T10:00:00+08:00"}, 12))

    def rtl(day):
        items = followup_at([s2], [r], [], at(day), "Asia/Makassar").rtl.get(UNIT, [])
        return [(i["status"], i["progress_pct"], i["done_at"]) for i in items]

    assert rtl(2) == [] and rtl(4) == [("planned", 0, None)] and rtl(7) == [("in_progress", 50, None)]
    assert rtl(13) == [("done", 100, "2026-03-20T10:00:00+08:00")]
    assert followup_at([s2], [r], [], at(7), "Asia/Makassar").settings[f"{UNIT}:2026"]["population"] == 30
