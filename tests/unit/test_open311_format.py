"""Open311 GeoReport v2: the XML/JSON serialisation (services/complaints/open311_format.py) and the
parameter rules (services/complaints/open311_params.py). Pure: no store, no Flask app."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import orjson
import pytest
from open311_text import as_text

from pantau.problems import ProblemError
from services.complaints import open311_format as gr
from services.complaints.open311_params import MAX_DAYS, RequestQuery, request_query

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)
REQUEST = {"service_request_id": "OPN-1", "status": "open", "status_notes": "Diterima",
           "service_name": "Aspirasi", "service_code": "aspirasi", "description": "Parkir <penuh> & sesak",
           "requested_datetime": "2026-01-21T09:00:00+08:00", "expected_datetime": None, "lat": None}


def spark(el: ET.Element):
    """XML back to the JSON shape by the Spark convention: a list element's children → a list,
    other elements with children → a dict, leaves → their text (None when empty)."""
    if el.tag in gr.ITEM_TAGS:
        assert all(c.tag == gr.ITEM_TAGS[el.tag] for c in el), el.tag
        return [spark(c) for c in el]
    if len(el):
        return {c.tag: spark(c) for c in el}
    return el.text


def both(render, *args):
    xml_body, xml_type = render(*args, gr.XML)
    json_body, json_type = render(*args, gr.JSON)
    assert xml_type == "text/xml; charset=utf-8" and json_type == "application/json; charset=utf-8"
    assert xml_body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(xml_body), orjson.loads(json_body)


def test_service_requests_xml_has_the_spec_elements_and_matches_the_json():
    second = {**REQUEST, "service_request_id": "OPN-2", "status": "closed"}
    root, data = both(gr.service_requests, [REQUEST, second])
    assert root.tag == "service_requests" and [c.tag for c in root] == ["request", "request"]
    assert root[0].find("description").text == "Parkir <penuh> & sesak"  # escaped, read back intact
    assert root[0].find("expected_datetime").text is None and len(root[0].find("lat")) == 0
    assert [c.tag for c in root[0]] == list(REQUEST)  # the element order is the field order
    assert data == [REQUEST, second]
    assert spark(root) == as_text(data)


def test_an_empty_listing_is_an_empty_root():
    root, data = both(gr.service_requests, [])
    assert root.tag == "service_requests" and len(root) == 0 and data == []


def test_services_booleans_are_true_false_in_both_formats():
    svc = {"service_code": "aspirasi", "service_name": "Aspirasi", "metadata": False, "type": "realtime"}
    root, data = both(gr.services, [svc])
    assert root.tag == "services" and root[0].tag == "service"
    assert root[0].find("metadata").text == "false" and data[0]["metadata"] is False
    assert spark(root) == as_text(data)


def test_service_definition_without_attributes():
    root, data = both(gr.service_definition, "aspirasi", [])
    assert root.tag == "service_definition" and root.find("service_code").text == "aspirasi"
    assert root.find("attributes") is not None and len(root.find("attributes")) == 0
    assert data == {"service_code": "aspirasi", "attributes": []}


def test_discovery_lists_endpoints_and_formats():
    doc = {"changeset": "2026-12-04T00:00:00+08:00", "contact": "Biro Organisasi",
           "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": "http://x/open311/v2",
                          "type": "production", "formats": ["text/xml", "application/json"]}]}
    root, data = both(gr.discovery, doc)
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints").find("endpoint").find("formats")] == ["text/xml", "application/json"]
    assert root.find("endpoints/endpoint/formats")[0].tag == "format"
    assert data == doc and spark(root) == as_text(doc)


def test_error_document():
    root, data = both(gr.errors, 400, "status hanya open atau closed")
    assert root.tag == "errors" and [c.tag for c in root] == ["error"]
    assert (root[0].find("code").text, root[0].find("description").text) == ("400", "status hanya open atau closed")
    assert data == [{"code": 400, "description": "status hanya open atau closed"}]


def test_a_list_without_a_known_item_name_is_refused():
    with pytest.raises(KeyError):
        gr.render("services", [{"tags": ["a"]}], gr.XML)


@pytest.mark.parametrize(("path", "fmt"), [("/open311/v2/requests.json", "json"), ("/open311/v2/requests.xml", "xml"),
                                           ("/open311/v2/requests.JSON", "json"), ("/open311/v2/requests.csv", "xml"),
                                           ("/open311/v2/requests", "xml")])
def test_the_format_of_a_path(path, fmt):
    assert gr.format_of_path(path) == fmt


def _status(args: dict) -> int:
    with pytest.raises(ProblemError) as err:
        request_query(args, NOW)
    return err.value.status


def test_the_default_window_is_the_last_90_days():
    q = request_query({}, NOW)
    assert (q.start, q.end) == (NOW - timedelta(days=MAX_DAYS), NOW)
    assert q == request_query({"start_date": "", "end_date": "", "status": "", "service_code": "",
                               "service_request_id": "", "jurisdiction_id": ""}, NOW)  # empty = not given


@pytest.mark.parametrize("status", ["bogus", "open,bogus", "OPEN", "open,", ",closed"])
def test_status_is_open_or_closed_only(status):
    assert _status({"status": status}) == 400


def test_status_comma_list():
    assert request_query({"status": "open,closed"}, NOW).statuses == {"open", "closed"}
    assert request_query({"status": "closed"}, NOW).statuses == {"closed"}


@pytest.mark.parametrize("value", ["2026-01-01", "2026-01-01T00:00:00", "yesterday", "2026-13-01T00:00:00Z",
                                   "2026-01-01 00:00:00+08:00x", "1767225600"])
def test_dates_must_be_w3c_datetimes_with_an_offset(value):
    assert _status({"start_date": value}) == 400
    assert _status({"end_date": value}) == 400


def test_w3c_forms_accepted():
    assert request_query({"start_date": "2026-01-01T00:00:00Z"}, NOW).start == datetime(2026, 1, 1, tzinfo=timezone.utc)
    plus = request_query({"start_date": "2026-01-01T08:00+08:00"}, NOW).start
    space = request_query({"start_date": "2026-01-01T08:00 08:00"}, NOW).start  # '+' decoded as a space
    assert plus == space == datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert request_query({"end_date": "2026-01-01T00:00:00.5-05:00"}, NOW).end.utcoffset() == timedelta(hours=-5)


def test_end_before_start_and_ranges_over_90_days_are_refused():
    assert _status({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-31T23:59:59Z"}) == 400
    assert _status({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:01Z"}) == 400
    q = request_query({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"}, NOW)  # 90 days
    assert q.end - q.start == timedelta(days=90)


def test_one_date_given_opens_a_90_day_window_from_it():
    q = request_query({"start_date": "2026-01-01T00:00:00Z"}, NOW)
    assert q.end == datetime(2026, 4, 1, tzinfo=timezone.utc)
    q = request_query({"end_date": "2026-04-01T00:00:00Z"}, NOW)
    assert q.start == datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_jurisdiction():
    assert request_query({"jurisdiction_id": "kaltim"}, NOW).ids == frozenset()
    assert _status({"jurisdiction_id": "sfgov.org"}) == 404


def test_ids_override_the_other_filters_but_the_others_are_still_checked():
    q = request_query({"service_request_id": "A,B", "status": "closed", "service_code": "aspirasi"}, NOW)
    assert q.ids == {"A", "B"}
    old = datetime(2020, 1, 1, tzinfo=timezone.utc)
    assert q.matches({"service_request_id": "A", "status": "open", "service_code": "pengaduan"}, old)
    assert not q.matches({"service_request_id": "C", "status": "closed", "service_code": "aspirasi"}, NOW)
    assert _status({"service_request_id": "A", "status": "bogus"}) == 400
    assert _status({"service_request_id": ",".join(str(i) for i in range(1001))}) == 400


def test_matches_window_code_and_status():
    q = RequestQuery(ids=frozenset(), start=NOW - timedelta(days=1), end=NOW,
                     service_codes=frozenset({"aspirasi"}), statuses=frozenset({"open"}))
    item = {"service_request_id": "A", "status": "open", "service_code": "aspirasi"}
    assert q.matches(item, NOW) and q.matches(item, NOW - timedelta(days=1))
    assert not q.matches(item, NOW + timedelta(seconds=1)) and not q.matches(item, NOW - timedelta(days=2))
    assert not q.matches({**item, "status": "closed"}, NOW)
    assert not q.matches({**item, "service_code": "pengaduan"}, NOW)
