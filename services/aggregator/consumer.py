"""The aggregator's consumer: the three service topics into the aggregator's projections."""
from __future__ import annotations

import logging

from pantau import bus, metrics, mongo
from pantau import events as _contracts  # noqa: F401  (registers the event schemas)
from pantau.config import Settings, settings
from pantau.consumer import ConsumerLoop, install_signal_handlers
from pantau.consumer_health import Heartbeat

from .pipeline import HEARTBEATS
from .projections import complaints, fkp, pekppp, skm_followup, skm_summaries
from .projections.skm import SkmProjection

log = logging.getLogger("pantau.aggregator")


def handlers(db, s: Settings) -> dict:
    """Each topic's projections, applied in this order to every batch."""
    return {s.topic("survey"): [*skm_followup.projections(db), skm_summaries.projection(db), *pekppp.projections(db),
                                   SkmProjection(db)],
            s.topic("consultation"): fkp.projections(db),
            s.topic("complaints"): [complaints.projection(db)]}


def ensure_indexes(db) -> None:
    SkmProjection(db).ensure_indexes()


def build_loop(db=None, group_id: str | None = None, s: Settings | None = None) -> ConsumerLoop:
    s = s or settings()
    db = db if db is not None else mongo.db("aggregator")
    group = group_id or s.consumer_group
    return ConsumerLoop(handlers(db, s), s, group_id=group, heartbeat=Heartbeat(db[HEARTBEATS], group))


def main(metrics_port: int | None) -> None:
    if metrics_port:
        metrics.serve(metrics_port)
    bus.require_durable_topics()
    loop = build_loop()
    install_signal_handlers(loop)
    from . import domain_metrics
    domain_metrics.start()  # province gauges for the bureau, every ~15 s (PANTAU_DOMAIN_METRICS_INTERVAL)
    log.info("consumer started", extra={"group": loop.group_id})
    loop.run()
