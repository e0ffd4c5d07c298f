"""API fuzzing with schemathesis against each service's own `/openapi.json` on the live platform.

Every operation of the four documents gets three kinds of generated requests:
- the coverage phase (schemathesis' deterministic probes, as its CLI runs them): for each field and
  parameter its boundaries and every JSON type it must not have (`{"action": {}}` is one: the 500
  of issue 19, which 6 random examples per operation never drew), positive and negative, once per
  operation with the bureau's key and unit B's real ids;
- random schema-valid requests (the positive mode) with the bureau's and unit B's key, with random
  and with B's real path parameters;
- random schema-invalid requests (the negative mode) with the bureau's key and the real ids.
Every response must not be a server error and must match the document: a documented status (or
`default`), the documented content type and body schema; an invalid request must be refused with
a 4xx (`negative_data_rejection`). Depth: `PANTAU_FUZZ_EXAMPLES` (default 6 random examples per
operation, key and mode; `make test-fuzz`: 50 and also the response headers' check), optionally
only some services: `PANTAU_FUZZ_SERVICES=complaints,survey`; `PANTAU_FUZZ_COVERAGE=0` leaves the
coverage phase out. The test profiles lift the per-key rate limit (pantau/infra/profiles.py), so
429 is counted and must stay 0. The counts go to `test-artifacts/fuzz.json`.
"""
from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import checks as st_checks
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.overrides import Override
from security_world import UNIT_B, World

pytestmark = pytest.mark.e2e

SERVICES = ("survey", "consultation", "complaints", "aggregator")
CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance, st_checks.content_type_conformance,
          st_checks.response_schema_conformance]
NEGATIVE_CHECKS = [*CHECKS, st_checks.negative_data_rejection]
# `make test-fuzz` also checks the documented response headers; positive_data_acceptance is left
# out: a schema-valid request may name a unit or an entity that does not exist (422/404 by design)
DEEP_CHECKS = [st_checks.response_headers_conformance]
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "fuzz.json"


def examples() -> int:
    return int(os.environ.get("PANTAU_FUZZ_EXAMPLES", "6"))


def deep() -> bool:
    return examples() >= 50


def coverage_on() -> bool:
    return os.environ.get("PANTAU_FUZZ_COVERAGE", "1") != "0"


def known_ids(world) -> dict:
    """Path parameters that name unit B's existing data, so generated bodies reach the handlers'
    deeper checks instead of stopping at 404."""
    return {"unit_id": UNIT_B, "period": "2026", "opd_id": "desdm", "response_id": world.response["response_id"],
            "item_id": world.rtl_item["item_id"], "fkp_id": world.fkp_id, "promise_id": "janji-sec",
            "sha256": world.doc_sha, "tracking_id": world.tracking_id, "request_id": world.tracking_id,
            "submission_id": world.summary_body["submission_id"]}


def check(case, response, tally: Counter, failures: list, op_label: str) -> None:
    tally["cases"] += 1
    tally[f"status_{response.status_code}"] += 1
    if response.status_code >= 500:
        tally["server_errors"] += 1
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    tally["negative_cases" if negative else "positive_cases"] += 1
    if response.status_code == 414:  # the apps never answer 414 themselves
        # gunicorn's own answer to a request line over its limit_request_line (4094 bytes), before
        # the app: not the document's to describe (a negative case with a huge query string)
        tally["uri_too_long_by_gunicorn"] += 1
        return
    # Open311 (GeoReport v2, services/complaints/public.py) reads its optional filters its own way
    # (an empty one is absent); every other check applies to it
    rejecting = negative and not op_label.split(" ", 1)[1].startswith("/open311/")
    checks = (NEGATIVE_CHECKS if rejecting else CHECKS) + (DEEP_CHECKS if deep() else [])
    try:
        case.validate_response(response, checks=checks)
    except (FailureGroup, AssertionError) as exc:  # keep going: report every failure
        failures.append({"operation": op_label, "status": response.status_code, "negative": negative,
                         "request": f"{case.method} {case.formatted_path} query={case.query} body={case.body!r}"[:1500],
                         "failure": str(exc)[:1500]})


def send(case, op, base_url: str, headers: dict, tally: Counter, failures: list) -> None:
    # the key goes into the case itself, so the checks judge the request as it was sent (a negative
    # case "without Authorization" is sent with it, and is then judged by what else it negates)
    case.headers = {**(case.headers or {}), **headers}
    try:
        response = case.call(base_url=base_url, timeout=30)
    except requests.RequestException as exc:  # no answer (a hang is a failure too)
        tally["cases"] += 1
        tally["no_answer"] += 1
        failures.append({"operation": op.label, "status": None, "failure": repr(exc)[:300],
                         "request": f"{case.method} {case.formatted_path} query={case.query} body={case.body!r}"[:1500]})
        return
    check(case, response, tally, failures, op.label)


