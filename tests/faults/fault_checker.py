"""The invariants of the fault suite, as a pure function of what the clients know (the ledger)
and what the platform shows after the pipeline drained (the observation, see fault_observe).

- every acknowledged write is in the aggregator exactly once, with the acknowledged content;
- nothing the clients never got acknowledged shows up (a definite 4xx, or never sent);
- per forum and per complaint, the aggregator's history equals the acknowledged order;
- the aggregator's figures equal a recompute from the services' own stored records;
- the DLQ received exactly the poison records;
- every hostile value was refused at the edge with a 422, or stored and counted as sent;
- every bureau write stored is in the audit log, and every audit entry of a bureau write names
  an event that was stored (both or neither, whatever was killed in between).

A call that stayed indeterminate (no definite answer before the writers gave up) may or may not
be visible; it is reported, never counted either way.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Verdict:
    lost: int = 0
    duplicated: int = 0
    unacknowledged_visible: int = 0
    reordered: int = 0
    figure_mismatches: int = 0
    dlq_mismatch: int = 0
    hostile_mismatch: int = 0
    audit_mismatch: int = 0
    problems: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, what: str, n: int = 1) -> None:
        setattr(self, kind, getattr(self, kind) + n)
        if len(self.problems) < 50:
            self.problems.append(f"{kind}: {what}")


def _entities(v: Verdict, kind: str, steps: str, sent: dict, seen_all: dict) -> None:
    """Every acknowledged entity is seen with its acknowledged steps in order; a refused (4xx) or
    never-sent one is not seen at all."""
    for key, entry in sent.items():
        seen = seen_all.get(key)
        if entry["acked"]:
            if seen is None:
                v.add("lost", f"{kind} {key}")
                continue
            _sequence(v, f"{kind} {key} {steps}", entry[steps], seen[steps], entry.get("unknown_tail"))
        elif seen is not None and not entry.get("unknown"):
            v.add("unacknowledged_visible", f"{kind} {key} (refused with a 4xx)")
    for key in set(seen_all) - set(sent):
        v.add("unacknowledged_visible", f"{kind} {key} never sent")


def _sequence(v: Verdict, what: str, acked: list, seen: list | None, unknown_tail=None) -> None:
    """`seen` must equal `acked`, or `acked + [unknown_tail]` when the last call was indeterminate."""
    seen = list(seen or [])
    if seen == acked or (unknown_tail is not None and seen == acked + [unknown_tail]):
        return
    if sorted(map(str, seen)) == sorted(map(str, acked)):
        v.add("reordered", f"{what}: acknowledged {acked}, aggregator {seen}")
        return
    missing, extra = list(acked), []
    for x in seen:
        if x in missing:
            missing.remove(x)
        else:
            extra.append(x)
    if unknown_tail is not None and unknown_tail in extra:
        extra.remove(unknown_tail)
    if missing:
        v.add("lost", f"{what}: acknowledged {acked}, aggregator {seen}", len(missing))
    dup = [x for x in extra if x in acked]
    if dup:
        v.add("duplicated", f"{what}: acknowledged {acked}, aggregator {seen}", len(dup))
    if len(extra) > len(dup):
        v.add("unacknowledged_visible", f"{what}: acknowledged {acked}, aggregator {seen}", len(extra) - len(dup))
    if not missing and not extra:
        v.add("reordered", f"{what}: acknowledged {acked}, aggregator {seen}")


def check(ledger, observed: dict) -> Verdict:
    v = Verdict()
    # SKM responses: the tagged facts in the aggregator against what was acknowledged
    facts, stored = observed["skm"], observed["skm_service"]
    for key, answers in ledger.skm_acked.items():
        if key not in facts:
            v.add("lost", f"skm {key}")
        elif facts[key] != answers:
            v.add("unacknowledged_visible", f"skm {key}: content {facts[key]} is not the acknowledged {answers}")
    for key in facts:
        if key not in ledger.skm_acked and key not in ledger.skm_unknown:
            v.add("unacknowledged_visible", f"skm {key} ({'rejected' if key in ledger.skm_rejected else 'never sent'})")
    for key in ledger.skm_rejected & set(stored):
        v.add("unacknowledged_visible", f"skm {key} refused with a 4xx but stored by the survey service")
    for key, n in observed.get("skm_fact_counts", {}).items():
        if n > 1:
            v.add("duplicated", f"skm {key} x{n}", n - 1)

    # forums with their promise progress, complaints with their lifecycle actions
    _entities(v, "forum", "progress", ledger.forums, observed["forums"])
    _entities(v, "complaint", "actions", ledger.complaints, observed["complaints"])

    # figures: aggregator vs a recompute from the services' own records
    for name, agg, recomputed in observed["figures"]:
        if agg != recomputed:
            v.add("figure_mismatches", f"{name}: aggregator {agg!r}, recomputed from the service {recomputed!r}")
            if isinstance(agg, (int, float)) and isinstance(recomputed, (int, float)) and agg > recomputed \
                    and name.endswith("respondents"):
                v.duplicated += int(agg - recomputed)

    # hostile values: refused with a 422 at the edge, or stored with the value as sent (and counted:
    # an acknowledged one is in skm_acked/forums/complaints and checked above like any other)
    for what, expected, status in getattr(ledger, "hostile", []):
        if status is None:
            continue  # indeterminate (unresolved): reported elsewhere
        if expected == "refused" and status != 422:
            v.add("hostile_mismatch", f"{what}: expected 422, got {status}")
        if expected == "stored" and not 200 <= status < 300:
            v.add("hostile_mismatch", f"{what}: expected to be stored, got {status}")
    seen_types = observed.get("skm_service_type", {})
    for key, value in getattr(ledger, "skm_service_type", {}).items():
        if key in seen_types and seen_types[key] != value:
            v.add("hostile_mismatch", f"skm {key}: service_type {seen_types[key]!r} is not the {value!r} sent")

    audit = observed.get("audit")
    if audit is not None:
        for entry, events in audit["carried"].items():
            if entry not in audit["logged"]:
                v.add("audit_mismatch", f"bureau write {sorted(events)} stored without its audit entry {entry}")
        for entry, event in audit["logged"].items():
            if event not in audit["existing"]:
                v.add("audit_mismatch", f"audit entry {entry} names {event!r}, which was not stored")

    dlq = observed.get("dlq")
    if dlq is not None:
        if dlq["marked"] != dlq["poison"] or dlq["new"] != dlq["poison"]:
            v.add("dlq_mismatch", f"poison published {dlq['poison']}, DLQ records with the marker {dlq['marked']}, "
                                  f"new DLQ records in the run {dlq['new']}")
    return v


EDGE_REFUSALS = (400, 413, 422)


def outage_answers(ledger, outages: list) -> dict:
    """The answers given while the store was down, per `(t0, t1)` window. A 2xx is a breach
    ("2xx") only for a request sent after the store went down: one sent before may have been
    stored before, its answer late on a loaded machine ("2xx_sent_before"; `check` still proves
    it durable, as it must be reflected exactly once). A request refused at the edge (400, 413,
    422: a hostile value, a malformed body) needs no store and is counted apart ("refused_4xx").
    Other answers count after a 1 s grace for requests the store finished just before it went down.
    A 503 that arrives after the store is back counts too when its request was under way during the
    outage (sent late in the window, or waiting since before it: its deadline ended afterwards)."""
    out = {"503": 0, "2xx": 0, "2xx_sent_before": 0, "refused_4xx": 0, "other": {}}
    for t0, t1 in outages:
        out["503"] += sum(1 for sent, answered, what in ledger.answers_between(t1, float("inf"))
                          if what == 503 and answered > t1 and sent <= t1)
        for sent, answered, what in ledger.answers_between(t0, t1):
            if str(what).startswith("2"):
                out["2xx" if sent >= t0 else "2xx_sent_before"] += 1
            elif answered < t0 + 1.0:
                continue
            elif what == 503:
                out["503"] += 1
            elif what in EDGE_REFUSALS:
                out["refused_4xx"] += 1
            else:
                out["other"][str(what)] = out["other"].get(str(what), 0) + 1
    return out
