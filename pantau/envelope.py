"""CloudEvents 1.0 structured-JSON envelope.

`id` is the dedupe key, `subject` the aggregate id, `seq` (extension) the 1-based position of
the event in its subject's history, `dataversion` the schema version of `data`,
`correlationid` ties an HTTP request to its events. `data` is validated by a schema registered
per (type, dataversion); decoding is tolerant of unknown fields (EXCLUDE) so producers can add.
"""
from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

import orjson
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

SPECVERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"
KAFKA_HEADERS: list[tuple[str, bytes]] = [("content-type", CONTENT_TYPE.encode())]
"""The headers of a record in the CloudEvents Kafka binding's structured mode: the value holds the
whole event; no `ce_` header (a reader takes any `ce_` header for the binary mode)."""


class EnvelopeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    specversion = fields.String(required=True, validate=validate.Equal(SPECVERSION))
    id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    source = fields.String(required=True)
    type = fields.String(required=True)
    subject = fields.String(required=True)
    time = fields.AwareDateTime(required=True)
    seq = fields.Integer(required=True, validate=validate.Range(min=1))
    dataversion = fields.Integer(required=True, validate=validate.Range(min=1))
    correlationid = fields.String(load_default=None, allow_none=True)
    datacontenttype = fields.String(load_default="application/json")
    data = fields.Dict(required=True)


@dataclass(frozen=True)
class Event:
    id: str
    source: str
    type: str
    subject: str
    time: datetime
    seq: int
    dataversion: int
    data: dict[str, Any]
    correlationid: str | None = None
    # where the consumer read it (not part of the envelope): lets projections tell a redelivery
    # of the same record from a republished duplicate at a new offset
    position: tuple[str, int, int] | None = None  # (topic, partition, offset)
    # a replay of a parked record (pantau/dlq.py): `position` is then the original record's
    replay: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "specversion": SPECVERSION, "id": self.id, "source": self.source, "type": self.type,
            "subject": self.subject, "time": self.time.isoformat(), "seq": self.seq,
            "dataversion": self.dataversion, "correlationid": self.correlationid,
            "datacontenttype": "application/json", "data": self.data,
        }

    def to_bytes(self) -> bytes:
        return orjson.dumps(self.to_dict())


class PoisonEvent(Exception):
    """An event that can never be applied (undecodable, unknown type, invalid data)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


# (type, dataversion) -> schema factory; filled by each service's events module.
_DATA_SCHEMAS: dict[tuple[str, int], Callable[..., Schema]] = {}


_local = threading.local()


def _instance(factory: Callable[..., Schema]) -> Schema:
    """One schema instance per factory and thread, reused: building a marshmallow schema (it
    deep-copies its declared fields) costs more than validating with it (bench/README.md, "Fixes made")."""
    cache = getattr(_local, "schemas", None)
    if cache is None:
        cache = _local.schemas = {}
    schema = cache.get(factory)
    if schema is None:
        schema = cache[factory] = factory(unknown=EXCLUDE)
    return schema


def register(event_type: str, version: int, schema_factory: Callable[..., Schema]) -> None:
    _DATA_SCHEMAS[(event_type, version)] = schema_factory


def registered_types() -> list[tuple[str, int]]:
    return sorted(_DATA_SCHEMAS)


def new_event(*, source: str, type: str, subject: str, seq: int, data: dict[str, Any],
              time: datetime | None = None, dataversion: int = 1, correlationid: str | None = None,
              id: str | None = None) -> Event:
    """Build an event, validating `data` against its registered schema (fail fast on our bugs)."""
    schema = _DATA_SCHEMAS.get((type, dataversion))
    if schema is None:
        raise KeyError(f"no schema registered for {type} v{dataversion}")
    errors = _instance(schema).validate(data)
    if errors:
        raise ValueError(f"invalid data for {type}: {errors}")
    return Event(id=id or str(uuid.uuid4()), source=source, type=type, subject=subject,
                 time=time or datetime.now(timezone.utc), seq=seq, dataversion=dataversion,
                 data=data, correlationid=correlationid)


def decode(raw: bytes | None) -> Event:
    """Bytes from Kafka → Event, or PoisonEvent with a reason for the DLQ header."""
    if raw is None:
        raise PoisonEvent("undecodable", "empty record value")
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise PoisonEvent("undecodable", str(exc)) from None
    if not isinstance(doc, dict):
        raise PoisonEvent("undecodable", "value is not a JSON object")
    try:
        env = _instance(EnvelopeSchema).load(doc)
    except ValidationError as exc:
        raise PoisonEvent("invalid_envelope", orjson.dumps(exc.messages).decode()) from None
    schema = _DATA_SCHEMAS.get((env["type"], env["dataversion"]))
    if schema is None:
        known = {t for t, _ in _DATA_SCHEMAS}
        reason = "unknown_version" if env["type"] in known else "unknown_type"
        raise PoisonEvent(reason, f"{env['type']} v{env['dataversion']}")
    errors = _instance(schema).validate(env["data"])
    if errors:
        raise PoisonEvent("invalid_data", orjson.dumps(errors).decode())
    # `data` stays as plain JSON values; projections read what they need from it.
    return Event(id=env["id"], source=env["source"], type=env["type"], subject=env["subject"],
                 time=env["time"], seq=env["seq"], dataversion=env["dataversion"], data=env["data"],
                 correlationid=env["correlationid"])


def at_position(event: Event, topic: str, partition: int, offset: int, replay: bool = False) -> Event:
    return replace(event, position=(topic, partition, offset), replay=replay)
