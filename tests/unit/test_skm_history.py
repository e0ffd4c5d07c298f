"""A unit's SKM year and its history (projections/skm_history.py, skm.load_years/writes) and the
read at `as_of` (skm_read.state_at), on an in-memory store of documents: whatever the order of
recording, late arrivals, batch boundaries, redeliveries and crashes between the writes, the live
figures equal a recompute of everything applied, and the figures at any moment equal a recompute
of what had been recorded by then."""
from __future__ import annotations

import copy
import os
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.rules.ikm import ELEMENTS
from pantau.rules.skm_tally import PROFILE_FIELDS, SkmTally, month_doc_add, month_doc_new
from services.aggregator.projections import skm_history as hist
from services.aggregator.projections.skm import DAYS_PER_PART, UNITS, in_parts, load_years, writes
from services.aggregator.projections.skm_compact import COLLECTION as COMPACT
from services.aggregator.skm_read import compact_fetch, state_at

TZ = "Asia/Makassar"
T0 = datetime(2026, 3, 9, 20, 0, tzinfo=timezone.utc)  # 10 March 04:00 WITA


class Store:
    def __init__(self):
        self.cols: dict[str, dict[str, dict]] = {}

    def fetch(self, name, ids):
        col = self.cols.get(name, {})
        return {i: copy.deepcopy(col[i]) for i in ids if i in col}

    def put(self, name, docs):
        for d in docs:
            self.cols.setdefault(name, {})[d["_id"]] = copy.deepcopy(d)


def consume(store: Store, batch: list[hist.Change], notes: frozenset = frozenset(), crash_after: int | None = None,
            days: int = DAYS_PER_PART):
    """SkmProjection.apply's steps: the batch in parts (`days` recording days each), each part's
    documents loaded, changed and written; `crash_after` writes (over all parts) it stops."""
    grouped: dict[str, list[hist.Change]] = {}
    for ch in batch:
        grouped.setdefault(hist.unit_year_id("u", ch.month[:4]), []).append(ch)
    done = 0
    for part in in_parts(grouped, TZ, days):
        years = load_years(part, TZ, store.fetch)
        for uy_id, chs in part.items():
            for ch in chs:
                hist.apply_change(years[uy_id], ch, ch.pos_key in notes, TZ)
            hist.refresh_bursts(years[uy_id])
        for name, docs in writes(years.values()):
            if crash_after is not None and done >= crash_after:
                return
            store.put(name, docs)
            done += 1


def contribution(answers: list[int], hour: int, service_type: str) -> dict:
    return {"answers": dict(zip(ELEMENTS, answers, strict=True)), "local_hour": hour,
            "submitted_at": "2026-03-10T10:00:00+08:00", "channel": "web", "service_type": service_type,
            "sex": "L", "education": "SMA", "occupation": None}


def naive(changes: list[hist.Change], upto: datetime | None = None) -> dict:
    """Month figures of the changes recorded by `upto` (all when None), recomputed."""
    months: dict[str, dict] = {}
    for ch in changes:
        if upto is None or ch.recorded_at <= upto:
            month_doc_add(months.setdefault(ch.month, month_doc_new()), ch.contribution, ch.sign)
    return {m: figures(SkmTally.of_month(d)) for m, d in months.items() if d["respondents"]}


def figures(t: SkmTally) -> dict:
    return {"n": t.respondents, "sums": dict(t.sums), "all4": t.all4, "ooh": t.out_of_hours,
            "sum_x": round(t.sum_x, 6), "profile": {f: c for f, c in t.profile_counts().items() if f in PROFILE_FIELDS}}


def stored(store: Store, upto: datetime | None = None, compact: bool = False) -> dict:
    """The month figures as skm_read.month_tallies reads them: from the full documents, or
    (`compact`) from their compact copies (skm_compact.py), which carry no profile."""
    fetch = compact_fetch(store.fetch) if compact else store.fetch
    live = fetch(UNITS, list(store.cols.get(UNITS, {})))
    docs = {i: d["months"] for i, d in live.items()} if upto is None else state_at(live, upto, TZ, fetch)
    out = {}
    for uy, months in docs.items():
        for mm, m in months.items():
            if m.get("respondents"):
                out[f"{uy.rsplit(':', 1)[1]}-{mm}"] = figures(SkmTally.of_month({**m, "profile": {}} if compact else m))
    return out


def without_profile(months: dict) -> dict:
    return {m: {**f, "profile": {}} for m, f in months.items()}


# --- a history generator: responses (some recorded late), voids of earlier ones ---------------

