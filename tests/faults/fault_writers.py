"""Concurrent clients of the three write services that remember exactly what was acknowledged.

Every logical write is one `Call`: a request with a fixed body (unique ids, an Idempotency-Key
where the API has one). It is sent until the answer is definite, as a real client would:
2xx → acknowledged; 4xx (not 429) → definite error; timeout, connection reset, 5xx (e.g. the
503 of a store outage) or 429 → indeterminate, the same request is sent again. A call still
indeterminate at the writers' give-up time stays `unresolved` (reported; never counted as
acknowledged or as rejected).
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import requests

from pantau.rules.ikm import ELEMENTS

TZ = ZoneInfo("Asia/Makassar")
SKM_AT = "2026-06-15T10:00:00+08:00"
YEAR = 2026


@dataclass
class Outcome:
    acked: bool = False
    status: int | None = None  # the definite status, if any
    attempts: int = 0
    indeterminate: int = 0  # answers that were not definite (timeouts, resets, 5xx, 429)


@dataclass
class Ledger:
    """What the clients know. Filled by writer threads, read by the checker after they stop."""
    tag: str
    lock: threading.Lock = field(default_factory=threading.Lock)
    skm_acked: dict = field(default_factory=dict)      # subject-ish (unit, rid) -> answers
    skm_rejected: set = field(default_factory=set)     # (unit, rid) that got a definite 4xx
    skm_unknown: set = field(default_factory=set)      # (unit, rid) of unresolved calls (may or may not exist)
    forums: dict = field(default_factory=dict)         # fkp_id -> {"unit", "acked": bool, "progress": [pct...]}
    complaints: dict = field(default_factory=dict)     # tid -> {"unit", "acked": bool, "actions": [...]}
    rejected_forums: set = field(default_factory=set)
    rejected_complaints: set = field(default_factory=set)
    acked: dict = field(default_factory=lambda: {"skm_response": 0, "fkp_forum": 0, "fkp_progress": 0,
                                                  "complaint": 0, "complaint_action": 0})
    definite_errors: list = field(default_factory=list)  # unexpected definite errors (status, what, body)
    hostile: list = field(default_factory=list)        # (what, expected "refused"|"stored", status or None)
    skm_service_type: dict = field(default_factory=dict)  # (unit, rid) -> the hostile service_type stored
    unresolved: list = field(default_factory=list)
    timeline: list = field(default_factory=list)       # (sent, answered, status or exception name), monotonic
    calls: int = 0
    retries: int = 0

    def note(self, sent: float, what) -> None:
        with self.lock:
            self.timeline.append((sent, time.monotonic(), what))

    def answers_between(self, t0: float, t1: float) -> list:
        """(sent, answered, what) of the answers received in [t0, t1]."""
        with self.lock:
            return [a for a in self.timeline if t0 <= a[1] <= t1]

    def statuses(self) -> dict:
        with self.lock:
            out: dict = {}
            for _, _, what in self.timeline:
                out[str(what)] = out.get(str(what), 0) + 1
            return out


class Client:
    def __init__(self, ledger: Ledger, give_up_at: list, timeout: float = 20.0):
        self.ledger = ledger
        self.give_up_at = give_up_at  # [monotonic deadline], shared and moved by the runner
        self.timeout = timeout
        self.session = requests.Session()

    def call(self, url: str, body: dict, headers: dict, what: str) -> tuple[Outcome, dict | None]:
        out = Outcome()
        delay = 0.2
        with self.ledger.lock:
            self.ledger.calls += 1
        while True:
            out.attempts += 1
            sent = time.monotonic()
            try:
                r = self.session.post(url, json=body, headers=headers, timeout=self.timeout)
                self.ledger.note(sent, r.status_code)
                if 200 <= r.status_code < 300:
                    out.acked, out.status = True, r.status_code
                    return out, r.json()
                if 400 <= r.status_code < 500 and r.status_code != 429:
                    out.status = r.status_code
                    return out, {"problem": r.text[:300]}
                if r.status_code == 503 or r.status_code == 429:
                    delay = min(float(r.headers.get("Retry-After", delay)), 2.0)
            except requests.RequestException as exc:
                self.ledger.note(sent, type(exc).__name__)
                self.session.close()
                self.session = requests.Session()
            out.indeterminate += 1
            with self.ledger.lock:
                self.ledger.retries += 1
            if time.monotonic() > self.give_up_at[0]:
                with self.ledger.lock:
                    self.ledger.unresolved.append(what)
                return out, None
            time.sleep(delay)
            delay = min(delay * 1.5, 2.0)


def _answers(rng: random.Random) -> dict:
    return {k: rng.randint(1, 4) for k in ELEMENTS}


def skm_item(unit: str, rid: str, answers: dict) -> dict:
    return {"unit_id": unit, "response_id": rid, "submitted_at": SKM_AT, "answers": answers, "channel": "web",
            "respondent": {"sex": "L", "age": 40, "education": "D4-S1", "occupation": "PNS"}}


# Valid-looking values meant to break something downstream (a store key, a parser, a worker):
# each must be refused at the edge with a 422 or stored and counted as sent (issue #13).
HOSTILE_SKM = [  # stored and refused alternate: even a run with few writes (a long store freeze) sends both
    ("service_type with dots", {"service_type": "izin usaha (Perda No. 5)"}, "stored"),
    ("service_type with NUL", {"service_type": "pajak\x00kendaraan"}, "refused"),
    ("service_type starting with $", {"service_type": "$where"}, "stored"),
    ("service_type of 10,000 characters", {"service_type": "x" * 10_000}, "refused"),
    ("service_type with $ and dots", {"service_type": "a.b.c $set {x: 1}"}, "stored"),
    ("suggestion with NUL", {"suggestion": "saran\x00"}, "refused"),
    ("submitted_at in 9999", {"submitted_at": "9999-12-31T23:00:00Z"}, "refused"),
    ("submitted_at in year 1 at +14:00", {"submitted_at": "0001-01-01T00:00:00+14:00"}, "refused"),
    ("submitted_at in 2300", {"submitted_at": "2300-01-01T00:00:00+08:00"}, "refused"),
]
HOSTILE_FORUM = [
    ("forum title with dots and $", {"title": "Forum $set.a.b (Perda No. 5)"}, "stored"),
    ("forum title with NUL", {"title": "Forum\x00uji"}, "refused"),
    ("forum held in year 1", {"held_on": "0001-01-01"}, "refused"),
]
HOSTILE_COMPLAINT = [
    ("complaint subject with dots and $", {"subject": "$gt.lt antrean (loket 1.2)"}, "stored"),
    ("complaint description with NUL", {"description": "uji\x00"}, "refused"),
    ("complaint description of 100,000 characters", {"description": "y" * 100_000}, "refused"),
]


def noon(d: date) -> str:
    return datetime(d.year, d.month, d.day, 12, 0, tzinfo=TZ).isoformat()


class Writers:
    """Starts writer threads for the three services; `stop()` ends them and waits."""

    def __init__(self, platform, ledger: Ledger, units: dict, pace: float = 0.05, seed: int = 8):
        self.p, self.ledger, self.units, self.pace = platform, ledger, units, pace
        self.stop_event = threading.Event()
        self.give_up_at = [float("inf")]
        self.threads: list[threading.Thread] = []
        self.rng = random.Random(seed)
        self.errors: list = []

    def start(self) -> Writers:
        plan = [(self._skm, u) for u in self.units["survey"]] + \
               [(self._fkp, u) for u in self.units["consultation"]] + \
               [(self._complaints, u) for u in self.units["complaints"]]
        for _fn, unit in plan:
            self.p.key(unit)  # issue keys before the threads run
        for fn, unit in plan:
            t = threading.Thread(target=self._guard, args=(fn, unit, random.Random(self.rng.random())),
                                 name=f"writer-{fn.__name__}-{unit}", daemon=True)
            self.threads.append(t)
            t.start()
        return self

    def stop(self, give_up_after: float = 240.0) -> None:
        """Ask the writers to finish their current call (retrying it until definite, at most
        `give_up_after` seconds) and wait for them."""
        self.give_up_at[0] = time.monotonic() + give_up_after
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=give_up_after + 60)
        if self.errors:
            raise AssertionError(f"writer crashed: {self.errors[0]!r}")

    def _guard(self, fn, unit, rng):
        try:
            fn(unit, rng, Client(self.ledger, self.give_up_at))
        except Exception as exc:  # noqa: BLE001 - surfaced by stop()
            self.errors.append(exc)

    def _pause(self, rng) -> bool:
        return self.stop_event.wait(self.pace * (0.5 + rng.random()))

    # --- survey: single responses and small batches; now and then a batch that must be refused ---
    def _skm(self, unit, rng, c: Client):
        L, h, n = self.ledger, self.p.headers(self.p.key(unit)), 0
        first = rng.randrange(len(HOSTILE_SKM))  # each writer starts elsewhere in the list (a short run: both kinds)
        url = self.p.url("survey", "/v1/skm/responses")
        while not self.stop_event.is_set():
            n += 1
            size = rng.choice((1, 1, 1, 2, 3, 5))
            items = [skm_item(unit, f"{L.tag}-{n}-{i}", _answers(rng)) for i in range(size)]
            if n % 9 == 0:  # one bad answer rejects the whole batch (422): none of it may show up
                items[-1]["answers"]["waktu"] = 5
            hostile = HOSTILE_SKM[(n // 6 + first) % len(HOSTILE_SKM)] if n % 6 == 3 and n % 9 else None
            if hostile is not None:
                items = items[:1]
                items[0].update(hostile[1])
                size = 1
            body = items[0] if size == 1 else {"responses": items}
            out, _ = c.call(url, body, h, f"skm {unit} {n}")
            if hostile is not None:
                with L.lock:
                    L.hostile.append((hostile[0], hostile[2], out.status))
                    if out.acked and "service_type" in hostile[1]:
                        L.skm_service_type[(unit, items[0]["response_id"])] = hostile[1]["service_type"]
            with L.lock:
                if hostile is not None and not out.acked and out.status is not None:
                    L.skm_rejected.add((unit, items[0]["response_id"]))
                elif out.acked:
                    for it in items:
                        L.skm_acked[(unit, it["response_id"])] = it["answers"]
                    L.acked["skm_response"] += size
                elif out.status is not None:
                    L.skm_rejected.update((unit, it["response_id"]) for it in items)
                    if n % 9 != 0:
                        L.definite_errors.append((out.status, f"skm {unit} {n}"))
                else:
                    L.skm_unknown.update((unit, it["response_id"]) for it in items)
            self._pause(rng)

    # --- consultation: a held forum with one promise, then its progress reports in order ---
    def _fkp(self, unit, rng, c: Client):
        L, h, n = self.ledger, self.p.headers(self.p.key(unit)), 0
        today = datetime.now(TZ).date()
        held = today - timedelta(days=40)
        while not self.stop_event.is_set():
            n += 1
            fkp_id = f"{L.tag}-{unit}-f{n}"
            forum = {"unit_id": unit, "fkp_id": fkp_id, "topic": "standar_pelayanan", "format": "tatap_muka",
                     "title": f"Forum uji ketahanan {n}", "held_on": held.isoformat(), "stage": "held",
                     "participants": [{"element": "pengguna_layanan", "name": "Budi"},
                                      {"element": "media", "name": "Sari", "institution": "Kaltim Post"}],
                     "promises": [{"promise_id": "p1", "description": "Perbaiki alur antrean", "owner": "Seksi Layanan",
                                   "target_date": (today + timedelta(days=60)).isoformat(), "elements": ["waktu"]}]}
            if n % 7 == 0:
                forum["participants"][0]["element"] = "bukan-unsur"  # 422: must never show up
            hostile = HOSTILE_FORUM[(n // 5 + n // 35) % len(HOSTILE_FORUM)] if n % 5 == 2 and n % 7 else None
            if hostile is not None:
                forum.update(hostile[1])
            out, _ = c.call(self.p.url("consultation", "/v1/fkp"), forum, h, f"fkp {fkp_id}")
            entry = {"unit": unit, "acked": out.acked, "progress": [], "unknown": out.status is None and not out.acked}
            with L.lock:
                if hostile is not None:
                    L.hostile.append((hostile[0], hostile[2], out.status))
                L.forums[fkp_id] = entry
                if out.acked:
                    L.acked["fkp_forum"] += 1
                elif out.status is not None:
                    L.rejected_forums.add(fkp_id)
                    if n % 7 != 0 and hostile is None:
                        L.definite_errors.append((out.status, f"fkp {fkp_id}"))
            if not out.acked:
                continue
            url = self.p.url("consultation", f"/v1/fkp/{fkp_id}/promises/p1/progress")
            for step in range(1, rng.randint(2, 4) + 1):
                if self._pause(rng):
                    break
                pct = 10 * step + rng.randint(0, 9)
                body = {"status": "in_progress", "progress_pct": pct, "note": f"langkah {step}",
                        "at": noon(held + timedelta(days=step))}
                out, _ = c.call(url, body, h, f"progress {fkp_id} {step}")
                with L.lock:
                    if out.acked:
                        entry["progress"].append(pct)
                        L.acked["fkp_progress"] += 1
                    elif out.status is not None:
                        L.definite_errors.append((out.status, f"progress {fkp_id} {step}"))
                    else:
                        entry["unknown_tail"] = pct
                if not out.acked:
                    break

    # --- complaints: intake, then verify (bureau), follow-ups and resolve (the unit), in order ---
    def _complaints(self, unit, rng, c: Client):
        L, h, n = self.ledger, self.p.headers(self.p.key(unit)), 0
        bureau = self.p.headers(self.p.bureau)
        while not self.stop_event.is_set():
            n += 1
            tid = f"{L.tag}-{unit}-c{n}"
            body = {"unit_id": unit, "tracking_id": tid, "channel": "lapor", "classification": "pengaduan",
                    "subject": "Antrean lama di loket", "description": f"Uji ketahanan nomor {n}.",
                    "reporter": {"name": "Ani", "phone": "0811"}}
            if n % 8 == 0:
                body["channel"] = "merpati-pos"  # 422: must never show up
            hostile = HOSTILE_COMPLAINT[(n // 5) % len(HOSTILE_COMPLAINT)] if n % 5 == 2 and n % 8 else None
            if hostile is not None:
                body.update(hostile[1])
            out, _ = c.call(self.p.url("complaints", "/v1/complaints"), body, h, f"complaint {tid}")
            entry = {"unit": unit, "acked": out.acked, "actions": [], "unknown": out.status is None and not out.acked}
            with L.lock:
                if hostile is not None:
                    L.hostile.append((hostile[0], hostile[2], out.status))
                L.complaints[tid] = entry
                if out.acked:
                    L.acked["complaint"] += 1
                elif out.status is not None:
                    L.rejected_complaints.add(tid)
                    if n % 8 != 0 and hostile is None:
                        L.definite_errors.append((out.status, f"complaint {tid}"))
            if not out.acked:
                continue
            steps = [("verify", bureau, {"note": "Terverifikasi."})]
            steps += [("follow_up", h, {"note": f"Tindak lanjut {i}."}) for i in range(1, rng.randint(1, 3) + 1)]
            steps.append(("resolve", h, {"note": "Selesai ditangani."}))
            url = self.p.url("complaints", f"/v1/complaints/{tid}/actions")
            for i, (action, hdr, extra) in enumerate(steps):
                if self._pause(rng):
                    break
                out, _ = c.call(url, {"action": action, **extra}, {**hdr, "Idempotency-Key": f"{tid}-{i}"},
                                f"action {tid} {i} {action}")
                with L.lock:
                    if out.acked:
                        entry["actions"].append(action)
                        L.acked["complaint_action"] += 1
                    elif out.status is not None:
                        L.definite_errors.append((out.status, f"action {tid} {i} {action}"))
                    else:
                        entry["unknown_tail"] = action
                if not out.acked:
                    break
