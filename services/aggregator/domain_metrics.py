"""Domain gauges for the bureau, recomputed in the aggregator's consumer process.

The bureau wants to be paged when units fall behind as it would be for an outage, so a few
province-wide figures are Prometheus gauges (defined in pantau.metrics, never per unit: per-unit
figures belong in the reports):

- SKM: province IKM (official compilation method) and respondents of the current year, quarter
  and month (label `period` = year|quarter|month, province time), UPPs in the registry and UPPs
  without any respondent this year: the same month tallies (skm_read.py) and compilation
  (rules.ikm.compile_region) as `GET /v1/ikm/province`, so the gauge and the report agree.
- Complaints (SP4N-LAPOR!): open complaints by the tier of their holder, complaints with a
  government deadline running past due by the tier charged, and breached deadlines (met late
  or still overdue) over all complaints by the tier charged (the "breaches rising" alert watches
  this one). Each complaint is judged now with complaint_reports.judge, the
  function the complaint reports use; complaints whose judged status is terminal are cached by
  (id, seq): their clocks are stopped, so their judgement no longer changes.
- FKP: open and overdue improvement promises (all years), from `fkp_units` with the FKP report
  functions (fkp_reports).

A missing collection reads as empty (zeros). A source that fails keeps its last values, counts
`pantau_domain_metrics_errors_total{source}` and leaves
`pantau_domain_metrics_last_success_timestamp_seconds{source}` behind (alert
PantauDomainMetricsStale). The refresher sleeps `PANTAU_DOMAIN_METRICS_INTERVAL` seconds
(default 15; 0 disables it) but at least 4x the time the last round took, so on a large or slow
store it never takes more than ~20 % of the consumer process.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from pantau import metrics
from pantau.config import Settings, settings
from pantau.rules import ikm as ikm_rules
from pantau.rules.periods import period_containing
from pantau.rules.sample import sample_adequacy
from pantau.units import Registry

from . import complaint_reports, fkp_reports
from .population import population
from .skm_read import month_tallies, result_of, summary_docs

log = logging.getLogger("pantau.aggregator.domain_metrics")

PERIOD_KINDS = ("year", "quarter", "month")
TIERS = ("instansi", "upp", "opd", "kabkota", "unit")
SOURCES = ("skm", "complaints", "fkp")
DEFAULT_INTERVAL = 15.0
BUDGET_FACTOR = 4.0  # sleep at least this many times the last round's duration


# ---- SKM ------------------------------------------------------------------------------------

def skm_figures(months: dict, unit_ids: list[str], settings_docs: Iterable[dict], now: datetime,
                s: Settings, summaries: dict[str, list[dict]] | None = None) -> dict:
    """Province SKM figures for the current year, quarter and month from the units' month
    tallies and summary reports (skm_read.result_of; pure but for the registry, which
    `population` reads for units without settings)."""
    by_id = {d["_id"]: d for d in settings_docs}
    out: dict = {"units": len(unit_ids), "periods": {}}
    for kind in PERIOD_KINDS:
        period = period_containing(now, kind, s.tz)
        compile_input, respondents = [], 0
        for uid in unit_ids:
            r = result_of(months.get(uid, {}), (summaries or {}).get(uid, []), period)
            respondents += r.respondents
            adequacy = sample_adequacy(population(uid, period, by_id.get(f"{uid}:{period}")), r.respondents)
            compile_input.append(r.compile_input(uid, adequacy["adequate"]))
        region = ikm_rules.compile_region(compile_input, s.ikm_weight_mode)
        official = "ikm_pooled_respondents" if s.ikm_official_method == "pooled" else "ikm_mean_of_units"
        out["periods"][kind] = {"period": str(period), "ikm": region.get(official), "respondents": respondents,
                                "units_included": region.get("unit_count") or 0}
        if kind == "year":
            out["units_without_responses"] = sum(1 for c in compile_input if not c["respondents"])
    return out


def refresh_skm(db, s: Settings, now: datetime) -> dict:
    year = period_containing(now, "year", s.tz)
    ids = [u.id for u in Registry.instance().upps()]
    months = month_tallies(db, ids, [year.year], profile=False)  # the metrics need no profile
    summaries = summary_docs(db, ids, [year.year])
    settings_docs = list(db["skm_settings"].find({}, projection={"_id": 1, "population": 1}))
    fig = skm_figures(months, ids, settings_docs, now, s, summaries)
    for kind, f in fig["periods"].items():
        if f["ikm"] is None:
            _remove(metrics.SKM_PROVINCE_IKM, kind)  # no adequate unit yet: no IKM, not 0
        else:
            metrics.SKM_PROVINCE_IKM.labels(kind).set(float(f["ikm"]))
        metrics.SKM_PROVINCE_RESPONDENTS.labels(kind).set(f["respondents"])
        metrics.SKM_PROVINCE_UNITS_INCLUDED.labels(kind).set(f["units_included"])
    metrics.SKM_UNITS.labels(s.province_id).set(fig["units"])
    metrics.SKM_UNITS_WITHOUT_RESPONSES.labels(s.province_id).set(fig["units_without_responses"])
    return fig


def _remove(gauge, *labels) -> None:
    try:
        gauge.remove(*labels)
    except KeyError:
        pass


# ---- complaints -----------------------------------------------------------------------------

def _zero() -> dict[str, int]:
    return {t: 0 for t in TIERS}


def complaint_contribution(judged, tier_of: Callable[[str | None], str]) -> dict:
    """What one judged complaint adds to each gauge (pure)."""
    from pantau.rules import lapor
    st = judged.st
    c: dict[str, Any] = {"open": {}, "overdue": {}, "breaches": {}, "terminal": st.status in lapor.TERMINAL}
    if not c["terminal"]:
        c["open"][tier_of(st.holder_unit_id)] = 1
    for d in judged.deadlines:
        if d["kind"] not in lapor.GOVERNMENT_KINDS:
            continue
        if d["overdue"]:
            c["overdue"][d["tier"]] = 1  # a complaint counts once per tier
        if d["outcome"] == "breached":
            c["breaches"][d["tier"]] = c["breaches"].get(d["tier"], 0) + 1
    return c


def sum_contributions(contribs: Iterable[dict]) -> dict:
    out = {"open": _zero(), "overdue": _zero(), "breaches": _zero()}
    for c in contribs:
        for key in ("open", "overdue", "breaches"):
            for tier, n in c[key].items():
                out[key][tier] = out[key].get(tier, 0) + n
    return out


class ComplaintGauges:
    def __init__(self):
        self.cache: dict[str, tuple[int, dict]] = {}  # id -> (seq, contribution) of terminal complaints

    def refresh(self, db, s: Settings, now: datetime) -> dict:
        from pantau.rules.workdays import default_calendar
        reports = complaint_reports

        cal = default_calendar()
        contribs, cache = [], {}
        for doc in db["complaints"].find({}, projection={"log": 1, "seq": 1}):
            key, seq = doc["_id"], doc.get("seq", 0)
            hit = self.cache.get(key)
            if hit is not None and hit[0] == seq:
                c = hit[1]
            else:
                judged = reports.judge([doc.get("log") or []], now, cal, s.province_id)
                if not judged:
                    continue
                c = complaint_contribution(judged[0], reports.tier_of)
            if c["terminal"]:
                cache[key] = (seq, c)
            contribs.append(c)
        self.cache = cache
        fig = sum_contributions(contribs)
        for tier, n in fig["open"].items():
            metrics.COMPLAINTS_OPEN.labels(tier).set(n)
        for tier, n in fig["overdue"].items():
            metrics.COMPLAINTS_OVERDUE.labels(tier).set(n)
        for tier, n in fig["breaches"].items():
            metrics.COMPLAINT_DEADLINE_BREACHES.labels(tier).set(n)
        return fig


# ---- FKP ------------------------------------------------------------------------------------

def fkp_figures(docs: Iterable[dict], now: datetime, tz: str) -> dict:
    zone = ZoneInfo(tz)
    open_, overdue = 0, 0
    for doc in docs:
        forums = {f["fkp_id"]: f for f in fkp_reports.forums_at(doc, now)}
        for p in fkp_reports.promises_at(doc, forums, now, zone):
            open_ += bool(p["open"])
            overdue += bool(p["overdue"])
    return {"open": open_, "overdue": overdue}


def refresh_fkp(db, s: Settings, now: datetime) -> dict:
    fig = fkp_figures(db["fkp_units"].find({}), now, s.tz)
    metrics.FKP_PROMISES_OPEN.labels(s.province_id).set(fig["open"])
    metrics.FKP_PROMISES_OVERDUE.labels(s.province_id).set(fig["overdue"])
    return fig


# ---- the refresher --------------------------------------------------------------------------

class Refresher(threading.Thread):
    """Daemon thread recomputing every source, then sleeping (see the module docstring)."""

    def __init__(self, db, interval: float = DEFAULT_INTERVAL, s: Settings | None = None,
                 clock: Callable[[], datetime] | None = None):
        super().__init__(name="pantau-domain-metrics", daemon=True)
        self.db = db
        self.interval = interval
        self.s = s or settings()
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.complaints = ComplaintGauges()
        self._stop_event = threading.Event()
        self.rounds = 0

    def stop(self) -> None:
        self._stop_event.set()

    def refresh_once(self) -> dict[str, bool]:
        now = self.clock()
        steps = {"skm": refresh_skm, "complaints": self.complaints.refresh, "fkp": refresh_fkp}
        ok = {}
        for source, step in steps.items():
            started = time.perf_counter()
            try:
                step(self.db, self.s, now)
                metrics.DOMAIN_LAST_SUCCESS.labels(source).set(time.time())
                ok[source] = True
            except Exception as exc:  # noqa: BLE001 - keep the last values, count, retry next round
                metrics.DOMAIN_REFRESH_ERRORS.labels(source).inc()
                log.warning("domain metrics refresh failed", extra={"source": source, "error": repr(exc)})
                ok[source] = False
            metrics.DOMAIN_REFRESH.labels(source).observe(time.perf_counter() - started)
        self.rounds += 1
        return ok

    def run(self) -> None:
        while not self._stop_event.is_set():
            started = time.perf_counter()
            self.refresh_once()
            took = time.perf_counter() - started
            self._stop_event.wait(max(self.interval, BUDGET_FACTOR * took))


def init_series() -> None:
    """Error counters start at 0. The tier gauges are deliberately *not* created at 0: the first
    refresh sets every tier to its true value, so a consumer restart never looks like a rise
    from 0 to the current count (which the "breaches rising" alert would take for new breaches)."""
    for source in SOURCES:
        metrics.DOMAIN_REFRESH_ERRORS.labels(source)


def start(db=None, interval: float | None = None) -> Refresher | None:
    """Start the refresher in this process (the consumer's `main`); None when disabled."""
    if interval is None:
        interval = float(os.environ.get("PANTAU_DOMAIN_METRICS_INTERVAL") or DEFAULT_INTERVAL)
    if interval <= 0:
        return None
    if db is None:
        from pantau import mongo
        db = mongo.db("aggregator")
    init_series()
    r = Refresher(db, interval)
    r.start()
    log.info("domain metrics refresher started", extra={"interval_s": interval})
    return r