@st.composite
def histories(draw):
    n = draw(st.integers(1, 14))
    changes, t, facts = [], T0, []
    for offset in range(n):
        step = draw(st.sampled_from([timedelta(minutes=3), timedelta(hours=5), timedelta(days=1), timedelta(0),
                                     -timedelta(hours=20), -timedelta(minutes=1)]))
        t = t + step
        month = draw(st.sampled_from(["2026-03", "2026-04", "2025-12"]))
        if facts and draw(st.integers(0, 4)) == 0:  # a void of an earlier response, recorded now
            f = facts.pop(draw(st.integers(0, len(facts) - 1)))
            at = max(t, f.recorded_at + timedelta(seconds=1))
            changes.append(hist.Change(-1, "void:" + f.key[5:], ("skm.events", 0, offset), at, f.month, f.contribution))
            continue
        c = contribution(draw(st.lists(st.integers(1, 4), min_size=9, max_size=9)), draw(st.integers(5, 20)),
                         draw(st.sampled_from(["izin usaha (Perda No. 5)", "$where", "pajak"])))
        ch = hist.Change(1, f"fact:skm:u:r{offset}", ("skm.events", 0, offset), t, month, c)
        facts.append(ch)
        changes.append(ch)
    cuts = sorted(draw(st.sets(st.integers(0, n), max_size=4)))
    return changes, cuts


def moments(changes: list[hist.Change]) -> list[datetime]:
    out = [T0 - timedelta(days=400), T0 + timedelta(days=400)]
    for ch in changes:
        out += [ch.recorded_at, ch.recorded_at - timedelta(seconds=1), ch.recorded_at + timedelta(seconds=1)]
        local = hist.local(ch.recorded_at, TZ)
        end = local.replace(hour=23, minute=59, second=59, microsecond=999999)
        out += [end.astimezone(timezone.utc), (end - timedelta(days=1)).astimezone(timezone.utc)]
    return out


@settings(max_examples=int(os.environ.get("PANTAU_HISTORY_EXAMPLES", "300")), deadline=None)
@given(histories(), st.integers(0, 9), st.booleans(), st.sampled_from([1, 2, DAYS_PER_PART]))
def test_live_and_every_moment_equal_a_recompute(history, crash_at, redeliver, days):
    changes, cuts = history
    store = Store()
    bounds = [0, *cuts, len(changes)]
    for a, b in zip(bounds, bounds[1:], strict=False):
        batch = changes[a:b]
        if not batch:
            continue
        if redeliver:  # a crash after some of the writes, then the batch again
            consume(store, batch, crash_after=crash_at, days=days)
        consume(store, batch, days=days)
        if redeliver:  # and a second redelivery of what was applied (no change at all)
            consume(store, batch, days=days)
    assert stored(store) == naive(changes)
    assert stored(store, compact=True) == without_profile(naive(changes))
    for t in moments(changes):
        assert stored(store, t) == naive(changes, t), t
        assert stored(store, t, compact=True) == without_profile(naive(changes, t)), t
    store.cols.pop(COMPACT, None)  # documents written before the compact copies existed
    assert stored(store, compact=True) == without_profile(naive(changes))
    for t in moments(changes)[:6]:
        assert stored(store, t, compact=True) == without_profile(naive(changes, t)), t


def test_a_batch_is_cut_into_consecutive_runs_of_at_most_n_recording_days_per_unit_year():
    day = timedelta(days=1)
    c = contribution([3] * 9, 10, "x")
    # unit year A: days 0 0 1 2 1(late) 3 4 → with 2 days a part: [0 0 1] [2 1] [3 4]; B: one day
    a_days = [0, 0, 1, 2, 1, 3, 4]
    a = [hist.Change(1, f"fact:a{i}", ("t", 0, i), T0 + d * day, "2026-03", c) for i, d in enumerate(a_days)]
    b = [hist.Change(1, f"fact:b{i}", ("t", 1, i), T0, "2026-03", c) for i in range(3)]
    parts = in_parts({"A": a, "B": b}, TZ, 2)
    assert [[ch.offset for ch in p["A"]] for p in parts] == [[0, 1, 2], [3, 4], [5, 6]]
    assert [sorted(p) for p in parts] == [["A", "B"], ["A"], ["A"]]
    assert parts[0]["B"] == b
    assert in_parts({"A": a, "B": b}, TZ, 5) == [{"A": a, "B": b}]
    assert in_parts({}, TZ, 2) == []


