"""The fault suite on three brokers (issue 21; `PANTAU_FAULTS=cluster`, run by `make test-faults`):
the writers post through the services as in the other forms while the cluster loses, in turn, the
leader of a partition in use (kill -9), a follower (SIGSTOP: the in-sync set shrinks to two and
writes go on) and then the other follower (one node left: the relays get no acknowledgement while
the services keep acknowledging what they stored), the active controller (kill -9), and every node
in a rolling restart. Then the checker as in the other forms: 0 lost, 0 duplicated, history order
kept, figures equal to a recompute, the drain time. Figures: test-artifacts/faults-cluster.json."""
from __future__ import annotations

import fault_brokers as brk
import pytest
from fault_figures import FIGURES, TIMEOUT_S
from fault_scenario import run as _run

from pantau import topic_policy
from pantau.config import settings

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(TIMEOUT_S)]


def test_broker_faults_lose_nothing_acknowledged(fault_platform, size):
    p = fault_platform.profile
    assert p.brokers == 3, f"the cluster form needs the three-broker profile, not {p.name}"
    s = settings()
    a = brk.admin(p)
    try:
        configs = topic_policy.describe(a, s.all_topics())
    finally:
        a.close()
    assert all(replicas == 3 and cfg["min.insync.replicas"] == "2" for cfg, replicas in configs.values()), configs

    seen: dict = {}

    def inject(sc, rep):
        for kind, fn in (("leader_kill9", brk.leader_kill9), ("follower_stop", brk.follower_stop),
                         ("controller_kill9", brk.controller_kill9), ("rolling_restart", brk.rolling_restart)):
            seen.setdefault(kind, []).append(sc.fault(kind, fn, sc, p))
            sc.progress(5)

    FIGURES["brokers"] = seen
    figures = _run(fault_platform, size, "cluster", inject)
    for f in seen["leader_kill9"] + seen["controller_kill9"]:
        assert f["published_while_down"] > 0, f  # two nodes left: writes go on
    for f in seen["follower_stop"]:
        assert f["published_with_two_in_sync"] > 0, f
        assert f["service_acks_with_one_left"] > 0, f  # the services' commit point is their store
        assert f["published_with_one_left"] == 0, f  # no acknowledgement from one node alone
    for f in seen["rolling_restart"]:
        assert len(f["steps"]) == 3, f
    assert figures["lost"] == figures["duplicated"] == 0
