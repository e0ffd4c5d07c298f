"""Open311 GeoReport v2 serialisation: one document, XML or JSON, with the spec's element names.

The JSON form follows the spec's Spark convention (a list root becomes a JSON array, a repeated
child element a JSON list); the XML form is built with xml.etree.ElementTree, UTF-8 with the XML
declaration, no namespace. `None` is an empty element in XML and `null` in JSON; booleans are
`true`/`false` in both. Pure: no Flask, no store.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

XML, JSON = "xml", "json"
FORMATS = (XML, JSON)
CONTENT_TYPES = {XML: "text/xml; charset=utf-8", JSON: "application/json; charset=utf-8"}
MEDIA_TYPES = {XML: "text/xml", JSON: "application/json"}
# a list's element name -> the element name of each of its items
ITEM_TAGS = {"services": "service", "service_requests": "request", "attributes": "attribute",
             "values": "value", "endpoints": "endpoint", "formats": "format", "errors": "error"}


def format_of_path(path: str) -> str:
    """The format a path asks for: `.json` is JSON; anything else XML, the spec's required format."""
    return JSON if path.lower().endswith(".json") else XML


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _fill(parent: ET.Element, tag: str, value: Any) -> None:
    el = ET.SubElement(parent, tag)
    if isinstance(value, Mapping):
        for k, v in value.items():
            _fill(el, k, v)
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS[tag]  # a list without a known item name is a programming error
        for v in value:
            _fill(el, item_tag, v)
    else:
        el.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    """`value` (a list or a mapping) as the XML document `<root>…</root>`."""
    holder = ET.Element("_")
    _fill(holder, root, value)
    return ET.tostring(holder[0], encoding="utf-8", xml_declaration=True)


def _default(o: Any):
    if isinstance(o, datetime):
        return o.isoformat()
    raise TypeError(type(o).__name__)


def render(root: str, value: Any, fmt: str) -> tuple[bytes, str]:
    """(body, Content-Type) of the document `root` holding `value` in `fmt`."""
    if fmt == XML:
        return to_xml(root, value), CONTENT_TYPES[XML]
    return orjson.dumps(value, default=_default), CONTENT_TYPES[JSON]


def services(items: list[dict], fmt: str) -> tuple[bytes, str]:
    return render("services", items, fmt)


def service_definition(service_code: str, attributes: list[dict], fmt: str) -> tuple[bytes, str]:
    return render("service_definition", {"service_code": service_code, "attributes": attributes}, fmt)


def service_requests(items: list[dict], fmt: str) -> tuple[bytes, str]:
    return render("service_requests", items, fmt)


def discovery(doc: dict, fmt: str) -> tuple[bytes, str]:
    return render("discovery", doc, fmt)


def errors(code: int, description: str, fmt: str) -> tuple[bytes, str]:
    """The spec's error document: `<errors><error><code>…</code><description>…</description>…`."""
    return render("errors", [{"code": code, "description": description}], fmt)
