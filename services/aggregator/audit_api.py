"""`GET /v1/audit` (bureau only): the audit log of bureau and admin actions, newest first.

Read-only: the log is append-only (`pantau.audit`), and no route of any service updates or
deletes an entry. Filters: `action` (an exact action or a prefix ending in `.`, e.g.
`complaint.`), `target`, `account` (a staff account's entries: actor `user:<account>`; sign-in
entries name the account typed, known or not), `limit` (1–500, default 100).
"""
from __future__ import annotations

from flask import request

from pantau import audit, auth
from pantau.messages import msg
from pantau.params import bad
from pantau.web import Blueprint, json_response

blp = Blueprint("audit", __name__, url_prefix="/v1", description="Log audit tindakan biro dan admin (hanya baca)")
ENTRY = {"type": "object", "properties": {
    "id": {"type": "string"}, "at": {"type": "string", "format": "date-time"}, "actor": {"type": "string"},
    "action": {"type": "string"}, "target": {"type": "string"}, "details": {"type": "object"}}}
LOG = {"type": "object", "required": ["entries", "count"],
       "properties": {"entries": {"type": "array", "items": ENTRY}, "count": {"type": "integer"}}}
PARAMS = [{"in": "query", "name": "action", "required": False, "schema": {"type": "string"}},
          {"in": "query", "name": "target", "required": False, "schema": {"type": "string"}},
          {"in": "query", "name": "account", "required": False, "schema": {"type": "string", "minLength": 1}},
          {"in": "query", "name": "limit", "required": False, "schema": {"type": "integer", "minimum": 1,
                                                                          "maximum": 500}}]


@blp.route("/audit", methods=["GET"])
@blp.response(200, LOG, description="Entri terbaru lebih dulu.")
@blp.doc(security=[{"bearer": []}], parameters=PARAMS)
@auth.require("bureau")
def audit_log():
    """Log audit: siapa (kunci, peran), apa (tindakan, sasaran), kapan; terbaru lebih dulu."""
    raw = request.args.get("limit", "100")
    if not raw.isdigit() or not 1 <= int(raw) <= 500:
        raise bad("limit", msg("limit must be an integer 1–500."))
    account = request.args.get("account")
    if account is not None and not account.strip():
        raise bad("account", msg("account must not be empty."))
    entries = audit.entries(request.args.get("action"), request.args.get("target"), account, int(raw))
    return json_response({"entries": entries, "count": len(entries)})
