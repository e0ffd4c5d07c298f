"""Reporter identity never leaves the complaints service, and a confidential complaint shows no
content outside it: not in events (store or Kafka), the aggregator, its reports, public tracking,
Open311, metrics or any log file; and the reporters' identity is not in plain text in the store's
raw files, Kafka's log directory or a backup (it is sealed at rest: pantau/data_keys.py).
Handlers see the content; nobody sees an anonymous reporter."""
from __future__ import annotations

import json
import random
import uuid

import pytest
import requests

from pantau.config import settings
from pantau_platform.infra import procs

pytestmark = pytest.mark.e2e

UNIT = "rsud-aws"
PERIOD = "2026-01"
TOKEN_HEADER = "X-Reporter-Token"


def _digits(n: int) -> str:
    return "".join(random.choice("0123456789") for _ in range(n))


def _absent(text: str, secrets: list[str], where: str) -> None:
    for s in secrets:
        assert s not in text, f"{s!r} leaked into {where}"


def test_anonymous_confidential_complaint_never_shows_reporter_or_content(platform, tmp_path):
    marker = uuid.uuid4().hex
    ident = {"name": f"Siti Rahayu {marker[:6]}", "phone": "0812" + _digits(8),
             "email": f"siti.{marker[:8]}@contoh.id", "nik": "64" + _digits(14),
             "address": f"Jl. Kenanga {marker[:5]}"}
    content = [f"Pungutan liar {marker}", f"Petugas meminta uang tambahan {marker[::-1]}",
               f"catatan-{marker[:12]}"]
    open_ident = {"name": f"Andi Wijaya {marker[6:12]}", "phone": "0813" + _digits(8)}
    open_subject = f"Parkir rumah sakit penuh {marker[12:20]}"
    identity = list(ident.values()) + list(open_ident.values())
    secret = identity + content
    bureau = platform.headers(platform.bureau)
    holder = platform.headers(platform.key(UNIT))
    tid, tid_open = f"RHS-{marker[:10].upper()}", f"OPN-{marker[:10].upper()}"

    confidential = {"unit_id": UNIT, "tracking_id": tid, "channel": "lapor", "classification": "pengaduan",
                    "category": "pungli", "subject": content[0], "description": content[1], "place": "Loket farmasi",
                    "received_at": "2026-01-20T09:00:00+08:00", "anonymous": True, "confidential": True,
                    "reporter": ident}
    r = requests.post(platform.url("complaints", "/v1/complaints"), json=confidential, headers=holder, timeout=15)
    assert r.status_code == 201, r.text
    _absent(r.text, secret, "the intake answer")
    token = r.json()["reporter_token"]
    public = {"unit_id": UNIT, "tracking_id": tid_open, "channel": "web", "classification": "aspirasi",
              "category": "parkir", "subject": open_subject, "description": "Mohon tambah lahan parkir.",
              "received_at": "2026-01-21T09:00:00+08:00", "reporter": open_ident}
    r = requests.post(platform.url("complaints", "/v1/complaints"), json=public, headers=holder, timeout=15)
    assert r.status_code == 201, r.text

    act = platform.url("complaints", f"/v1/complaints/{tid}/actions")
    assert requests.post(act, json={"action": "verify", "at": "2026-01-21T10:00:00+08:00"}, headers=bureau).ok
    assert requests.post(act, json={"action": "follow_up", "at": "2026-01-22T10:00:00+08:00",
                                    "note": content[2]}, headers=holder).ok
    assert requests.post(act, json={"action": "resolve", "note": f"Petugas diperiksa; {content[2]}"},
                         headers=holder).ok
    assert requests.post(act, json={"action": "rate", "satisfaction": 3}, headers={TOKEN_HEADER: token}).ok

    # handlers: content yes, anonymous reporter no
    for h in (bureau, holder):
        v = requests.get(platform.url("complaints", f"/v1/complaints/{tid}"), headers=h).json()
        assert v["complaint"]["reporter"] is None and v["reporter_hidden"] is True
        assert v["complaint"]["subject"] == content[0] and v["complaint"]["description"] == content[1]
        _absent(json.dumps(v), identity, "the handlers' view")
    assert requests.get(platform.url("complaints", f"/v1/complaints/{tid_open}"),
                        headers=holder).json()["complaint"]["reporter"]["name"] == open_ident["name"]

    # public tracking: status, dates, holder; no content for the confidential one
    t = requests.get(platform.url("complaints", f"/v1/complaints/track/{tid}"))
    assert t.status_code == 200
    body = t.json()
    assert (body["status"], body["holder_unit_id"], body["confidential"]) == ("ANSWERED", UNIT, True)
    assert "subject" not in body and "category" not in body and "answers" not in body
    _absent(t.text, secret + ["pungli"], "public tracking")
    mine = requests.get(platform.url("complaints", f"/v1/complaints/track/{tid}"), headers={TOKEN_HEADER: token})
    assert [a["action"] for a in mine.json()["answers"]] == ["follow_up", "resolve"]  # the reporter's own
    _absent(mine.text, identity, "the reporter's tracking view")
    t_open = requests.get(platform.url("complaints", f"/v1/complaints/track/{tid_open}"))
    assert t_open.json()["subject"] == open_subject
    _absent(t_open.text, secret, "public tracking of the open complaint")

    # Open311: the confidential complaint does not exist there
    services = requests.get(platform.url("complaints", "/open311/v2/services.json")).json()
    assert [s["service_code"] for s in services] == ["pengaduan", "aspirasi", "permintaan_informasi"]
    listing = requests.get(platform.url("complaints", "/open311/v2/requests.json"),
                           params={"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-01-31T23:59:59+08:00"})
    assert listing.status_code == 200
    ids = [x["service_request_id"] for x in listing.json()]
    assert tid_open in ids and tid not in ids
    _absent(listing.text, secret, "Open311 requests.json")
    assert requests.get(platform.url("complaints", "/open311/v2/requests.json"),
                        params={"service_request_id": tid}).json() == []
    assert requests.get(platform.url("complaints", f"/open311/v2/requests/{tid}.json")).status_code == 404
    one = requests.get(platform.url("complaints", f"/open311/v2/requests/{tid_open}.json"))
    assert one.status_code == 200
    item = one.json()[0]
    assert (item["service_request_id"], item["status"], item["service_code"], item["description"]) == (
        tid_open, "open", "aspirasi", open_subject)
    assert item["agency_responsible"] == "RSUD Abdul Wahab Sjahranie" and item["address"] is None
    _absent(one.text, secret, "Open311 requests/{id}.json")
    listing_xml = requests.get(platform.url("complaints", "/open311/v2/requests.xml"),
                               params={"start_date": "2026-01-01T00:00:00+08:00", "end_date": "2026-01-31T23:59:59+08:00"})
    assert listing_xml.status_code == 200 and f"<service_request_id>{tid_open}</service_request_id>" in listing_xml.text
    assert tid not in listing_xml.text
    _absent(listing_xml.text, secret, "Open311 requests.xml")
    assert requests.get(platform.url("complaints", f"/open311/v2/requests/{tid}.xml")).status_code == 404

    # the aggregator: figures yes, identity and content never
    rep = platform.wait_for(lambda: (x := requests.get(platform.url("aggregator", f"/v1/complaints/units/{UNIT}"),
                                                       params={"period": PERIOD}, headers=bureau).json())
                            and x["satisfaction"]["n"] == 1 and x["complaints"] == 2 and x,
                            what="both complaints and the rating in the aggregator")
    assert rep["by_status"]["ANSWERED"] == 1 and rep["by_status"]["RECEIVED"] == 1
    answers = [json.dumps(rep)]
    for path, params in ((f"/v1/complaints/units/{UNIT}", {"period": "2026"}),
                         ("/v1/complaints/province", {"period": PERIOD}),
                         ("/v1/complaints/province", {"period": "2026-Q1", "as_of": "2026-02-01T00:00:00+08:00"}),
                         (f"/v1/units/{UNIT}/summary", {})):
        x = requests.get(platform.url("aggregator", path), params=params, headers=bureau)
        assert x.status_code == 200, x.text
        answers.append(x.text)
    _absent("\n".join(answers), secret + [open_subject], "aggregator reports")

    # nothing personal or confidential in any event: the store, Kafka, the aggregator's store
    from pantau import mongo
    envelopes = [d["envelope"] for d in mongo.db("complaints")["events"].find(
        {"subject": {"$in": [f"complaint:{tid}", f"complaint:{tid_open}"]}})]
    assert len(envelopes) == 6
    _absent(json.dumps(envelopes), secret + [open_subject], "the complaint events")
    agg_docs = list(mongo.db("aggregator")["complaints"].find({"_id": {"$in": [tid, tid_open]}}))
    assert len(agg_docs) == 2
    _absent(json.dumps(agg_docs, default=str), secret + [open_subject], "the aggregator's complaint documents")
    records = platform.topic_records(settings().topic("complaints"))
    topic = b"\n".join((r.value or b"") + b" " + (r.key or b"") for r in records).decode("utf-8", "replace")
    assert tid in topic
    _absent(topic, secret + [open_subject], "the complaints Kafka topic")

    # metrics and every log file of this platform (services, relays, consumer)
    for service in ("complaints", "aggregator"):
        _absent(requests.get(platform.url(service, "/metrics")).text, secret, f"{service} /metrics")
    workers = ("aggregator", "survey", "consultation", "complaints", "relay-survey", "relay-consultation",
               "relay-complaints", "consumer")
    logs = [p for p in sorted((procs.run_dir(platform.profile.name) / "logs").glob("*.log")) if p.stem in workers]
    assert {p.stem for p in logs} == set(workers)
    for p in logs:
        _absent(p.read_text(encoding="utf-8", errors="replace"), secret + [open_subject], f"log {p.name}")

    # the raw files: the store's SQLite files, Kafka's log segments and a fresh backup
    from click.testing import CliRunner
    from raw_scan import files, hits

    from pantau_platform import cli
    assert CliRunner().invoke(cli.main, ["backup", str(tmp_path / "cadangan")]).exit_code == 0
    run = procs.run_dir(platform.profile.name)
    raw = files(run / "ferretdb-data", run / "kafka-data", tmp_path / "cadangan")
    found = hits(raw, identity + [tid_open])
    assert tid_open in found  # the scan reads the files that hold the complaints
    assert not {v: found[v] for v in identity if v in found}, "reporter identity in plain text at rest"

    # the dashboard's exports (every table of the complaint pages) and the public pages
    import io
    import re

    from openpyxl import load_workbook
    web = requests.Session()
    page = web.get(platform.url("aggregator", "/masuk"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text) or \
        re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token, "login form has a CSRF token"
    login = web.post(platform.url("aggregator", "/masuk"), data={"csrf_token": token.group(1),
                                                                  "api_key": platform.bureau})
    assert login.status_code == 200 and "/masuk" not in login.url
    exported = []
    for path in ("/dasbor/pengaduan", f"/dasbor/unit/{UNIT}/pengaduan", f"/dasbor/unit/{UNIT}"):
        x = web.get(platform.url("aggregator", path), params={"tahun": "2026", "format": "xlsx"})
        assert x.status_code == 200 and x.content[:2] == b"PK", (path, x.status_code)
        wb = load_workbook(io.BytesIO(x.content), read_only=True)
        exported += [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
                     if v is not None]
        exported.append(web.get(platform.url("aggregator", path), params={"tahun": "2026"}).text)
    assert any(tid_open in v or "pengaduan" in v.lower() for v in exported)  # the exports are not empty
    for path in ("/publik/skm", f"/publik/skm/{UNIT}"):
        exported.append(requests.get(platform.url("aggregator", path)).text)
    _absent("\n".join(exported), secret + [open_subject], "dashboard pages, their XLSX exports and public pages")
