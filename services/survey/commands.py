"""Appending the next event of a subject in the survey service's log (settings, RTL items,
publications, PEKPPP scores): one sequence number after the head, a conflict with a concurrent
request answered 409, the content hash kept beside the event so an identical retry is a replay."""
from __future__ import annotations

import hashlib

import orjson
from flask import g

from pantau import auth, metrics, store
from pantau.envelope import new_event
from pantau.events import SOURCES
from pantau.problems import ProblemError
from pantau.rules.periods import parse_period
from pantau.units import Registry

from .api import events


def own_unit(unit_id: str, kinds: tuple[str, ...] = ("upp",)) -> None:
    """404 unless `unit_id` is a registered unit of one of `kinds`; 403 unless the key may act for it."""
    unit = Registry.instance().get(unit_id)
    if unit is None or unit.kind not in kinds:
        raise ProblemError(404, "Unit tidak ditemukan.", detail_en="Unit not found.",
                           errors=[{"pointer": "/unit_id", "field": "unit_id", "message": "tidak dikenal"}])
    auth.check_unit(unit_id, "/unit_id")


def period_or_422(raw: str) -> str:
    """The canonical period (`2026`, `2026-Q1`, …), or 422 naming `period`."""
    try:
        return str(parse_period(raw))
    except ValueError as exc:
        raise ProblemError(422, f"Periode tidak valid: {exc}", detail_en=f"Invalid period: {exc}",
                           errors=[{"pointer": "/period", "field": "period", "message": str(exc)}]) from None


def digest(body: dict) -> str:
    return hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()


def append_event(subject: str, etype: str, data: dict, key: str, private: dict, prior: dict | None,
                 dataversion: int = 1) -> None:
    seq = (prior["seq"] + 1) if prior else 1
    event = new_event(source=SOURCES["survey"], type=etype, subject=subject, seq=seq, data=data,
                      correlationid=g.get("correlation_id"), dataversion=dataversion)
    try:
        store.append(events(), event, key, {"private": private, "content_hash": digest(private)},
                      not_before=prior["stored_at"] if prior else None)
    except store.Conflict:
        raise ProblemError(409, "Data ini baru saja diubah oleh permintaan lain; baca ulang lalu coba lagi.",
                           detail_en="Changed by a concurrent request; re-read and retry.") from None
    metrics.EVENTS_STORED.labels("survey", etype).inc()
