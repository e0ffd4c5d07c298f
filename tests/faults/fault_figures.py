"""The suite's figures, gathered over the session (written by conftest at its end)."""
from __future__ import annotations

import os

# short: `make test`; full: `make test-faults`; cluster: the suite on the three-broker profile
FORM = {"full": "full", "cluster": "cluster"}.get(os.environ.get("PANTAU_FAULTS", "short").lower(), "short")
TIMEOUT_S = {"full": 1200, "cluster": 1500}.get(FORM, 600)
"""Per test: a run writes, injects, drains and checks (the default 300 s is for one request)."""

FIGURES: dict = {"form": FORM, "scenarios": {}, "acknowledged": {}, "faults": {}, "lost": 0, "duplicated": 0,
                 "unacknowledged_visible": 0, "reordered": 0, "figure_mismatches": 0, "poison_published": 0,
                 "dlq_records": 0, "drain_seconds_max": 0.0, "outage_503": 0, "outage_2xx": 0,
                 "outage_2xx_sent_before": 0, "server_500": 0,
                 "retries": 0, "unresolved": 0, "hostile": {}, "hostile_mismatch": 0,
                 "audit_entries": 0, "audit_mismatch": 0, "brokers": {}}


def summary_line(figures: dict | None = None) -> str:
    f = figures or FIGURES
    acked = sum(f["acknowledged"].values())
    faults = ", ".join(f"{k} {v}" for k, v in sorted(f["faults"].items()))
    return (f"fault suite ({f['form']}): {acked} acknowledged writes ({f['acknowledged']}); faults: {faults}; "
            f"lost {f['lost']}, duplicated {f['duplicated']}, unacknowledged visible {f['unacknowledged_visible']}, "
            f"reordered {f['reordered']}; DLQ {f['dlq_records']} / poison {f['poison_published']}; "
            f"drain max {f['drain_seconds_max']} s; 503s during store outages {f['outage_503']}, "
            f"2xx to requests sent during outages {f['outage_2xx']} (to requests sent before: "
            f"{f['outage_2xx_sent_before']}), 500s {f['server_500']}; unresolved {f['unresolved']}; "
            f"hostile values {f['hostile'].get('sent', 0)} (422 {f['hostile'].get('refused_422', 0)}, stored "
            f"{f['hostile'].get('stored', 0)}, mismatches {f['hostile_mismatch']}); "
            f"bureau writes in the audit log {f['audit_entries']} (without their entry or without their write: "
            f"{f['audit_mismatch']})"
            + "".join(f"; {k}: {v}" for k, v in sorted(f.get("brokers", {}).items()))
            + (f"; NOT DRAINED within the bound in {f['drain_failures']} run(s)" if f.get("drain_failures") else ""))
