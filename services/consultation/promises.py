"""Improvement promises (janji perbaikan): record, progress, participants' feedback, bureau review.

Each promise is its own subject `fkp-promise:<fkp_id>:<promise_id>`, so its changes are ordered
by `seq`. Every change goes through the transition table of `pantau.rules.fkp`; a refused change
is a 409 (the state forbids it) or 422 (the request is inconsistent) with the reason, and stores
nothing. A repeat of the last change with the same content answers 200 without a new event.
Free text (notes, reasons, evidence names, the confirming participant's name) stays in the
service; events carry statuses, dates and counts.

Participants need no account: the per-forum confirmation code is their credential, and a name,
when given, must be on the forum's participant list. A dispute makes the promise `disputed`
(open again) until the bureau decides: `dispute_upheld` → in_progress, `dispute_rejected` →
fulfilled.
"""
from __future__ import annotations

from datetime import date

from marshmallow import ValidationError

from pantau import audit, auth
from pantau.errors import Conflict, Forbidden, Invalid
from pantau.events import fkp as ev
from pantau.messages import msg
from pantau.mongo import by_id
from pantau.problems import ProblemError, flatten_errors
from pantau.rules import fkp as rules
from pantau.web import Blueprint, json_response, one_of_doc, read_json

from . import store
from .responses import FeedbackTaken, PromiseAnswer, PromisesAdded
from .schemas import (
    FEEDBACK_SCHEMAS,
    PROGRESS_SCHEMAS,
    FeedbackSchema,
    ProgressSchema,
    PromiseBatchSchema,
    PromiseSchema,
    ReviewSchema,
)
from .store import forum_for
from .store import illegal as _illegal

blp = Blueprint("fkp_promises", __name__, url_prefix="/v1/fkp",
                description="Janji perbaikan FKP: kemajuan, konfirmasi/sanggahan peserta, tinjauan biro")
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


def _canon(item: dict) -> dict:
    return {**item, "target_date": item["target_date"].isoformat(), "elements": list(item.get("elements") or []),
            "sp_component": item.get("sp_component")}


def plan(forum: dict, items: list[dict], pointer: str) -> list[dict]:
    """Check a set of promises against the forum and what is stored; nothing is written.
    Returns [{item, canon, digest, exists}]. A promise already stored with the same content is a
    repeat and needs no further check; 409/422 problems list every offending item."""
    invalid, conflicts, out = [], [], []
    seen: dict[str, int] = {}
    held_on = date.fromisoformat(forum["held_on"])
    firsts = by_id(store.events(), [f"{store.promise_subject(forum['fkp_id'], it['promise_id'])}:1" for it in items],
                         projection={"content_hash": 1})  # each promise's first event, in one query
    for i, item in enumerate(items):
        at = pointer.format(i=i)
        pid = item["promise_id"]
        if pid in seen:
            invalid.append({"pointer": f"{at}/promise_id", "field": "promise_id",
                            "message": msg("promise_id same as promise %(index)s of this request", index=seen[pid])})
            continue
        seen[pid] = i
        canon = _canon(item)
        digest = store.digest(canon)
        first = firsts.get(f"{store.promise_subject(forum['fkp_id'], pid)}:1")
        if first is not None and first.get("content_hash") != digest:
            conflicts.append({"pointer": f"{at}/promise_id", "field": "promise_id",
                              "message": msg("promise_id already used with different content")})
        elif first is None and item["target_date"] < held_on:
            invalid.append({"pointer": f"{at}/target_date", "field": "target_date",
                            "message": msg("target cannot be before the forum date %(held_on)s", held_on=forum["held_on"])})
        out.append({"item": item, "canon": canon, "digest": digest, "exists": first is not None})
    if invalid:
        raise Invalid(msg("Check the promises listed; nothing was stored."), errors=invalid)
    if conflicts:
        raise Conflict(msg("Some promise_ids exist with different content; nothing was stored."),
                       errors=conflicts)
    if any(not p["exists"] for p in out):
        try:
            rules.check_can_add_promise(forum["stage"])
        except rules.Illegal as exc:
            raise _illegal(exc) from None
    return out


def record(forum: dict, planned: list[dict], forum_stored_at) -> list[str]:
    """Store the planned promises (listed under the forum first, so a retry completes a crash),
    each stored after the forum's first event (`forum_stored_at`) so the relay publishes the
    forum first."""
    created = []
    for p in planned:
        pid = p["item"]["promise_id"]
        store.claim_slot(forum["fkp_id"], pid)
        if p["exists"]:
            store.heal(store.promise_subject(forum["fkp_id"], pid))
            continue
        c = p["canon"]
        data = {"unit_id": forum["unit_id"], "fkp_id": forum["fkp_id"], "promise_id": pid,
                "description": c["description"], "owner": c["owner"], "target_date": c["target_date"],
                "elements": c["elements"], "sp_component": c["sp_component"], "status": "planned"}
        result = store.append(store.promise_subject(forum["fkp_id"], pid), ev.PROMISE_RECORDED, data,
                              forum["unit_id"], c, None, p["digest"], not_before=forum_stored_at)
        if result.appended:  # else a concurrent request stored the same promise
            created.append(pid)
    return created


