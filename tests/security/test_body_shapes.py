"""Malformed shapes on every route (issue 19): a JSON body that is not an object, a field holding
the wrong JSON type (an object, an array, a string, a number, a boolean or null where the
document says otherwise), a form field of an upload given as a file or a file as a text field,
repeated or empty, and query parameters repeated, empty or of the wrong type. Every answer must
be a 400 or 422 problem document, and nothing may be stored.

The routes come from the services' own `/openapi.json`, the requests that are valid from the
authorization matrix (`security_matrix.py`): a body route the matrix has no sample for fails the
test, so a new route is swept as soon as it is served. Each valid sample is sent first (the
control: it must succeed, or be refused by state, never by validation), then its variants; where
the document nests (answers, batch items, action objects, the form's JSON list of signatories) the
sweep goes down into the sample's value. Counts go to `test-artifacts/body-shapes.json`.
"""
from __future__ import annotations

import copy
import json
import re
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests
from security_matrix import BUREAU, CODE, ROUTES, Route
from security_world import OPD_B, UNIT_A, UNIT_B, World
from urllib3.filepost import encode_multipart_formdata

from pantau.rules.lapor import ARCHIVE_REASONS, MISSING_INFO

pytestmark = pytest.mark.e2e

SERVICES = ("survey", "consultation", "complaints", "aggregator")
WRITE_SERVICES = ("survey", "consultation", "complaints")
ARTIFACT = Path(__file__).resolve().parents[2] / "test-artifacts" / "body-shapes.json"
MISSING = object()
# a valid value for a query parameter the matrix's sample does not give
QUERY_VALUES = {"period": "2026", "year": "2026", "opd": OPD_B, "as_of": "2026-03-01T00:00:00+08:00",
                "weight": "exact", "limit": "5", "action": "complaint.verify", "target": "x", "account": "x"}
# the body of each complaint action that only its own fields keep from being valid
ACTION_BODIES = {"verify": {}, "pend": {"missing": [MISSING_INFO[0]]}, "complete_info": {"note": "Data dilengkapi."},
                 "archive": {"reason": ARCHIVE_REASONS[0]}, "forward": {"to_unit_id": UNIT_A},
                 "forward_out": {"to_instansi": "Kementerian Dalam Negeri"}, "follow_up": {"note": "Ditindaklanjuti."},
                 "resolve": {"note": "Sudah selesai."}, "rate": {"satisfaction": 3}, "reopen": {"note": "Belum beres."},
                 "accept": {}}


# ---- the documents ---------------------------------------------------------------------------

def openapi_path(rule: str) -> str:
    """A Flask rule in the OpenAPI document's form: `<int(signed=True):year>` → `{year}`."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def documents(world: World) -> dict[str, dict]:
    return {s: requests.get(world.url(s, "/openapi.json"), timeout=30).json() for s in SERVICES}


class Doc:
    """One service's document: `$ref`s resolved, `anyOf [nullable object, $ref]` folded."""

    def __init__(self, spec: dict):
        self.spec = spec

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        alts = schema.get("anyOf")
        if alts and any("$ref" in a for a in alts):
            # apispec writes a nullable nested schema as anyOf [{type: object, nullable}, {$ref}]
            nullable = any(a.get("nullable") for a in alts)
            real = [self.resolve(a) for a in alts if "$ref" in a]
            return {**real[0], "nullable": nullable or real[0].get("nullable", False)}
        if len(schema.get("allOf") or ()) == 1:  # a schema with a rule across its fields (anyOf) on top
            return {**self.resolve(schema["allOf"][0]), **({"nullable": True} if schema.get("nullable") else {})}
        return schema

    @staticmethod
    def kind(schema: dict) -> str | None:
        if "type" in schema:
            return schema["type"]
        if "properties" in schema or "additionalProperties" in schema:
            return "object"
        return None