def fixed_ids(op, ids: dict | None) -> dict | None:
    names = {p.name for p in op.path_parameters}
    return {k: v for k, v in (ids or {}).items() if k in names} or None


def fuzz_operation(op, base_url: str, headers: dict, tally: Counter, failures: list, ids: dict | None,
                   mode: GenerationMode = GenerationMode.POSITIVE) -> None:
    fixed = fixed_ids(op, ids)

    @settings(max_examples=examples(), deadline=None, database=None, derandomize=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(generation_mode=mode, path_parameters=fixed))
    def run(case):
        send(case, op, base_url, headers, tally, failures)
    try:
        run()
    except Unsatisfiable:  # nothing of the operation can be made invalid (no parameters, no body)
        assert mode is GenerationMode.NEGATIVE, op.label
        tally["operations_without_negative_cases"] += 1


def cover_operation(op, base_url: str, headers: dict, tally: Counter, failures: list, ids: dict | None) -> None:
    """schemathesis' coverage phase: its deterministic boundary and wrong-type cases."""
    fixed = fixed_ids(op, ids)
    generator = CoverageGenerator(
        operation=op, generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        generation_config=op.schema.config.generation_for(operation=op, phase="coverage"),
        auth_storage=None, override=Override(path_parameters=fixed or {}), feedback=FeedbackSources())
    for case in generator:
        tally["coverage_cases"] += 1
        send(case, op, base_url, headers, tally, failures)


@pytest.fixture(scope="module")
def own_world(platform) -> World:
    """Unit B's data made for the fuzzer alone: the coverage phase's valid requests with real ids
    do act (void the response, cancel the RTL item, drop the promise), which must not move the
    data the authorization matrix and the shape sweep repeat their writes on (`world`)."""
    return World(platform).build()


@pytest.mark.timeout(max(600, examples() * 120))
def test_every_operation_of_every_service_survives_fuzzing(own_world):
    world = own_world
    platform = world.platform
    identities = {"bureau": platform.headers(platform.bureau), "unit": platform.headers(platform.key(UNIT_B))}
    tally, failures, per_service = Counter(), [], {}
    started = time.monotonic()
    for service in os.environ.get("PANTAU_FUZZ_SERVICES", ",".join(SERVICES)).split(","):
        base = platform.url(service, "")
        schema = schemathesis.openapi.from_url(base + "/openapi.json", timeout=30)
        before, begun = tally["cases"], time.monotonic()
        operations = [result.ok() for result in schema.get_all_operations()]
        for op in operations:
            if coverage_on():
                cover_operation(op, base, identities["bureau"], tally, failures, known_ids(world))
            for headers in identities.values():
                for ids in (None, known_ids(world)):  # random path parameters, then B's real ones
                    if ids is not None and not list(op.path_parameters):
                        continue
                    fuzz_operation(op, base, headers, tally, failures, ids)
            fuzz_operation(op, base, identities["bureau"], tally, failures, known_ids(world), GenerationMode.NEGATIVE)
        per_service[service] = {"operations": len(operations), "cases": tally["cases"] - before,
                                "seconds": round(time.monotonic() - begun, 1)}
    record = {"examples_per_operation_and_key": examples(), "keys": sorted(identities),
              "coverage_phase": coverage_on(), "checks": [c.__name__ for c in NEGATIVE_CHECKS + (DEEP_CHECKS if deep() else [])],
              "cases": tally["cases"], "coverage_cases": tally["coverage_cases"],
              "positive_cases": tally["positive_cases"], "negative_cases": tally["negative_cases"],
              "operations": sum(s["operations"] for s in per_service.values()),
              "operations_without_negative_cases": tally["operations_without_negative_cases"],
              "server_errors": tally["server_errors"], "no_answer": tally["no_answer"],
              "rate_limited": tally["status_429"], "uri_too_long_by_gunicorn": tally["uri_too_long_by_gunicorn"],
              "schema_failures": len(failures),
              "seconds": round(time.monotonic() - started, 1), "services": per_service,
              "statuses": {k[7:]: v for k, v in sorted(tally.items()) if k.startswith("status_")},
              "failures": failures[:50]}
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nfuzzing: {record['cases']} cases ({record['coverage_cases']} coverage, {record['negative_cases']} negative) "
          f"on {record['operations']} operations, {record['server_errors']} server errors, {len(failures)} failures, "
          f"{record['rate_limited']} rate-limited, {record['seconds']} s")
    assert tally["cases"] > 0 and tally["negative_cases"] > 0
    assert tally["status_429"] == 0, "the rate limiter answered the fuzzer: the test profile's limit is too low"
    assert tally["server_errors"] == 0 and tally["no_answer"] == 0 and not failures, \
        json.dumps(failures[:10], indent=1, ensure_ascii=False, default=str)
