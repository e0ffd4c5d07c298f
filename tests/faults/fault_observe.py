"""What the platform shows: the aggregator's projections and reports, the services' own stored
events (the recompute), the DLQ and the consumer group's lag. Input of fault_checker.check."""
from __future__ import annotations

from collections import Counter, defaultdict

import requests
from fault_writers import YEAR

from pantau import mongo
from pantau.config import settings
from pantau.rules.ikm import ELEMENTS, compute_ikm


def _tagged(s: str, tag: str) -> bool:
    return isinstance(s, str) and s.startswith(tag + "-")


def _get(platform, path: str) -> dict:
    r = requests.get(platform.url("aggregator", path), headers=platform.headers(platform.bureau), timeout=30)
    r.raise_for_status()
    return r.json()


def _last_by_subject(docs) -> dict:
    last: dict = {}
    for d in docs:
        if d["subject"] not in last or d["seq"] > last[d["subject"]]["seq"]:
            last[d["subject"]] = d
    return last


def observe(platform, ledger, units: dict, agg_db=None) -> dict:
    """Everything the checker needs. `agg_db`: another projection database (a replay)."""
    tag = ledger.tag
    agg = agg_db if agg_db is not None else mongo.db("aggregator")
    out: dict = {"figures": []}

    # --- SKM ---
    su = list(units["survey"])
    facts = list(agg["skm_facts"].find({"unit_id": {"$in": su}}, projection={"unit_id": 1, "response_id": 1,
                                                                                "answers": 1, "service_type": 1}))
    mine = [f for f in facts if _tagged(f.get("response_id"), tag)]
    out["skm"] = {(f["unit_id"], f["response_id"]): f.get("answers") for f in mine}
    out["skm_service_type"] = {(f["unit_id"], f["response_id"]): f.get("service_type") for f in mine}
    out["skm_fact_counts"] = Counter((f["unit_id"], f["response_id"]) for f in mine)
    svc = list(mongo.db("survey")["events"].find({"key": {"$in": su}}, projection={"envelope": 1, "subject": 1,
                                                                                     "seq": 1}))
    out["skm_service"] = {(d["envelope"]["data"]["unit_id"], d["envelope"]["data"]["response_id"]):
                          d["envelope"]["data"]["answers"] for d in svc
                          if d["envelope"]["type"] == "skm.response_recorded"
                          and _tagged(d["envelope"]["data"]["response_id"], tag)}
    if agg_db is None:
        voided = {d["subject"] for d in svc if d["envelope"]["type"] == "skm.response_voided"}
        for unit in su:
            rec = [d["envelope"]["data"] for d in svc if d["envelope"]["type"] == "skm.response_recorded"
                   and d["envelope"]["data"]["unit_id"] == unit and d["subject"] not in voided]
            summary = platform.summary(unit)
            out["figures"].append((f"{unit} skm respondents", summary["skm_responses"], len(rec)))
            in_year = [r for r in rec if r["period_month"].startswith(str(YEAR))]
            sums = {k: sum(r["answers"][k] for r in in_year) for k in ELEMENTS}
            expect = compute_ikm(sums, len(in_year), settings().ikm_weight_mode) if in_year else None
            ikm = _get(platform, f"/v1/ikm/units/{unit}?period={YEAR}")
            out["figures"].append((f"{unit} IKM {YEAR} respondents", ikm["respondents"], len(in_year)))
            out["figures"].append((f"{unit} IKM {YEAR}", ikm["ikm"], expect["ikm"] if expect else None))

    # --- FKP: forums and promise progress ---
    cu = list(units["consultation"])
    forums: dict = {}
    for doc in agg["fkp_units"].find({"_id": {"$in": cu}}):
        for f in doc.get("forums", []):
            if _tagged(f["fkp_id"], tag):
                forums.setdefault(f["fkp_id"], {"progress": []})
        for p in doc.get("promises", []):
            if _tagged(p["fkp_id"], tag):
                forums.setdefault(p["fkp_id"], {"progress": []})["progress"] = [
                    h["progress_pct"] for h in p["history"] if h["kind"] == "progress"]
    for f in agg["fkp_forums"].find({"unit_id": {"$in": cu}}, projection={"_id": 1}):
        if _tagged(f["_id"], tag):
            forums.setdefault(f["_id"], {"progress": []})
    out["forums"] = forums
    if agg_db is None:
        svc = list(mongo.db("consultation")["events"].find({"key": {"$in": cu}},
                                                            projection={"envelope": 1, "subject": 1, "seq": 1}))
        last = _last_by_subject(svc)
        for unit in cu:
            report = _get(platform, f"/v1/fkp/units/{unit}?year={YEAR}")
            held = sum(1 for s, d in last.items() if s.startswith("fkp:") and d["envelope"]["data"]["unit_id"] == unit
                       and d["envelope"]["data"].get("stage") in ("held", "closed"))
            statuses = Counter(d["envelope"]["data"]["status"] for s, d in last.items()
                               if s.startswith("fkp-promise:") and d["envelope"]["data"]["unit_id"] == unit)
            out["figures"].append((f"{unit} FKP forums held", report["forums_held"], held))
            out["figures"].append((f"{unit} FKP promises total", report["promises"]["total"], sum(statuses.values())))
            for k in ("planned", "in_progress"):
                out["figures"].append((f"{unit} FKP promises {k}", report["promises"][k], statuses.get(k, 0)))

    # --- complaints and their actions ---
    ku = list(units["complaints"])
    complaints: dict = {}
    for c in agg["complaints"].find({"filed_unit_id": {"$in": ku}}, projection={"log": 1, "status": 1}):
        if _tagged(c["_id"], tag):
            complaints[c["_id"]] = {"actions": [e["data"]["action"] for e in c["log"] if e["seq"] > 1],
                                    "status": c["status"]}
    out["complaints"] = complaints
    if agg_db is None:
        svc = list(mongo.db("complaints")["events"].find({}, projection={"envelope": 1, "subject": 1, "seq": 1}))
        last = _last_by_subject(svc)
        by_unit: dict = defaultdict(Counter)
        for d in last.values():
            data = d["envelope"]["data"]
            by_unit[data.get("holder_unit_id") or data["unit_id"]][data["status"]] += 1
        for unit in ku:
            summary = platform.summary(unit)
            out["figures"].append((f"{unit} complaints by status", summary["complaints_by_status"], dict(by_unit[unit])))
        out["audit"] = audit_pairs()
    return out


