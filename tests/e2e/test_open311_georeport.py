"""Open311 GeoReport v2 on the live platform, driven by the unmodified `georeport` client (PyPI)
in both its XML and its JSON mode: discovery, services, a service definition, the listing with the
spec's filters, one request, and GeoReport error documents (400, 404, 405) on the /open311/ paths
while the rest of the API stays problem+json. Confidential complaints never appear."""
from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest
import requests
from georeport import GeoReport
from open311_text import as_text

pytestmark = pytest.mark.e2e

UNIT = "rsud-kanujoso"
AGENCY = "RSUD dr. Kanujoso Djatiwibowo Balikpapan"
WITA = timezone(timedelta(hours=8))
FORMATS = ("xml", "json")


def _listed(result) -> list[dict]:
    """xmltodict gives one repeated element as a dict, several as a list."""
    return result if isinstance(result, list) else [result]


def error_doc(resp: requests.Response, fmt: str) -> tuple[int, str]:
    """(code, description) of a GeoReport error document, checked to be one."""
    return error_doc_of(resp.status_code, resp.headers["Content-Type"], resp.content, fmt)


def error_doc_of(status: int, content_type: str, body: bytes, fmt: str) -> tuple[int, str]:
    if fmt == "xml":
        assert content_type == "text/xml; charset=utf-8", content_type
        root = ET.fromstring(body)
        assert root.tag == "errors" and [e.tag for e in root] == ["error"], body
        assert [c.tag for c in root[0]] == ["code", "description"], body
        code, description = int(root[0].find("code").text), root[0].find("description").text
    else:
        assert content_type == "application/json; charset=utf-8", content_type
        doc = json.loads(body)
        assert isinstance(doc, list) and len(doc) == 1 and set(doc[0]) == {"code", "description"}, body
        code, description = doc[0]["code"], doc[0]["description"]
    assert code == status and description and "Traceback" not in description
    return code, description


def refused(call, fmt: str, status: int) -> str:
    with pytest.raises(requests.HTTPError) as err:
        call()
    code, description = error_doc(err.value.response, fmt)
    assert code == status
    return description


@pytest.fixture(scope="module")
def complaints(platform):
    """Two open and one closed public complaint of UNIT, and a confidential one, all received in
    the last days (inside the default 90-day window)."""
    marker = uuid.uuid4().hex[:10].upper()
    holder, bureau = platform.headers(platform.key(UNIT)), platform.headers(platform.bureau)
    now = datetime.now(WITA).replace(microsecond=0)
    made = {}
    for n, (name, classification, days, confidential) in enumerate((
            ("open_a", "pengaduan", 3, False), ("open_b", "aspirasi", 2, False),
            ("closed", "pengaduan", 1, False), ("secret", "pengaduan", 1, True))):
        tid = f"O311-{marker}-{n}"
        body = {"unit_id": UNIT, "tracking_id": tid, "channel": "web", "classification": classification,
                "category": "antrean", "subject": f"Antrean loket {name} {marker}",
                "description": "Antrean terlalu panjang.", "received_at": (now - timedelta(days=days)).isoformat(),
                "confidential": confidential, "reporter": {"name": f"Warga {marker}", "phone": "081234567890"}}
        r = requests.post(platform.url("complaints", "/v1/complaints"), json=body, headers=holder, timeout=15)
        assert r.status_code == 201, r.text
        made[name] = body
    r = requests.post(platform.url("complaints", f"/v1/complaints/{made['closed']['tracking_id']}/actions"),
                      json={"action": "archive", "reason": "duplikat", "note": "Sama dengan laporan lain."},
                      headers=bureau, timeout=15)
    assert r.status_code == 200, r.text
    every = ",".join(made[n]["tracking_id"] for n in ("open_a", "open_b", "closed"))
    platform.wait_for(lambda: len(requests.get(platform.url("complaints", "/open311/v2/requests.json"),
                                               params={"service_request_id": every}, timeout=15).json()) == 3,
                      timeout=30, what="the new complaints in the (10 s cached) listing")
    return made