def wrong_shapes(schema: dict) -> list[tuple[str, object]]:
    """Values of every JSON shape the schema does not allow (strings and numbers chosen to be the
    ones a lenient parser would take: "3" for a number, 1 and "true" for a boolean)."""
    kind = Doc.kind(schema)
    out = []
    if kind != "object":
        out.append(("object", {}))
    if kind != "array":
        out.append(("array", []))
    if kind in ("integer", "number"):
        out.append(("numeric string", "3"))
    elif kind == "boolean":
        out.append(("string", "true"))
    elif kind != "string":
        out.append(("string", "x"))
    if kind == "integer":
        out.append(("fraction", 2.5))
    elif kind == "boolean":
        out.append(("number", 1))
    elif kind not in ("number",):
        out.append(("number", 7))
    if kind != "boolean":
        out.append(("bool", True))
    if not schema.get("nullable"):
        out.append(("null", None))
    return out


def variants(doc: Doc, schema: dict, value, path: tuple):
    """(path, replacement, shape) for `value` (valid for `schema`) and, where the schema nests,
    for what is inside it."""
    schema = doc.resolve(schema)
    for shape, bad in wrong_shapes(schema):
        yield path, bad, shape
    kind = Doc.kind(schema)
    if kind == "object":
        for name, sub in schema.get("properties", {}).items():
            inner = value.get(name, MISSING) if isinstance(value, dict) else MISSING
            if inner is MISSING:  # a field the sample leaves out: its own shapes only
                for shape, bad in wrong_shapes(doc.resolve(sub)):
                    yield (*path, name), bad, shape
            else:
                yield from variants(doc, sub, inner, (*path, name))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and isinstance(value, dict):
            for key in list(value)[:2]:
                yield from variants(doc, extra, value[key], (*path, key))
    elif kind == "array" and isinstance(value, list):
        items = schema.get("items", {})
        if value:
            yield from variants(doc, items, value[0], (*path, 0))
        else:
            for shape, bad in wrong_shapes(doc.resolve(items)):
                yield (*path, 0), [bad], f"item {shape}"


def put(body, path: tuple, value):
    out = copy.deepcopy(body)
    if not path:
        return value
    node = out
    for step in path[:-1]:
        node = node[step]
    if isinstance(node, list) and path[-1] >= len(node):
        node.append(value)
    else:
        node[path[-1]] = value
    return out


def set_at(body, path: tuple, value):
    """`body` with the value at `path` replaced (an item of an empty list: `value` is the list)."""
    if path and isinstance(path[-1], int):
        parent = body
        for step in path[:-1]:
            parent = parent[step]
        if not parent:
            return put(body, path[:-1], value)
    return put(body, path, value)


def pointer(path: tuple) -> str:
    return "/" + "/".join(str(p) for p in path) if path else ""


def bases(doc: Doc, body_schema: dict, sample):
    """(schema, valid body) pairs to sweep: the sample itself and, for a body documented as
    `oneOf` one item or a batch of them, the sample as a one-item batch; of another `oneOf` (an SKM
    summary by NRRs or by counts) the alternatives the sample fits."""
    body_schema = doc.resolve(body_schema) if "$ref" in body_schema else body_schema
    if "oneOf" not in body_schema:
        return [(body_schema, sample)]
    out = []
    for alt in body_schema["oneOf"]:
        alt_r = doc.resolve(alt)
        props = alt_r.get("properties", {})
        if any(len(doc.resolve(sub).get("enum") or ()) == 1 and name in sample
               and sample[name] not in doc.resolve(sub)["enum"] for name, sub in props.items()):
            continue  # another branch of a discriminated oneOf (status: dropped, verdict: dispute …)
        if set(sample) <= set(props):
            out.append((alt_r, sample))
            continue
        for name, sub in props.items():
            if Doc.kind(doc.resolve(sub)) == "array" and name in alt_r.get("required", []):
                out.append((alt_r, {name: [sample]}))
                break
    assert out, (body_schema, sample)
    return out


