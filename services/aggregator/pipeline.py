"""How current the aggregator's figures are: the consumers' heartbeats, judged
(pantau/consumer_health.py). Read by `/readyz` (check `pipeline`) and the dashboard."""
from __future__ import annotations

from pantau import consumer_health, mongo

HEARTBEATS = "pipeline_heartbeats"  # one document per consumer instance


def health(db=None) -> dict:
    db = db if db is not None else mongo.db("aggregator")
    return consumer_health.assess(consumer_health.read(db[HEARTBEATS]))
