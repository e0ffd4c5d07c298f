"""Complaint use-cases: one lifecycle action, and the views of a complaint.

An action (`act`) is checked in this order, and nothing is stored unless every check passes:
  1. the body against the action's schema (422);
  2. who acts: a unit key acts only on a complaint its unit holds now (403, even before the
     state is looked at, so another unit learns nothing); the reporter token must match (401);
  3. an exact repeat of the latest action (same body, same Idempotency-Key) returns the first
     answer (200, `Idempotent-Replay: true`);
  4. `at` (when it happened; API keys only) is not before the latest event nor in the future (422);
  5. the transition table at that instant, after windows that ended are settled (409, listing
     the allowed actions and who may take them);
  6. the role table (403): e.g. only the bureau verifies, only the holder unit follows up;
  7. referenced units exist (422): dispose/forward targets must be in the registry;
  8. the event is appended with seq = head + 1: a concurrent writer that got there first turns
     this into a 409 (the unique `_id` guard of `pantau.store`).

Views: handlers (the bureau, the holder unit) see everything except the reporter's identity of an
anonymous complaint; the public tracking view and Open311 never show identity, and show no
content at all for a confidential complaint (Open311 does not list it). Public views show the
subject line and category, never the free-text description, notes or answers (a reporter who
presents their token sees the answers to their own complaint).
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from pantau import commands, data_keys
from pantau.config import settings
from pantau.messages import Message, msg
from pantau.problems import ProblemError
from pantau.rules import lapor
from pantau.rules.workdays import default_calendar
from pantau.units import Registry, tier_of

from . import schemas, store

CLOCK_SKEW = timedelta(minutes=2)
NOTE_KEYS = ("note",)


@dataclass(frozen=True)
class Actor:
    role: str            # bureau | unit | pelapor
    unit_id: str | None = None

    @property
    def table_role(self) -> str:
        return "holder" if self.role == "unit" else self.role


def now() -> datetime:
    return datetime.now(timezone.utc)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def unit_name(unit_id: str | None) -> str | None:
    u = Registry.instance().get(unit_id) if unit_id else None
    return u.name if u else None


def _unprocessable(pointer: str, message: Message, detail: Any) -> ProblemError:
    return ProblemError(422, detail,
                        errors=[{"pointer": pointer, "field": pointer.strip("/"), "message": message}])


def check_reporter(stored: list[dict], token: str) -> Actor:
    expected = (stored[0].get("private") or {}).get("reporter_token_sha256")
    if not expected or not hmac.compare_digest(expected, token_hash(token)):
        raise ProblemError(401, msg("The reporter token does not match this complaint."))
    return Actor("pelapor")


def check_handler(actor: Actor, state: lapor.ComplaintState) -> None:
    """403 unless the actor is the bureau or the unit holding the complaint now."""
    if actor.role == "bureau":
        return
    if actor.role != "unit" or actor.unit_id != state.holder_unit_id:
        raise ProblemError(403, msg("Another unit holds this complaint; this key can neither act on nor read it."))


def _known_unit(unit_id: str, pointer: str) -> None:
    if not commands.is_service_unit(unit_id):
        raise _unprocessable(pointer, msg("unit not registered"),
                             msg("Target unit %(unit_id)s is not in the registry.", unit_id=unit_id))


# --- the commands: what each action of the rules' table (pantau.rules.lapor.TABLE) takes ------
# its body's schema, and the fields its event carries from the body beside those every action's
# event has (checked here: a 422 for an unknown unit, a 409 for forwarding to the holder itself)

def _nothing(body: dict, holder: str) -> dict:
    return {}


def _carries(*keys: str) -> Callable[[dict, str], dict]:
    return lambda body, holder: {k: body[k] for k in keys}


def _verify(body: dict, holder: str) -> dict:
    to = body.get("dispose_to") or holder
    _known_unit(to, "/dispose_to")
    return {"holder_unit_id": to, **{k: body[k] for k in ("classification", "category", "tags", "berkadar_pengawasan")
                                     if body.get(k) is not None}}


def _forward(body: dict, holder: str) -> dict:
    to = body["to_unit_id"]
    _known_unit(to, "/to_unit_id")
    if to == holder:  # a conflict with who holds it now (the field alone is valid): 409
        raise ProblemError(409, msg("This unit already holds the complaint."),
                           errors=[{"pointer": "/to_unit_id", "field": "to_unit_id", "message": msg("already the holder")}])
    return {"from_unit_id": holder, "to_unit_id": to, "holder_unit_id": to}


def _forward_out(body: dict, holder: str) -> dict:
    return {"from_unit_id": holder, "to_instansi": body["to_instansi"]}


@dataclass(frozen=True)
class Command:
    schema: type[schemas.ActionBase]
    carry: Callable[[dict, str], dict] = _nothing  # (validated body, holder now) -> the event's own fields


COMMANDS: dict[str, Command] = {
    "verify": Command(schemas.VerifySchema, _verify),
    "pend": Command(schemas.PendSchema, _carries("missing")),
    "complete_info": Command(schemas.NoteRequired),
    "archive": Command(schemas.ArchiveSchema, _carries("reason")),
    "forward": Command(schemas.ForwardSchema, _forward),
    "forward_out": Command(schemas.ForwardOutSchema, _forward_out),
    "follow_up": Command(schemas.NoteRequired),
    "resolve": Command(schemas.NoteRequired),
    "rate": Command(schemas.RateSchema, _carries("satisfaction")),
    "reopen": Command(schemas.ActionBase),
    "accept": Command(schemas.ActionBase),
}
assert tuple(COMMANDS) == lapor.ACTIONS, "every action of the rules' table is a command, in its order"
# each action's body schema: one branch of the request body's `oneOf` (discriminator `action`)
ACTION_SCHEMAS: dict[str, type[schemas.ActionBase]] = {a: schemas.for_action(a, c.schema) for a, c in COMMANDS.items()}


def act(tracking_id: str, action: str, body: dict, actor: Actor, stored: list[dict], state: lapor.ComplaintState,
        idem_key: str | None, correlation_id: str | None) -> tuple[dict, bool]:
    """Store one action; returns (answer, replayed). `body` is already validated."""
    if actor.role != "pelapor":
        check_handler(actor, state)
    canon = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in body.items()}
    content_hash = commands.content_hash({"action": action, "body": canon, "idempotency_key": idem_key,
                                          "actor": [actor.role, actor.unit_id]})
    head = stored[-1]
    if commands.repeats(store.events(), head, content_hash):  # re-pointed: an earlier failed attempt is healed
        return answer(tracking_id, state, default_calendar()), True
    current = now()
    at = body.get("at")
    if at is not None:
        if actor.role == "pelapor":
            raise _unprocessable("/at", msg("not for a reporter token"), msg("A reporter cannot set the time of an "
                                                                         "action."))
        if at > current + CLOCK_SKEW:
            raise _unprocessable("/at", msg("in the future"), msg("The time of an action cannot be in the future."))
    last = datetime.fromisoformat(state.last_at)
    t = at or max(current, last)  # a host clock slightly behind the latest event's never reorders history
    if t < last:  # a conflict with the stored history (the field alone is valid): 409
        raise ProblemError(409, msg("The time of an action cannot precede the complaint's latest event."),
                           errors=[{"pointer": "/at", "field": "at",
                                    "message": msg("before the latest event (%(last_at)s)", last_at=state.last_at)}])
    cal = default_calendar()
    settled = lapor.settle(state, t, cal)
    rule = lapor.BY_NAME[action]  # the action's row: the statuses it is allowed in, who may take it
    if settled.status not in rule.moves:
        allowed = lapor.allowed_actions(settled.status)
        raise ProblemError(
            409, msg("Action %(action)s is not allowed in status %(status)s (%(label)s).", action=action,
                     status=settled.status, label=lapor.LAPOR_LABELS[settled.status]),
            current_status=settled.status, allowed_actions=allowed)
    if actor.table_role not in rule.roles:
        raise ProblemError(403, msg("Action %(action)s is only for: %(value)s.", action=action,
                                    value=", ".join(sorted(rule.roles))), allowed_roles=sorted(rule.roles))
    holder = settled.holder_unit_id
    data = {"complaint_id": tracking_id, "action": action, "status": rule.moves[settled.status],
            "holder_unit_id": holder, "actor_role": actor.role, "actor_unit_id": actor.unit_id,
            "recorded_at": current.isoformat()}
    data.update(COMMANDS[action].carry(body, holder))
    private = {k: body[k] for k in NOTE_KEYS if body.get(k)}
    result = commands.append_next(store.events(), "complaints", store.subject(tracking_id), rule.event_type,
                                  data, key=tracking_id, chash=content_hash, private=private, head=head, time=t,
                                  correlation_id=correlation_id)
    result.or_409(msg("The complaint was changed by a concurrent request; re-read it and decide again."))
    if result.replayed:  # the same request, stored concurrently: answered as it left the complaint
        return answer(tracking_id, store.state_of(store.docs(tracking_id)) or state, cal), True
    assert result.doc is not None
    return answer(tracking_id, lapor.fold(state, result.doc["envelope"], cal, strict=False), cal), False


def answer(tracking_id: str, state: lapor.ComplaintState, cal) -> dict:
    at = now()
    view = lapor.settle(state, at, cal)
    return {"tracking_id": tracking_id, "seq": state.seq, "status": view.status,
            "status_label": lapor.LAPOR_LABELS[view.status], "holder_unit_id": view.holder_unit_id,
            "last_action": state.transitions[-1]["action"], "last_at": state.last_at, "as_of": at.isoformat(),
            "allowed_actions": lapor.allowed_actions(view.status),
            "deadlines": lapor.deadlines(view, at, cal, tier_of, settings().province_id)}


# --- the reporter's identity, sealed at rest --------------------------------------------------

REPORTER_FIELDS = ("name", "phone", "email", "nik", "address")


def seal_reporter(tracking_id: str, reporter: dict | None) -> dict | None:
    """The reporter object sealed with the reporter's own data key (None stays None)."""
    if reporter is None:
        return None
    return data_keys.seal("complaints", data_keys.complaint_reporter_key(tracking_id), store.subject(tracking_id),
                          "reporter", reporter)


