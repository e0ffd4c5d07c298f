"""Consultation service storage: the event log (the outbox) and what stays inside the service.

Collections of the service's own database:
- `events`: the event log and outbox (pantau.store), `_id` = "<subject>:<seq>". Each event document keeps
  its request's private content under `private` (participant and signatory names, minutes,
  notes, reasons, evidence names) and its `content_hash` for idempotent repeats; only the
  envelope is published. Subjects: `fkp:<fkp_id>` and `fkp-promise:<fkp_id>:<promise_id>`.
  Partition key: the unit id, so a unit's forums and promises reach the aggregator in order and
  the aggregator's per-unit document has a single writer.
- `promise_slots`: "<fkp_id>:<n>" → promise_id, the forum's promises in order (a claim is an
  insert, so concurrent writers cannot lose one another's promise).
- `codes`: `_id` = fkp_id → SHA-256 of the participants' confirmation code (never the code).
- `documents` / `doc_links`: uploaded files by SHA-256 (see documents.py).

The current state of a forum or a promise is the fold of its events (`forum_view`,
`promise_view`); nothing else is cached.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import g
from pymongo.errors import DuplicateKeyError

from pantau import auth, commands, data_keys, mongo, sealing, store
from pantau.config import settings
from pantau.events import fkp as ev
from pantau.messages import msg
from pantau.problems import ProblemError
from pantau.rules.fkp import Illegal

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
CODE_GROUPS = 3  # XXXX-XXXX-XXXX: 60 bits
SERVICE = "consultation"


def db():
    return mongo.db("consultation")


def events():
    return db()["events"]


def forum_subject(fkp_id: str) -> str:
    return f"fkp:{fkp_id}"


def promise_subject(fkp_id: str, promise_id: str) -> str:
    return f"fkp-promise:{fkp_id}:{promise_id}"


digest = commands.content_hash


def today() -> date:
    return datetime.now(ZoneInfo(settings().tz)).date()


def local_day(dt: datetime) -> date:
    return dt.astimezone(ZoneInfo(settings().tz)).date()


def next_seq(prior: dict | None) -> int:
    return (prior["seq"] + 1) if prior else 1


# ---- people's names, sealed at rest (pantau/data_keys.py) ----------------------------------


def seal_people(fkp_id: str, record: str, field: str, people: list[dict] | None) -> list[dict] | None:
    """`people` (participants or signatories) with each name sealed under that person's key;
    the AAD binds it to the event document and the list slot. A person erased before is kept
    without a name (None)."""
    if not people:
        return people
    pids = data_keys.participant_ids(SERVICE, fkp_id, [p["name"] for p in people])
    sealed = data_keys.seal_many(SERVICE, [(data_keys.fkp_participant_key(fkp_id, pid), record, f"{field}.{i}.name",
                                            p["name"]) for i, (p, pid) in enumerate(zip(people, pids, strict=True))],
                                 skip_erased=True)
    return [{**p, "name": s} for p, s in zip(people, sealed, strict=True)]


def seal_name(fkp_id: str, record: str, field: str, name: str | None) -> dict | None:
    if not name:
        return None
    pid = data_keys.participant_ids(SERVICE, fkp_id, [name])[0]
    return data_keys.seal_many(SERVICE, [(data_keys.fkp_participant_key(fkp_id, pid), record, field, name)],
                               skip_erased=True)[0]


def _person_of(sealed) -> str | None:
    """The participant id in a sealed name's key id (None for a name stored before sealing)."""
    return sealing.key_id_of(sealed).rsplit(":", 1)[1] if sealing.is_sealed(sealed) else None


def open_people(record: str, field: str, people: list[dict] | None, with_id: bool) -> list[dict] | None:
    """The names opened (an erased person's reads as the label); `with_id` adds `participant_id`
    (what `pantau privacy erase --fkp-participant <fkp_id>/<participant_id>` takes)."""
    if not people:
        return people
    names = data_keys.open_many(SERVICE, [(p["name"], record, f"{field}.{i}.name") for i, p in enumerate(people)],
                                erased=None)
    out = []
    for p, name in zip(people, names, strict=True):
        row = {**p, "name": name if name is not None else data_keys.ERASED_LABEL}
        if with_id:
            row["participant_id"] = _person_of(p["name"])
        if name is None:
            row["erased"] = True
        out.append(row)
    return out


def open_name(record: str, field: str, value) -> str | None:
    return None if value is None else data_keys.open_one(SERVICE, value, record, field)


def subject_docs(subject: str) -> list[dict]:
    """Every stored event document of a subject, in seq order."""
    return store.stream(events(), subject)


def heal(subject: str) -> None:
    """On an idempotent repeat: republish the subject's stored events so that one stored by an
    attempt whose outbox write failed is still published (see pantau.store)."""
    store.republish(events(), subject_docs(subject))


def append(subject: str, etype: str, data: dict, key: str, private: dict, prior: dict | None,
           content_hash: str | None = None, not_before=None) -> commands.Result:
    """Store the next event of `subject` after `prior`, its current head (pantau.commands: an exact
    repeat, or a race won by the same request, is a replay; a race lost to another is a 409).
    `not_before` (a stored_at) keeps an event behind another subject's event for the relay:
    a promise is recorded only after its forum, whatever the app hosts' clocks say."""
    return commands.append_next(events(), SERVICE, subject, etype, data, key=key, chash=content_hash or digest(private),
                                private=private, head=prior, correlation_id=g.get("correlation_id"),
                                not_before=not_before).or_409()


# ---- forum ----------------------------------------------------------------------------------

