"""Forum Konsultasi Publik rules (PermenPANRB 16/2017; domain.md §2 and §4.3): pure, stdlib only.

- A forum moves through the stages planned → held → closed (§2.3), forward only, one step at
  a time (a forum cannot be closed without having been held).
- An improvement promise (*janji perbaikan*, §2.4) is a small state machine, written out as the
  table `TRANSITIONS`: the unit reports progress (planned, in_progress, fulfilled, dropped); a
  forum participant confirms or disputes a fulfilled promise; the bureau reviews a dispute.
  A dispute puts the promise back among the open ones (`OPEN`) until the bureau decides.
  Guards outside the table: a promise cannot be fulfilled before its forum was held, fulfilment
  needs evidence and 100 %, dropping needs a reason.
- Reports answer "as the data stood at `as_of`": every recorded change carries the time it was
  recorded (`t`), and `state_at` folds only the changes with `t <= as_of`. Overdue is judged at
  read time: an open promise whose target date is before the local date of `as_of`.
- No deadline for keeping FKP promises exists in the regulation (§2.4, §9.5): the promise's
  own target date is the yardstick.
"""
from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from .skm_tally import SkmTally

STAGES = ("planned", "held", "closed")
HELD = frozenset({"held", "closed"})
STAGE_NEXT = {"planned": "held", "held": "closed"}

# domain.md §2.2 (PEKPPP F-02 ind. 2): the five community elements, in the rubric's order
COMMUNITY_ELEMENTS = ("pengguna_layanan", "akademisi", "instansi_terkait", "organisasi_masyarakat", "media")
TOPICS = ("standar_pelayanan", "tindak_lanjut_skm", "maklumat_pelayanan", "lainnya")
IND2_TOPIC = "standar_pelayanan"  # ind. 2.a.P scores the elements involved in drafting/reviewing the SP

PROMISE_STATUSES = ("planned", "in_progress", "fulfilled", "disputed", "dropped")
OPEN = frozenset({"planned", "in_progress", "disputed"})
UNIT_TARGETS = ("planned", "in_progress", "fulfilled", "dropped")
VERDICTS = ("confirm", "dispute")
DECISIONS = ("dispute_upheld", "dispute_rejected")

# (action, current status) -> {requested target / verdict / decision: resulting status}
TRANSITIONS: dict[tuple[str, str], dict[str, str]] = {
    ("progress", "planned"): {"planned": "planned", "in_progress": "in_progress", "fulfilled": "fulfilled",
                              "dropped": "dropped"},
    ("progress", "in_progress"): {"in_progress": "in_progress", "fulfilled": "fulfilled", "dropped": "dropped"},
    ("feedback", "fulfilled"): {"confirm": "fulfilled", "dispute": "disputed"},
    ("review", "disputed"): {"dispute_upheld": "in_progress", "dispute_rejected": "fulfilled"},
}

def N_(msgid: str) -> str:
    """Marks a refusal's reason for the catalogs (`make messages`): an English msgid with
    %-parameters, rendered in the request's language by the service (pantau/messages.py); the
    rules stay stdlib only."""
    return msgid


# why an (action, current status) pair is not in the table
_REFUSED: dict[tuple[str, str], str] = {
    ("progress", "fulfilled"): N_("This promise is already fulfilled; no further progress can be reported."),
    ("progress", "dropped"): N_("This promise was dropped; no further progress can be reported."),
    ("progress", "disputed"): N_("This promise's fulfilment is disputed and awaits the bureau's review."),
    ("review", "planned"): N_("Only a disputed promise can be reviewed."),
}


class Illegal(Exception):
    """A refused change. `kind` is "conflict" (the current state forbids it: HTTP 409) or
    "invalid" (the request itself is inconsistent: HTTP 422); `reason` is a catalog msgid with
    `params`; `pointer` names the field."""

    def __init__(self, kind: str, reason: str, pointer: str | None = None, **params: Any):
        super().__init__(reason % params if params else reason)
        self.kind, self.reason, self.pointer, self.params = kind, reason, pointer, params