def test_a_change_recorded_before_the_live_day_reaches_its_snapshot_and_the_later_ones():
    store = Store()
    a = hist.Change(1, "fact:a", ("t", 0, 0), T0, "2026-03", contribution([4] * 9, 10, "x"))
    b = hist.Change(1, "fact:b", ("t", 0, 1), T0 + timedelta(days=2), "2026-03", contribution([2] * 9, 10, "x"))
    late = hist.Change(1, "fact:c", ("t", 0, 2), T0 + timedelta(days=1), "2026-03", contribution([1] * 9, 10, "x"))
    for ch in (a, b, late):
        consume(store, [ch])
    days = sorted(store.cols["skm_unit_days"])
    assert [d.rsplit(":", 1)[1] for d in days] == ["20260310", "20260311"]  # the late day got its snapshot
    assert stored(store, T0 + timedelta(days=1, seconds=1))["2026-03"]["n"] == 2  # a and the late c
    assert stored(store, T0 + timedelta(hours=1))["2026-03"]["n"] == 1
    assert stored(store)["2026-03"]["n"] == 3


def test_a_busy_slot_spreads_over_chunks_and_as_of_inside_it_is_exact():
    store = Store()
    many = [hist.Change(1, f"fact:r{i}", ("t", 0, i), T0 + timedelta(seconds=i % 500), "2026-03",
                        contribution([3] * 9, 10, "x")) for i in range(hist.CHUNK + 300)]
    for i in range(0, len(many), 1000):
        consume(store, many[i:i + 1000])
    slots = store.cols["skm_unit_slots"]
    assert len(slots) == 2 and sum(len(s["items"]) for s in slots.values()) == len(many)
    consume(store, many[:1500])  # a redelivery adds nothing to the slots
    assert sum(len(s["items"]) for s in store.cols["skm_unit_slots"].values()) == len(many)
    cut = T0 + timedelta(seconds=250)
    assert stored(store, cut) == naive(many, cut)


def test_a_parked_change_is_taken_out_everywhere_and_its_replay_counts_once():
    store = Store()
    a = hist.Change(1, "fact:a", ("t", 0, 0), T0, "2026-03", contribution([4] * 9, 10, "x"))
    bad = hist.Change(1, "fact:bad", ("t", 0, 1), T0 + timedelta(minutes=5), "2026-03", contribution([1] * 9, 10, "$x"))
    b = hist.Change(1, "fact:b", ("t", 0, 2), T0 + timedelta(days=1), "2026-03", contribution([2] * 9, 10, "x"))
    consume(store, [a, bad])  # applied (say a later projection failed on it): then parked
    years = load_years({"u:2026": [bad]}, TZ, store.fetch)
    hist.park_change(years["u:2026"], bad, TZ)
    for name, docs in writes(years.values()):
        store.put(name, docs)
    notes = frozenset({bad.pos_key})
    consume(store, [b], notes)
    assert stored(store) == naive([a, b])
    assert stored(store, T0 + timedelta(hours=1)) == naive([a], T0 + timedelta(hours=1))
    consume(store, [bad], notes)  # the replay, at its original position
    consume(store, [bad], notes)  # and again: once only
    assert stored(store) == naive([a, bad, b])
    assert stored(store, T0 + timedelta(hours=1)) == naive([a, bad], T0 + timedelta(hours=1))
    assert stored(store, T0 + timedelta(minutes=1)) == naive([a], T0 + timedelta(minutes=1))


def largest_bursts(changes: list[hist.Change]) -> dict[str, int]:
    """The largest identical-answer burst of each month, recounted from the changes."""
    groups: dict[tuple[str, str], int] = {}
    for ch in changes:
        key = (ch.month, hist.burst_key(ch.contribution))
        groups[key] = groups.get(key, 0) + ch.sign
    out: dict[str, int] = {}
    for (month, _), n in groups.items():
        out[month] = max(out.get(month, 0), n)
    return out


@given(histories(), st.booleans())
@settings(max_examples=60, deadline=None)
def test_the_burst_figure_follows_the_bursts_whether_stored_packed_or_in_the_older_list_form(history, legacy):
    changes, cuts = history
    store = Store()
    bounds = [0, *cuts, len(changes)]
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        consume(store, changes[lo:hi])
        if legacy:  # the bursts as older code wrote them: a list of {value, count} per month
            for d in store.cols.get("skm_bursts", {}).values():
                d["months"] = {m: [{"value": k, "count": n} for k, n in hist.burst_counts(v).items()]
                               for m, v in d["months"].items()}
    live = store.cols[UNITS]
    want = largest_bursts(changes)
    got = {f"{d['year']}-{mm}": m["burst"] for d in live.values() for mm, m in d["months"].items()
           if m.get("respondents")}
    assert got == {mm: want.get(mm, 0) for mm in got}
    if not legacy:
        assert all(isinstance(v, str) for d in store.cols["skm_bursts"].values() for v in d["months"].values())