@blp.route("/<fkp_id>/promises", methods=["POST"])
@blp.response(201, PromisesAdded, description="Janji tercatat (juga pada pengulangan).")
# read raw, not by @blp.arguments: an unknown forum is a 404 before the body is read (one or a batch)
@blp.doc(security=SECURITY, requestBody={"required": True, "content": {"application/json": {
    "schema": {"oneOf": [PromiseSchema, PromiseBatchSchema]}}}})
@auth.require()
def add_promises(fkp_id: str):
    """Catat janji perbaikan (satu, atau {"promises": [...]}) pada FKP; idempoten per promise_id."""
    forum, docs = forum_for(fkp_id)
    body = read_json()
    batch = "promises" in body
    try:
        items = PromiseBatchSchema().load(body)["promises"] if batch else [PromiseSchema().load(body)]
    except ValidationError as exc:
        raise ProblemError(422, msg("Check the fields listed; nothing was stored."),
                           errors=flatten_errors(exc.messages)) from None
    planned = plan(forum, items, "/promises/{i}" if batch else "")
    created = record(forum, planned, docs[0]["stored_at"])
    views = [store.promise_view(store.load_promise(fkp_id, p["item"]["promise_id"])) for p in planned]
    headers = {} if created else {"Idempotent-Replay": "true"}
    return json_response({"fkp_id": fkp_id, "created": created, "promises": views}, 201, headers)


def _current(fkp_id: str, promise_id: str) -> tuple[dict, dict]:
    docs = store.load_promise(fkp_id, promise_id)
    return docs[-1], store.promise_view(docs)


def _repeat(head: dict, etype: str, private: dict) -> bool:
    """Is this request a repeat of the subject's latest event? Then republish it (pantau.store)."""
    if head["envelope"]["type"] == etype and head.get("content_hash") == store.digest(private):
        store.heal(head["subject"])
        return True
    return False


def _answer(fkp_id: str, promise_id: str, status: int = 200, replay: bool = False):
    view = store.promise_view(store.load_promise(fkp_id, promise_id))
    return json_response({"fkp_id": fkp_id, **view}, status, {"Idempotent-Replay": "true"} if replay else {})


@blp.route("/<fkp_id>/promises/<promise_id>/progress", methods=["POST"])
@blp.response(200, PromiseAnswer, description="Janji sesudah laporan kemajuan.")
@blp.doc(security=SECURITY)
@auth.require()
@blp.arguments_doc(ProgressSchema, one_of_doc("status", PROGRESS_SCHEMAS))
def progress(body, fkp_id: str, promise_id: str):
    """Laporkan kemajuan janji: planned, in_progress, fulfilled (dengan bukti) atau dropped (dengan alasan)."""
    forum, _ = forum_for(fkp_id)
    head, view = _current(fkp_id, promise_id)
    private = {**body, "at": body["at"].isoformat()}
    if _repeat(head, ev.PROMISE_PROGRESSED, private):
        return _answer(fkp_id, promise_id, replay=True)
    current = view["status"]
    try:
        status = rules.next_status("progress", current, body["status"], forum["stage"])
        pct = rules.check_progress(status, body.get("progress_pct"), len(body["evidence"]), body.get("reason"),
                                   store.local_day(body["at"]), date.fromisoformat(forum["held_on"]), store.today())
    except rules.Illegal as exc:
        raise _illegal(exc) from None
    _check_documents(fkp_id, body["evidence"])
    data = {"unit_id": forum["unit_id"], "fkp_id": fkp_id, "promise_id": promise_id, "status": status,
            "previous_status": current, "progress_pct": pct, "at": private["at"],
            "evidence_count": len(body["evidence"]), "has_reason": bool((body.get("reason") or "").strip())}
    store.append(store.promise_subject(fkp_id, promise_id), ev.PROMISE_PROGRESSED, data, forum["unit_id"],
                 private, head)
    return _answer(fkp_id, promise_id)


