"""README's "Follow one survey response" lists the files of ours a single SKM response really
passes, from its HTTP POST to the province IKM: this test runs each step in-process on the real
store and broker (survey API, relay, consumer, report API), once to warm up and once traced, and
compares the Python files whose functions ran for the traced response with the README's list.
Libraries and module-level code (imports) do not count; the tests' own files neither."""
from __future__ import annotations

import re
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from pantau.paths import ROOT

pytestmark = pytest.mark.infra

REGISTRY = str(ROOT / "deploy" / "registry" / "kaltim.yaml")
UNIT = "uptd-prasarana-hub-balikpapan"  # a UPP no other test names
WITA = timezone(timedelta(hours=8))
OURS = tuple(str(ROOT / d) + "/" for d in ("pantau", "services"))


class Trace:
    """Every file of ours in which a function was called while tracing, in this thread and in the
    threads started meanwhile (the consumer's apply thread)."""

    def __init__(self) -> None:
        self.files: dict[str, set[str]] = {}
        self.stages: dict[str, set[str]] = {}
        self.stage = ""

    def _profile(self, frame, event, _arg):
        if event == "call":
            code = frame.f_code
            if code.co_filename.startswith(OURS) and code.co_name != "<module>":
                self.files.setdefault(code.co_filename, set()).add(code.co_name)
                self.stages.setdefault(code.co_filename, set()).add(self.stage)

    def __enter__(self) -> Trace:
        threading.setprofile(self._profile)
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *_exc) -> None:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]

    def relative(self) -> set[str]:
        return {str(Path(f).relative_to(ROOT)) for f in self.files}


def readme_list() -> tuple[int, set[str]]:
    """The count the README states and the files it names (a file may be named at each stage)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("Follow one survey response", 1)[1].split("\n\n", 1)[0]
    count = re.search(r"passes (\d+) files of ours", section)
    assert count, "the README states how many files"
    return int(count.group(1)), set(re.findall(r"`((?:pantau|services)/[\w/]+\.py)`", section))


def response(response_id: str, unit_id: str = UNIT) -> dict:
    from pantau.rules.ikm import ELEMENTS
    return {"unit_id": unit_id, "response_id": response_id, "channel": "web",
            "submitted_at": datetime.now(WITA).replace(microsecond=0).isoformat(),
            "answers": {e: 3 for e in ELEMENTS}}


@pytest.fixture(scope="module")
def world(infra):
    """Databases, topics and a consumer group of its own, so that the session's platform (when other
    tests started it) neither publishes nor applies this test's events."""
    from pantau import auth, mongo
    from pantau.units import Registry
    from pantau_platform import cli
    tag = uuid.uuid4().hex[:6]
    mp = pytest.MonkeyPatch()
    mp.setenv("PANTAU_DB_PREFIX", f"follow{tag}")
    mp.setenv("PANTAU_TOPIC_PREFIX", f"follow{tag}.")
    mp.setenv("PANTAU_CONSUMER_GROUP", f"follow-{tag}")
    Registry._instance = None
    try:
        r = CliRunner().invoke(cli.main, ["init", "--registry", REGISTRY])
        assert r.exit_code == 0, r.output
        from pantau.relay import Relay
        from services.aggregator.wsgi import app as aggregator
        from services.survey.wsgi import app as survey
        relay = Relay("survey")  # one relay, as the platform runs it, for both responses
        if hasattr(relay.outbox, "past_every"):
            relay.outbox.past_every = 0.0  # FerretDB's slot reader: every slot every round
        yield {"survey": survey.test_client(), "aggregator": aggregator.test_client(), "relay": relay,
               "unit_key": auth.issue("unit", UNIT, note="follow one response"),
               "bureau": auth.issue("bureau", note="follow one response")}
        if relay._producer is not None:
            relay._producer.close(timeout=5)
    finally:
        for name in mongo.client().list_database_names():
            if name.startswith(f"follow{tag}_"):
                mongo.client().drop_database(name)
        mp.undo()
        Registry._instance = None


def one_response(world, trace: Trace | None, response_id: str) -> dict:
    """Post one response, publish it, apply it, read the province IKM; each step traced if asked."""
    from kafka import TopicPartition

    from pantau import mongo
    from pantau.config import settings
    from services.aggregator.consumer import build_loop

    def traced(stage, fn):
        if trace is None:
            return fn()
        trace.stage = stage
        with trace:
            return fn()

    post = traced("1 survey", lambda: world["survey"].post("/v1/skm/responses", json=response(response_id),
                                              headers={"Authorization": f"Bearer {world['unit_key']}"}))
    assert post.status_code == 202, post.get_data(as_text=True)
    s = settings()
    deadline = time.monotonic() + 60
    published = 0
    while published == 0:  # the rounds until the relay has sent the new event
        assert time.monotonic() < deadline, "the relay published nothing"
        published = traced("2 relay", world["relay"].publish_once)
    # a new consumer (run() closes it): built untraced, as a running one would be
    loop = build_loop(db=mongo.db("aggregator"), group_id=s.consumer_group)
    tps = [TopicPartition(s.topic("survey"), n) for n in range(s.kafka_partitions)]
    ends = loop.consumer.end_offsets(tps)
    deadline = time.monotonic() + 60

    def applied() -> bool:
        assert time.monotonic() < deadline, "the consumer did not apply the response"
        return all((loop.consumer.committed(tp) or 0) >= ends[tp] for tp in tps)
    try:
        traced("3 consumer", lambda: loop.run(until=applied))  # run() closes the consumer when done
    except BaseException:
        loop.close()
        raise
    year = datetime.now(WITA).year
    report = traced("4 report", lambda: world["aggregator"].get(f"/v1/ikm/province?period={year}",
                                                    headers={"Authorization": f"Bearer {world['bureau']}"}))
    assert report.status_code == 200, report.get_data(as_text=True)
    return {u["unit_id"]: u["respondents"] for u in report.get_json()["units"]}


def test_the_readme_lists_the_files_one_response_passes(world):
    before = one_response(world, None, f"warm-{uuid.uuid4().hex[:8]}")  # first calls fill caches, connect
    trace = Trace()
    after = one_response(world, trace, f"traced-{uuid.uuid4().hex[:8]}")
    assert (before[UNIT], after[UNIT]) == (1, 2), "the province report counts the traced response"
    passed = trace.relative()
    count, listed = readme_list()
    detail = "\n".join(f"{sorted(trace.stages[str(ROOT / f)])} {f}: {sorted(trace.files[str(ROOT / f)])}"
                       for f in sorted(passed))
    assert passed == listed, f"traced but not listed: {sorted(passed - listed)}; listed but not " \
                             f"traced: {sorted(listed - passed)}\n{detail}"
    assert count == len(passed), f"the README says {count} files, the response passes {len(passed)}"