def open_reporter(tracking_id: str, stored: dict | None) -> tuple[dict | None, bool]:
    """(the reporter as given, erased?): an erased reporter's every field reads as the label."""
    if stored is None:
        return None, False
    value = data_keys.open_one("complaints", stored, store.subject(tracking_id), "reporter", erased=None)
    if value is None:
        return {k: data_keys.ERASED_LABEL for k in REPORTER_FIELDS}, True
    return value, False


# --- views -----------------------------------------------------------------------------------

def _dates(st: lapor.ComplaintState) -> dict:
    return {k: getattr(st, k) for k in ("received_at", "verified_at", "first_follow_up_at", "answered_at",
                                   "closed_at", "archived_at")}


def handler_view(tracking_id: str, stored: list[dict], as_of: datetime) -> dict | None:
    cal = default_calendar()
    st = lapor.state_at([d["envelope"] for d in stored], as_of, cal)
    if st is None:
        return None
    c = dict(stored[0]["private"]["complaint"])
    reporter, erased = (None, False) if c.get("anonymous") else open_reporter(tracking_id, c.get("reporter"))
    notes = []
    for d in stored[1:]:
        note = (d.get("private") or {}).get("note")
        if note and datetime.fromisoformat(d["envelope"]["time"]) <= as_of:
            notes.append({"seq": d["seq"], "action": d["envelope"]["data"].get("action"),
                          "at": d["envelope"]["time"], "actor_role": d["envelope"]["data"].get("actor_role"),
                          "note": note})
    latest = st.ratings[-1] if st.ratings else None
    return {
        "tracking_id": tracking_id, "as_of": as_of.isoformat(), "status": st.status,
        "status_label": lapor.LAPOR_LABELS[st.status], "seq": st.seq,
        "holder_unit_id": st.holder_unit_id, "holder_unit_name": unit_name(st.holder_unit_id),
        "filed_unit_id": st.filed_unit_id, "to_instansi": st.to_instansi,
        "channel": st.channel, "classification": st.classification, "category": st.category,
        "tags": st.tags, "berkadar_pengawasan": st.berkadar_pengawasan,
        "anonymous": st.anonymous, "confidential": st.confidential,
        **_dates(st), "auto_closed": st.auto_closed, "archive_reason": st.archive_reason,
        "complaint": {"subject": c.get("subject"), "description": c.get("description"), "place": c.get("place"),
                      "event_time": c.get("event_time"), "reporter": reporter},
        "reporter_hidden": bool(c.get("anonymous")), "reporter_erased": erased,
        "hops": st.hops, "transitions": st.transitions,
        "deadlines": lapor.deadlines(st, as_of, cal, tier_of, settings().province_id),
        "rules_version": lapor.rules_for(st.received_at).version,
        "allowed_actions": lapor.allowed_actions(st.status),
        "feedback": {"question": lapor.SATISFACTION_QUESTION, "labels": lapor.SATISFACTION_LABELS,
                     "latest": latest, "reopens": st.reopens},
        "notes": notes,
        "history": [d["envelope"] for d in stored],
    }