def audit_pairs() -> dict:
    """Bureau writes and their audit entries (pantau/audit.py): the entries the services' event
    documents carry, the `w:` entries of the log with the event each names, and which of those
    events exist."""
    carried: dict = defaultdict(set)
    for svc in ("survey", "consultation", "complaints"):
        for d in mongo.db(svc)["events"].find({"audit": {"$exists": True}}, projection={"audit": 1}):
            carried[d["audit"]["_id"]].add(d["_id"])
    logged = {e["_id"]: (e.get("details") or {}).get("event")
              for e in mongo.db("registry")["audit"].find({"_id": {"$regex": "^w:"}}, projection={"details": 1})}
    named = [ev for ev in logged.values() if ev]
    existing = set()
    for svc in ("survey", "consultation", "complaints"):
        existing |= {d["_id"] for d in mongo.db(svc)["events"].find({"_id": {"$in": named}}, projection={"_id": 1})}
    return {"carried": dict(carried), "logged": logged, "existing": existing}


# --- Kafka: DLQ and lag ---

def dlq_end_offsets() -> int:
    from kafka import KafkaConsumer, TopicPartition
    s = settings()
    c = KafkaConsumer(bootstrap_servers=s.kafka_bootstrap, group_id=None, enable_auto_commit=False)
    try:
        tps = [TopicPartition(s.dlq(svc), n) for svc in ("survey", "consultation", "complaints")
               for n in c.partitions_for_topic(s.dlq(svc)) or []]
        return sum(c.end_offsets(tps).values())
    finally:
        c.close()


def dlq_marked(platform, marker: str) -> int:
    s = settings()
    return sum(1 for svc in ("survey", "consultation", "complaints")
               for r in platform.topic_records(s.dlq(svc), 1500) if marker.encode() in (r.value or b""))


def wait_drained(platform, timeout: float) -> float:
    """Seconds until the pipeline is drained (`Platform.wait_drained` in tests/conftest.py)."""
    return platform.wait_drained(timeout)