def forum_view(docs: list[dict]) -> dict:
    """The forum as its events leave it (with the private content: names, minutes)."""
    first = docs[0]
    view = dict(first["private"]["forum"])
    view.pop("promises", None)
    view["participants"] = open_people(first["_id"], "participants", view.get("participants"), True)
    data = first["envelope"]["data"]
    view.update({"stage": data["stage"], "elements": data["elements"], "participant_count": data["participant_count"],
                 "berita_acara": None, "recorded_at": first["envelope"]["time"]})
    for d in docs[1:]:
        env, private = d["envelope"], d.get("private") or {}
        data = env["data"]
        if env["type"] == ev.STAGE_CHANGED:
            view.update({"stage": data["stage"], "held_on": data["held_on"], "elements": data["elements"],
                         "participant_count": data["participant_count"]})
            for k in ("participants", "place", "minutes"):
                if private.get(k) is not None:
                    view[k] = open_people(d["_id"], k, private[k], True) if k == "participants" else private[k]
        elif env["type"] == ev.BERITA_ACARA_UPLOADED:
            version = (view["berita_acara"] or {}).get("version", 0) + 1
            signatories = open_people(d["_id"], "signatories", private.get("signatories", []), False)
            view["berita_acara"] = {"sha256": data["sha256"], "size": data["size"],
                                    "content_type": data["content_type"], "signatories": signatories,
                                    "filename": private.get("filename"), "uploaded_at": env["time"],
                                    "version": version}
    view["seq"] = docs[-1]["seq"]
    return view


def load_forum(fkp_id: str) -> tuple[dict, list[dict]]:
    """(forum view, its event documents) or a 404 problem."""
    docs = subject_docs(forum_subject(fkp_id))
    if not docs:
        raise ProblemError(404, msg("FKP not found."))
    return forum_view(docs), docs


def forum_for(fkp_id: str) -> tuple[dict, list[dict]]:
    """The forum (404 if unknown) once the key is known to act for its unit (else 403)."""
    forum, docs = load_forum(fkp_id)
    auth.check_unit(forum["unit_id"])
    return forum, docs


def illegal(exc: Illegal) -> ProblemError:
    """A refused transition as a problem: 409 when the state forbids it, 422 when the request is
    inconsistent; the reason is the detail."""
    status = 409 if exc.kind == "conflict" else 422
    reason = msg(exc.reason, **exc.params)  # a catalog id of pantau/rules/fkp.py
    errors = [{"pointer": exc.pointer, "field": exc.pointer.strip("/"), "message": reason}] if exc.pointer else None
    return ProblemError(status, reason, errors=errors)


# ---- promises -------------------------------------------------------------------------------

def promise_ids(fkp_id: str) -> list[str]:
    """The forum's promises in the order they were listed, read in one query (store.series); two
    concurrent claims of one promise take two slots, the first counts."""
    slots = store.series(db()["promise_slots"], fkp_id, projection={"promise_id": 1})
    return list(dict.fromkeys(d["promise_id"] for d in slots))


def claim_slot(fkp_id: str, promise_id: str) -> None:
    """List the promise under its forum (idempotent; safe against concurrent claims)."""
    for _ in range(20):
        ids = promise_ids(fkp_id)
        if promise_id in ids:
            return
        try:
            db()["promise_slots"].insert_one({"_id": f"{fkp_id}:{len(ids) + 1}", "fkp_id": fkp_id,
                                              "promise_id": promise_id})
            return
        except DuplicateKeyError:
            continue  # another writer took that slot: look again
    raise ProblemError(409, msg("Too many concurrent requests for this forum; retry."))


def promise_view(docs: list[dict]) -> dict:
    first = docs[0]
    view = {**first["private"], "status": first["envelope"]["data"]["status"], "progress_pct": 0,
            "recorded_at": first["envelope"]["time"], "updates": []}
    for d in docs[1:]:
        env = d["envelope"]
        data = env["data"]
        private = dict(d.get("private") or {})
        if private.get("participant_name") is not None:
            private["participant_name"] = open_name(d["_id"], "participant_name", private["participant_name"])
        update = {"seq": env["seq"], "type": env["type"], "time": env["time"], "status": data["status"],
                  **{k: v for k, v in private.items() if v is not None}}
        for k in ("progress_pct", "evidence_count", "verdict", "decision"):
            if k in data:
                update[k] = data[k]
        if env["type"] == ev.PROMISE_PROGRESSED:
            view["progress_pct"] = data["progress_pct"]
        view["status"] = data["status"]
        view["updates"].append(update)
    view["seq"] = docs[-1]["seq"]
    view["history"] = [d["envelope"] for d in docs]
    return view


def load_promise(fkp_id: str, promise_id: str) -> list[dict]:
    docs = subject_docs(promise_subject(fkp_id, promise_id))
    if not docs:
        raise ProblemError(404, msg("Promise not found."))
    return docs


# ---- participants' confirmation code --------------------------------------------------------

def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _code_hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def issue_code(fkp_id: str) -> str:
    """A new code for the forum's participants; replaces any earlier one. Only its hash is kept."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(4 * CODE_GROUPS))
    code = "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))
    doc = {"_id": fkp_id, "hash": _code_hash(code), "issued_at": datetime.now(timezone.utc)}
    try:
        db()["codes"].insert_one(doc)  # the usual case: a first code
    except DuplicateKeyError:
        db()["codes"].replace_one({"_id": fkp_id}, doc)  # a replacement code (rare)
    return code


def has_code(fkp_id: str) -> bool:
    return db()["codes"].find_one({"_id": fkp_id}, projection={"_id": 1}) is not None


def code_matches(fkp_id: str, code: str) -> bool:
    doc = db()["codes"].find_one({"_id": fkp_id})
    return doc is not None and hmac.compare_digest(doc["hash"], _code_hash(code))