# ---- the store -------------------------------------------------------------------------------

def stored_counts() -> dict[str, int]:
    """Documents in every collection of the write services (outbox time slots aside: the relays
    drop them as they close)."""
    from pantau import mongo
    out = {}
    for service in WRITE_SERVICES:
        db = mongo.db(service)
        for name in db.list_collection_names():
            if not name.startswith("outbox"):
                out[f"{service}.{name}"] = db[name].count_documents({})
    return out


def stored_since(before: dict[str, int], route: Route, stored: dict) -> None:
    grown = {k: (before.get(k, 0), n) for k, n in stored_counts().items() if n != before.get(k, 0)}
    if grown:
        stored[route.id] = grown


# ---- the requests ----------------------------------------------------------------------------

def who(route: Route) -> str | None:
    return {BUREAU: "bureau", CODE: None}.get(route.access, UNIT_B)


def refused_as_shape(r: requests.Response, case: str, path: tuple | None, failures: list) -> None:
    ctype = r.headers.get("Content-Type", "")
    ok = r.status_code in (400, 422) and ctype.startswith("application/problem+json")
    if ok and path:  # the problem names the field (or something inside it)
        want = pointer(path)
        pointers = [e.get("pointer", "") for e in r.json().get("errors", [])]
        ok = any(p == want or p.startswith(want + "/") or p == want.lstrip("/") for p in pointers)
    if not ok:
        failures.append({"case": case, "status": r.status_code, "content_type": ctype, "answer": r.text[:300]})


def control(world: World, route: Route, path: str, who_: str | None, kw: dict) -> None:
    """The valid request is not refused by validation: it succeeds or, where the entity's state
    moved on (the fuzzer, which may run first on this platform, voids responses and moves
    forums), is refused by state (409)."""
    r = world.call(route.service, route.method, path, who_, **kw)
    if route.ok is None:  # refused by state or by the forum's code, as in the matrix
        assert r.status_code not in (400, 415, 422) and r.status_code < 500, (route.id, r.status_code, r.text[:300])
    else:
        assert r.status_code in (route.ok, 409), (route.id, r.status_code, r.text[:300])


def send_json(world: World, route: Route, path: str, who_: str | None, body) -> requests.Response:
    return world.call(route.service, route.method, path, who_, data=json.dumps(body),
                      headers={"Content-Type": "application/json"})


def route_for(service: str, method: str, oa_path: str) -> Route | None:
    for r in ROUTES:
        if r.service == service and r.method == method and openapi_path(r.rule) == oa_path:
            return r
    return None


def own_complaint(world: World) -> str:
    """A complaint of unit B's for the action sweep alone (a variant taken by mistake must not
    move the world's complaint, which the authorization matrix expects unverified)."""
    tracking = f"SHP-{uuid.uuid4().hex[:8].upper()}"
    r = world.call("complaints", "POST", "/v1/complaints", UNIT_B, json={**world.complaint, "tracking_id": tracking})
    assert r.status_code == 201, r.text[:300]
    return tracking


# ---- the sweep -------------------------------------------------------------------------------

def sweep_json(world, doc, route, oa_op, tally, failures, stored) -> None:
    path, kw = route.build(world)
    who_ = who(route)
    samples = [kw["json"]]
    if route.rule.endswith("/actions"):
        path = f"/v1/complaints/{own_complaint(world)}/actions"
        samples = [{"action": a, **extra} for a, extra in ACTION_BODIES.items()]
    else:
        control(world, route, path, who_, {"json": kw["json"]})
    schema = oa_op["requestBody"]["content"]["application/json"]["schema"]
    before = stored_counts()
    for sample in samples:
        for alt, base in bases(doc, schema, sample):
            # an object with every documented field of the wrong type at once
            wrong = {name: wrong_shapes(doc.resolve(sub))[0][1] for name, sub in alt.get("properties", {}).items()}
            cases = [((), wrong, "object with wrong types"), *variants(doc, alt, base, ())]
            for vpath, bad, shape in cases:
                body = set_at(base, vpath, bad) if vpath else bad
                r = send_json(world, route, path, who_, body)
                tally["cases"] += 1
                tally[f"status_{r.status_code}"] += 1
                label = f"{route.id} {json.dumps(sample)[:60]} {pointer(vpath) or '<body>'} as {shape}"
                refused_as_shape(r, label, vpath if vpath and shape != "object with wrong types" else None, failures)
    stored_since(before, route, stored)


