"""Domain gauges (services/aggregator/domain_metrics.py) from in-memory projections: province SKM figures,
complaints by tier (with the cache for terminal complaints), FKP promises, and a refresher
round where one source fails."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from prometheus_client import REGISTRY

from pantau import events as _contracts  # noqa: F401  (registers the event schemas)
from pantau.config import Settings
from pantau.envelope import decode
from pantau.rules.ikm import ELEMENTS
from services.aggregator import domain_metrics as dm

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "pantau" / "events" / "examples"
NOW = datetime(2026, 5, 15, 12, 0, tzinfo=timezone.utc)  # 2026-05-15 20:00 WITA: Q2, May


def example(name: str):
    return decode((EXAMPLES / f"{name}.json").read_bytes())


def sample(name: str, **labels) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


class FakeCollection:
    def __init__(self, docs=None, error: Exception | None = None):
        self.docs = list(docs or [])
        self.error = error

    def find(self, query=None, projection=None):
        if self.error:
            raise self.error
        out = []
        for d in self.docs:
            ok = all(d.get(k) in cond["$in"] if isinstance(cond, dict) else d.get(k) == cond
                     for k, cond in (query or {}).items())
            if ok:
                out.append(copy.deepcopy(d))
        return out


class FakeDB(dict):
    def __getitem__(self, name):
        return self.setdefault(name, FakeCollection())


class FakeRegistry:
    def __init__(self, upps):
        self.units = {u: SimpleNamespace(id=u, kind="upp", population=None) for u in upps}

    def upps(self):
        return list(self.units.values())

    def get(self, unit_id):
        return self.units.get(unit_id)


def month_doc(respondents: int, answer: int) -> dict:
    from pantau.rules.skm_tally import month_doc_add, month_doc_new
    m = month_doc_new()
    for i in range(respondents):
        month_doc_add(m, {"answers": {k: answer for k in ELEMENTS}, "local_hour": 10,
                          "submitted_at": f"2026-01-01T10:0{i}:00+08:00"}, 1)
    return m


def year_docs(spec: list[tuple[str, str, int, int]]) -> list[dict]:
    """The units' year documents (projections/skm_history.py) holding `respondents` answers of
    `answer` in (unit, month)."""
    docs: dict[str, dict] = {}
    for unit, month, n, answer in spec:
        d = docs.setdefault(f"{unit}:{month[:4]}", {"_id": f"{unit}:{month[:4]}", "unit_id": unit,
                                                    "year": int(month[:4]), "months": {}})
        d["months"][month[5:7]] = month_doc(n, answer)
    return list(docs.values())


def tallies(docs: list[dict]) -> dict:
    from pantau.rules.skm_tally import SkmTally
    out: dict = {}
    for d in docs:
        for mm, m in d["months"].items():
            out.setdefault(d["unit_id"], {})[f"{d['year']}-{mm}"] = SkmTally.of_month(m)
    return out


@pytest.fixture
def registry(monkeypatch):
    from pantau import units
    reg = FakeRegistry(["u1", "u2", "u3"])
    monkeypatch.setattr(units.Registry, "instance", classmethod(lambda cls: reg))
    return reg


SKM_YEARS = year_docs([("u1", "2026-05", 3, 4),    # adequate (population 3 in its settings)
                       ("u2", "2026-02", 2, 3),    # no population known: not in the IKM
                       ("x-opd", "2026-05", 9, 1),  # not a UPP
                       ("u3", "2025-12", 5, 2)])    # last year
SKM_SETTINGS = [{"_id": f"u1:{p}", "population": 3} for p in ("2026", "2026-Q2", "2026-05")]


def test_skm_figures_per_period(registry):
    fig = dm.skm_figures(tallies(SKM_YEARS), ["u1", "u2", "u3"], SKM_SETTINGS, NOW, Settings())
    assert fig["units"] == 3
    assert fig["units_without_responses"] == 1  # u3: nothing this year
    assert fig["periods"]["year"] == {"period": "2026", "ikm": 100.0, "respondents": 5, "units_included": 1}
    assert fig["periods"]["quarter"] == {"period": "2026-Q2", "ikm": 100.0, "respondents": 3, "units_included": 1}
    assert fig["periods"]["month"]["respondents"] == 3


def test_refresh_skm_sets_the_gauges_and_drops_an_ikm_that_has_no_basis(registry):
    db = FakeDB(skm_units=FakeCollection(SKM_YEARS), skm_settings=FakeCollection(SKM_SETTINGS))
    dm.refresh_skm(db, Settings(), NOW)
    assert sample("pantau_skm_province_ikm", period="year") == 100.0
    assert sample("pantau_skm_province_respondents", period="year") == 5
    assert sample("pantau_skm_units_without_responses", province="kaltim") == 1
    assert sample("pantau_skm_units", province="kaltim") == 3
    db["skm_settings"].docs = []  # no population known anywhere: no unit adequate, no IKM
    dm.refresh_skm(db, Settings(), NOW)
    assert sample("pantau_skm_province_ikm", period="year") is None
    assert sample("pantau_skm_province_respondents", period="year") == 5


def complaint_doc(*names: str) -> dict:
    from services.aggregator.projections import complaints
    doc = None
    for n in names:
        e = example(n)
        doc = {**complaints.fold(doc, e), "_id": e.data["complaint_id"], "seq": e.seq}
    return doc


def test_complaint_gauges_by_tier_and_the_terminal_cache(monkeypatch):
    from services.aggregator import complaint_reports
    monkeypatch.setattr(complaint_reports, "tier_of", lambda unit_id: "upp")
    calls = []
    real_judge = complaint_reports.judge
    monkeypatch.setattr(complaint_reports, "judge", lambda logs, *a: calls.append(1) or real_judge(logs, *a))
    open_doc = complaint_doc("complaint.received")
    archived = complaint_doc("complaint.received", "complaint.archived")
    archived["_id"] = "LAPOR-ARCHIVED"
    db = FakeDB(complaints=FakeCollection([open_doc, archived]))
    gauges = dm.ComplaintGauges()
    as_of = datetime(2026, 7, 31, 12, 0, tzinfo=timezone.utc)  # weeks after receipt: unverified, overdue
    fig = gauges.refresh(db, Settings(), as_of)
    assert fig["open"] == {**dm._zero(), "upp": 1}  # the archived one is not open
    assert fig["overdue"]["instansi"] == 1  # verification is the admin instansi's deadline
    assert fig["breaches"]["instansi"] >= 1
    assert set(fig["open"]) == set(dm.TIERS)  # every tier gets a series, 0 included
    assert sample("pantau_complaints_open", tier="upp") == 1
    assert sample("pantau_complaints_overdue", tier="opd") == 0
    assert len(calls) == 2
    gauges.refresh(db, Settings(), as_of)
    assert len(calls) == 3  # the archived complaint came from the cache
    assert list(gauges.cache) == ["LAPOR-ARCHIVED"]


def test_complaint_gauges_with_no_collection_are_zero():
    fig = dm.ComplaintGauges().refresh(FakeDB(), Settings(), NOW)
    assert fig == {"open": dm._zero(), "overdue": dm._zero(), "breaches": dm._zero()}


def fkp_doc() -> dict:
    from services.aggregator.projections import fkp
    doc = fkp.new_unit_doc("rsud-aws")
    for n in ("fkp.forum_recorded", "fkp.promise_recorded"):
        assert fkp.apply_event(doc, example(n))
    return doc


def test_fkp_promises_open_and_overdue():
    doc = fkp_doc()  # one promise, target 2026-07-31
    assert dm.fkp_figures([doc], datetime(2026, 5, 1, tzinfo=timezone.utc), "Asia/Makassar") == {"open": 1, "overdue": 0}
    assert dm.fkp_figures([doc], datetime(2026, 8, 15, tzinfo=timezone.utc), "Asia/Makassar") == {"open": 1, "overdue": 1}
    assert dm.fkp_figures([], NOW, "Asia/Makassar") == {"open": 0, "overdue": 0}


def test_a_failing_source_keeps_its_values_and_counts_an_error(registry):
    db = FakeDB(skm_units=FakeCollection(SKM_YEARS), skm_settings=FakeCollection(SKM_SETTINGS),
                fkp_units=FakeCollection([fkp_doc()]),
                complaints=FakeCollection(error=ConnectionError("store down")))
    dm.init_series()
    before = sample("pantau_domain_metrics_errors_total", source="complaints")
    r = dm.Refresher(db, interval=60, clock=lambda: datetime(2026, 8, 15, tzinfo=timezone.utc))
    assert r.refresh_once() == {"skm": True, "complaints": False, "fkp": True}
    assert sample("pantau_domain_metrics_errors_total", source="complaints") == before + 1
    assert sample("pantau_fkp_promises_overdue", province="kaltim") == 1
    assert sample("pantau_domain_metrics_last_success_timestamp_seconds", source="fkp") > 0
    assert sample("pantau_domain_metrics_refresh_seconds_count", source="complaints") >= 1


def test_refresher_thread_starts_and_stops(registry, monkeypatch):
    monkeypatch.setenv("PANTAU_DOMAIN_METRICS_INTERVAL", "0")
    assert dm.start(db=FakeDB()) is None  # disabled
    r = dm.start(db=FakeDB(), interval=0.05)
    try:
        import time
        deadline = time.monotonic() + 5
        while r.rounds < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert r.rounds >= 2
    finally:
        r.stop()
        r.join(timeout=5)
    assert not r.is_alive()


def test_examples_used_here_exist():
    for n in ("complaint.received", "complaint.archived", "fkp.forum_recorded", "fkp.promise_recorded"):
        assert json.loads((EXAMPLES / f"{n}.json").read_text(encoding="utf-8"))["type"] == n