def client(platform, fmt: str, jurisdiction: str | None = "kaltim") -> GeoReport:
    return GeoReport(platform.url("complaints", "/open311/v2"), jurisdiction=jurisdiction, output_format=fmt)


def ids_of(made: dict, *names: str) -> str:
    return ",".join(made[n]["tracking_id"] for n in names)


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_and_definitions_through_the_client(platform, fmt):
    geo = client(platform, fmt)
    services = geo.get_service_list()
    assert [s["service_code"] for s in services] == ["pengaduan", "aspirasi", "permintaan_informasi"]
    assert all(s["metadata"] == (False if fmt == "json" else "false") and s["type"] == "realtime" for s in services)
    assert services[1]["service_name"] == "Aspirasi"
    definition = geo.get_service_definition("aspirasi")
    assert definition["service_code"] == "aspirasi"
    assert definition["attributes"] == ([] if fmt == "json" else None)  # <attributes /> parses to None
    assert "tidak ditemukan" in refused(lambda: geo.get_service_definition("parkir"), fmt, 404)


def test_the_two_formats_say_the_same(platform, complaints):
    """Every resource's XML is its JSON by the Spark convention (values as text)."""
    every = ids_of(complaints, "open_a", "open_b", "closed")
    xml_c, json_c = client(platform, "xml"), client(platform, "json")
    assert xml_c.get_service_list() == as_text(json_c.get_service_list())
    listed_xml = _listed(xml_c.get_service_requests(service_request_id=every))
    assert listed_xml == as_text(json_c.get_service_requests(service_request_id=every))
    tid = complaints["open_b"]["tracking_id"]
    assert xml_c.get_service_request(tid) == as_text(json_c.get_service_request(tid))


