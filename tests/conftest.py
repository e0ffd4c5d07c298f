"""Test session fixtures: the real infrastructure and the platform on the `test` profile.

Unit tests need none of this. Integration and e2e tests request `infra` or `platform`; the
session then starts Kafka and the store (fresh data dirs, test ports that do not collide with
`make up`), and for `platform` the four gunicorn services, three relays and the consumer.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field

import pytest
import requests

from pantau_platform.demo import DEMO_UNITS
from pantau_platform.infra import platform as plat
from pantau_platform.infra import procs
from pantau_platform.infra.profiles import get as get_profile

REGISTRY = str(procs.ROOT / "deploy" / "registry" / "kaltim.yaml")
# Units whose figures a test asserts from zero (it owns them for the whole session); tests that
# pick "any unit without data" at run time must leave these alone.
RESERVED_UNITS = frozenset({
    # tests/e2e/test_skm_as_of.py: the whole OPD disnakertrans (it asserts the OPD's totals)
    "uptd-blk-samarinda", "uptd-blk-balikpapan", "uptd-wasnaker-samarinda", "uptd-wasnaker-balikpapan",
    # tests/faults (fault suite): its writers' units (figures compared with a recompute)
    "layanan-riset-inovasi", "uptd-lab-konstruksi", "uptd-benih-perkebunan", "uptd-proteksi-tph", "uptd-lab-keswan",
    "uptd-pembibitan-ternak", "uptd-sertifikasi-benih-tph", "uptd-bpsmb-samarinda",
    # tests/e2e/test_pekppp_evaluation.py: the evaluated unit (its IPP is asserted from its own data)
    # and the unit no refused score may reach; tests/e2e/test_staff_session_on_the_api.py's unit
    "sman-1-berau", "sman-1-bontang", "sman-1-tenggarong",
    # tests/e2e/test_audit_survives_a_crash.py
    "sman-1-balikpapan",
    # tests/browser/test_pekppp_pages.py: the unit an evaluator scores from the form
    "smkn-1-balikpapan",
    # tests/e2e/test_skm_summaries.py: the unit whose summary reports are superseded and flagged, and the
    # unit no refused summary may reach; tests/browser/test_skm_summary_pages.py: its flagged unit
    "uptd-taman-budaya", "rsjd-atma-husada", "lpse-kaltim",
    # tests/e2e/test_skm_summary_compilation.py: the whole OPD dishut (it asserts the OPD's figures)
    "uptd-tahura-bukit-soeharto", "uptd-kph-berau",
    # tests/e2e/test_form_export_upload.py: the unit fed by form-service exports and its twin fed the same
    # answers as JSON (their IKMs are compared)
    "tic-kaltim", "layanan-tata-ruang",
    # tests/e2e/test_skm_summary_report_file.py: the unit that attaches its report file, and the unit
    # whose key is refused on it (and whose summary has no file)
    "layanan-penghubung-jakarta", "perpustakaan-kaltim",
    # tests/e2e/test_personal_data_at_rest.py: its complaints' unit and its forums' unit (figures compared
    # before and after an erasure)
    "samsat-ujoh-bilang", "jdih-kaltim",
}) | DEMO_UNITS  # tests/e2e/test_demo_states.py loads the `make up` demo (pantau_platform/demo.py) on these


# `make test` runs the suite in two pytest-xdist workers, each on a platform of its own: worker
# gwN takes the N-th profile of PANTAU_TEST_PROFILE (comma-separated), so no two workers share a
# broker, a store or a port. Without xdist the first profile is used.
TEST_PROFILES = "test,test2,test7"


def profile_for_this_worker() -> str:
    names = [n.strip() for n in os.environ.get("PANTAU_TEST_PROFILE", TEST_PROFILES).split(",") if n.strip()]
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:])
    if worker >= len(names):
        raise pytest.UsageError(f"worker gw{worker} has no profile: PANTAU_TEST_PROFILE lists {names}")
    return names[worker]


@pytest.fixture(scope="session")
def infra():
    p = get_profile(profile_for_this_worker())
    plat.services_down(p)
    plat.infra_down(p)
    run = procs.run_dir(p.name)
    kafka_data = ["kafka-data" if n == 1 else f"kafka-data-{n}" for n in range(1, p.brokers + 1)]
    # a fresh store gets fresh KEKs and an empty erasure ledger (pantau/kek.py)
    for d in (*kafka_data, "ferretdb-data", "ferretdb-state", "mongod-data", "prom", "data-keys"):
        shutil.rmtree(run / d, ignore_errors=True)
    old = {k: os.environ.get(k) for k in p.env()}
    os.environ.update(p.env())
    from pantau import mongo
    mongo.reset()
    try:
        plat.infra_up(p)
        yield p
    finally:
        plat.infra_down(p)
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
    mongo.reset()


@dataclass
class Platform:
    profile: object
    bureau: str
    keys: dict = field(default_factory=dict)
    reserved_units: frozenset = RESERVED_UNITS

    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{self.profile.http_ports[service]}{path}"

    def key(self, unit_id: str) -> str:
        if unit_id not in self.keys:
            from pantau import auth
            self.keys[unit_id] = auth.issue("unit", unit_id, note="test")
        return self.keys[unit_id]

    def headers(self, token: str) -> dict:
        return {"Authorization": f"Bearer {token}"}

    def wait_for(self, fn, timeout: float = 90.0, what: str = "condition"):
        """Poll `fn` until it returns a truthy value (the aggregator is eventually consistent)."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = fn()
            if last:
                return last
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {what}; last value {last!r}")

    def summary(self, unit_id: str) -> dict:
        r = requests.get(self.url("aggregator", f"/v1/units/{unit_id}/summary"),
                         headers=self.headers(self.bureau), timeout=10)
        r.raise_for_status()
        return r.json()

    def outbox_backlog(self) -> float:
        """Stored events the relays have not yet published (their backlog gauges summed). A relay
        that has not finished its first round since it (re)started has no sample yet: its backlog
        is unknown, not 0 (infinite here), or a restart would look drained while it resends."""
        from prometheus_client.parser import text_string_to_metric_families
        total = 0.0
        for svc in ("survey", "consultation", "complaints"):
            text = requests.get(f"http://127.0.0.1:{self.profile.metrics_ports['relay-' + svc]}/metrics",
                                timeout=5).text
            samples = [smp.value for fam in text_string_to_metric_families(text)
                       if fam.name == "pantau_outbox_backlog_events" for smp in fam.samples
                       if smp.labels.get("service") == svc]
            total += sum(samples) if samples else float("inf")
        return total

    @staticmethod
    def consumer_lag() -> int:
        """Records in the three topics the aggregator's group has not committed."""
        from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

        from pantau.config import settings
        s = settings()
        a = KafkaAdminClient(bootstrap_servers=s.kafka_bootstrap, request_timeout_ms=5000)
        c = KafkaConsumer(bootstrap_servers=s.kafka_bootstrap, group_id=None, enable_auto_commit=False)
        try:
            committed = a.list_group_offsets({s.consumer_group: None}).get(s.consumer_group, {})
            tps = [TopicPartition(s.topic(svc), n) for svc in ("survey", "consultation", "complaints")
                   for n in c.partitions_for_topic(s.topic(svc)) or []]
            ends = c.end_offsets(tps)
            return sum(max(0, end - (committed[tp].offset if tp in committed else 0)) for tp, end in ends.items())
        finally:
            c.close()
            a.close()

    def wait_drained(self, timeout: float) -> float:
        """Seconds until every relay's backlog is empty and the consumer group's lag is 0 (twice in a
        row, half a second apart); AssertionError after `timeout`."""
        t0 = time.monotonic()
        streak = 0
        last = None
        while time.monotonic() - t0 < timeout:
            try:
                last = (self.outbox_backlog(), self.consumer_lag())
                streak = streak + 1 if last == (0, 0) else 0
            except Exception as exc:  # noqa: BLE001 - a process still starting: not drained yet
                last, streak = repr(exc), 0
            if streak >= 2:
                return round(time.monotonic() - t0, 1)
            time.sleep(0.5)
        raise AssertionError(f"pipeline not drained within {timeout:.0f}s; last (backlog, lag) = {last}")

    def wait_published(self, timeout: float = 90.0) -> None:
        """Until every relay has reported an empty backlog twice in a row (one full round)."""
        streak = [0]

        def quiet():
            streak[0] = streak[0] + 1 if self.outbox_backlog() == 0 else 0
            return streak[0] >= 2
        self.wait_for(quiet, timeout, "every stored event published")

    @staticmethod
    def topic_records(topic: str, timeout_ms: int = 2000) -> list:
        """Every record of a topic, read from the beginning by a group-less consumer."""
        from kafka import KafkaConsumer, TopicPartition

        from pantau.config import settings
        c = KafkaConsumer(bootstrap_servers=settings().kafka_bootstrap, enable_auto_commit=False,
                          group_id=None, consumer_timeout_ms=timeout_ms)
        tps = [TopicPartition(topic, n) for n in c.partitions_for_topic(topic) or []]
        c.assign(tps)
        c.seek_to_beginning(*tps)
        out = list(c)
        c.close()
        return out

    def replay(self, name: str):
        """Rebuild every projection from the topics into a fresh database `<prefix>_<name>`, with a
        new consumer group, until it has read what the topics held when it started; returns
        (database, records read)."""
        import uuid

        from pantau import mongo
        from pantau.config import settings
        from services.aggregator.consumer import build_loop
        db_name = f"{settings().db_prefix}_{name}"
        mongo.client().drop_database(db_name)
        db = mongo.client()[db_name]
        loop = build_loop(db=db, group_id=f"replay-{uuid.uuid4().hex[:8]}")
        ends: dict = {}

        def caught_up() -> bool:
            parts = loop.consumer.assignment()
            if not parts:
                return False
            if not ends:
                ends.update(loop.consumer.end_offsets(list(parts)))
            return all(loop.consumer.position(tp) >= ends[tp] for tp in parts)

        loop.run(until=caught_up)
        return db, sum(ends.values())

    def restart(self, name: str) -> None:
        procs.stop(self.profile.name, name)
        plat.start_process(self.profile, name)
        plat.wait_process(self.profile, name)

    def kill9_and_restart(self, name: str) -> None:
        procs.kill9(self.profile.name, name)
        plat.start_process(self.profile, name)
        plat.wait_process(self.profile, name)


@pytest.fixture(scope="session")
def platform(infra):
    p = infra
    from pantau import auth
    # the aggregator's /readyz calls the pipeline stalled after this long without a heartbeat
    # (production default 60 s), so that tests/e2e/test_pipeline_health.py need not wait a minute
    os.environ.setdefault("PANTAU_PIPELINE_STALE_S", "20")
    try:
        plat.init(p, REGISTRY)
        plat.services_up(p)
        yield Platform(p, auth.issue("bureau", note="test session"))
    finally:
        plat.services_down(p)
