"""The as_of rewind of SKM month buckets (services/aggregator/skm_asof.py): pure."""
from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.rules.ikm import ELEMENTS
from services.aggregator.projections.skm import add, empty_bucket
from services.aggregator.reports import _merge
from services.aggregator.skm_asof import applied, rewind

UNIT = "samsat-samarinda"


def fact(n: int, answers: list[int], month: str = "2026-03", hour: int = 9, channel: str = "qr") -> dict:
    return {"_id": f"skm:{UNIT}:r{n}", "unit_id": UNIT, "month": month, "answers": dict(zip(ELEMENTS, answers)),
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


def test_applied_compares_the_offset_with_the_bucket_mark():
    b = {"applied": {"p0": 5}}
    assert applied(b, ["t", 0, 4]) and not applied(b, ["t", 0, 5]) and not applied(b, ["t", 1, 0])
    assert not applied(b, []) and not applied({}, ["t", 0, 0])


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
