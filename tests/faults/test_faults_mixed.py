"""Jepsen-style fault suite (issue #8): every fault kind in one mixed schedule (random order,
seeded) while concurrent writers post to the three write services; then the checker
(fault_checker). Short form in `make test`; `make test-faults` (PANTAU_FAULTS=full) writes more,
runs the schedule several times and adds the per-fault tests (test_faults_each.py) and a
rebuild of every projection. Figures: test-artifacts/faults-<form>.json."""
from __future__ import annotations

import random

import fault_injectors as inj
import pytest
from fault_figures import TIMEOUT_S
from fault_scenario import run as _run

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(TIMEOUT_S)]

RELAYS = inj.RELAYS


def test_mixed_schedule(fault_platform, size):
    p, rng = fault_platform.profile, random.Random(8)

    def poison(sc):
        sc.poison += sc.fault("poison", inj.publish_poison, f"{sc.marker}-m{len(sc.outages)}-{sc.faults.get('poison', 0)}")

    def replay(sc):
        from pantau import mongo
        db, n = sc.fault("replay", fault_platform.replay, f"faults_{sc.ledger.tag}_m{sc.faults.get('replay', 0)}")
        mongo.client().drop_database(db.name)

    kinds = [lambda sc: sc.fault("kafka_kill9", inj.kafka_kill9, p),
             lambda sc: sc.fault("relay_kill9", inj.worker_kill9, fault_platform, rng.choice(RELAYS)),
             lambda sc: sc.fault("consumer_kill9", inj.worker_kill9, fault_platform, "consumer"),
             lambda sc: sc.outage("store_freeze", inj.store_freeze, p, size["freeze_s"]),
             lambda sc: sc.fault("gunicorn_worker_kill9", inj.gunicorn_worker_kill9, p, rng.choice(inj.WRITE_SERVICES)),
             poison]
    if size["store_kill_in_mixed"]:
        kinds.append(lambda sc: sc.outage("store_kill9", inj.store_kill9, p, size["store_down_s"]))
    if size["replay_in_mixed"]:
        kinds.append(replay)

    def inject(sc, rep):
        order = kinds[:]
        rng.shuffle(order)
        for fn in order:
            fn(sc)
            sc.progress(3)
    figures = _run(fault_platform, size, "mixed", inject)
    assert figures["outage"]["503"] > 0, f"no 503 while the store was down: {figures['outage']}"
    assert not figures["outage"]["other"], f"answers other than 503 while the store was down: {figures['outage']}"
    assert figures["dlq_new"] == figures["poison"] == 9 * size["reps"]
