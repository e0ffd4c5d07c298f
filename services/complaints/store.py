"""The complaints service's event log: one subject per complaint (`complaint:<tracking id>`).

A complaint's documents are its stream in the event log (pantau.store); the current state is the
fold of the envelopes (`pantau.rules.lapor`). Each stored document keeps what must never leave
the service under `private` (the complaint text, the reporter, notes, the SHA-256 of the reporter
token). The Open311 listing is the only scan: the whole log, folded in Python and cached for a few
seconds per worker.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict

from pantau import mongo
from pantau import store as event_log
from pantau.rules import lapor
from pantau.rules.workdays import default_calendar

LIST_CACHE_SECONDS = 10.0


def events():
    return mongo.db("complaints")["events"]


def subject(tracking_id: str) -> str:
    return f"complaint:{tracking_id}"


def docs(tracking_id: str) -> list[dict]:
    """Every stored event document of a complaint, in seq order ([] if unknown)."""
    return event_log.stream(events(), subject(tracking_id))


def state_of(stored: list[dict]) -> lapor.ComplaintState | None:
    """The fold of the stored envelopes (lenient: the log is the truth, see lapor.fold)."""
    return lapor.replay((d["envelope"] for d in stored), default_calendar(), strict=False)


_cache: dict = {"at": 0.0, "rows": None}
_cache_lock = threading.Lock()


def all_complaints() -> list[tuple[list[dict], dict]]:
    """(envelopes, public part of the first document) of every complaint: one scan of the log."""
    with _cache_lock:
        if _cache["rows"] is not None and time.monotonic() - _cache["at"] < LIST_CACHE_SECONDS:
            return _cache["rows"]
    by_subject: dict[str, list[dict]] = defaultdict(list)
    first: dict[str, dict] = {}
    for d in events().find({}, projection={"envelope": 1, "subject": 1, "seq": 1,
                                           "private.complaint.subject": 1, "private.complaint.category": 1}):
        by_subject[d["subject"]].append(d["envelope"])
        if d["seq"] == 1:
            first[d["subject"]] = (d.get("private") or {}).get("complaint") or {}
    rows = []
    for subj, envs in by_subject.items():
        envs.sort(key=lambda e: e["seq"])
        if envs[0]["seq"] != 1 or [e["seq"] for e in envs] != list(range(1, len(envs) + 1)):
            continue  # a write in flight; the next listing has it whole
        rows.append((envs, first.get(subj, {})))
    with _cache_lock:
        _cache.update(at=time.monotonic(), rows=rows)
    return rows
