"""The aggregator's consumer: the three service topics into the aggregator's projections."""
from __future__ import annotations

import logging

from pantau import events as _contracts  # noqa: F401  (registers the event schemas)
from pantau import metrics, mongo
from pantau.config import Settings, settings
from pantau.consumer import ConsumerLoop, install_signal_handlers

from .projections import complaints, fkp
from .projections.skm import SkmProjection

log = logging.getLogger("pantau.aggregator")


def handlers(db, s: Settings) -> dict:
    skm = SkmProjection(db)
    return {s.topic("survey"): skm.apply, s.topic("consultation"): fkp.projection(db).apply,
            s.topic("complaints"): complaints.projection(db).apply}


def ensure_indexes(db) -> None:
    SkmProjection(db).ensure_indexes()


def build_loop(db=None, group_id: str | None = None, s: Settings | None = None) -> ConsumerLoop:
    s = s or settings()
    db = db if db is not None else mongo.db("aggregator")
    return ConsumerLoop(handlers(db, s), s, group_id=group_id)


def main(metrics_port: int | None) -> None:
    if metrics_port:
        metrics.serve(metrics_port)
    loop = build_loop()
    install_signal_handlers(loop)
    log.info("consumer started", extra={"group": loop.group_id})
    loop.run()
