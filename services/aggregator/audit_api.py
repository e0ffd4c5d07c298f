"""`GET /v1/audit` (bureau only): the audit log of bureau and admin actions, newest first.

Read-only: the log is append-only (`pantau.audit`), and no route of any service updates or
deletes an entry. Filters: `action` (an exact action or a prefix ending in `.`, e.g.
`complaint.`), `target`, `account` (a staff account's entries: actor `user:<account>`; sign-in
entries name the account typed, known or not), `limit` (1–500, default 100).
"""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from pantau import audit, auth
from pantau.messages import msg
from pantau.params import invalid
from pantau.web import Blueprint, json_response

blp = Blueprint("audit", __name__, url_prefix="/v1", description="Log audit tindakan biro dan admin (hanya baca)")
ENTRY = {"type": "object", "properties": {
    "id": {"type": "string"}, "at": {"type": "string", "format": "date-time"}, "actor": {"type": "string"},
    "action": {"type": "string"}, "target": {"type": "string"}, "details": {"type": "object"}}}
LOG = {"type": "object", "required": ["entries", "count"],
       "properties": {"entries": {"type": "array", "items": ENTRY}, "count": {"type": "integer"}}}
LIMIT = (1, 500)


class Limit(fields.Integer):
    """`limit`: the digits of an integer in LIMIT (default 100)."""

    def __init__(self, **kwargs: Any):
        super().__init__(load_default=100, validate=validate.Range(*LIMIT), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        if not isinstance(value, str) or not value.isdigit() or not LIMIT[0] <= int(value) <= LIMIT[1]:
            raise invalid(msg("limit must be an integer 1–500."))
        return int(value)


class Account(fields.String):
    """`account`: a staff account's name, not blank."""

    def __init__(self, **kwargs: Any):
        super().__init__(metadata={"minLength": 1}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        if not isinstance(value, str) or not value.strip():
            raise invalid(msg("account must not be empty."))
        return value


class AuditQuery(Schema):
    action = fields.String()
    target = fields.String()
    account = Account()
    limit = Limit()


@blp.route("/audit", methods=["GET"])
@blp.response(200, LOG, description="Entri terbaru lebih dulu.")
@blp.doc(security=[{"bearer": []}])
@auth.require("bureau")
@blp.arguments(AuditQuery, location="query")
def audit_log(query: dict):
    """Log audit: siapa (kunci, peran), apa (tindakan, sasaran), kapan; terbaru lebih dulu."""
    entries = audit.entries(query.get("action"), query.get("target"), query.get("account"), query["limit"])
    return json_response({"entries": entries, "count": len(entries)})
