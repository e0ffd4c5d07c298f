"""SP4N-LAPOR! complaint lifecycle: transition table, fold, deadlines, PEKPPP indicator 28.

Pure functions over a typed state (`ComplaintState`, JSON-ready through `to_dict`), shared by the complaints service (which checks an
action against the table before storing its event) and the aggregator (which folds the same
events). Time always comes from the events or from an explicit `as_of`; the working-day
calendar is passed in (`pantau.rules.workdays`). References are to docs/domain.md.

Statuses (§3.4; the LAPOR! label is kept beside the canonical name):
    RECEIVED        Laporan Belum Terverifikasi
    PENDING_INFO    Laporan Tertunda (waiting for the reporter, 30 days, then archived)
    DISPOSED        Terdisposisi Belum Ditindaklanjuti
    IN_PROGRESS     Terdisposisi Sedang Diproses
    ANSWERED        follow-up answered; the reporter's reply window (10 working days) runs
    REOPENED        the reporter said "not resolved" within the reply window
    CLOSED_RESOLVED Terdisposisi Selesai (accepted by the reporter, or the window passed)
    ARCHIVED        Laporan Arsip (with a reason code)
    FORWARDED_OUT   not the province's authority: forwarded to another instansi (LAPOR! A3)
  REJECTED (*dihapus*) is not modelled: archiving with a reason covers it.

Actions (one event each; `TABLE` names each once: its event, roles, the statuses it moves from
and to, and its effect; `TRANSITIONS` and `ROLES` are views of it):
    verify        A1 verifikasi + disposisi to a unit (default: the holder)      bureau
    pend          A2 tunda: information missing                                  bureau
    complete_info the reporter supplied the missing information                  pelapor, bureau
    archive       A4 arsipkan, with a reason code                               bureau
    forward       A3 bukan wewenang → another unit of the registry: the holder
                  changes, the whole history moves with the complaint ("no wrong
                  door"); before verification the status stays RECEIVED, after it
                  the new holder gets a fresh first-follow-up deadline            bureau, holder
    forward_out   A3 → another instansi outside the registry                     bureau
    follow_up     tindak lanjut (the first one stops the first-follow-up clock)  holder
    resolve       final answer: ANSWERED, opens the reporter's reply window      holder
    rate          reporter satisfaction 1–4 (SKM unsur 'pengaduan' scale), any number of
                  times after an answer; the latest counts                       pelapor, bureau
    reopen        "not resolved", only while the reply window is open            pelapor, bureau
    accept        the reporter confirms: CLOSED_RESOLVED                         pelapor, bureau
  `bureau` is the admin instansi (Biro Organisasi); `holder` is a unit key of the unit holding
  the complaint; `pelapor` is whoever holds the reporter token issued at intake. The bureau
  may record a reporter's reply on their behalf (a reply received through LAPOR! or by phone).

Windows that pass are applied deterministically by `settle(state, t)` before any event at `t`
and at read time: ANSWERED whose reply window ended becomes CLOSED_RESOLVED (auto_closed, at
the window's end); PENDING_INFO whose 30 days ended becomes ARCHIVED (reason
`incomplete_after_30_days`). So an auto-close needs no stored event and no clock in a projection.

Deadlines ("clocks"). Each clock has a kind, a start, an optional stop and, for the unit tier, the
unit holding the complaint while it ran; due dates are computed at read time from the SLA rule
version in force at `received_at` and the calendar:
    verification     received (or information completed) → verify/pend/archive/forward_out.
                     Tier `instansi` (the admin instansi), charged to the province.
    first_follow_up  disposition, forward-in or reopen → the holder's first follow_up/resolve,
                     or its forward onwards. One clock per holder: a unit that forwards late is
                     charged for the breach; the next unit gets its own full limit. Tier = the
                     holder's kind in the registry (upp, opd, kabkota).
    resolution       received (or information completed) → resolve (calendar days). Reopening
                     resumes this same clock. A breach is charged to whoever held the complaint
                     when the time ran out (the admin instansi if it was still unverified).
                     Cancelled (not judged) by pend, archive and forward_out.
    pending_info     pend → complete_info (reporter's window, never a government breach).
    reply_window     resolve → reopen/accept, or auto-close when it ends (reporter's window).
`round` numbers the clocks of one kind in a complaint (1, 2, ...: one per holder, reopen or
completion of missing information). Outcomes at `as_of`: `met` (stopped before due),
`breached` (stopped late, or still running past due: then `overdue` is true), `open` (running,
not yet due), `cancelled`; reporter windows: `open`, `used`, `expired` (tier `pelapor`).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .workdays import Calendar

__all__ = [
    "STATUSES", "TERMINAL", "BACKLOG", "LAPOR_LABELS", "ACTIONS", "TRANSITIONS", "ROLES", "EVENT_TYPES",
    "ACTION_OF_TYPE", "Action", "TABLE", "BY_NAME", "Clock", "ComplaintState", "apply",
    "SLA_RULES", "DEFAULT_RULES", "Limit", "SlaRules", "IllegalTransition", "rules_for",
    "target", "allowed_actions", "fold", "replay", "state_at", "settle", "deadlines", "holder_at",
    "ind28_followup", "SATISFACTION_QUESTION", "SATISFACTION_LABELS",
]

STATUSES = ("RECEIVED", "PENDING_INFO", "DISPOSED", "IN_PROGRESS", "ANSWERED", "REOPENED",
            "CLOSED_RESOLVED", "ARCHIVED", "FORWARDED_OUT")
TERMINAL = frozenset({"CLOSED_RESOLVED", "ARCHIVED", "FORWARDED_OUT"})
BACKLOG = frozenset({"RECEIVED", "DISPOSED", "IN_PROGRESS", "REOPENED"})  # waiting on the government
LAPOR_LABELS = {
    "RECEIVED": "Laporan Belum Terverifikasi",
    "PENDING_INFO": "Laporan Tertunda",
    "DISPOSED": "Terdisposisi Belum Ditindaklanjuti",
    "IN_PROGRESS": "Terdisposisi Sedang Diproses",
    "ANSWERED": "Terdisposisi Sedang Diproses (tindak lanjut dijawab, menunggu tanggapan pelapor)",
    "REOPENED": "Terdisposisi Sedang Diproses (dibuka kembali oleh pelapor)",
    "CLOSED_RESOLVED": "Terdisposisi Selesai",
    "ARCHIVED": "Laporan Arsip",
    "FORWARDED_OUT": "Bukan Wewenang (diteruskan ke instansi lain)",
}


ARCHIVE_REASONS = ("format_tidak_sesuai", "terlalu_umum", "bukan_kinerja_pemerintah", "tidak_lengkap",
                   "aspirasi_tanpa_jawaban", "duplikat", "lainnya")
AUTO_ARCHIVE_REASON = "incomplete_after_30_days"
MISSING_INFO = ("identitas", "uraian", "lokasi_waktu", "bukti", "lainnya")

SATISFACTION_QUESTION = ("Bagaimana pendapat Saudara tentang penanganan pengaduan Saudara? "
                         "(unsur SKM 'Penanganan Pengaduan, Saran dan Masukan', skala 1–4)")
SATISFACTION_LABELS = {"1": "Tidak ditangani dengan baik", "2": "Ditangani tetapi tidak tuntas",
                       "3": "Ditangani kurang maksimal", "4": "Ditangani dengan baik"}

GOVERNMENT_KINDS = ("verification", "first_follow_up", "resolution")
REPORTER_KINDS = ("pending_info", "reply_window")


# --- SLA rule table (versioned) ---------------------------------------------------------

@dataclass(frozen=True)
class Limit:
    n: int
    unit: str  # "working" | "calendar"

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "unit": self.unit}


@dataclass(frozen=True)
class SlaRules:
    version: str
    effective_from: date
    basis: str
    limits: Mapping[str, Limit]


SLA_RULES: tuple[SlaRules, ...] = (
    SlaRules(
        version="sp4n-2018",
        effective_from=date(2018, 1, 1),
        basis=("PermenPANRB 62/2018-era values (domain.md §3.5): verification and disposition 3 working "
               "days (LAPOR! FAQ), first follow-up 5 working days after disposition, reply window 10 "
               "working days then closure (single source), resolution 60 days (Perpres 76/2013 via a "
               "news summary), pending information 30 days (2016 manual). PermenPANRB 5/2025 replaced "
               "62/2018 but its limits could not be read: add a row with its effective date when known."),
        limits={"verification": Limit(3, "working"), "first_follow_up": Limit(5, "working"),
                "reply_window": Limit(10, "working"), "resolution": Limit(60, "calendar"),
                "pending_info": Limit(30, "calendar")},
    ),
)
DEFAULT_RULES = SLA_RULES[0].version


def rules_for(received_at: datetime | str, version: str | None = None) -> SlaRules:
    """The rule version pinned by `version`, else the newest one in force on `received_at`."""
    if version is not None:
        for r in SLA_RULES:
            if r.version == version:
                return r
        raise KeyError(f"unknown SLA rule version {version!r}")
    day = _dt(received_at).date()
    usable = [r for r in SLA_RULES if r.effective_from <= day]
    return max(usable, key=lambda r: r.effective_from) if usable else SLA_RULES[0]


# --- typed state ----------------------------------------------------------------------------

@dataclass
class Clock:
    """One deadline clock: started for a kind (and, on the unit tier, the holder it runs for)."""
    kind: str
    holder: str | None
    start: str
    round: int
    stop: str | None = None
    stopped_by: str | None = None
    cancelled: bool = False


@dataclass
class ComplaintState:
    """A complaint as its events leave it (times as ISO 8601 text, so the state is JSON-ready:
    `to_dict`/`from_dict` store it as the aggregator's snapshot). `hops`, `transitions` and
    `ratings` are the records the views show as they are."""
    complaint_id: str
    filed_unit_id: str
    holder_unit_id: str
    channel: str
    classification: str
    category: str | None
    tags: list[str]
    anonymous: bool
    confidential: bool
    received_at: str
    seq: int
    last_at: str
    status: str = "RECEIVED"
    berkadar_pengawasan: bool | None = None
    verified_at: str | None = None
    first_follow_up_at: str | None = None
    answered_at: str | None = None
    closed_at: str | None = None
    auto_closed: bool = False
    archived_at: str | None = None
    archive_reason: str | None = None
    to_instansi: str | None = None
    hops: list[dict[str, Any]] = field(default_factory=list)
    transitions: list[dict[str, Any]] = field(default_factory=list)
    clocks: list[Clock] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)
    reopens: int = 0
    answers: int = 0
    follow_ups: int = 0

    def copy(self) -> ComplaintState:
        """A copy sharing nothing that a fold changes (the records hold only scalars)."""
        return replace(self, tags=list(self.tags), hops=[dict(h) for h in self.hops],
                       transitions=[dict(t) for t in self.transitions], clocks=[replace(c) for c in self.clocks],
                       ratings=[dict(r) for r in self.ratings])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ComplaintState:
        st = cls(**{k: v for k, v in d.items() if k != "clocks"})
        st.clocks = [Clock(**c) for c in d["clocks"]]
        return st.copy()  # nothing shared with `d`


# --- fold helpers ---------------------------------------------------------------------------

def _dt(v: datetime | str) -> datetime:
    d = v if isinstance(v, datetime) else datetime.fromisoformat(v)
    if d.tzinfo is None:
        raise ValueError("naive datetime in complaint event")
    return d


def _iso(v: datetime | str | None) -> str | None:
    if v is None:
        return None
    return v.isoformat() if isinstance(v, datetime) else _dt(v).isoformat()


def _at(v: datetime | str) -> str:
    out = _iso(v)
    assert out is not None
    return out


def _parts(event: Any) -> tuple[str, int, datetime, dict[str, Any]]:
    if isinstance(event, Mapping):
        return event["type"], int(event["seq"]), _dt(event["time"]), dict(event["data"])
    return event.type, int(event.seq), _dt(event.time), dict(event.data)


def _clock(st: ComplaintState, kind: str, holder: str | None, start: datetime | str) -> None:
    rnd = 1 + sum(1 for c in st.clocks if c.kind == kind)
    st.clocks.append(Clock(kind=kind, holder=holder, start=_at(start), round=rnd))


def _running(st: ComplaintState, kind: str) -> Clock | None:
    for c in reversed(st.clocks):
        if c.kind == kind and c.stop is None:
            return c
    return None


def _stop(st: ComplaintState, kind: str, t: datetime | str, by: str, cancelled: bool = False) -> None:
    c = _running(st, kind)
    if c is not None:
        c.stop, c.stopped_by, c.cancelled = _iso(t), by, cancelled


def _initial(data: dict[str, Any], t: datetime, seq: int) -> ComplaintState:
    unit = data["unit_id"]
    received = _at(data.get("received_at") or t)
    st = ComplaintState(
        complaint_id=data["complaint_id"], filed_unit_id=unit, holder_unit_id=unit, channel=data["channel"],
        classification=data["classification"], category=data.get("category"), tags=list(data.get("tags") or []),
        anonymous=bool(data["anonymous"]), confidential=bool(data["confidential"]), received_at=received,
        seq=seq, last_at=_at(t),
        hops=[{"seq": seq, "at": received, "from": None, "to": unit, "via": "filed"}],
        transitions=[{"seq": seq, "action": "receive", "at": received, "status": "RECEIVED", "holder": unit}])
    _clock(st, "verification", None, received)
    _clock(st, "resolution", None, received)
    return st


# --- one effect per action: what its event does to the state --------------------------------
# (st, the event's data, its time, its seq, the status it leads to); the status, seq, last_at and
# the transition record are set by `_apply` for every action alike.

def _verify(st: ComplaintState, data: Mapping[str, Any], t: datetime, seq: int, to_status: str) -> None:
    holder = st.holder_unit_id
    _stop(st, "verification", t, "verify")
    to = data.get("holder_unit_id") or holder
    if to != holder:
        st.hops.append({"seq": seq, "at": _iso(t), "from": holder, "to": to, "via": "disposed"})
    st.holder_unit_id = to
    if data.get("classification") is not None:
        st.classification = data["classification"]
    if data.get("category") is not None:
        st.category = data["category"]
    if data.get("tags") is not None:
        st.tags = list(data["tags"])  # the state never shares the event's list
    if data.get("berkadar_pengawasan") is not None:
        st.berkadar_pengawasan = data["berkadar_pengawasan"]
    st.verified_at = st.verified_at or _iso(t)
    _clock(st, "first_follow_up", to, t)


def _pend(st: ComplaintState, data: Mapping[str, Any], t: datetime, seq: int, to_status: str) -> None:
    _stop(st, "verification", t, "pend")
    _stop(st, "resolution", t, "pend", cancelled=True)
    _clock(st, "pending_info", None, t)


def _complete_info(st: ComplaintState, data: Mapping[str, Any], t: datetime, seq: int, to_status: str) -> None:
    _stop(st, "pending_info", t, "complete_info")
    _clock(st, "verification", None, t)
    _clock(st, "resolution", None, t)


def _archive(st: ComplaintState, data: Mapping[str, Any], t: datetime, seq: int, to_status: str) -> None:
    _stop(st, "verification", t, "archive")
    _stop(st, "pending_info", t, "archive")
    _stop(st, "resolution", t, "archive", cancelled=True)
    st.archived_at, st.archive_reason = _iso(t), data.get("reason")


def _forward(st: ComplaintState, data: Mapping[str, Any], t: datetime, seq: int, to_status: str) -> None:
    to = data["to_unit_id"]
    _stop(st, "first_follow_up", t, "forward")
    st.hops.append({"seq": seq, "at": _iso(t), "from": st.holder_unit_id, "to": to, "via": "forwarded"})
    st.holder_unit_id = to
    if to_status == "DISPOSED":  # after verification the new holder gets its own first follow-up
        _clock(st, "first_follow_up", to, t)


def _forward_out(st: ComplaintState, data: Mapping[str, Any], t: datetime, seq: int, to_status: str) -> None:
    for kind in ("verification", "first_follow_up"):
        _stop(st, kind, t, "forward_out")
    _stop(st, "resolution", t, "forward_out", cancelled=True)
    st.to_instansi = data.get("to_instansi")
    st.hops.append({"seq": seq, "at": _iso(t), "from": st.holder_unit_id, "to": None, "via": "forwarded_out",
                    "to_instansi": data.get("to_instansi")})


def _follow_up(st: ComplaintState, data: Mapping[str, Any], t: datetime, seq: int, to_status: str) -> None:
    _stop(st, "first_follow_up", t, "follow_up")
    st.first_follow_up_at = st.first_follow_up_at or _iso(t)
    st.follow_ups += 1


def _resolve(st: ComplaintState, data: Mapping[str, Any], t: datetime, seq: int, to_status: str) -> None:
    _stop(st, "first_follow_up", t, "resolve")
    st.first_follow_up_at = st.first_follow_up_at or _iso(t)
    _stop(st, "resolution", t, "resolve")
    _clock(st, "reply_window", None, t)
    st.answered_at = _iso(t)
    st.answers += 1


def _rate(st: ComplaintState, data: Mapping[str, Any], t: datetime, seq: int, to_status: str) -> None:
    st.ratings.append({"seq": seq, "at": _iso(t), "satisfaction": int(data["satisfaction"]),
                       "answer_round": st.answers})


def _reopen(st: ComplaintState, data: Mapping[str, Any], t: datetime, seq: int, to_status: str) -> None:
    _stop(st, "reply_window", t, "reopen")
    st.reopens += 1
    _clock(st, "first_follow_up", st.holder_unit_id, t)
    for c in reversed(st.clocks):  # the resolution clock runs again from its start
        if c.kind == "resolution" and not c.cancelled:
            c.stop, c.stopped_by = None, None
            break


def _accept(st: ComplaintState, data: Mapping[str, Any], t: datetime, seq: int, to_status: str) -> None:
    _stop(st, "reply_window", t, "accept")
    st.closed_at, st.auto_closed = _iso(t), False


Effect = Callable[[ComplaintState, Mapping[str, Any], datetime, int, str], None]


@dataclass(frozen=True)
class Action:
    """One lifecycle action, named once: its event type, who may take it, the statuses it is
    allowed in (and the status each leads to), and its effect on the state."""
    name: str
    event_type: str
    roles: frozenset[str]
    moves: Mapping[str, str]
    effect: Effect


_ANY_HANDLING = ("DISPOSED", "IN_PROGRESS", "REOPENED")  # the holder works on it
TABLE: tuple[Action, ...] = (
    Action("verify", "complaint.verified", frozenset({"bureau"}), {"RECEIVED": "DISPOSED"}, _verify),
    Action("pend", "complaint.pended", frozenset({"bureau"}), {"RECEIVED": "PENDING_INFO"}, _pend),
    Action("complete_info", "complaint.info_completed", frozenset({"pelapor", "bureau"}),
           {"PENDING_INFO": "RECEIVED"}, _complete_info),
    Action("archive", "complaint.archived", frozenset({"bureau"}),
           {"RECEIVED": "ARCHIVED", "PENDING_INFO": "ARCHIVED"}, _archive),
    Action("forward", "complaint.forwarded", frozenset({"bureau", "holder"}),
           {"RECEIVED": "RECEIVED", **{s: "DISPOSED" for s in _ANY_HANDLING}}, _forward),
    Action("forward_out", "complaint.forwarded_out", frozenset({"bureau"}),
           {s: "FORWARDED_OUT" for s in ("RECEIVED", *_ANY_HANDLING)}, _forward_out),
    Action("follow_up", "complaint.followed_up", frozenset({"holder"}),
           {s: "IN_PROGRESS" for s in _ANY_HANDLING}, _follow_up),
    Action("resolve", "complaint.resolved", frozenset({"holder"}), {s: "ANSWERED" for s in _ANY_HANDLING}, _resolve),
    Action("rate", "complaint.rated", frozenset({"pelapor", "bureau"}),
           {"ANSWERED": "ANSWERED", "CLOSED_RESOLVED": "CLOSED_RESOLVED"}, _rate),
    Action("reopen", "complaint.reopened", frozenset({"pelapor", "bureau"}), {"ANSWERED": "REOPENED"}, _reopen),
    Action("accept", "complaint.closed", frozenset({"pelapor", "bureau"}), {"ANSWERED": "CLOSED_RESOLVED"}, _accept),
)
BY_NAME: dict[str, Action] = {a.name: a for a in TABLE}

# the table's views, by status then action (what `allowed_actions` lists in that order)
ACTIONS = tuple(a.name for a in TABLE)
TRANSITIONS: dict[tuple[str, str], str] = {(s, a.name): a.moves[s] for s in STATUSES for a in TABLE if s in a.moves}
ROLES: dict[str, frozenset[str]] = {a.name: a.roles for a in TABLE}
RECEIVED_TYPE = "complaint.received"
EVENT_TYPES: dict[str, str] = {a.name: a.event_type for a in TABLE}
ACTION_OF_TYPE = {t: a for a, t in EVENT_TYPES.items()}


# --- transitions ------------------------------------------------------------------------

class IllegalTransition(ValueError):
    def __init__(self, status: str, action: str):
        super().__init__(f"{action} is not allowed in {status}")
        self.status, self.action = status, action


def target(status: str, action: str) -> str:
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        raise IllegalTransition(status, action) from None


def allowed_actions(status: str) -> list[dict[str, Any]]:
    """Actions allowed from `status`, with the roles that may take them (table order)."""
    return [{"action": a, "roles": sorted(ROLES[a]), "to": TRANSITIONS[(s, a)]}
            for (s, a) in TRANSITIONS if s == status]


# --- windows that end by themselves ---------------------------------------------------------

def settle(state: ComplaintState, t: datetime | str, cal: Calendar) -> ComplaintState:
    """A copy of `state` with every window that ended by `t` applied (auto-close, auto-archive)."""
    st = state.copy()
    _settle_in_place(st, t, cal)
    return st


def _expired_window(st: ComplaintState, t: datetime, cal: Calendar
                    ) -> tuple[Clock, datetime, Callable[[ComplaintState, datetime], None]] | None:
    """The running window of `st` that ended by `t` (its clock, end, and what its end does), if any.
    At most one: an auto-close leaves CLOSED_RESOLVED and an auto-archive ARCHIVED, neither of
    which has a window."""
    for status, kind, end in _WINDOWS:
        if st.status != status:
            continue
        c = _running(st, kind)
        if c is None:
            continue
        lim = rules_for(st.received_at).limits[kind]
        _, due_at = cal.due(_dt(c.start), lim.n, lim.unit)
        if due_at <= t:
            return c, due_at, end
    return None


def _settle_in_place(st: ComplaintState, t: datetime | str, cal: Calendar) -> None:
    expired = _expired_window(st, _dt(t), cal)
    if expired is not None:
        _end_window(st, *expired)


def _end_window(st: ComplaintState, c: Clock, due_at: datetime,
                end: Callable[[ComplaintState, datetime], None]) -> None:
    c.stop, c.stopped_by = _iso(due_at), "expired"
    end(st, due_at)
    st.transitions.append({"seq": None, "action": end.__name__.lstrip("_"), "at": _iso(due_at),
                           "status": st.status, "holder": st.holder_unit_id})


def _auto_close(st: ComplaintState, at: datetime) -> None:
    st.status, st.closed_at, st.auto_closed = "CLOSED_RESOLVED", _iso(at), True


def _auto_archive(st: ComplaintState, at: datetime) -> None:
    st.status, st.archived_at, st.archive_reason = "ARCHIVED", _iso(at), AUTO_ARCHIVE_REASON


# the windows that end by themselves: (status, clock kind, what the end does); and the status it leaves
_WINDOWS = (("ANSWERED", "reply_window", _auto_close), ("PENDING_INFO", "pending_info", _auto_archive))
_SETTLED_STATUS: dict[Callable[[ComplaintState, datetime], None], str] = {
    _auto_close: "CLOSED_RESOLVED", _auto_archive: "ARCHIVED"}


# --- fold ---------------------------------------------------------------------------------

def fold(state: ComplaintState | None, event: Any, cal: Calendar, strict: bool = True) -> ComplaintState:
    """Apply one event (an envelope dict or an `Event`) to a copy of `state`. Raises
    IllegalTransition (a ValueError) when the table forbids it. With `strict=False` (projections),
    an event that was legal before a window was settled is still applied: the writer decided at
    write time, and a calendar edit since then must not make the log unreadable."""
    return apply(state.copy() if state is not None else None, event, cal, strict)


def apply(st: ComplaintState | None, event: Any, cal: Calendar, strict: bool = False) -> ComplaintState:
    """`fold` on a state this caller owns: `st` is changed (no copy per event; replays and the
    aggregator's snapshot own theirs)."""
    etype, seq, t, data = _parts(event)
    if st is None:
        if etype != RECEIVED_TYPE:
            raise IllegalTransition("NONE", ACTION_OF_TYPE.get(etype, etype))
        return _initial(data, t, seq)
    if etype == RECEIVED_TYPE:
        raise IllegalTransition(st.status, "receive")
    action = ACTION_OF_TYPE.get(etype)
    if action is None:
        raise ValueError(f"unknown complaint event type {etype}")
    expired = _expired_window(st, t, cal)
    settled_status = _SETTLED_STATUS[expired[2]] if expired else st.status
    if (settled_status, action) not in TRANSITIONS:
        if strict or expired is None or (st.status, action) not in TRANSITIONS:
            raise IllegalTransition(settled_status, action)
        expired = None  # lenient: applied to the state as it was before the window was settled
    if expired is not None:
        _end_window(st, *expired)
    _apply(st, BY_NAME[action], data, t, seq)
    return st


def _apply(st: ComplaintState, action: Action, data: Mapping[str, Any], t: datetime, seq: int) -> None:
    new_status = target(st.status, action.name)
    action.effect(st, data, t, seq, new_status)
    st.status, st.seq, st.last_at = new_status, seq, _at(t)
    st.transitions.append({"seq": seq, "action": action.name, "at": st.last_at, "status": new_status,
                           "holder": st.holder_unit_id})


def replay(events: Iterable[Any], cal: Calendar, strict: bool = True) -> ComplaintState | None:
    st = None
    for e in events:
        st = apply(st, e, cal, strict)
    return st


def state_at(events: Iterable[Any], as_of: datetime, cal: Calendar, strict: bool = False) -> ComplaintState | None:
    """The complaint as it stood at `as_of`: events up to then, windows settled at `as_of`
    (None if it had not been received yet)."""
    st = None
    for e in events:
        if _parts(e)[2] > as_of:
            break
        st = apply(st, e, cal, strict)
    if st is not None:
        _settle_in_place(st, as_of, cal)
    return st


# --- deadlines at as_of -------------------------------------------------------------------

def holder_at(st: ComplaintState, t: datetime) -> str | None:
    holder = None
    for h in st.hops:
        if _dt(h["at"]) > t:
            break
        holder = h["to"] if h["to"] is not None else holder
    return holder


def _status_at(st: ComplaintState, t: datetime) -> str:
    status = "RECEIVED"
    for tr in st.transitions:
        if _dt(tr["at"]) > t:
            break
        status = tr["status"]
    return status


def deadlines(st: ComplaintState, as_of: datetime, cal: Calendar, tier_of: Callable[[str | None], str],
              instansi_id: str) -> list[dict[str, Any]]:
    """Every clock of a (settled) complaint judged at `as_of`."""
    rules = rules_for(st.received_at)
    out = []
    for c in st.clocks:
        kind = c.kind
        lim = rules.limits[kind]
        start = _dt(c.start)
        due_date, due_at = cal.due(start, lim.n, lim.unit)
        stop = _dt(c.stop) if c.stop is not None and _dt(c.stop) <= as_of else None
        end = stop or as_of
        if c.cancelled and stop is not None:
            outcome = "cancelled"
        elif kind in REPORTER_KINDS:
            outcome = "open" if stop is None else ("expired" if c.stopped_by == "expired" else "used")
        elif stop is not None:
            outcome = "met" if stop < due_at else "breached"
        else:
            outcome = "breached" if as_of >= due_at else "open"
        tier, charged = _charge(st, c, kind, outcome, due_at, end, tier_of, instansi_id)
        out.append({
            "kind": kind, "round": c.round, "tier": tier, "charged_to": charged,
            "limit": lim.to_dict(), "rules_version": rules.version, "start": c.start,
            "due_date": due_date.isoformat(), "due_at": due_at.isoformat(),
            "stopped_at": _iso(stop), "stopped_by": c.stopped_by if stop else None, "outcome": outcome,
            "overdue": outcome == "breached" and stop is None,
            "working_days_late": (cal.working_days_between(due_date, cal.local_date(end))
                                  if outcome == "breached" else 0),
        })
    return out


def _charge(st: ComplaintState, c: Clock, kind: str, outcome: str, due_at: datetime, end: datetime,
            tier_of: Callable[[str | None], str], instansi_id: str) -> tuple[str, str | None]:
    if kind in REPORTER_KINDS:
        return "pelapor", None
    if kind == "verification":
        return "instansi", instansi_id
    if kind == "first_follow_up":
        return tier_of(c.holder), c.holder
    when = due_at if outcome == "breached" else end  # resolution: who held it when time ran out
    if _status_at(st, when) in ("RECEIVED", "PENDING_INFO"):
        return "instansi", instansi_id
    h = holder_at(st, when)
    return tier_of(h), h


# --- PEKPPP F-02 indicator 28 -------------------------------------------------------------

def ind28_followup(pct: float | None, via_lapor: bool) -> tuple[int | None, str]:
    """28.e.Ak complaints followed up to completion (domain.md §3.6): 1 <50 % not via LAPOR!,
    2 ≥50 % not via LAPOR!, 3 <50 % via SP4N-LAPOR!, 4 ≥50 % and <90 % via SP4N-LAPOR!,
    5 ≥90 % via SP4N-LAPOR!. No complaint to judge → no score (None)."""
    if pct is None:
        return None, "belum ada pengaduan yang dapat dinilai"
    shown = f"{pct:.1f}".replace(".", ",")  # the Indonesian decimal comma, as every figure on the pages
    if not via_lapor:
        if pct >= 50:
            return 2, f"{shown}% pengaduan selesai (≥50%), belum melalui SP4N-LAPOR!"
        return 1, f"{shown}% pengaduan selesai (<50%), belum melalui SP4N-LAPOR!"
    if pct >= 90:
        return 5, f"{shown}% pengaduan selesai melalui SP4N-LAPOR! (≥90%)"
    if pct >= 50:
        return 4, f"{shown}% pengaduan selesai melalui SP4N-LAPOR! (≥50% dan <90%)"
    return 3, f"{shown}% pengaduan selesai melalui SP4N-LAPOR! (<50%)"
