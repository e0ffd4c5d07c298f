"""What an Open311 JSON value looks like once carried by the XML form: text, booleans as
true/false, null as an empty element (the Spark convention both formats follow). Shared by the
formatter's unit tests and the e2e test that reads both formats with the `georeport` client."""
from __future__ import annotations


def as_text(value):
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)