def multipart_parts(kw: dict) -> list[tuple[str, tuple]]:
    parts = [(k, (None, v)) for k, v in (kw.get("data") or {}).items()]
    parts += [(k, v) for k, v in (kw.get("files") or {}).items()]
    return parts


def sweep_multipart(world, route, oa_op, tally, failures, stored) -> None:
    path, kw = route.build(world)
    who_ = who(route)
    control(world, route, path, who_, kw)
    schema = oa_op["requestBody"]["content"]["multipart/form-data"]["schema"]
    base = multipart_parts(kw)
    cases = []
    for name, prop in schema["properties"].items():
        binary = prop.get("format") == "binary"
        given = dict(base).get(name)
        others = [(n, p) for n, p in base if n != name]
        if binary:
            cases.append((f"{name} as a text field", [*others, (name, (None, "bukan berkas"))]))
            cases.append((f"{name} empty", [*others, (name, (given[0] if given else "x.bin", b"", "application/pdf"))]))
        else:
            value = given[1] if given else QUERY_VALUES.get(name, "x")
            cases.append((f"{name} as a file", [*others, (name, ("isi.txt", str(value).encode(), "text/plain"))]))
            if given or name in schema.get("required", []):
                cases.append((f"{name} empty", [*others, (name, (None, ""))]))
            if (prop.get("description") or "").startswith("JSON") and given:
                value = json.loads(given[1])
                for vpath, bad, shape in json_list_variants(value):
                    cases.append((f"{name}{pointer(vpath)} as {shape}",
                                  [*others, (name, (None, json.dumps(set_at(value, vpath, bad) if vpath else bad)))]))
        if given:
            twice = [*others, (name, given), (name, given if binary else (None, UNIT_A if name == "unit_id" else "x"))]
            cases.append((f"{name} repeated", twice))
    before = stored_counts()
    for label, parts in cases:
        r = world.call(route.service, route.method, path, who_, files=parts)
        tally["cases"] += 1
        tally[f"status_{r.status_code}"] += 1
        refused_as_shape(r, f"{route.id} {label}", None, failures)
    # the valid form with one more part that has no name (werkzeug keys it None: it once was a 500)
    body, ctype = encode_multipart_formdata([(n, p[1] if p[0] is None else p) for n, p in base])
    boundary = ctype.split("boundary=", 1)[1]
    nameless = (f'--{boundary}\r\nContent-Disposition: form-data; filename="x.pdf"\r\n'
                'Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n').encode()
    r = world.call(route.service, route.method, path, who_, data=nameless + body, headers={"Content-Type": ctype})
    tally["cases"] += 1
    tally[f"status_{r.status_code}"] += 1
    refused_as_shape(r, f"{route.id} a part without a name", None, failures)
    stored_since(before, route, stored)


def json_list_variants(value):
    """Shapes of a form field holding a JSON list of objects (the Berita Acara's signatories)."""
    for shape, bad in wrong_shapes({"type": "array"}):
        yield (), bad, shape
    if value and isinstance(value[0], dict):
        for shape, bad in wrong_shapes({"type": "object"}):
            yield (0,), bad, f"item {shape}"
        for key in value[0]:  # each is text (some may be null: the form's field has no schema to say which)
            for shape, bad in wrong_shapes({"type": "string", "nullable": True}):
                yield (0, key), bad, f"{key} {shape}"


