"""Consultation (FKP) service: forum routes (record, read back, stage, participants' code).

- `POST /v1/fkp` records a forum, idempotent per `fkp_id` (same content → the original answer,
  different content → 409), optionally with its promises (validated all together before anything
  is stored; each promise is then idempotent per `promise_id`). A new forum gets a participants'
  confirmation code, shown once: only its SHA-256 is stored. A lost code is replaced with
  `POST /v1/fkp/{fkp_id}/confirmation-code`.
- `POST /v1/fkp/{fkp_id}/stage` moves the forum forward (planned → held → closed), optionally
  with the attendance list that replaces the invitation list, the actual date and the minutes.
- `GET /v1/fkp/{fkp_id}` returns the forum, its Berita Acara, every promise and the full event
  history of the forum and of each promise.
"""
from __future__ import annotations

from pantau import audit, auth, commands
from pantau.errors import Conflict, Invalid
from pantau.events import fkp as ev
from pantau.messages import msg
from pantau.problems import ProblemError
from pantau.rules import fkp as rules
from pantau.web import Blueprint, json_response

from . import promises, store
from .responses import Code, ForumAnswer, ForumRecorded, StageAnswer
from .schemas import ForumSchema, StageSchema
from .store import events, forum_for, forum_subject
from .store import illegal as _illegal

blp = Blueprint("fkp", __name__, url_prefix="/v1/fkp", description="Forum Konsultasi Publik (FKP)")
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
CODE_HINT = ("Kode konfirmasi hanya ditampilkan sekali. Bila hilang, buat kode baru dengan "
             "POST /v1/fkp/{fkp_id}/confirmation-code (kode lama tidak berlaku lagi).")


def subject(fkp_id: str) -> str:
    return forum_subject(fkp_id)


def _future_held_on() -> Invalid:
    return Invalid(msg("A forum cannot be held on a date still to come."),
                   errors=[{"pointer": "/held_on", "field": "held_on", "message": msg("a date still to come")}])


def _elements(participants: list[dict]) -> list[str]:
    return rules.order_elements(p["element"] for p in participants)


@blp.route("", methods=["POST"])
@blp.response(201, ForumRecorded, description="FKP tercatat (juga pada pengulangan).")
@blp.doc(security=SECURITY)
@auth.require()
@blp.arguments(ForumSchema)
def post_forum(body):
    """Catat FKP beserta peserta per unsur dan (boleh) janji perbaikannya; idempoten per fkp_id."""
    commands.require_service_unit(body["unit_id"])
    auth.check_unit(body["unit_id"])
    if body["stage"] != "planned" and body["held_on"] > store.today():
        raise _future_held_on()
    items = body.pop("promises")
    canon = {**body, "held_on": body["held_on"].isoformat()}
    digest = store.digest(canon)
    subj = forum_subject(body["fkp_id"])
    first = events().find_one({"_id": f"{subj}:1"})
    if first is not None and first.get("content_hash") != digest:
        raise Conflict(msg("fkp_id already used with different content."))
    replay = first is not None
    stored_at = None
    if replay:
        forum, docs = store.load_forum(body["fkp_id"])
        stored_at = docs[0]["stored_at"]
        store.heal(subj)
    else:
        forum = {**canon, "seq": 0}
    plan = promises.plan(forum, items, "/promises/{i}")  # every check before any write
    if not replay:
        elements = _elements(body["participants"])
        data = {"unit_id": body["unit_id"], "fkp_id": body["fkp_id"], "topic": body["topic"], "title": body["title"],
                "held_on": canon["held_on"], "format": body["format"], "stage": body["stage"],
                "elements": elements, "participant_count": len(body["participants"])}
        audit.note("fkp.forum_record", body["fkp_id"], unit_id=body["unit_id"])  # a bureau write's audit entry
        # names of participants stay in this service's record, out of the event
        sealed = {**canon, "participants": store.seal_people(body["fkp_id"], f"{subj}:1", "participants",
                                                             canon["participants"])}
        try:
            result = store.append(subj, ev.FORUM_RECORDED, data, body["unit_id"], {"forum": sealed}, None, digest)
        except ProblemError as exc:  # a concurrent request stored another forum under this fkp_id
            raise Conflict(msg("fkp_id already used with different content.")) from exc
        assert result.doc is not None
        replay, stored_at = result.replayed, result.doc["stored_at"]
    code = None
    if not replay or not store.has_code(body["fkp_id"]):
        code = store.issue_code(body["fkp_id"])
    created = promises.record(forum, plan, stored_at)
    answer = {"fkp_id": body["fkp_id"], "unit_id": body["unit_id"], "stage": forum["stage"],
              "promises": [p["item"]["promise_id"] for p in plan], "promises_created": created,
              "confirmation_code": code, "confirmation_code_note": CODE_HINT}
    headers = {"Idempotent-Replay": "true"} if replay and not created and code is None else {}
    return json_response(answer, 201, headers)


