"""Append-only audit log of bureau and admin actions (who, what, when).

Entries are inserted, never updated or deleted, into `<prefix>_registry.audit`; the CLI's key
management and bureau-only write actions call `record`.
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


def actor_of_request() -> str:
    """The current request's key as an audit actor (key id and role; never the secret)."""
    from flask import g
    p = g.get("principal")
    return f"key:{p.key_id}:{p.role}" if p else "anonymous"