def public_view(tracking_id: str, stored: list[dict], as_of: datetime, reporter: bool) -> dict | None:
    cal = default_calendar()
    st = lapor.state_at([d["envelope"] for d in stored], as_of, cal)
    if st is None:  # not yet received at as_of
        return None
    c = stored[0]["private"]["complaint"]
    body = {"tracking_id": tracking_id, "as_of": as_of.isoformat(), "status": st.status,
            "status_label": lapor.LAPOR_LABELS[st.status], "confidential": st.confidential,
            "holder_unit_id": st.holder_unit_id, "holder_unit_name": unit_name(st.holder_unit_id),
            "to_instansi": st.to_instansi, **_dates(st), "auto_closed": st.auto_closed,
            "timeline": [{"status": tr["status"], "at": tr["at"], "holder_unit_id": tr["holder"]}
                         for tr in st.transitions],
            "deadlines": [{k: d[k] for k in ("kind", "round", "due_date", "outcome", "stopped_at")}
                          for d in lapor.deadlines(st, as_of, cal, tier_of, settings().province_id)]}
    if not st.confidential:
        body.update(subject=c.get("subject"), category=st.category, classification=st.classification)
    if reporter:
        body["answers"] = [{"seq": d["seq"], "action": d["envelope"]["data"]["action"], "at": d["envelope"]["time"],
                            "note": d["private"]["note"]}
                           for d in stored[1:] if d["envelope"]["data"].get("action") in ("follow_up", "resolve")
                           and (d.get("private") or {}).get("note")]
        body["feedback"] = {"question": lapor.SATISFACTION_QUESTION, "labels": lapor.SATISFACTION_LABELS,
                            "actions": [a for a in lapor.allowed_actions(st.status) if "pelapor" in a["roles"]]}
    return body