def next_stage(current: str, target: str) -> str:
    """The forum's next stage, or Illegal: forward and one step only."""
    if target == current:
        raise Illegal("conflict", N_("The forum is already %(stage)s."), stage=current)
    if STAGE_NEXT.get(current) != target:
        if current == "closed":
            raise Illegal("conflict", N_("The forum is closed."), "/stage")
        if target == "closed":
            raise Illegal("conflict", N_("The forum was not held yet; move it to held before closed."), "/stage")
        raise Illegal("conflict", N_("A forum cannot go back from %(current)s to %(target)s."), "/stage",
                      current=current, target=target)
    return target


def check_can_add_promise(stage: str) -> None:
    if stage == "closed":
        raise Illegal("conflict", N_("The forum is closed; no promise can be added."))


def next_status(action: str, current: str, requested: str, forum_stage: str | None = None) -> str:
    """Apply the transition table; raises Illegal with the reason when the change is refused."""
    row = TRANSITIONS.get((action, current))
    if row is None:
        if action == "feedback":
            raise Illegal("conflict", N_("Participants can confirm or dispute only a fulfilled promise; "
                                         "this one is %(status)s."), status=current)
        if (action, current) in _REFUSED:
            raise Illegal("conflict", _REFUSED[(action, current)])
        if action == "review":
            raise Illegal("conflict", N_("A %(status)s promise cannot be reviewed; only a disputed one can."),
                          status=current)
        raise Illegal("conflict", N_("%(action)s is not allowed for a %(status)s promise."),
                      action=action, status=current)
    if requested not in row:
        raise Illegal("conflict", N_("A %(current)s promise cannot become %(requested)s; allowed: %(allowed)s."),
                      "/status", current=current, requested=requested, allowed=", ".join(sorted(row)))
    if action == "progress" and row[requested] == "fulfilled" and forum_stage not in HELD:
        raise Illegal("conflict", N_("A promise cannot be fulfilled before its forum is held (stage %(stage)s)."),
                      "/status", stage=forum_stage)
    return row[requested]


def check_progress(status: str, progress_pct: int | None, evidence_count: int, reason: str | None,
                   at_day: date, held_on: date, today: date) -> int:
    """Validate a progress report's content; returns progress_pct (fulfilled defaults to 100).
    Raises Illegal("invalid") for the first inconsistency found."""
    if status == "fulfilled":
        if progress_pct not in (None, 100):
            raise Illegal("invalid", N_("A fulfilled promise means progress_pct 100."), "/progress_pct")
        if evidence_count < 1:
            raise Illegal("invalid", N_("Fulfilment needs at least one piece of evidence."), "/evidence")
        progress_pct = 100
    if status == "dropped" and not (reason or "").strip():
        raise Illegal("invalid", N_("Dropping a promise needs a reason."), "/reason")
    if status == "planned" and progress_pct not in (None, 0):
        raise Illegal("invalid", N_("planned means progress_pct 0."), "/progress_pct")
    if at_day < held_on:
        raise Illegal("invalid", N_("'at' cannot be before the forum date %(held_on)s."), "/at",
                      held_on=held_on.isoformat())
    if (at_day - today).days > 1:
        raise Illegal("invalid", N_("'at' cannot be in the future."), "/at")
    return 0 if progress_pct is None else progress_pct


# ---- evaluation at a moment (reports) --------------------------------------------------------

def entry_at(entries: Sequence[Mapping[str, Any]], as_of: datetime) -> Mapping[str, Any] | None:
    """The last entry (in recorded order) with `t <= as_of`, or None if none was recorded yet."""
    last = None
    for e in entries:
        if e["t"] > as_of:
            break
        last = e
    return last


