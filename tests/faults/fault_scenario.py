"""One run of the suite: writers start, faults are injected while they write, writers stop, the
pipeline drains, the checker reads everything back. Figures go into conftest.FIGURES."""
from __future__ import annotations

import time
import uuid

from fault_checker import Verdict, check, outage_answers
from fault_figures import FIGURES
from fault_observe import dlq_end_offsets, dlq_marked, observe, wait_drained
from fault_writers import Ledger, Writers

DRAIN_BOUND_S = 120.0


class Scenario:
    def __init__(self, platform, size: dict, name: str):
        self.p, self.size, self.name = platform, size, name
        self.ledger = Ledger(tag=f"F{uuid.uuid4().hex[:6]}")
        self.writers = Writers(platform, self.ledger, size["units"], pace=size["pace"])
        self.faults: dict = {}
        self.outages: list = []  # (t0, t1) windows with the store down
        self.poison = 0
        self.marker = self.ledger.tag + "-poison"

    def __enter__(self) -> Scenario:
        self.dlq_before = dlq_end_offsets()
        self.writers.start()
        self.progress(self.size["warmup_acks"])
        return self

    def __exit__(self, *exc) -> None:
        if not self.writers.stop_event.is_set():
            self.writers.stop_event.set()
            self.writers.give_up_at[0] = time.monotonic() + 5

    def acks(self) -> int:
        with self.ledger.lock:
            return sum(self.ledger.acked.values())

    def progress(self, n: int, timeout: float = 180.0) -> None:
        """Until the writers got `n` more acknowledgements (they are really writing)."""
        target = self.acks() + n
        self.p.wait_for(lambda: self.acks() >= target, timeout, f"{n} more acknowledged writes")

    def fault(self, kind: str, fn, *args):
        result = fn(*args)
        self.faults[kind] = self.faults.get(kind, 0) + 1
        return result

    def outage(self, kind: str, fn, *args) -> None:
        self.outages.append(self.fault(kind, fn, *args))

    def finish(self) -> tuple[Verdict, dict]:
        """Stop the writers, wait for the drain, check; returns (verdict, figures of this run)."""
        self.writers.stop()
        try:
            drain = wait_drained(self.p, DRAIN_BOUND_S)
        except AssertionError as exc:  # keep what is known for the figures, then fail
            FIGURES["scenarios"][self.name] = {"acknowledged": dict(self.ledger.acked), "faults": self.faults,
                                               "drain_error": str(exc)}
            FIGURES["drain_failures"] = FIGURES.get("drain_failures", 0) + 1
            raise
        L = self.ledger
        units = self.size["units"]

        def observed():
            obs = observe(self.p, L, units)
            obs["dlq"] = {"poison": self.poison, "new": dlq_end_offsets() - self.dlq_before,
                          "marked": dlq_marked(self.p, self.marker) if self.poison else 0}
            return obs

        # lag 0 means every effect is stored; allow a few seconds for the report reads anyway
        deadline = time.monotonic() + 30
        while True:
            last = observed()
            verdict = check(L, last)
            if verdict.ok or time.monotonic() > deadline:
                break
            time.sleep(1)
        statuses = L.statuses()
        outage = outage_answers(L, self.outages)
        figures = {"acknowledged": dict(L.acked), "calls": L.calls, "retries": L.retries,
                   "unresolved": list(L.unresolved), "definite_errors": L.definite_errors[:20],
                   "faults": self.faults, "drain_seconds": drain, "statuses": statuses, "outage": outage,
                   "poison": self.poison, "dlq_new": dlq_end_offsets() - self.dlq_before,
                   "lost": verdict.lost, "duplicated": verdict.duplicated,
                   "unacknowledged_visible": verdict.unacknowledged_visible, "reordered": verdict.reordered,
                   "figure_mismatches": verdict.figure_mismatches, "problems": verdict.problems[:20],
                   "hostile": _hostile_figures(L.hostile), "hostile_mismatch": verdict.hostile_mismatch,
                   "audit_entries": len(last.get("audit", {}).get("logged", {})),
                   "audit_mismatch": verdict.audit_mismatch}
        self._record(figures)
        return verdict, figures

    def _record(self, f: dict) -> None:
        F = FIGURES
        F["scenarios"][self.name] = f
        for k, v in f["acknowledged"].items():
            F["acknowledged"][k] = F["acknowledged"].get(k, 0) + v
        for k, v in f["faults"].items():
            F["faults"][k] = F["faults"].get(k, 0) + v
        for k in ("lost", "duplicated", "unacknowledged_visible", "reordered", "figure_mismatches", "retries"):
            F[k] += f[k]
        for k, v in f["hostile"].items():
            F["hostile"][k] = F["hostile"].get(k, 0) + v
        F["hostile_mismatch"] += f["hostile_mismatch"]
        F["audit_entries"] = max(F["audit_entries"], f["audit_entries"])  # the log only grows: the last run's count
        F["audit_mismatch"] += f["audit_mismatch"]
        F["poison_published"] += f["poison"]
        F["dlq_records"] += f["dlq_new"]
        F["drain_seconds_max"] = max(F["drain_seconds_max"], f["drain_seconds"])
        F["outage_503"] += f["outage"]["503"]
        F["outage_2xx"] += f["outage"]["2xx"]
        F["outage_2xx_sent_before"] += f["outage"]["2xx_sent_before"]
        F["server_500"] += f["statuses"].get("500", 0)
        F["unresolved"] += len(f["unresolved"])


def _hostile_figures(hostile: list) -> dict:
    out = {"sent": len(hostile), "refused_422": 0, "stored": 0, "other": 0}
    for _, _, status in hostile:
        key = "refused_422" if status == 422 else "stored" if status is not None and 200 <= status < 300 else "other"
        out[key] += 1
    return out


def assert_clean(verdict: Verdict, figures: dict) -> None:
    assert verdict.ok, "\n".join(verdict.problems)
    idle = [k for k, n in figures["acknowledged"].items() if not n]
    assert not idle, f"no acknowledged writes of {idle}: the run proves nothing ({figures['definite_errors'][:5]})"
    assert not figures["unresolved"], f"calls never answered definitely: {figures['unresolved'][:10]}"
    assert not figures["definite_errors"], f"unexpected refusals: {figures['definite_errors']}"
    assert figures["statuses"].get("500", 0) == 0, f"server errors: {figures['statuses']}"
    assert figures["outage"]["2xx"] == 0, f"2xx to requests sent while the store was down: {figures['outage']}"
    assert figures["hostile"]["refused_422"] and figures["hostile"]["stored"], \
        f"the run sent too few hostile values to prove anything: {figures['hostile']}"


def run(platform, size, name, inject) -> dict:
    with Scenario(platform, size, name) as sc:
        for rep in range(size["reps"]):
            inject(sc, rep)
            sc.progress(size["warmup_acks"] // 3)  # writers are acknowledged again after the fault
        verdict, figures = sc.finish()
    assert_clean(verdict, figures)
    return figures
