"""Configuration from environment variables, with local defaults.

Every process (HTTP service, relay, consumer, CLI) reads the same variables, so a
deployment sets them once. Defaults match `make up` on loopback.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date

SERVICES = ("survey", "consultation", "complaints")
"""The write services; each owns a database and a Kafka topic. Kernel, not composition: the names
are the event logs' contract (database, topic and DLQ per log) that the writers, the relay, the
topic set-up and the consumer all read (docs/decisions/0006-composition.md)."""

TOPICS = {"survey": "skm.events", "consultation": "fkp.events", "complaints": "complaints.events"}
"""Topic per write service; each has a `<topic>.dlq` beside it."""

DEFAULT_PORTS = {"aggregator": 8000, "survey": 8001, "consultation": 8002, "complaints": 8003}
"""The services' HTTP ports on loopback; the aggregator's defaults for where survey and complaints answer."""


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    mongo_url: str = field(default_factory=lambda: _env(
        "PANTAU_MONGO_URL", "mongodb://127.0.0.1:27017/?directConnection=true"))
    # the store implementation, one of pantau.store.KINDS (empty: pantau.store.DEFAULT_KIND)
    store_kind: str = field(default_factory=lambda: _env("PANTAU_STORE_KIND", ""))
    kafka_bootstrap: str = field(default_factory=lambda: _env("PANTAU_KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    db_prefix: str = field(default_factory=lambda: _env("PANTAU_DB_PREFIX", "pantau"))
    topic_prefix: str = field(default_factory=lambda: _env("PANTAU_TOPIC_PREFIX", ""))
    tz: str = field(default_factory=lambda: _env("PANTAU_TZ", "Asia/Makassar"))
    province_id: str = field(default_factory=lambda: _env("PANTAU_PROVINCE", "kaltim"))
    ikm_weight_mode: str = field(default_factory=lambda: _env("PANTAU_IKM_WEIGHT_MODE", "exact"))
    ikm_official_method: str = field(default_factory=lambda: _env("PANTAU_IKM_OFFICIAL_METHOD", "pooled"))
    # the suffix is the projections' version: a new one (a projection changed shape) is a new
    # group, which rebuilds every projection from the topics' start (idempotently, by position/seq)
    consumer_group: str = field(default_factory=lambda: _env("PANTAU_CONSUMER_GROUP", "pantau-aggregator-2"))
    max_body_bytes: int = field(default_factory=lambda: int(_env("PANTAU_MAX_BODY_BYTES", str(8 * 1024 * 1024))))
    kafka_partitions: int = field(default_factory=lambda: int(_env("PANTAU_KAFKA_PARTITIONS", "3")))
    # the window of dates a write accepts (pantau/inputs.py): from earliest_date, and at most
    # plan_years_ahead years ahead for planned dates (forums, promise and RTL targets)
    earliest_date: date = field(default_factory=lambda: date.fromisoformat(_env("PANTAU_EARLIEST_DATE", "2000-01-01")))
    plan_years_ahead: int = field(default_factory=lambda: int(_env("PANTAU_PLAN_YEARS_AHEAD", "2")))
    upload_deadline_s: float = field(default_factory=lambda: float(_env("PANTAU_UPLOAD_DEADLINE_S", "20")))
    # where the dashboard forwards a person's form to the service that owns the write (PEKPPP scores)
    survey_url: str = field(default_factory=lambda: _env("PANTAU_SURVEY_URL", f"http://127.0.0.1:{DEFAULT_PORTS['survey']}"))
    # where the public tracking page reads a complaint's public view (the complaints service owns it)
    complaints_url: str = field(default_factory=lambda: _env(
        "PANTAU_COMPLAINTS_URL", f"http://127.0.0.1:{DEFAULT_PORTS['complaints']}"))
    # official PDF reports (services/aggregator/exports/official.py): an optional logo for the kop
    # (PNG, JPEG or SVG; unset: deploy/report/logo.{png,jpg,svg} if present, else no logo), the
    # place printed above the signature when a unit's signatory names none, and the Kepala Biro
    # Organisasi who signs the province recap (blank lines to sign on when unset)
    report_logo: str = field(default_factory=lambda: _env("PANTAU_REPORT_LOGO", ""))
    report_place: str = field(default_factory=lambda: _env("PANTAU_REPORT_PLACE", ""))
    bureau_signatory_name: str = field(default_factory=lambda: _env("PANTAU_BUREAU_SIGNATORY_NAME", ""))
    bureau_signatory_nip: str = field(default_factory=lambda: _env("PANTAU_BUREAU_SIGNATORY_NIP", ""))
    bureau_signatory_position: str = field(default_factory=lambda: _env(
        "PANTAU_BUREAU_SIGNATORY_POSITION", "Kepala Biro Organisasi"))

    def db_name(self, service: str) -> str:
        return f"{self.db_prefix}_{service}"

    def topic(self, service: str) -> str:
        return f"{self.topic_prefix}{TOPICS[service]}"

    def dlq(self, service: str) -> str:
        return self.topic(service) + ".dlq"

    def all_topics(self) -> list[str]:
        return [t for s in SERVICES for t in (self.topic(s), self.dlq(s))]


def settings() -> Settings:
    """Fresh settings from the current environment (cheap; tests change the environment)."""
    return Settings()