@pytest.mark.parametrize("fmt", FORMATS)
def test_requests_through_the_client(platform, complaints, fmt):
    geo = client(platform, fmt)
    every = ids_of(complaints, "open_a", "open_b", "closed", "secret")
    listed = _listed(geo.get_service_requests(service_request_id=every))
    assert len(listed) == 3
    by_id = {r["service_request_id"]: r for r in listed}
    assert complaints["secret"]["tracking_id"] not in by_id
    a, b, c = (by_id[complaints[n]["tracking_id"]] for n in ("open_a", "open_b", "closed"))
    assert [r["service_request_id"] for r in listed] == [c["service_request_id"], b["service_request_id"],
                                                         a["service_request_id"]]  # newest first
    assert (a["status"], b["status"], c["status"]) == ("open", "open", "closed")
    assert (a["service_code"], b["service_code"]) == ("pengaduan", "aspirasi")
    assert b["description"] == complaints["open_b"]["subject"] and b["agency_responsible"] == AGENCY
    assert b["address"] is None and b["lat"] is None and b["media_url"] is None
    assert c["status_notes"] == "Laporan Arsip"
    assert "Warga" not in repr(listed) and "081234567890" not in repr(listed)

    mine = {r["service_request_id"] for r in listed}
    def in_window(**kw) -> set[str]:
        return {r["service_request_id"] for r in _listed(geo.get_service_requests(**kw))} & mine

    assert in_window() == mine  # the default window, the last 90 days, holds them
    assert in_window(status="open") == {a["service_request_id"], b["service_request_id"]}
    assert in_window(status="closed") == {c["service_request_id"]}
    assert in_window(status="open,closed") == mine
    assert in_window(service_code="aspirasi") == {b["service_request_id"]}
    assert in_window(service_code="aspirasi,pengaduan", status="open") == {a["service_request_id"], b["service_request_id"]}
    received_b = datetime.fromisoformat(complaints["open_b"]["received_at"])
    assert in_window(start_date=(received_b - timedelta(minutes=1)).isoformat(),
                     end_date=(received_b + timedelta(minutes=1)).isoformat()) == {b["service_request_id"]}
    utc = received_b.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert in_window(start_date=utc, end_date=utc) == {b["service_request_id"]}  # Z form, bounds inclusive
    # an empty result: <service_requests /> (the client itself cannot read an empty XML listing:
    # xmltodict makes it None), so read it without the client
    old = datetime(2025, 1, 1, tzinfo=WITA)
    empty = requests.get(platform.url("complaints", f"/open311/v2/requests.{fmt}"), timeout=15,
                         params={"start_date": old.isoformat(), "end_date": (old + timedelta(days=90)).isoformat(),
                                 "service_request_id": "", "status": "open"})
    assert empty.status_code == 200
    if fmt == "xml":
        root = ET.fromstring(empty.content)
        assert (root.tag, len(root)) == ("service_requests", 0), empty.text
    else:
        assert empty.json() == [], empty.text
    # service_request_id overrides the other filters
    assert in_window(service_request_id=a["service_request_id"], status="closed", service_code="aspirasi") == {
        a["service_request_id"]}

    one = geo.get_service_request(b["service_request_id"])
    assert one == b
    assert "tidak ditemukan" in refused(lambda: geo.get_service_request(complaints["secret"]["tracking_id"]), fmt, 404)
    assert "tidak ditemukan" in refused(lambda: geo.get_service_request("TIDAK-ADA-311"), fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_parameter_errors_through_the_client(platform, fmt):
    geo = client(platform, fmt)
    assert "status" in refused(lambda: geo.get_service_requests(status="bogus"), fmt, 400)
    assert "status" in refused(lambda: geo.get_service_requests(status="open,pending"), fmt, 400)
    assert "start_date" in refused(lambda: geo.get_service_requests(start_date="kemarin"), fmt, 400)
    assert "end_date" in refused(lambda: geo.get_service_requests(end_date="2026-01-01"), fmt, 400)  # no time/offset
    assert "sebelum" in refused(lambda: geo.get_service_requests(start_date="2026-02-01T00:00:00Z",
                                                                  end_date="2026-01-01T00:00:00Z"), fmt, 400)
    assert "90 hari" in refused(lambda: geo.get_service_requests(start_date="2026-01-01T00:00:00+08:00",
                                                                  end_date="2026-04-02T00:00:00+08:00"), fmt, 400)
    elsewhere = client(platform, fmt, jurisdiction="sfgov.org")
    for call in (elsewhere.get_service_list, lambda: elsewhere.get_service_definition("aspirasi"),
                 elsewhere.get_service_requests, lambda: elsewhere.get_service_request("X")):
        assert "jurisdiction_id" in refused(call, fmt, 404)
    assert client(platform, fmt, jurisdiction=None).get_service_list()  # jurisdiction_id is optional


@pytest.mark.parametrize("fmt", FORMATS)
def test_error_documents_outside_the_views(platform, fmt):
    base = platform.url("complaints", "/open311/v2")
    posted = requests.post(f"{base}/requests.{fmt}", data={"service_code": "aspirasi"}, timeout=15)
    assert error_doc(posted, fmt)[0] == 405 and "GET" in posted.headers["Allow"]
    assert error_doc(requests.get(f"{base}/tidak-ada.{fmt}", timeout=15), fmt)[0] == 404
    assert error_doc(requests.get(f"{base}/requests/x/y.{fmt}", timeout=15), fmt)[0] == 404
    # an empty parameter counts as not given (the spec's "Optional Arguments"), not as an error
    empty = requests.get(f"{base}/requests.{fmt}", params={"start_date": "", "status": "", "jurisdiction_id": ""},
                         timeout=15)
    assert empty.status_code == 200 and empty.content == requests.get(f"{base}/requests.{fmt}", timeout=15).content


def test_unknown_formats_answer_xml_errors_and_the_rest_stays_problem_json(platform):
    base = platform.url("complaints", "/open311/v2")
    for path in ("/services.csv", "/requests.html", "/requests", "/services/aspirasi.yaml"):
        assert error_doc(requests.get(base + path, timeout=15), "xml")[0] == 404
    english = requests.get(base + "/services.json", params={"jurisdiction_id": "x"},
                           headers={"Accept-Language": "en"}, timeout=15)
    assert "not found" in error_doc(english, "json")[1]
    other = requests.get(platform.url("complaints", "/v1/complaints/track/TIDAK-ADA-311"), timeout=15)
    assert other.status_code == 404 and other.headers["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_leads_to_the_endpoint(platform, complaints, fmt):
    r = requests.get(platform.url("complaints", f"/open311/discovery.{fmt}"), timeout=15)
    assert r.status_code == 200
    if fmt == "xml":
        assert r.headers["Content-Type"] == "text/xml; charset=utf-8"
        root = ET.fromstring(r.content)
        assert root.tag == "discovery"
        endpoint = root.find("endpoints/endpoint")
        url, spec = endpoint.find("url").text, endpoint.find("specification").text
        formats = [f.text for f in endpoint.find("formats")]
    else:
        assert r.headers["Content-Type"] == "application/json; charset=utf-8"
        endpoint = r.json()["endpoints"][0]
        url, spec, formats = endpoint["url"], endpoint["specification"], endpoint["formats"]
    assert spec == "http://wiki.open311.org/GeoReport_v2" and formats == ["text/xml", "application/json"]
    assert url == platform.url("complaints", "/open311/v2")
    tid = complaints["open_a"]["tracking_id"]
    assert GeoReport(url, output_format=fmt).get_service_request(tid)["service_request_id"] == tid


@pytest.mark.parametrize("fmt", FORMATS)
def test_rate_limited_is_a_georeport_429(infra, monkeypatch, fmt):
    """The app's own rate limiter (counters in the platform's store), in process with a tiny limit:
    the 429 is a GeoReport error document and keeps its Retry-After."""
    monkeypatch.setenv("PANTAU_RATE_LIMIT", "3/hour")  # windows are aligned to the clock: an hour is never crossed here
    from pantau.ratelimit_store import StoreStorage
    from pantau.web import create_app
    from services.complaints.open311 import open311_blp
    StoreStorage().reset()
    app = create_app("complaints", [open311_blp], title="t")
    web = app.test_client()
    addr = {"REMOTE_ADDR": f"10.3.11.{FORMATS.index(fmt) + 1}"}  # a client address of its own
    codes = [web.get(f"/open311/v2/services.{fmt}", environ_base=addr) for _ in range(4)]
    assert [r.status_code for r in codes] == [200, 200, 200, 429]
    last = codes[-1]
    assert int(last.headers["Retry-After"]) >= 1
    assert "Batas permintaan" in error_doc_of(last.status_code, last.headers["Content-Type"], last.data, fmt)[1]


@pytest.mark.parametrize("fmt", FORMATS)
def test_store_down_is_a_georeport_503(platform, fmt):
    """The store killed (kill -9) and restarted: meanwhile a request answers 503 as a GeoReport
    error document with Retry-After; afterwards the same request answers again."""
    from pantau_platform.infra import procs
    from pantau_platform.infra import store as store_proc
    url = platform.url("complaints", f"/open311/v2/requests/TIDAK-ADA-311.{fmt}")
    procs.kill9(platform.profile.name, "store")
    try:
        down = requests.get(url, timeout=60)
    finally:
        store_proc.start(platform.profile)
        store_proc.wait_ready(platform.profile)
    assert down.status_code == 503, down.text
    assert error_doc(down, fmt)[0] == 503 and down.headers["Retry-After"] == "5"
    back = platform.wait_for(lambda: (r := requests.get(url, timeout=30)).status_code == 404 and (r,),
                             timeout=60, what="the store back")  # (a 404 Response is falsy)
    assert error_doc(back[0], fmt)[0] == 404
