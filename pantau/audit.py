"""Append-only audit log of bureau and admin actions (who, what, when).

Entries are inserted, never updated or deleted, into `<prefix>_registry.audit`; the CLI's key
and registry management call `record`, and every successful write by a bureau key over HTTP is
recorded after the response is built (`record_bureau_write`, from `pantau.web`), with the action
and target its handler named through `note` (e.g. `complaint.verify` on a tracking id).
"""
from __future__ import annotations

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


def record_bureau_write(service: str, status: int) -> str | None:
    """After a successful write by a bureau key: one entry, with the action and target the
    handler noted (else the route and path). Idempotent repeats are not actions."""
    from flask import g, request
    p = g.get("principal")
    if p is None or p.role != "bureau" or request.method in ("GET", "HEAD", "OPTIONS") or not 200 <= status < 300:
        return None
    action, target, details = g.get("audit") or (f"{service}.{request.endpoint}", request.path, {})
    return record(actor_of_request(), action, target,
                  {**details, "key_id": p.key_id, "role": p.role, "unit_id": p.unit_id, "service": service,
                   "method": request.method, "path": request.path, "status": status,
                   "correlation_id": g.get("correlation_id")})


def actor_of_request() -> str:
    """The current request's key as an audit actor (key id and role; never the secret)."""
    from flask import g
    p = g.get("principal")
    return f"key:{p.key_id}:{p.role}" if p else "anonymous"
