"""Append-only audit log of bureau and admin actions (who, what, when).

Entries are inserted, never updated or deleted, into `<prefix>_registry.audit`; the CLI's key
and registry management, sign-ins and account changes call `record` before they answer. A write by
a bureau key over HTTP carries its entry inside the event document it stores (`write_context`,
called by `pantau.store.event_doc`), so the write and its entry are one atomic insert: a crash
leaves both or neither. The relay copies it into the log as it publishes the event (`materialize`,
`_id` = `w:<request id>`, so a request's several events and a republish give one entry). A bureau
write that stores no event is recorded after the response is built (`record_bureau_write`). The
action and target are what the handler named through `note` (e.g. `complaint.verify` on a
tracking id) before writing, else the route and path.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from typing import Any

from . import mongo


def record(actor: str, action: str, target: str, details: dict[str, Any] | None = None) -> str:
    entry_id = str(uuid.uuid4())
    mongo.db("registry")["audit"].insert_one({"_id": entry_id, "at": datetime.now(timezone.utc), "actor": actor,
                                              "action": action, "target": target, "details": details or {}})
    return entry_id


def note(action: str, target: str, **details: Any) -> None:
    """Name what the current request does, for its audit entry (see `record_bureau_write`)."""
    from flask import g
    g.audit = (action, target, details)


def _entry(service: str, status: int | None) -> dict[str, Any] | None:
    """The audit entry of the current request if it is a bureau write (else None)."""
    from flask import g, has_request_context, request
    if not has_request_context():
        return None
    p = g.get("principal")
    if p is None or p.role != "bureau" or request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    action, target, details = g.get("audit") or (f"{service}.{request.endpoint}", request.path, {})
    if "audit_id" not in g:
        g.audit_id = str(uuid.uuid4())
    return {"_id": f"w:{g.audit_id}", "actor": actor_of_request(), "action": action, "target": target,
            "details": {**details, "key_id": p.key_id, "role": p.role, "unit_id": p.unit_id, "service": service,
                        "method": request.method, "path": request.path,
                        **({"status": status} if status is not None else {}),
                        "correlation_id": g.get("correlation_id")}}


def write_context() -> dict[str, Any] | None:
    """The entry a bureau write's event document carries (None outside such a request)."""
    from flask import g, has_request_context
    if not has_request_context():
        return None
    entry = _entry(g.get("service_name", "?"), None)
    if entry is not None:
        g.audit_embedded = True
    return entry


def materialize(docs: list[dict[str, Any]]) -> int:
    """Copy the entries carried by stored event documents into the log (idempotent by `_id`;
    `at` is when the event was stored). Called by the relay before it counts them published."""
    from .mongo import insert_ignoring_duplicates
    entries = {}
    for d in docs:
        e = d.get("audit")
        if e and e["_id"] not in entries:
            entries[e["_id"]] = {**e, "at": d["stored_at"], "details": {**e.get("details", {}), "event": d["_id"]}}
    if not entries:
        return 0
    return len(list(entries)) - len(insert_ignoring_duplicates(mongo.db("registry")["audit"], list(entries.values())))


def record_bureau_write(service: str, status: int) -> str | None:
    """After a successful bureau write that stored no event (those carry their entry): one
    entry. Idempotent repeats are not actions."""
    from flask import g
    if g.get("audit_embedded") or not 200 <= status < 300:
        return None
    entry = _entry(service, status)
    if entry is None:
        return None
    return record(entry["actor"], entry["action"], entry["target"], entry["details"])


def actor_of_request() -> str:
    """The current request's actor: a person's account, or the key (id and role; never the secret)."""
    from flask import g
    p = g.get("principal")
    if p is not None and getattr(p, "account", None):
        return f"user:{p.account}"  # a person's staff session (pantau/sessions.py)
    return f"key:{p.key_id}:{p.role}" if p else "anonymous"


def entries(action: str | None = None, target: str | None = None, account: str | None = None,
            limit: int = 100, skip: int = 0) -> list[dict[str, Any]]:
    """The log, newest first: `action` exact or a prefix ending in `.`, `target` exact, `account`
    a staff account's entries (actor `user:<account>`); `skip` entries left out first (a page).
    Read by GET /v1/audit and the dashboard."""
    query: dict[str, Any] = {"target": target} if target else {}
    if account:
        query["actor"] = f"user:{account.strip().lower()}"
    if action:
        query["action"] = {"$regex": "^" + re.escape(action)} if action.endswith(".") else action
    out = []
    order = [("at", -1), ("_id", -1)]  # _id breaks ties: every page splits them alike
    for doc in mongo.db("registry")["audit"].find(query).sort(order).skip(skip).limit(limit):
        at = doc["at"] if doc["at"].tzinfo else doc["at"].replace(tzinfo=timezone.utc)  # the store drops the zone
        out.append({"id": doc["_id"], "at": at, "actor": doc["actor"], "action": doc["action"],
                    "target": doc["target"], "details": doc.get("details") or {}})
    return out
