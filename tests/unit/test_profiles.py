"""No two profiles share a port: suites on different profiles run side by side on one machine
(test5's store once sat on the test profile's 27117)."""
from __future__ import annotations

from collections import Counter

from pantau_platform.infra.profiles import PROFILES


def _ports(p) -> list[int]:
    out = [p.store_port, p.prometheus_port, *p.http_ports.values(), *p.metrics_ports.values()]
    for node in range(1, p.brokers + 1):
        out += list(p.broker_ports(node))
    return out


def test_every_port_belongs_to_one_profile():
    owners: dict[int, list[str]] = {}
    for name, p in PROFILES.items():
        for port in set(_ports(p)):
            owners.setdefault(port, []).append(name)
    shared = {port: names for port, names in owners.items() if len(names) > 1}
    assert not shared, shared
    for name, p in PROFILES.items():
        dup = [port for port, n in Counter(_ports(p)).items() if n > 1]
        assert not dup, (name, dup)
