"""SKM response intake: validate a batch all-or-nothing, store its events idempotently.

A response's subject is `skm:<unit>:<response_id>`; its first event (seq 1) is
`skm.response_recorded`, a void is seq 2. Repeating a response with the same content is an
idempotent repeat (same answer); the same id with different content is a 409 and nothing of the
batch is stored.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from pantau import commands, store
from pantau.config import settings
from pantau.envelope import new_event
from pantau.events import SOURCES
from pantau.events import skm as ev
from pantau.messages import msg
from pantau.problems import ProblemError
from pantau.rules.periods import month_key

from . import single_posts, suggestions

SOURCE = SOURCES["survey"]


def subject(unit_id: str, response_id: str) -> str:
    return f"skm:{unit_id}:{response_id}"


def content_hash(item: dict) -> str:
    canon = dict(item)
    canon["submitted_at"] = item["submitted_at"].isoformat()
    return commands.content_hash(canon)


def check_units(items: list[dict], principal, pointer_of) -> None:
    """Unknown units → 422, another unit's items → 403; every offending index is listed."""
    unknown, foreign = [], []
    for i, it in enumerate(items):
        if not commands.is_service_unit(it["unit_id"]):
            unknown.append({"pointer": pointer_of(i) + "/unit_id", "field": "unit_id", "index": i,
                            "message": msg("unit %(unit_id)r is not a registered service unit", unit_id=it["unit_id"])})
        elif not principal.can_act_for(it["unit_id"]):
            foreign.append({"pointer": pointer_of(i) + "/unit_id", "field": "unit_id", "index": i,
                            "message": msg("this key is only for unit %(unit_id)s", unit_id=principal.unit_id)})
    if foreign:
        raise ProblemError(403, msg("This API key may not post for another unit."), errors=foreign)
    if unknown:
        raise commands.unknown_unit(unknown)


def check_unique(items: list[dict], pointer_of) -> None:
    seen: dict[tuple[str, str], int] = {}
    errors = []
    for i, it in enumerate(items):
        k = (it["unit_id"], it["response_id"])
        if k in seen:
            errors.append({"pointer": pointer_of(i) + "/response_id", "field": "response_id", "index": i,
                           "message": msg("response_id same as item %(index)s of this batch", index=seen[k])})
        seen.setdefault(k, i)
    if errors:
        raise ProblemError(422, msg("Duplicate response_id within the batch."), errors=errors)


def build_doc(item: dict, correlation_id: str | None, tz: str) -> dict:
    submitted = item["submitted_at"]
    local = submitted.astimezone(ZoneInfo(tz))
    data: dict[str, Any] = {
        "unit_id": item["unit_id"], "response_id": item["response_id"],
        "submitted_at": submitted.isoformat(), "period_month": month_key(submitted, tz),
        "local_hour": local.hour, "answers": dict(item["answers"]),
        "service_type": item.get("service_type"), "channel": item.get("channel"),
        "respondent": item.get("respondent"), "has_suggestion": bool(item.get("suggestion")),
        "recorded_at": datetime.now(timezone.utc).isoformat(),  # stored now; answered 2xx after
    }
    event = new_event(source=SOURCE, type=ev.RESPONSE_RECORDED, subject=subject(item["unit_id"], item["response_id"]),
                      seq=1, data=data, time=submitted, correlationid=correlation_id)
    # the free-text suggestion stays in the service (it may name people); only a flag is published.
    # `suggestions.seal` seals it with the response's own data key before anything is stored
    return store.event_doc(event, item["unit_id"], {"content_hash": content_hash(item),
                                                     "private": {"suggestion": item.get("suggestion")}})


def record(events, items: list[dict], principal, correlation_id: str | None, pointer_of) -> dict:
    """Store a validated batch; returns the answer body. Raises ProblemError (403/409/422)."""
    check_units(items, principal, pointer_of)
    check_unique(items, pointer_of)
    tz = settings().tz
    docs = [build_doc(it, correlation_id, tz) for it in items]
    # one `_id` $in query for the whole batch, answered from the `_id` index
    checked = commands.check_firsts(events, docs)
    conflicts = [{"pointer": pointer_of(i) + "/response_id", "field": "response_id", "index": i,
                  "message": msg("response_id already used with different content")}
                 for i, r in enumerate(checked) if r is not None and r.conflict]
    if conflicts:
        raise ProblemError(409, msg("Some response_ids already exist with different content; nothing was stored."),
                           errors=conflicts)
    suggestions.seal([d for d, r in zip(docs, checked, strict=True) if r is None])
    results = commands.append_firsts(events, docs, checked)
    bad = [i for i, r in enumerate(results) if r.conflict]
    if bad:  # a concurrent request stored some of these ids in between, with other content
        raise ProblemError(409, msg("response_id clashed with a concurrent request."),
                           errors=[{"pointer": pointer_of(i) + "/response_id", "field": "response_id",
                                    "index": i, "message": msg("clash")} for i in bad])
    n_new = sum(r.appended for r in results)
    return {"accepted": [it["response_id"] for it in items], "count": len(items), "new": n_new,
            "duplicates": len(items) - n_new}


def record_one(events, item: dict, principal, correlation_id: str | None) -> dict:
    """Store one validated response (a single post), grouped with the single posts other request
    threads of this worker make within PANTAU_GROUP_COMMIT_MS (single_posts.py); the same answer
    and errors as `record` of a one-item batch. Raises ProblemError (403/409/422), or the store's
    error for every request of the group."""
    pointer_of = (lambda i: "")  # noqa: E731 - a single post's fields are at the root
    check_units([item], principal, pointer_of)
    doc = build_doc(item, correlation_id, settings().tz)
    created = single_posts.committer(events).submit(doc)
    return {"accepted": [item["response_id"]], "count": 1, "new": int(created), "duplicates": int(not created)}


def void(events, unit_id: str, response_id: str, reason: str, correlation_id: str | None) -> tuple[dict, bool]:
    """Void a recorded response (seq 2). Returns (answer, created)."""
    subj = subject(unit_id, response_id)
    recorded = events.find_one({"_id": f"{subj}:1"})
    if recorded is None:
        raise ProblemError(404, msg("Response not found."))
    answer = {"unit_id": unit_id, "response_id": response_id, "voided": True, "reason": reason}
    chash = commands.content_hash({"reason": reason})
    prior = events.find_one({"_id": f"{subj}:2"})
    if prior is not None and prior["private"]["reason"] == reason:
        prior = {**prior, "content_hash": chash}  # the same void (one stored before voids kept a hash, too)
    # the free-text reason stays here (it may name people); the event only says "voided"
    result = commands.check_stored(events, prior, chash) or commands.append_next(
        events, "survey", subj, ev.RESPONSE_VOIDED, {"unit_id": unit_id, "response_id": response_id},
        key=unit_id, chash=chash, private={"reason": reason}, head=recorded, correlation_id=correlation_id)
    result.or_409(msg("This response was already voided with another reason."))
    return answer, result.appended
