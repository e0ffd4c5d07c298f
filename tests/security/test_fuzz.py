"""API fuzzing with schemathesis against each service's own `/openapi.json` on the live platform.

Every operation of the four documents gets generated requests (schema-valid ones, the positive
mode) with the bureau's key and with a unit key; every response must not be a server error and
must match the document: a documented status (or `default`), the documented content type and
body schema. The run is bounded for `make test` (`PANTAU_FUZZ_EXAMPLES`, default 6 examples per
operation and key); a bigger run: `PANTAU_FUZZ_EXAMPLES=200`, optionally only some services:
`PANTAU_FUZZ_SERVICES=complaints,survey`. The counts go to
`test-artifacts/fuzz.json`.
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
from schemathesis import checks as st_checks
from schemathesis.core.failures import FailureGroup
from security_world import UNIT_B

pytestmark = pytest.mark.e2e

SERVICES = ("survey", "consultation", "complaints", "aggregator")
CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance, st_checks.content_type_conformance,
          st_checks.response_schema_conformance]
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "fuzz.json"


def examples() -> int:
    return int(os.environ.get("PANTAU_FUZZ_EXAMPLES", "6"))


def known_ids(world) -> dict:
    """Path parameters that name unit B's existing data, so generated bodies reach the handlers'
    deeper checks instead of stopping at 404."""
    return {"unit_id": UNIT_B, "period": "2026", "opd_id": "desdm", "response_id": world.response["response_id"],
            "item_id": world.rtl_item["item_id"], "fkp_id": world.fkp_id, "promise_id": "janji-sec",
            "sha256": world.doc_sha, "tracking_id": world.tracking_id, "request_id": world.tracking_id,
            "submission_id": world.summary_body["submission_id"]}


def fuzz_operation(op, base_url: str, headers: dict, tally: Counter, failures: list, ids: dict | None) -> None:
    names = {p.name for p in op.path_parameters}
    fixed = {k: v for k, v in (ids or {}).items() if k in names} or None

    @settings(max_examples=examples(), deadline=None, database=None, derandomize=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(path_parameters=fixed))
    def run(case):
        try:
            response = case.call(base_url=base_url, headers=headers, timeout=30)
        except requests.RequestException as exc:  # no answer (a hang is a failure too)
            tally["cases"] += 1
            tally["no_answer"] += 1
            failures.append({"operation": op.label, "status": None, "failure": repr(exc)[:300],
                             "request": f"{case.method} {case.formatted_path} query={case.query} body={case.body!r}"[:1500]})
            return
        tally["cases"] += 1
        tally[f"status_{response.status_code}"] += 1
        if response.status_code >= 500:
            tally["server_errors"] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (FailureGroup, AssertionError) as exc:  # keep going: report every failure
            failures.append({"operation": op.label, "status": response.status_code,
                             "request": f"{case.method} {case.formatted_path}", "failure": str(exc)[:1500]})
    run()


@pytest.mark.timeout(max(300, examples() * 45))
def test_every_operation_of_every_service_survives_fuzzing(world):
    platform = world.platform
    identities = {"bureau": platform.headers(platform.bureau), "unit": platform.headers(platform.key(UNIT_B))}
    tally, failures, per_service = Counter(), [], {}
    started = time.monotonic()
    for service in os.environ.get("PANTAU_FUZZ_SERVICES", ",".join(SERVICES)).split(","):
        base = platform.url(service, "")
        schema = schemathesis.openapi.from_url(base + "/openapi.json", timeout=30)
        before = tally["cases"]
        operations = [result.ok() for result in schema.get_all_operations()]
        for op in operations:
            for headers in identities.values():
                for ids in (None, known_ids(world)):  # random path parameters, then B's real ones
                    if ids is not None and not list(op.path_parameters):
                        continue
                    fuzz_operation(op, base, headers, tally, failures, ids)
        per_service[service] = {"operations": len(operations), "cases": tally["cases"] - before}
    record = {"examples_per_operation_and_key": examples(), "keys": sorted(identities),
              "cases": tally["cases"], "server_errors": tally["server_errors"], "no_answer": tally["no_answer"],
              "schema_failures": len(failures), "seconds": round(time.monotonic() - started, 1),
              "services": per_service,
              "statuses": {k[7:]: v for k, v in sorted(tally.items()) if k.startswith("status_")},
              "failures": failures[:50]}
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    assert tally["cases"] > 0
    assert tally["server_errors"] == 0 and tally["no_answer"] == 0 and not failures, json.dumps(failures[:10], indent=1, ensure_ascii=False)