def wrong_query_values(schema: dict) -> list[tuple[str, str]]:
    out = [("empty", "")]
    if schema.get("type") == "integer":
        out += [("fraction", "2026.5"), ("word", "x"), ("exponent", "2e3")]
    if schema.get("enum"):
        out += [("upper case", schema["enum"][0].upper()), ("unknown", "x")]
    if schema.get("format") == "date-time":
        out += [("date only", "2026-03-01"), ("number", "1"), ("no offset", "2026-03-01T00:00:00")]
    return out


def sweep_query(world, route, params, tally, failures) -> None:
    path, kw = route.build(world)
    who_ = who(route)
    control(world, route, path, who_, kw)
    bare, _, qs = path.partition("?")
    base = [tuple(p.split("=", 1)) for p in qs.split("&") if p]
    for param in params:
        name = param["name"]
        given = dict(base).get(name, QUERY_VALUES[name])
        others = [(k, v) for k, v in base if k != name]
        cases = [(f"{name} {shape}", [*others, (name, bad)]) for shape, bad in wrong_query_values(param["schema"])]
        cases.append((f"{name} repeated", [*others, (name, given), (name, given)]))
        for label, query in cases:
            r = world.call(route.service, "GET", bare, who_, params=query)
            tally["cases"] += 1
            tally[f"status_{r.status_code}"] += 1
            refused_as_shape(r, f"{route.id} {label}", None, failures)
            if r.status_code in (400, 422) and r.headers.get("Content-Type", "").startswith("application/problem"):
                if not any(name in e.get("pointer", "") for e in r.json().get("errors", [])):
                    failures.append({"case": f"{route.id} {label}", "status": r.status_code,
                                     "answer": "no error names the parameter: " + r.text[:300]})


def test_every_malformed_body_form_and_query_is_a_4xx_problem_and_stores_nothing(world):
    docs = documents(world)
    tally, failures, swept, unmatched, stored = Counter(), [], Counter(), [], {}
    for service, spec in docs.items():
        doc = Doc(spec)
        for oa_path, ops in spec["paths"].items():
            for method, op in ops.items():
                if not isinstance(op, dict) or method == "parameters":
                    continue
                route = route_for(service, method.upper(), oa_path)
                content = (op.get("requestBody") or {}).get("content", {})
                # Open311 (GeoReport v2) keeps its own parameter conventions (services/complaints/public.py)
                query = [p for p in op.get("parameters", []) if p.get("in") == "query"
                         and not oa_path.startswith("/open311/")]
                if (content or query) and route is None:
                    unmatched.append(f"{service} {method.upper()} {oa_path}")
                    continue
                if "application/json" in content:
                    sweep_json(world, doc, route, op, tally, failures, stored)
                    swept["json"] += 1
                elif "multipart/form-data" in content:
                    sweep_multipart(world, route, op, tally, failures, stored)
                    swept["multipart"] += 1
                elif content:
                    unmatched.append(f"{service} {method.upper()} {oa_path}: {sorted(content)}")
                if query:
                    sweep_query(world, route, query, tally, failures)
                    swept["query"] += 1
    record = {"cases": tally["cases"], "routes": dict(swept), "failures": len(failures), "stored": stored,
              "statuses": {k[7:]: v for k, v in sorted(tally.items()) if k.startswith("status_")},
              "failed": failures[:80]}
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    print(f"\nbody shapes: {tally['cases']} cases on {dict(swept)} routes, {len(failures)} failures")
    assert not unmatched, f"routes with a body or query but no sample in security_matrix.py: {unmatched}"
    assert swept["json"] >= 16 and swept["multipart"] >= 5 and swept["query"] >= 19, dict(swept)
    assert not failures, json.dumps(failures[:25], indent=1, ensure_ascii=False)
    assert not stored, stored
