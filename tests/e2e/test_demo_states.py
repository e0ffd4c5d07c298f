"""The `make up` demo (pantau_platform/demo.py) shows every state of the product: units in mutu A–D and with
too few respondents over two years, promises in every state, complaints in every lifecycle state
with deadlines breached at each tier of the registry; and a second load posts nothing.

The demo is loaded for 2024 (with 2023): years no other test reads, on units reserved for it
(tests/conftest.py RESERVED_UNITS includes pantau_platform.demo.DEMO_UNITS). Complaints whose state is
"now" (pending, awaiting the reporter, overdue) are dated back from today as in `make up`."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
import requests

from pantau_platform import demo

pytestmark = pytest.mark.e2e
YEAR = 2024
STATUSES = {"RECEIVED", "PENDING_INFO", "DISPOSED", "IN_PROGRESS", "ANSWERED", "REOPENED", "CLOSED_RESOLVED",
            "ARCHIVED", "FORWARDED_OUT"}


def _get(url: str, headers: dict, **params) -> dict:
    r = requests.get(url, params=params, headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def demo_states(base: dict, headers: dict, year: int) -> dict:
    """What the demo shows, read through the APIs (also used by hand against `pantau up`)."""
    agg = base["aggregator"]
    skm = {}
    for unit, *_ in demo.SKM_UNITS:
        for yr in (year - 1, year):
            b = _get(f"{agg}/v1/ikm/units/{unit}", headers, period=str(yr))
            skm[(unit, yr)] = (b["mutu"], b["sample"]["adequate"], b["respondents"])
    promises = []
    for unit in demo.DEMO_UNITS:
        for yr in (year - 2, year - 1, year):
            promises += _get(f"{agg}/v1/fkp/units/{unit}", headers, year=yr)["promise_list"]
    complaints, agg_status, breaches = {}, Counter(), Counter()
    now = datetime.now(demo.TZ)
    for sid, *_ in _plan(year):
        tid = f"DEMO2-{year}-{sid}"
        complaints[sid] = _get(f"{base['complaints']}/v1/complaints/{tid}", headers)
    periods = sorted({str(year - 1), str(now.year), str(now.year - 1)} | {c["received_at"][:4] for c in complaints.values()})
    for unit in demo.DEMO_UNITS:
        for p in periods:
            rep = _get(f"{agg}/v1/complaints/units/{unit}", headers, period=p)
            agg_status.update({k: v for k, v in rep["by_status"].items() if v})
            breaches.update(rep["breaches"]["by_tier"])
    return {"skm": skm, "promises": promises, "complaints": complaints, "agg_status": agg_status,
            "breach_tiers": breaches}


def _plan(year: int):
    from pantau.rules.workdays import default_calendar
    run = demo._Run({}, {}, year, datetime.now(demo.TZ), default_calendar())
    return demo._complaint_plan(run)


def promise_states(promises: list[dict]) -> Counter:
    c = Counter(p["status"] for p in promises)
    c["kept_on_time"] = sum(1 for p in promises if p["status"] == "fulfilled" and not p["fulfilled_late"])
    c["kept_late"] = sum(1 for p in promises if p["status"] == "fulfilled" and p["fulfilled_late"])
    c["overdue"] = sum(1 for p in promises if p["overdue"])
    c["disputed_then_reviewed"] = sum(1 for p in promises if p["disputes"] and p["status"] != "disputed")
    return c


def complaint_states(complaints: dict) -> Counter:
    c = Counter(v["status"] for v in complaints.values())
    for v in complaints.values():
        kinds = [t["action"] for t in v["transitions"]]
        c["auto_closed"] += v["auto_closed"]
        c["auto_archived"] += v["archive_reason"] == "incomplete_after_30_days"
        c["forwarded_to_unit"] += "forward" in kinds
        c["reopened_ever"] += "reopen" in kinds
        c["rated"] += bool(v["feedback"]["latest"])
        c["verified"] += v["verified_at"] is not None
        for d in v["deadlines"]:
            if d["outcome"] == "breached":
                c[f"breached:{d['kind']}:{d['tier']}"] += 1
    return c


def test_demo_shows_every_state_and_repeats_as_a_no_op(platform):
    from pantau import mongo
    first = demo.load(platform.profile, year=YEAR)
    posted = first["posted"]
    assert posted["skm_responses"] > 5000 and posted["complaints"] == len(_plan(YEAR)), first
    assert posted["fkp_forums"] == 6 and posted["fkp_promises"] == 16 and posted["pekppp_evaluations"] == 3
    assert posted["skm_summaries"] == 3 and "skipped" not in first
    # a second `make up`: the marker says it is loaded, nothing is posted
    again = demo.load(platform.profile, year=YEAR)
    assert again["posted"] == {} and "already loaded" in again["note"]
    # even without the marker (a load interrupted before it was written) nothing is posted twice
    mongo.db("survey")["demo_loads"].delete_one({"_id": f"{demo.VERSION}-{YEAR}"})
    third = demo.load(platform.profile, year=YEAR)
    assert not any(third["posted"].values()), third
    assert third["already_present"] > 5000

    base = {n: platform.url(n, "") for n in platform.profile.http_ports}
    h = platform.headers(platform.bureau)
    expected_complaint_actions = sum(len(steps) for *_, steps in _plan(YEAR))

    def complete():
        s = demo_states(base, h, YEAR)
        n_skm = sum(1 for v in s["skm"].values() if v[0])
        return (n_skm == 2 * len(demo.SKM_UNITS) and len(s["promises"]) == 16
                and sum(s["agg_status"].values()) == len(s["complaints"])
                and sum(len(v["transitions"]) for v in s["complaints"].values()) >= expected_complaint_actions
                and s)
    s = platform.wait_for(complete, timeout=240, what="the demo in the aggregator")

    # SKM: every mutu, two years, inadequate samples
    levels = {u: (before, now_) for u, before, now_, _ in demo.SKM_UNITS}
    for (unit, yr), (mutu, _, _) in s["skm"].items():
        assert mutu == levels[unit][yr != YEAR - 1], (unit, yr, mutu)
    assert {m for m, *_ in s["skm"].values()} == {"A", "B", "C", "D"}
    assert sum(1 for _, ok, _ in s["skm"].values() if ok is False) == 4  # two units, two years

    # FKP promises
    ps = promise_states(s["promises"])
    for state in ("planned", "in_progress", "fulfilled", "disputed", "dropped", "kept_on_time", "kept_late",
                  "overdue", "disputed_then_reviewed"):
        assert ps[state] >= 1, (state, ps)

    # complaints: every status (the services' views and the aggregator agree), every tier breached
    cs = complaint_states(s["complaints"])
    assert {k for k in STATUSES if cs[k]} == STATUSES, cs
    assert {k: v for k, v in s["agg_status"].items()} == {k: cs[k] for k in STATUSES}
    for state in ("auto_closed", "auto_archived", "forwarded_to_unit", "reopened_ever", "rated", "verified"):
        assert cs[state] >= 1, (state, cs)
    # the complaints dated back from today include finished ones, not only open ones
    assert sum(v["status"] == "CLOSED_RESOLVED" for k, v in s["complaints"].items() if k.startswith("L")) >= 2
    for key in ("verification:instansi", "first_follow_up:upp", "first_follow_up:opd", "resolution:upp"):
        assert cs[f"breached:{key}"] >= 1, (key, cs)
    assert {"instansi", "upp", "opd"} <= set(s["breach_tiers"])
    reporters = {v["complaint"]["reporter"]["name"] for v in s["complaints"].values() if not v["anonymous"]}
    assert reporters == {"Warga Demo"}
