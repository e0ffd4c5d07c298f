"""Jepsen-style fault suite (issue #8), one fault kind per test, each repeated `reps` times while
concurrent writers post to the three write services; then the checker (fault_checker).
Collected only in the full form (`make test-faults`, PANTAU_FAULTS=full); the short form in
`make test` runs the mixed schedule (test_faults_mixed.py). Figures: test-artifacts/faults-<form>.json."""
from __future__ import annotations

import fault_injectors as inj
import pytest
from fault_checker import check
from fault_figures import TIMEOUT_S
from fault_observe import observe
from fault_scenario import run as _run

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(TIMEOUT_S)]

RELAYS = inj.RELAYS


def test_rebuild_of_every_projection_while_writes_continue(fault_platform, size):
    """First in the module: the rebuild reads every topic from its start."""
    from pantau import mongo
    replays = []

    def inject(sc, rep):
        db, n = sc.fault("replay", fault_platform.replay, f"faults_{sc.ledger.tag}_{rep}")
        # the rebuild read the topics up to where they ended when it started: whatever it holds of
        # this run must be acknowledged (or still undecided), once, in order
        v = check(sc.ledger, {**observe(fault_platform, sc.ledger, size["units"], agg_db=db), "figures": []})
        replays.append((db.name, n, v.duplicated, v.unacknowledged_visible, v.reordered, v.problems[:5]))
        mongo.client().drop_database(db.name)
    _run(fault_platform, size, "replay", inject)
    for name, n, dup, unacked, reordered, problems in replays:
        assert n > 0 and (dup, unacked, reordered) == (0, 0, 0), (name, problems)


def test_kafka_broker_kill9_mid_ingest(fault_platform, size):
    p = fault_platform.profile
    _run(fault_platform, size, "kafka_kill9", lambda sc, rep: sc.fault("kafka_kill9", inj.kafka_kill9, p))


def test_each_relay_kill9_mid_batch(fault_platform, size):
    def inject(sc, rep):
        for relay in RELAYS:
            sc.fault("relay_kill9", inj.worker_kill9, fault_platform, relay)
    _run(fault_platform, size, "relay_kill9", inject)


def test_consumer_kill9_mid_batch(fault_platform, size):
    _run(fault_platform, size, "consumer_kill9",
         lambda sc, rep: sc.fault("consumer_kill9", inj.worker_kill9, fault_platform, "consumer"))


def test_store_frozen_writes_answer_503_and_recover(fault_platform, size):
    p = fault_platform.profile
    figures = _run(fault_platform, size, "store_freeze",
                   lambda sc, rep: sc.outage("store_freeze", inj.store_freeze, p, size["freeze_s"]))
    assert figures["outage"]["503"] > 0, f"no 503 while the store was frozen: {figures['outage']}"
    assert not figures["outage"]["other"], f"answers other than 503 while frozen: {figures['outage']}"


def test_store_kill9_writes_answer_503_and_recover(fault_platform, size):
    p = fault_platform.profile
    figures = _run(fault_platform, size, "store_kill9",
                   lambda sc, rep: sc.outage("store_kill9", inj.store_kill9, p, size["store_down_s"]))
    assert figures["outage"]["503"] > 0, f"no 503 while the store was down: {figures['outage']}"
    assert not figures["outage"]["other"], f"answers other than 503 while down: {figures['outage']}"


def test_gunicorn_worker_kill9_mid_request(fault_platform, size):
    p = fault_platform.profile

    def inject(sc, rep):
        for svc in inj.WRITE_SERVICES:
            sc.fault("gunicorn_worker_kill9", inj.gunicorn_worker_kill9, p, svc)
    _run(fault_platform, size, "gunicorn_worker_kill9", inject)


def test_poison_in_every_topic_goes_to_dlq_exactly(fault_platform, size):
    def inject(sc, rep):
        sc.poison += sc.fault("poison", inj.publish_poison, f"{sc.marker}-{rep}")
    figures = _run(fault_platform, size, "poison", inject)
    assert figures["dlq_new"] == figures["poison"] == 9 * size["reps"]
