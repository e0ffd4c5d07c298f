"""Fuzzing with hostile values: every operation of the four services' `/openapi.json` gets
schema-shaped requests (schemathesis) whose strings, numbers and dates are then replaced, leaf by
leaf, with values meant to break something downstream: dots and `$` (store field names), NUL and
other controls, 10,000 characters, right-to-left marks, far-off and malformed dates, huge and
negative numbers, and wrong types. No answer may be a server error or missing (issue 13); the
answer may be anything else (most are 4xx problem documents). `PANTAU_FUZZ_HOSTILE_EXAMPLES`
(default 8 per operation and key) sets the depth; counts go to `test-artifacts/fuzz-hostile.json`."""
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
from hypothesis import strategies as st
from schemathesis.core.errors import SerializationNotPossible
from security_world import UNIT_B
from test_fuzz import SERVICES, known_ids

pytestmark = pytest.mark.e2e

ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "fuzz-hostile.json"
HOSTILE_STRINGS = [
    "a.b", "$where", "$gt", "a.b.c $set", "izin usaha (Perda No. 5)", "x\x00y", "\x00", "\x1b[31m", "\u202eabc",
    "x" * 10_000, "", " ", "../../etc/passwd", '{"$ne": null}', "=HYPERLINK(\"http://x\",\"y\")", "💥" * 50,
    "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "0001-01-01", "2300-01-01", "2026-02-30",
    "2026-13-01T00:00:00Z", "1e309", "NaN", "-0", "٣",
]
HOSTILE_OTHER = [10**30, -(10**30), -1, 0, 2**63, 1.5, 1e308, True, None, [], {}, [None], {"$gt": ""}]


def examples() -> int:
    return int(os.environ.get("PANTAU_FUZZ_HOSTILE_EXAMPLES", "8"))


def hostile(draw) -> object:
    return draw(st.sampled_from(HOSTILE_STRINGS + HOSTILE_OTHER))


def poison(value, draw):
    """`value` with some of its leaves replaced by hostile values (always at least one, if any)."""
    if isinstance(value, dict):
        out = {k: poison(v, draw) for k, v in value.items()}
        if out and not draw(st.integers(0, 3)):
            out[draw(st.sampled_from(["a.b", "$x", "x\x00"]))] = hostile(draw)  # an unknown, hostile key
        return out
    if isinstance(value, list):
        return [poison(v, draw) for v in value]
    if isinstance(value, bytes):  # a file part stays bytes (its declared media type has no other serializer)
        return stringy(hostile(draw)).encode("utf-8", "surrogatepass") if draw(st.booleans()) else value
    return hostile(draw) if draw(st.booleans()) or value is None else value


def stringy(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def fuzz_operation(op, base_url: str, headers: dict, tally: Counter, failures: list, ids: dict | None) -> None:
    names = {p.name for p in op.path_parameters}
    fixed = {k: v for k, v in (ids or {}).items() if k in names} or None

    @settings(max_examples=examples(), deadline=None, database=None, derandomize=False,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(path_parameters=fixed), data=st.data())
    def run(case, data):
        draw = data.draw
        if case.body is not None and not isinstance(case.body, (bytes, str)):
            case.body = poison(case.body, draw)
        if case.query:
            case.query = {k: stringy(poison(v, draw)) for k, v in case.query.items()}
        if case.path_parameters and fixed is None:
            case.path_parameters = {k: stringy(v) if isinstance(v, str) else v
                                    for k, v in poison(case.path_parameters, draw).items()
                                    if k in names}
            case.path_parameters = {k: v.replace("\x00", "%00") if isinstance(v, str) else str(v)
                                    for k, v in case.path_parameters.items()}
        try:
            response = case.call(base_url=base_url, headers=headers, timeout=30)
        except SerializationNotPossible:  # a value the client cannot put into the part's declared media type
            tally["unsendable"] += 1
            return
        except (requests.RequestException, ValueError) as exc:  # ValueError: a URL requests refuses to build
            if isinstance(exc, ValueError) and not isinstance(exc, requests.RequestException):
                tally["unsendable"] += 1
                return
            tally["cases"] += 1
            tally["no_answer"] += 1
            failures.append({"operation": op.label, "status": None, "failure": repr(exc)[:300]})
            return
        tally["cases"] += 1
        tally[f"status_{response.status_code}"] += 1
        if response.status_code >= 500 and response.status_code != 503:
            tally["server_errors"] += 1
            failures.append({"operation": op.label, "status": response.status_code,
                             "request": f"{case.method} {case.formatted_path} query={case.query!r}"[:600],
                             "body": repr(case.body)[:600], "answer": response.text[:300]})
        elif response.status_code == 503 and "Retry-After" not in response.headers:
            tally["server_errors"] += 1  # a 503 is allowed only as a documented "retry later"
            failures.append({"operation": op.label, "status": 503, "answer": response.text[:300]})
    run()


@pytest.mark.timeout(max(300, examples() * 60))
def test_hostile_values_in_every_field_of_every_operation_cause_no_server_error(world):
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
                for ids in (None, known_ids(world)):
                    if ids is not None and not list(op.path_parameters):
                        continue
                    fuzz_operation(op, base, headers, tally, failures, ids)
        per_service[service] = {"operations": len(operations), "cases": tally["cases"] - before}
    record = {"examples_per_operation_and_key": examples(), "cases": tally["cases"],
              "server_errors": tally["server_errors"], "no_answer": tally["no_answer"],
              "unsendable": tally["unsendable"], "seconds": round(time.monotonic() - started, 1),
              "services": per_service,
              "statuses": {k[7:]: v for k, v in sorted(tally.items()) if k.startswith("status_")},
              "failures": failures[:50]}
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nhostile fuzzing: {record['cases']} cases, {record['server_errors']} server errors, "
          f"statuses {record['statuses']}, {record['seconds']} s")
    assert tally["cases"] > 0 and tally["unsendable"] <= tally["cases"] // 5, record["unsendable"]
    assert tally["server_errors"] == 0 and tally["no_answer"] == 0, json.dumps(failures[:10], indent=1,
                                                                              ensure_ascii=False, default=str)
