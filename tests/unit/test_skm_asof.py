"""The as_of rewind of SKM month buckets (services/aggregator/skm_asof.py): pure."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.envelope import new_event
from pantau.events import skm as ev
from pantau.rules.ikm import ELEMENTS
from services.aggregator.projections import skm_followup as fu
from services.aggregator.projections.skm import add, empty_bucket, holds
from services.aggregator.reports import _merge
from services.aggregator.skm_asof import followup_at, rewind, settings_at

UNIT = "samsat-samarinda"


def fact(n: int, answers: list[int], month: str = "2026-03", hour: int = 9, channel: str = "qr") -> dict:
    return {"_id": f"skm:{UNIT}:r{n}", "unit_id": UNIT, "month": month, "answers": dict(zip(ELEMENTS, answers, strict=True)),
            "local_hour": hour, "submitted_at": f"{month}-10T09:0{n % 10}:00+08:00", "channel": channel,
            "service_type": "pajak", "sex": "P" if n % 2 else "L", "education": "SMA", "occupation": None}


def replay(records: list[tuple[str, dict]], upto: int | None = None) -> dict[str, dict]:
    """The buckets a projection builds from records [("fact"|"void", fact)], each at the next
    offset of partition 0; `upto` = how many records it has applied."""
    buckets: dict[str, dict] = {}
    positions = []
    for offset, (kind, f) in enumerate(records):
        pos = ["skm.events", 0, offset]
        positions.append(pos)
        if upto is not None and offset >= upto:
            continue
        b = buckets.setdefault(f"{f['unit_id']}:{f['month']}", empty_bucket(f["unit_id"], f["month"]))
        add(b, f, +1 if kind == "fact" else -1)
        b["applied"]["p0"] = offset + 1
    return buckets, positions


def figures(buckets) -> dict:
    out = {}
    for b in buckets:
        m = _merge([b])
        out[b["_id"]] = {"n": m["respondents"], "sums": m["sums"], "all4": m["all4"], "ooh": m["out_of_hours"],
                         "burst": m["burst"], "profile": {k: dict(v) for k, v in m["profile"].items() if v},
                         "sum_x": round(m["sum_x"], 9), "sum_x2": round(m["sum_x2"], 9)}
    return {k: v for k, v in out.items() if v["n"]}


def rewind_to(records, cut: int, buckets, positions):
    """Rewind live buckets to the moment after the first `cut` records were recorded."""
    later = [dict(f, position=positions[i]) for i, (kind, f) in enumerate(records) if kind == "fact" and i >= cut]
    revived = [(f, positions[i]) for i, (kind, f) in enumerate(records) if kind == "void" and i >= cut]
    return rewind(list(buckets.values()), later, revived)


def test_holds_compares_the_offset_with_the_bucket_mark():
    b = {"applied": {"p0": 5}}
    assert holds(b, ["t", 0, 4], {}) and not holds(b, ["t", 0, 5], {}) and not holds(b, ["t", 1, 0], {})
    assert not holds(b, [], {}) and not holds({}, ["t", 0, 0], {})


def test_a_parked_record_is_held_only_as_its_note_and_the_late_list_say():
    b = {"applied": {"p0": 9}, "bursts_applied": {"p0": 9}, "late": [], "bursts_late": ["t:0:4"]}
    notes = {"t:0:4": {"sums": False, "bursts": False}, "t:0:6": {"sums": True, "bursts": True}}
    assert not holds(b, ["t", 0, 4], notes)  # below the mark, but parked before its bucket held it
    assert holds(b, ["t", 0, 4], notes, "bursts_applied")  # applied late to the bursts
    assert holds(b, ["t", 0, 6], notes) and holds(b, ["t", 0, 6], notes, "bursts_applied")
    b["late"].append("t:0:4")
    assert holds(b, ["t", 0, 4], notes)


def test_later_responses_come_out_and_a_later_void_puts_its_response_back():
    a, b, c = fact(1, [4] * 9), fact(2, [3, 3, 2, 4, 3, 3, 4, 3, 3], hour=20), fact(3, [1] * 9, month="2026-04")
    records = [("fact", a), ("fact", b), ("fact", c), ("void", a)]
    live, positions = replay(records)
    assert figures(live.values())[f"{UNIT}:2026-03"]["n"] == 1  # a voided
    before = copy.deepcopy(live)
    at_two = rewind_to(records, 2, live, positions)
    assert figures(at_two) == figures(replay(records[:2])[0].values())
    assert figures(at_two)[f"{UNIT}:2026-03"]["n"] == 2 and f"{UNIT}:2026-04" not in figures(at_two)
    assert live == before  # the inputs are untouched
    assert figures(rewind_to(records, 0, live, positions)) == {}
    assert figures(rewind_to(records, 4, live, positions)) == figures(live.values())


def test_a_response_recorded_and_voided_after_as_of_changes_nothing():
    a, b = fact(1, [2] * 9), fact(2, [3] * 9)
    records = [("fact", a), ("fact", b), ("void", b)]
    live, positions = replay(records)
    assert figures(rewind_to(records, 1, live, positions)) == figures(replay(records[:1])[0].values())


def test_records_not_yet_applied_to_the_bucket_are_not_taken_out():
    a, b, c = fact(1, [2] * 9), fact(2, [3] * 9), fact(3, [4] * 9)
    records = [("fact", a), ("fact", b), ("fact", c), ("void", a)]
    live, positions = replay(records, upto=2)  # c and the void are stored but still on their way
    got = rewind_to(records, 1, live, positions)
    assert figures(got) == figures(replay(records[:1])[0].values())


answers = st.lists(st.integers(1, 4), min_size=9, max_size=9)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(answers, st.sampled_from(["2026-03", "2026-04"]), st.sampled_from([8, 20]),
                          st.sampled_from(["qr", "web"])), min_size=1, max_size=12),
       st.lists(st.integers(0, 11), max_size=6), st.data())
def test_rewind_equals_rebuilding_from_what_was_recorded_by_then(items, void_picks, data):
    facts = [fact(i, a, m, h, ch) for i, (a, m, h, ch) in enumerate(items)]
    records: list[tuple[str, dict]] = []
    voided = set()
    for i, f in enumerate(facts):
        records.append(("fact", f))
        for v in void_picks:  # a void comes after the response it takes out
            if v <= i and v not in voided:
                voided.add(v)
                records.append(("void", facts[v]))
    cut = data.draw(st.integers(0, len(records)))
    live, positions = replay(records)
    assert figures(rewind_to(records, cut, live, positions)) == figures(replay(records[:cut])[0].values())


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
