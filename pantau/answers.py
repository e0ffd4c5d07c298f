"""Building blocks of the response schemas (what a service answers, in its OpenAPI document).

A route names its schema in `@blp.response`; its view returns its own `Response`
(pantau.web.json_response), which flask-smorest passes through unchanged, so the schema documents
the body and is checked against what is really sent by the fuzz suite (schemathesis'
`response_schema_conformance`, tests/security/test_fuzz.py), not used to serialise (dates and
keys stay as the view wrote them). A response
schema lists every key its view sends (`Answer`: no other key), each required unless the view
leaves it out; an object whose keys are data (a map of units, a table row) is a `Dict`.
"""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields


class Answer(Schema):
    """A response body: exactly these keys (`additionalProperties: false` in the document)."""

    class Meta:
        unknown = RAISE


def string(nullable: bool = False, **kwargs: Any) -> fields.String:
    return fields.String(required=True, allow_none=nullable, **kwargs)


def moment(nullable: bool = False, **kwargs: Any) -> fields.String:
    """A date-time as the views send it (ISO 8601 with offset)."""
    return fields.String(required=True, allow_none=nullable, metadata={"format": "date-time"}, **kwargs)


def day(nullable: bool = False, **kwargs: Any) -> fields.String:
    return fields.String(required=True, allow_none=nullable, metadata={"format": "date"}, **kwargs)


def integer(nullable: bool = False, **kwargs: Any) -> fields.Integer:
    return fields.Integer(required=True, allow_none=nullable, **kwargs)


def number(nullable: bool = False, **kwargs: Any) -> fields.Float:
    return fields.Float(required=True, allow_none=nullable, **kwargs)


def boolean(nullable: bool = False, **kwargs: Any) -> fields.Boolean:
    return fields.Boolean(required=True, allow_none=nullable, **kwargs)


def obj(nullable: bool = False, **kwargs: Any) -> fields.Dict:
    """An object whose keys are data (or whose shape another document describes)."""
    return fields.Dict(required=True, allow_none=nullable, **kwargs)


def items(inner: fields.Field | type[Schema], nullable: bool = False, **kwargs: Any) -> fields.List:
    field = fields.Nested(inner) if isinstance(inner, type) else inner
    return fields.List(field, required=True, allow_none=nullable, **kwargs)


def nested(schema: type[Schema], nullable: bool = False, **kwargs: Any) -> fields.Nested:
    return fields.Nested(schema, required=True, allow_none=nullable, **kwargs)


def optional(field: fields.Field) -> fields.Field:
    """A key the view sends only sometimes."""
    field.required = False
    return field


def anything(nullable: bool = False, **kwargs: Any) -> fields.Raw:
    """A key whose value takes more than one JSON type (a number or a note, say)."""
    return fields.Raw(required=True, allow_none=nullable, **kwargs)


def sometimes(field: fields.Field) -> fields.Field:
    """A key the view sends only sometimes, null where it has no figure (a report's optional figure)."""
    field.allow_none = True
    return optional(field)


def values(nullable: bool = False, **kwargs: Any) -> fields.List:
    """A list whose items another document describes."""
    return items(fields.Raw(), nullable=nullable, **kwargs)


class StoredFile(Answer):
    """A file as stored (pantau/uploads.py): its SHA-256, size and the content type read from it."""
    sha256 = string()
    size = integer()
    content_type = string()
