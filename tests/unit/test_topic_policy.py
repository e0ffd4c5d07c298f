"""The topic policy (pantau/topic_policy.py): what an event topic must be, and each weakness named."""
from __future__ import annotations

import pytest

from pantau.topic_policy import Replication, replication, required_configs, weaknesses

R1, R3 = Replication(1, 1), Replication(3, 2)
GOOD = {"retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete", "min.insync.replicas": "2",
        "unclean.leader.election.enable": "false"}


def test_replication_follows_the_cluster_unless_configured():
    assert replication(1, {}) == R1
    assert replication(3, {}) == R3
    assert replication(5, {}) == R3
    assert replication(3, {"PANTAU_KAFKA_REPLICATION_FACTOR": "1"}) == R1
    assert replication(1, {"PANTAU_KAFKA_REPLICATION_FACTOR": "3", "PANTAU_KAFKA_MIN_INSYNC_REPLICAS": "3"}) \
        == Replication(3, 3)
    with pytest.raises(ValueError):
        replication(3, {"PANTAU_KAFKA_MIN_INSYNC_REPLICAS": "4"})


def test_required_configs_keep_history_forever_and_refuse_unclean_leaders():
    assert required_configs(R3) == GOOD
    assert required_configs(R1)["min.insync.replicas"] == "1"


def test_a_topic_made_to_the_policy_has_no_weakness():
    assert weaknesses("skm.events", GOOD, 3, R3) == []
    assert weaknesses("skm.events", required_configs(R1), 1, R1) == []


@pytest.mark.parametrize("change, words", [
    ({"retention.ms": "604800000"}, "retention.ms=604800000 deletes old events"),
    ({"retention.ms": "0"}, "retention.ms=0 deletes old events"),
    ({"retention.bytes": "1073741824"}, "retention.bytes=1073741824"),
    ({"cleanup.policy": "compact"}, "cleanup.policy=compact drops events"),
    ({"cleanup.policy": "delete,compact"}, "cleanup.policy=delete,compact"),
    ({"unclean.leader.election.enable": "true"}, "can lose acknowledged events"),
    ({"min.insync.replicas": "1"}, "min.insync.replicas=1 (needs 2)"),
])
def test_each_weaker_setting_is_named(change, words):
    found = weaknesses("skm.events", GOOD | change, 3, R3)
    assert len(found) == 1 and words in found[0] and found[0].startswith("skm.events: ")


def test_too_few_replicas_is_a_weakness():
    assert weaknesses("fkp.events.dlq", GOOD, 1, R3) == ["fkp.events.dlq: replication factor 1 (needs 3)"]
