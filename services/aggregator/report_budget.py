"""What one report request may cost: at most `PANTAU_REPORT_CONCURRENCY` (2) report requests in
flight per API key (its dashboard sessions included), counted across every worker, and
`PANTAU_REPORT_DEADLINE_S` (5 s) for each one's store operations and folds (PDF layout, bounded
by the registry's size, is not cut short). Beyond either it answers 503 with Retry-After:
problem+json on the API, the error page on the dashboard.

A slot is a document `<key id>:<n>` (n < the limit) in `<prefix>_registry.report_slots`, taken by
inserting it (the unique `_id` is the guard: the store's updates are not atomic) and deleted when
the request ends; a slot whose holder died (a killed worker) is taken over after its lease.
"""
from __future__ import annotations

import logging
import math
import os
import secrets
from datetime import datetime, timedelta, timezone

import pymongo
from flask import Flask, g, make_response, request
from pymongo.errors import DuplicateKeyError

from pantau import auth, deadline, mongo
from pantau.messages import Message, msg
from pantau.problems import problem
from pantau.web import store_down

log = logging.getLogger("pantau.report_budget")

DEADLINE_S = float(os.environ.get("PANTAU_REPORT_DEADLINE_S") or 5)
"""Store operations and folds of one report request; 0 turns the bound off."""
CONCURRENCY = int(os.environ.get("PANTAU_REPORT_CONCURRENCY") or 2)
"""Report requests in flight per key across the workers; 0 turns the limit off."""
LEASE_S = 90.0  # longer than any request lives (gunicorn kills a worker after 60 s)
TOO_SLOW_RETRY_S = 30
BLUEPRINTS = {"reports", "fkp_reports", "complaint_reports", "card_reports", "audit", "dashboard"}
NOT_REPORTS = {"dashboard.static", "dashboard.login", "dashboard.logout", "dashboard.root", "dashboard.my_account",
               "dashboard.accounts_admin", "dashboard.audit_page"}


def slots():
    return mongo.db("registry")["report_slots"]


def is_report() -> bool:
    return (request.method in ("GET", "HEAD") and request.blueprint in BLUEPRINTS
            and request.endpoint not in NOT_REPORTS)


def key_of_request() -> str | None:
    """The verified key behind the request (API token or dashboard session), else None: a request
    without one is refused by the route before it costs anything."""
    if request.blueprint == "dashboard":
        from .dashboard.session import viewer
        v = viewer()
        g.viewer = v  # for the error page's navigation
        return v.key_id if v else None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        p = auth.verify(header[7:].strip())
        return p.key_id if p else None
    return None


def acquire(key_id: str, limit: int) -> tuple[str, str] | None:
    """Take a free slot of `key_id` (slot id, holder token), or None when all `limit` are held."""
    holder = secrets.token_hex(8)
    coll = slots()
    for n in range(limit):
        slot_id = f"{key_id}:{n}"
        for _ in range(2):
            now = datetime.now(timezone.utc)
            try:
                coll.insert_one({"_id": slot_id, "holder": holder, "until": now + timedelta(seconds=LEASE_S)})
                return slot_id, holder
            except DuplicateKeyError:
                pass
            held = coll.find_one({"_id": slot_id})
            if held is None:
                continue  # released meanwhile
            until = held["until"] if held["until"].tzinfo else held["until"].replace(tzinfo=timezone.utc)
            if until > now:
                break
            # its holder died: remove that holder's slot (not one a contender just took) and retry
            coll.delete_one({"_id": slot_id, "holder": held["holder"]})
    return None


def release(slot: tuple[str, str]) -> None:
    try:
        with pymongo.timeout(2):
            slots().delete_one({"_id": slot[0], "holder": slot[1]})
    except pymongo.errors.PyMongoError as exc:  # the lease frees it later
        log.warning("report slot not released", extra={"slot": slot[0], "error": repr(exc)})


def _answer(detail: Message, retry_after: int, reason: str):
    if request.blueprint == "dashboard":
        from .dashboard.render import error_page
        resp = make_response(error_page(503, detail.render("id")))  # the dashboard speaks Indonesian
    else:
        resp = problem(503, detail, reason=reason)
    resp.headers["Retry-After"] = str(retry_after)
    return resp


def busy():
    return _answer(msg("%(concurrency)s report requests of this key are already running; retry once they finish.",
                       concurrency=CONCURRENCY), max(1, math.ceil(DEADLINE_S)), "concurrency")


def too_slow():
    return _answer(msg("This report could not be computed within %(deadline_s)g s (e.g. an as-of date far back). "
                       "Retry later or choose a later date.", deadline_s=DEADLINE_S), TOO_SLOW_RETRY_S, "deadline")


def install(app: Flask) -> None:
    """Bound every report route of the aggregator app (after the rate limiter has let it in)."""

    @app.before_request
    def _begin():
        if not is_report():
            return None
        if DEADLINE_S > 0:
            g.report_deadline = deadline.Within(DEADLINE_S).__enter__()
        if CONCURRENCY > 0:
            key_id = key_of_request()
            if key_id is not None:
                g.report_slot = acquire(key_id, CONCURRENCY)
                if g.report_slot is None:
                    return busy()
        return None

    @app.teardown_request
    def _end(_exc):
        budget = g.pop("report_deadline", None)
        if budget is not None:
            budget.__exit__(None, None, None)
        slot = g.pop("report_slot", None)
        if slot is not None:
            release(slot)

    @app.errorhandler(deadline.DeadlineExceeded)
    def _deadline(_exc):
        return too_slow()

    def _store_error(exc: Exception):
        # the budget ran out inside a store operation: too slow, not a store outage
        if g.get("report_deadline") is not None and deadline.expired():
            return too_slow()
        return store_down(exc)

    for err in mongo.STORE_ERRORS:
        app.register_error_handler(err, _store_error)
