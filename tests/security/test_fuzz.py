"""API fuzzing with schemathesis against each service's own `/openapi.json` on the live platform.

Every operation of the four documents gets three kinds of generated requests:
- the coverage phase (schemathesis' deterministic probes, as its CLI runs them): for each field and
  parameter its boundaries and every JSON type it must not have (`{"action": {}}` is one: the 500
  of issue 19, which 6 random examples per operation never drew), positive and negative, once per
  operation with the bureau's key and unit B's real ids;
- random schema-valid requests (the positive mode) with the bureau's and unit B's key, with random
  and with B's real path parameters;
- random schema-invalid requests (the negative mode) with the bureau's key and the real ids.
Every response must not be a server error and must match the document: a documented status (each
error status is listed, pantau/openapi.py), the documented content type and body schema; a valid
request must not be refused with 400/422 (`positive_data_acceptance`: the document states every
rule the server checks, pantau/openapi.py; 401/403/404/409 stay allowed, a valid request may name
another unit's data or something that does not exist or conflicts with what is stored), and an
invalid request must be refused with a 4xx (`negative_data_rejection`). A positive case naming a
date outside what the date fields take (2000-01-01 to tomorrow, stated in their descriptions;
JSON Schema cannot bound a date) is not sent, and counted. Depth: `PANTAU_FUZZ_EXAMPLES` (default 6 random examples per
operation, key and mode; `make test-fuzz`: 50 and also the response headers' check), optionally
only some services: `PANTAU_FUZZ_SERVICES=complaints,survey`; `PANTAU_FUZZ_COVERAGE=0` leaves the
coverage phase out. The test profiles lift the per-key rate limit (pantau_platform/infra/profiles.py), so
429 is counted and must stay 0. The counts go to `test-artifacts/fuzz.json`.
"""
from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import date, timedelta
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

from pantau.config import settings as pantau_settings

pytestmark = pytest.mark.e2e

SERVICES = ("survey", "consultation", "complaints", "aggregator")
CHECKS = [st_checks.not_a_server_error, st_checks.status_code_conformance, st_checks.content_type_conformance,
          st_checks.response_schema_conformance, st_checks.positive_data_acceptance]
NEGATIVE_CHECKS = [*CHECKS, st_checks.negative_data_rejection]
# `make test-fuzz` also checks the documented response headers
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
    if not negative and response.status_code == 422 and (outside_date_window([case.body, case.query])
                                                         or described_only(case)):
        # (those drawn so are not sent, send(); a few reach here all the same, the body as sent)
        tally["positive_cases_refused_by_a_described_rule"] += 1
        checks = [c for c in checks if c is not st_checks.positive_data_acceptance]
    if not negative and "multipart/form-data" in (case.media_type or "") and (
            response.status_code == 415 or (response.status_code == 422 and refuses_the_file(response))):
        # an upload's file type and content are read from its bytes (a PDF, a UTF-8 CSV, an XLSX
        # workbook …), which no schema can state: schemathesis sends a PNG or random bytes for a
        # `format: binary` part; counted, still checked for status, content type and body
        tally["uploads_of_another_file_type"] += 1
        checks = [c for c in checks if c is not st_checks.positive_data_acceptance]
    try:
        case.validate_response(response, checks=checks)
    except (FailureGroup, AssertionError) as exc:  # keep going: report every failure
        failures.append({"checks": sorted({getattr(f, "title", type(f).__name__)
                                           for f in getattr(exc, "exceptions", [exc])}),
                         "operation": op_label, "status": response.status_code, "negative": negative,
                         "request": f"{case.method} {case.formatted_path} query={case.query} body={case.body!r}"[:1500],
                         "failure": str(exc)[:1500]})


DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def outside_date_window(value) -> bool:
    """Whether a generated value holds a date outside what every date field takes (from the
    earliest date to tomorrow, pantau/inputs.py): the window is in each field's description, which
    JSON Schema cannot bound, so a schema-valid request may name year 0613 and be refused."""
    if isinstance(value, Mapping):
        return any(outside_date_window(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(outside_date_window(v) for v in value)
    if isinstance(value, str) and (m := DATE_RE.match(value)):
        day = m.group(0)
        return not (pantau_settings().earliest_date.isoformat() <= day <= (date.today() + timedelta(days=1)).isoformat())
    return False


def refuses_the_file(response) -> bool:
    """Whether a 422 names the uploaded file's content only: its errors point at /file or into the
    file's rows (/rows/<n>/<column>: a paper form read from random bytes has no unsur columns)."""
    try:
        errors = response.json().get("errors") or []
    except ValueError:
        return False
    return bool(errors) and all(e.get("pointer") == "/file" or str(e.get("pointer", "")).startswith("/rows/")
                                for e in errors)


def _signatories(text) -> bool:
    """Whether a form field is a JSON list of 1–100 signatories, each with a name."""
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return False
    return (isinstance(value, list) and 1 <= len(value) <= 100
            and all(isinstance(s, dict) and isinstance(s.get("name"), str) and s["name"].strip() for s in value))


def _repeats(items, key: str) -> bool:
    ids = [i.get(key) for i in items if isinstance(i, Mapping)] if isinstance(items, list) else []
    return len(ids) != len(set(map(str, ids)))


def described_only(case) -> bool:
    """Whether a schema-valid case breaks a rule the document describes but cannot state (OpenAPI
    3.0): a file's content (the paper form's `mapping` is UTF-8 YAML; the Berita Acara's
    `signatories` a JSON list of signatories), an id given twice in one batch (`uniqueItems`
    compares whole items), an SKM summary's service type outside its bounds (an object's keys),
    and a `mapping` with `layout=template` (a `not` over a multipart body
    crashes schemathesis 4.32.5's coverage phase)."""
    body = case.body if isinstance(case.body, Mapping) else {}
    if any(getattr(v, "data", None) == b"" for v in body.values()):  # an empty file (checked, 422)
        return True
    if case.path.startswith("/v1/skm/paper-forms") and "mapping" in body:
        return True
    if case.path.endswith("/berita-acara") and case.method == "POST":
        return not _signatories(body.get("signatories"))
    return (_repeats(body.get("responses"), "response_id") or _repeats(body.get("promises"), "promise_id")
            or _bad_service_type_key(body))


def _bad_service_type_key(body: Mapping) -> bool:
    """An SKM summary's service-type map with a key the server refuses (1-200 characters without
    control characters: described, since JSON Schema 3.0 cannot bound an object's keys)."""
    from marshmallow import ValidationError

    from pantau.inputs import check_text
    profile = body.get("profile")
    types = profile.get("service_type") if isinstance(profile, Mapping) else None
    for key in types if isinstance(types, Mapping) else ():
        try:
            check_text(key, 1, 200, False)
        except ValidationError:
            return True
    return False


UNIT_FIELDS = ("unit_id", "to_unit_id", "dispose_to")


def on_unit_b(case) -> None:
    """A body naming a unit names unit B: any registered unit is valid (the document lists them
    all), but the fuzzer's valid writes must not land in other units' data, which other tests of
    the same platform count."""
    if isinstance(case.body, dict):
        for name in UNIT_FIELDS:
            if isinstance(case.body.get(name), str):
                case.body[name] = UNIT_B


def send(case, op, base_url: str, headers: dict, tally: Counter, failures: list) -> None:
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    if not negative:
        on_unit_b(case)
    if not negative and outside_date_window([case.body, case.query]):
        tally["positive_cases_outside_date_window"] += 1  # not sent: see outside_date_window
        return
    if not negative and described_only(case):
        tally["positive_cases_breaking_a_described_rule"] += 1
        return
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


def failures_by_operation(failures: list) -> dict:
    counts = Counter(f"{f['operation']} | {c} | {f['status']}" for f in failures for c in f["checks"])
    return dict(sorted(counts.items()))


def samples(failures: list, per_kind: int = 3) -> list:
    """A few failures of each operation, check and status (all of them would be thousands)."""
    seen: Counter = Counter()
    kept = []
    for f in failures:
        kind = (f["operation"], tuple(f["checks"]), f["status"])
        seen[kind] += 1
        if seen[kind] <= per_kind:
            kept.append(f)
    return kept


@pytest.fixture(scope="module")
def own_world(platform) -> Iterator[World]:
    """Unit B's data made for the fuzzer alone: the coverage phase's valid requests with real ids
    do act (void the response, cancel the RTL item, drop the promise), which must not move the
    data the authorization matrix and the shape sweep repeat their writes on (`world`)."""
    yield World(platform).build()
    # the fuzzer's accepted writes (thousands) are applied before the next module on this worker
    # runs: a test that waits for its own writes to be applied (the kill -9 drill of
    # test_walking_skeleton) must not wait behind them
    platform.wait_drained(600)


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
        before, failed_before, begun = tally["cases"], len(failures), time.monotonic()
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
        by_check = Counter(c for f in failures[failed_before:] for c in f["checks"])
        per_service[service] = {"operations": len(operations), "cases": tally["cases"] - before,
                                "failures_by_check": dict(sorted(by_check.items())),
                                "seconds": round(time.monotonic() - begun, 1)}
    record = {"examples_per_operation_and_key": examples(), "keys": sorted(identities),
              "coverage_phase": coverage_on(), "checks": [c.__name__ for c in NEGATIVE_CHECKS + (DEEP_CHECKS if deep() else [])],
              "cases": tally["cases"], "coverage_cases": tally["coverage_cases"],
              "positive_cases": tally["positive_cases"], "negative_cases": tally["negative_cases"],
              "operations": sum(s["operations"] for s in per_service.values()),
              "operations_without_negative_cases": tally["operations_without_negative_cases"],
              "positive_cases_outside_date_window": tally["positive_cases_outside_date_window"],
              "uploads_of_another_file_type": tally["uploads_of_another_file_type"],
              "positive_cases_breaking_a_described_rule": tally["positive_cases_breaking_a_described_rule"],
              "positive_cases_refused_by_a_described_rule": tally["positive_cases_refused_by_a_described_rule"],
              "server_errors": tally["server_errors"], "no_answer": tally["no_answer"],
              "rate_limited": tally["status_429"], "uri_too_long_by_gunicorn": tally["uri_too_long_by_gunicorn"],
              "schema_failures": len(failures),
              "failures_by_check": dict(sorted(Counter(c for f in failures for c in f["checks"]).items())),
              "seconds": round(time.monotonic() - started, 1), "services": per_service,
              "statuses": {k[7:]: v for k, v in sorted(tally.items()) if k.startswith("status_")},
              "failures_by_operation": failures_by_operation(failures),
              "failures": samples(failures)}
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nfuzzing: {record['cases']} cases ({record['coverage_cases']} coverage, {record['negative_cases']} negative) "
          f"on {record['operations']} operations, {record['server_errors']} server errors, {len(failures)} failures, "
          f"{record['rate_limited']} rate-limited, {record['seconds']} s")
    assert tally["cases"] > 0 and tally["negative_cases"] > 0
    assert tally["status_429"] == 0, "the rate limiter answered the fuzzer: the test profile's limit is too low"
    assert tally["server_errors"] == 0 and tally["no_answer"] == 0 and not failures, \
        json.dumps(failures[:10], indent=1, ensure_ascii=False, default=str)