def _check_documents(fkp_id: str, evidence: list[dict]) -> None:
    linked = by_id(store.db()["doc_links"], [f"{fkp_id}:{e['sha256']}" for e in evidence if e.get("sha256")],
                         projection={"_id": 1})
    missing = [{"pointer": f"/evidence/{i}/sha256", "field": "evidence.sha256",
                "message": msg("this document is not uploaded for this forum (POST /v1/fkp/%(fkp_id)s/documents)",
                               fkp_id=fkp_id)}
               for i, e in enumerate(evidence) if e.get("sha256") and f"{fkp_id}:{e['sha256']}" not in linked]
    if missing:  # a well-formed sha256 naming no document of this forum: a conflict with what is stored
        raise Conflict(msg("Evidence document not uploaded."),
                       errors=missing)


def _listed(forum: dict, name: str) -> bool:
    def norm(s: str) -> str:
        return " ".join(s.lower().split())
    return norm(name) in {norm(p["name"]) for p in forum.get("participants") or []}


@blp.route("/<fkp_id>/promises/<promise_id>/feedback", methods=["POST"])
@blp.response(201, FeedbackTaken, description="Tanggapan peserta tercatat.")
@blp.alt_response(200, schema=FeedbackTaken, description="Pengulangan tanggapan yang sama.", success=True)
@blp.doc(security=[])
@blp.arguments_doc(FeedbackSchema, one_of_doc("verdict", FEEDBACK_SCHEMAS))
def feedback(body, fkp_id: str, promise_id: str):
    """Peserta FKP mengonfirmasi atau menyanggah janji yang dinyatakan terpenuhi (dengan kode FKP, tanpa akun)."""
    forum, _ = store.load_forum(fkp_id)
    if not store.code_matches(fkp_id, body["code"]):
        raise Forbidden(msg("The confirmation code does not match this forum."),
                        errors=[{"pointer": "/code", "field": "code", "message": msg("wrong code")}])
    head, view = _current(fkp_id, promise_id)
    name = (body.get("participant_name") or "").strip() or None
    if name and not _listed(forum, name):
        raise Invalid(msg("This name is not on the forum's participant list."),
                      errors=[{"pointer": "/participant_name", "field": "participant_name",
                               "message": msg("not on the participant list")}])
    private = {"verdict": body["verdict"], "note": body.get("note"), "participant_name": name}
    # the caller holds only the forum's code: answer with the outcome, never the promise's private record
    answer = {"fkp_id": fkp_id, "promise_id": promise_id, "verdict": body["verdict"]}
    if _repeat(head, ev.PROMISE_FEEDBACK, private):
        return json_response({**answer, "status": view["status"]}, 200, {"Idempotent-Replay": "true"})
    try:
        status = rules.next_status("feedback", view["status"], body["verdict"])
    except rules.Illegal as exc:
        raise _illegal(exc) from None
    data = {"unit_id": forum["unit_id"], "fkp_id": fkp_id, "promise_id": promise_id, "status": status,
            "previous_status": view["status"], "verdict": body["verdict"], "participant_identified": bool(name)}
    subj = store.promise_subject(fkp_id, promise_id)
    sealed = {**private, "participant_name": store.seal_name(fkp_id, f"{subj}:{store.next_seq(head)}",
                                                             "participant_name", name)}
    store.append(subj, ev.PROMISE_FEEDBACK, data, forum["unit_id"], sealed, head, store.digest(private))
    return json_response({**answer, "status": status}, 201)


@blp.route("/<fkp_id>/promises/<promise_id>/review", methods=["POST"])
@blp.response(200, PromiseAnswer, description="Janji sesudah keputusan Biro.")
@blp.doc(security=SECURITY)
@auth.require("bureau")
@blp.arguments(ReviewSchema)
def review(body, fkp_id: str, promise_id: str):
    """Biro Organisasi memutus sanggahan: dispute_upheld (dibuka kembali) atau dispute_rejected (tetap terpenuhi)."""
    forum, _ = forum_for(fkp_id)
    head, view = _current(fkp_id, promise_id)
    private = dict(body)
    if _repeat(head, ev.PROMISE_REVIEWED, private):
        return _answer(fkp_id, promise_id, replay=True)
    try:
        status = rules.next_status("review", view["status"], body["decision"])
    except rules.Illegal as exc:
        raise _illegal(exc) from None
    data = {"unit_id": forum["unit_id"], "fkp_id": fkp_id, "promise_id": promise_id, "status": status,
            "previous_status": view["status"], "decision": body["decision"]}
    audit.note("fkp.promise_review", f"{fkp_id}/{promise_id}", decision=body["decision"], status=status,
               unit_id=forum["unit_id"])  # before the write: the entry travels in the event document
    store.append(store.promise_subject(fkp_id, promise_id), ev.PROMISE_REVIEWED, data, forum["unit_id"],
                 private, head)
    return _answer(fkp_id, promise_id)

