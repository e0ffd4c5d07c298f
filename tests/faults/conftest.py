"""Fixtures of the fault suite: the form (short in `make test`, full with PANTAU_FAULTS=full,
cluster with PANTAU_FAULTS=cluster on the three-broker profile), a
platform that is healed after every test whatever happened, and the figures written to
test-artifacts/faults-<form>.json at the end of the session."""
from __future__ import annotations

import json
import os
import time

import fault_injectors as inj
import pytest
from fault_figures import FIGURES, FORM, summary_line

from pantau_platform.infra import procs

# units that no other test writes to: every figure of these units comes from this suite
UNITS = {"survey": ["layanan-riset-inovasi", "uptd-lab-konstruksi", "uptd-benih-perkebunan"],
         "consultation": ["uptd-proteksi-tph", "uptd-lab-keswan"],
         "complaints": ["uptd-pembibitan-ternak", "uptd-sertifikasi-benih-tph", "uptd-bpsmb-samarinda"]}

# writer units per service, pause between a writer's calls, fault repetitions. A freeze outlasts
# the write services' store deadline (pantau.web.STORE_DEADLINE_S, 15 s) so that 503s are seen;
# so does a kill in the full form (a shorter one is waited out: the write succeeds when the store is
# back). The write rate stays below what the consumer applies on a loaded 2-core machine with
# FerretDB, or the lag could not drain within the bound. A rebuild reads every topic from the
# start, so the full form runs it first (test_faults_each.py) and not in the mixed schedule.
# A kill -9 of FerretDB while it creates a collection (an outbox slot every 10 s, or a first
# projection document) can leave that collection refusing every insert ("table ... already
# exists") until repaired by hand: the short form, which shares `make test`'s platform with every
# other test, freezes the store but does not kill it; the full form kills it.
SIZES = {
    "short": {"units": {"survey": 2, "consultation": 1, "complaints": 2}, "pace": 0.2, "reps": 1,
              "warmup_acks": 15, "freeze_s": 18.0, "store_down_s": 4.0, "replay_in_mixed": False,
              "store_kill_in_mixed": False},
    "full": {"units": {"survey": 3, "consultation": 2, "complaints": 2}, "pace": 0.1, "reps": 2,
             "warmup_acks": 30, "freeze_s": 18.0, "store_down_s": 18.0, "replay_in_mixed": False,
             "store_kill_in_mixed": True},
    # the broker faults of test_faults_cluster.py; the store stays up (its faults are the other forms')
    "cluster": {"units": {"survey": 2, "consultation": 1, "complaints": 2}, "pace": 0.2, "reps": 1,
                "warmup_acks": 15, "freeze_s": 0.0, "store_down_s": 0.0, "replay_in_mixed": False,
                "store_kill_in_mixed": False},
}

# the short form (`make test`) runs the mixed schedule only; the full form also one test per fault
collect_ignore = {"short": ["test_faults_each.py", "test_faults_cluster.py"], "full": ["test_faults_cluster.py"],
                  "cluster": ["test_faults_each.py", "test_faults_mixed.py"]}[FORM]
if FORM == "cluster":  # the platform of this session runs on the three KRaft nodes
    os.environ.setdefault("PANTAU_TEST_PROFILE", "cluster")

@pytest.fixture(scope="session")
def size() -> dict:
    s = dict(SIZES[FORM])
    s["units"] = {svc: UNITS[svc][:n] for svc, n in s["units"].items()}
    return s


@pytest.fixture
def fault_platform(platform):
    """The session platform, healed (store resumed, every process started and ready) after the
    test, even when it failed half-way through a fault."""
    try:
        yield platform
    finally:
        inj.heal(platform.profile)


@pytest.fixture(scope="session", autouse=True)
def _fault_figures():
    started = time.monotonic()
    yield FIGURES
    if not FIGURES["scenarios"]:
        return
    FIGURES["seconds"] = round(time.monotonic() - started, 1)
    out = procs.ROOT / "test-artifacts" / f"faults-{FORM}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(FIGURES, indent=2, sort_keys=True) + "\n")


SESSION_STARTED = time.time()


def pytest_terminal_summary(terminalreporter):
    if FIGURES["scenarios"]:
        terminalreporter.write_line(summary_line())
        return
    # under pytest-xdist the suite ran in a worker: its figures are in the file it wrote this session
    out = procs.ROOT / "test-artifacts" / f"faults-{FORM}.json"
    if out.exists() and out.stat().st_mtime >= SESSION_STARTED:
        terminalreporter.write_line(summary_line(json.loads(out.read_text())))