@blp.route("/<fkp_id>", methods=["GET"])
@blp.response(200, ForumAnswer, description="FKP dengan janji dan riwayatnya.")
@blp.doc(security=SECURITY)
@auth.require()
def get_forum(fkp_id: str):
    """Baca FKP, Berita Acara, janji perbaikan, dan riwayat lengkap setiap subjek."""
    forum, docs = forum_for(fkp_id)
    views = [store.promise_view(d) for pid in store.promise_ids(fkp_id)
             if (d := store.subject_docs(store.promise_subject(fkp_id, pid)))]
    forum.pop("seq", None)
    return json_response({**forum, "promises": views, "history": [d["envelope"] for d in docs]})


@blp.route("/<fkp_id>/stage", methods=["POST"])
@blp.response(200, StageAnswer, description="Tahap FKP sesudah perubahan.")
@blp.doc(security=SECURITY)
@auth.require()
@blp.arguments(StageSchema)
def change_stage(body, fkp_id: str):
    """Ubah tahap FKP (planned → held → closed), dengan daftar hadir, tanggal dan notulen."""
    forum, docs = forum_for(fkp_id)
    private = {**body, "held_on": body["held_on"].isoformat() if body.get("held_on") else None}
    head = docs[-1]
    if head["envelope"]["type"] == ev.STAGE_CHANGED and head.get("content_hash") == store.digest(private):
        store.heal(forum_subject(fkp_id))
        return json_response(_stage_answer(forum))
    try:
        rules.next_stage(forum["stage"], body["stage"])
    except rules.Illegal as exc:
        raise _illegal(exc) from None
    held_on = private["held_on"] or forum["held_on"]
    if body["stage"] == "held" and held_on > store.today().isoformat():
        raise _future_held_on()
    participants = body["participants"] if body.get("participants") is not None else forum.get("participants", [])
    data = {"unit_id": forum["unit_id"], "fkp_id": fkp_id, "stage": body["stage"], "previous_stage": forum["stage"],
            "held_on": held_on, "elements": _elements(participants), "participant_count": len(participants)}
    sealed = {**private, "participants": store.seal_people(
        fkp_id, f"{forum_subject(fkp_id)}:{store.next_seq(head)}", "participants", private.get("participants"))}
    store.append(forum_subject(fkp_id), ev.STAGE_CHANGED, data, forum["unit_id"], sealed, head,
                 store.digest(private))
    forum, _ = store.load_forum(fkp_id)
    return json_response(_stage_answer(forum))


def _stage_answer(forum: dict) -> dict:
    return {k: forum.get(k) for k in ("fkp_id", "unit_id", "stage", "held_on", "elements", "participant_count")}


@blp.route("/<fkp_id>/confirmation-code", methods=["POST"])
@blp.response(201, Code, description="Kode konfirmasi baru (sekali tampil).")
@blp.doc(security=SECURITY)
@auth.require()
def new_code(fkp_id: str):
    """Buat kode konfirmasi peserta yang baru (kode lama tidak berlaku lagi); ditampilkan sekali."""
    forum_for(fkp_id)
    return json_response({"fkp_id": fkp_id, "confirmation_code": store.issue_code(fkp_id),
                          "confirmation_code_note": CODE_HINT}, 201)

