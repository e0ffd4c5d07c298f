"""Port and data layouts: `dev` for `make up`, `test` for the test session (no collisions)."""
from __future__ import annotations

import shutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    kafka_port: int
    controller_port: int
    store_port: int
    http_ports: dict
    metrics_ports: dict
    prometheus_port: int
    db_prefix: str
    brokers: int = 1  # KRaft nodes, each broker and controller; node i listens on kafka_port + 10*(i-1)

    def broker_ports(self, node: int) -> tuple[int, int]:
        """(client port, controller port) of KRaft node `node` (1-based)."""
        return self.kafka_port + 10 * (node - 1), self.controller_port + 10 * (node - 1)

    @property
    def kafka_bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{self.broker_ports(n)[0]}" for n in range(1, self.brokers + 1))

    @property
    def mongo_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.store_port}/?directConnection=true"

    def env(self) -> dict[str, str]:
        """Environment every platform process of this profile gets."""
        # people sign in to the dashboard with accounts; the test and bench profiles also allow
        # API-key sign-in, which their suites use (off by default, and on `make up`), and sign in
        # from loopback far more often than a person would
        test = self.name != "dev"
        return {"PANTAU_KAFKA_BOOTSTRAP": self.kafka_bootstrap, "PANTAU_MONGO_URL": self.mongo_url,
                # the store implementation (pantau/store/) for the engine pantau/infra/store.py starts
                "PANTAU_STORE_KIND": "mongodb" if shutil.which("mongod") else "ferretdb",
                "PANTAU_DB_PREFIX": self.db_prefix, "PANTAU_PROFILE": self.name,
                "PANTAU_DASHBOARD_KEY_SIGNIN": "1" if test else "0",
                "PANTAU_SURVEY_URL": f"http://127.0.0.1:{self.http_ports['survey']}",
                "PANTAU_COMPLAINTS_URL": f"http://127.0.0.1:{self.http_ports['complaints']}",
                **({"PANTAU_SIGNIN_RATE_LIMIT": "10000/minute"} if test else {}),
                # the test platforms' suites (the fuzzers: thousands of requests a minute with one
                # key) are not what the per-key limit is for; the limit itself is tested on apps
                # with a small one of their own (tests/integration/test_limits_and_keys.py, test_shared_rate_limit.py,
                # tests/security/test_rate_limit_keys.py); the bench profile keeps the default
                **({"PANTAU_RATE_LIMIT": "100000/minute"} if self.name.startswith("test") else {})}


PROFILES = {
    "dev": Profile("dev", 9092, 9093, 27017,
                   {"aggregator": 8000, "survey": 8001, "consultation": 8002, "complaints": 8003},
                   {"consumer": 9100, "relay-survey": 9101, "relay-consultation": 9102, "relay-complaints": 9103},
                   9090, "pantau"),
    "test": Profile("test", 19092, 19093, 27117,
                    {"aggregator": 18000, "survey": 18001, "consultation": 18002, "complaints": 18003},
                    {"consumer": 19100, "relay-survey": 19101, "relay-consultation": 19102,
                     "relay-complaints": 19103},
                    19090, "pantautest"),
}
# extra isolated test platforms, so that independent suites can run side by side on one machine;
# all below 32768, where Linux picks ephemeral ports (a listener there clashed now and then)
for _n, _base in (("test2", 29000), ("test3", 25000), ("test4", 22000), ("test5", 23000), ("test6", 28000),
                   ("test7", 30000), ("test8", 24000), ("test9", 20000), ("bench", 26000), ("bench2", 21000)):
    PROFILES[_n] = Profile(_n, _base + 92, _base + 93, _base + 117,
                           {"aggregator": _base + 800, "survey": _base + 801, "consultation": _base + 802,
                            "complaints": _base + 803},
                           {"consumer": _base + 100, "relay-survey": _base + 101, "relay-consultation": _base + 102,
                            "relay-complaints": _base + 103},
                           _base + 90, f"pantau{_n}")


# three KRaft nodes on loopback (replication 3, min.insync.replicas 2: pantau/topic_policy.py)
PROFILES["cluster"] = Profile("cluster", 31092, 31093, 31117,
                              {"aggregator": 31800, "survey": 31801, "consultation": 31802, "complaints": 31803},
                              {"consumer": 31500, "relay-survey": 31501, "relay-consultation": 31502,
                               "relay-complaints": 31503},
                              31090, "pantaucluster", brokers=3)


def get(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise SystemExit(f"unknown profile {name!r}; choose one of {sorted(PROFILES)}") from None