def state_at(history: Sequence[Mapping[str, Any]], as_of: datetime) -> dict[str, Any] | None:
    """A promise as it stood at `as_of`, from its recorded history (entries in seq order with
    `t`, `kind` recorded/progress/feedback/review, `status`, progress entries also `at` and
    `progress_pct`). None if the promise was not recorded yet. `fulfilled_at` is the `at` of the
    progress report that fulfilled it (kept when the bureau rejects a dispute); `confirmations`
    counts confirmations since that fulfilment."""
    state: dict[str, Any] | None = None
    for e in history:
        if e["t"] > as_of:
            break
        if state is None:
            state = {"status": e["status"], "progress_pct": 0, "fulfilled_at": None, "confirmations": 0,
                     "disputes": 0, "last_change": e["t"]}
            continue
        state["last_change"] = e["t"]
        kind = e["kind"]
        if kind == "progress":
            state["progress_pct"] = e.get("progress_pct", state["progress_pct"])
            if e["status"] == "fulfilled":
                state["fulfilled_at"], state["confirmations"] = e.get("at"), 0
        elif kind == "feedback":
            if e.get("verdict") == "confirm":
                state["confirmations"] += 1
            else:
                state["disputes"] += 1
        elif kind == "review" and e["status"] != "fulfilled":
            state["fulfilled_at"], state["confirmations"] = None, 0
        state["status"] = e["status"]
    if state is not None and state["status"] != "fulfilled":
        state["fulfilled_at"] = None
    return state


def overdue_days(status: str, target_date: date, day: date) -> int | None:
    """Days past the target date for an open promise (None when not overdue): a promise is
    overdue from the day after its target date."""
    if status not in OPEN:
        return None
    late = (day - target_date).days
    return late if late > 0 else None


def median(values: Iterable[float]) -> float | None:
    vals = sorted(values)
    if not vals:
        return None
    return round(float(statistics.median(vals)), 1)


def rate_pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def order_elements(elements: Iterable[str]) -> list[str]:
    have = set(elements)
    return [e for e in COMMUNITY_ELEMENTS if e in have] + sorted(have - set(COMMUNITY_ELEMENTS))


# ---- impact of a fulfilled promise on SKM element scores -------------------------------------

IMPACT_MONTHS = 3
IMPACT_MIN_RESPONDENTS = 30


def add_months(month: str, n: int) -> str:
    y, m = int(month[:4]), int(month[5:7])
    idx = y * 12 + (m - 1) + n
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def impact_windows(fulfil_month: str, last_month: str, months: int = IMPACT_MONTHS) -> tuple[list[str], list[str]]:
    """The `months` whole months before the fulfilment month, and the `months` after it that had
    begun by `last_month` (the month of as_of). The fulfilment month itself is in neither."""
    before = [add_months(fulfil_month, -k) for k in range(months, 0, -1)]
    after = [m for m in (add_months(fulfil_month, k) for k in range(1, months + 1)) if m <= last_month]
    return before, after


def element_impact(before: Sequence[SkmTally], after: Sequence[SkmTally], elements: Sequence[str],
                   min_respondents: int = IMPACT_MIN_RESPONDENTS) -> dict[str, Any]:
    """NRR per element before vs after, from SKM month tallies; NRR = sum of the element's answers
    / respondents (domain.md §1.3), kept to 4 decimals. State "measured" needs at least
    `min_respondents` on both sides, else "not_enough_data" (the NRRs that can be computed are
    still shown)."""
    def side(months: Sequence[SkmTally]) -> tuple[int, dict[str, float | None]]:
        t = SkmTally.total(months)
        n = t.respondents
        sums = {el: t.sums[el] for el in elements}
        return n, {el: (round(sums[el] / n, 4) if n else None) for el in elements}
    n_before, nrr_before = side(before)
    n_after, nrr_after = side(after)
    measured = n_before >= min_respondents and n_after >= min_respondents
    per_element: dict[str, dict[str, float | None]] = {}
    for el in elements:
        b, a = nrr_before[el], nrr_after[el]
        per_element[el] = {"nrr_before": b, "nrr_after": a,
                           "change": round(a - b, 4) if measured and a is not None and b is not None else None}
    return {"state": "measured" if measured else "not_enough_data", "min_respondents": min_respondents,
            "respondents_before": n_before, "respondents_after": n_after, "elements": per_element}
