"""Every Prometheus metric of the platform, defined in one place.

HTTP services run under gunicorn in multiprocess mode (PROMETHEUS_MULTIPROC_DIR is set by the
start script, never in Python); relays and the consumer are single processes with their own
`/metrics` port. Labels are bounded: service, route template, method, status, topic, partition,
reason, outcome, event type — never ids of units, people or requests.
"""
from __future__ import annotations

import os
from collections import OrderedDict

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)

HTTP_REQUESTS = Counter("pantau_http_requests_total", "HTTP requests handled",
                        ["service", "route", "method", "status"])
# size_class: "large" for request bodies over LARGE_BODY_BYTES (bulk uploads, up to 5,000 survey
# responses in one request), "small" otherwise; the latency SLO covers only "small" requests.
HTTP_LATENCY = Histogram("pantau_http_request_duration_seconds", "HTTP request latency",
                         ["service", "route", "method", "size_class"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
HTTP_IN_FLIGHT = Gauge("pantau_http_requests_in_flight", "HTTP requests being handled", ["service"],
                       multiprocess_mode="livesum")
EVENTS_STORED = Counter("pantau_events_stored_total", "Events durably stored in a service's event log",
                        ["service", "type"])

OUTBOX_BACKLOG = Gauge("pantau_outbox_backlog_events", "Stored events not yet published", ["service"],
                       multiprocess_mode="max")
OUTBOX_OLDEST_AGE = Gauge("pantau_outbox_oldest_age_seconds", "Age of the oldest unpublished event",
                          ["service"], multiprocess_mode="max")
RELAY_PUBLISH = Counter("pantau_relay_publish_total", "Relay publish attempts by outcome",
                        ["service", "outcome"])
RELAY_PUBLISHED_EVENTS = Counter("pantau_relay_published_events_total", "Events acknowledged by Kafka",
                                 ["service"])

CONSUMER_RECORDS = Counter("pantau_consumer_records_total", "Records consumed by outcome",
                           ["topic", "type", "outcome"])
CONSUMER_DLQ = Counter("pantau_consumer_dlq_records_total", "Records sent to a DLQ", ["topic", "reason"])
CONSUMER_RETRIES = Counter("pantau_consumer_retries_total", "Batches retried after an infrastructure error",
                           ["topic"])
CONSUMER_LAG = Gauge("pantau_consumer_lag_records", "Consumer lag (highwater - position)",
                     ["topic", "partition"])
CONSUMER_APPLY = Histogram("pantau_consumer_apply_seconds", "Time to apply one polled batch", ["topic"],
                           buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
PROJECTION_FRESHNESS = Gauge("pantau_projection_freshness_seconds",
                             "Now minus the Kafka time of the last applied record (when it was published)",
                             ["topic"])

# Readiness as a metric (Prometheus cannot probe /readyz without a blackbox exporter): HTTP
# services set it from the /readyz checks when scraped (`check` = store, kafka, service); the
# consumer sets `check="apply"` to 0 while a batch is being retried and back to 1 on success.
READY = Gauge("pantau_ready", "1 when the process's dependency check passes, else 0", ["check"],
              multiprocess_mode="livemostrecent")

# Domain gauges for the bureau, recomputed by the consumer process every ~15 s from the
# aggregator's projections (services/aggregator/domain_metrics.py). Labels: `period` in year|quarter|month
# (the current one, province time), `tier` in instansi|upp|opd|kabkota|unit. Province-wide only.
SKM_PROVINCE_IKM = Gauge("pantau_skm_province_ikm",
                         "Province IKM (0-100, official compilation method) of the current period",
                         ["period"], multiprocess_mode="max")
SKM_PROVINCE_RESPONDENTS = Gauge("pantau_skm_province_respondents",
                                 "SKM respondents of every UPP in the current period", ["period"],
                                 multiprocess_mode="max")
SKM_PROVINCE_UNITS_INCLUDED = Gauge("pantau_skm_province_units_included",
                                    "UPPs with an adequate sample, included in the province IKM", ["period"],
                                    multiprocess_mode="max")
# `province` (the one PANTAU_PROVINCE) also keeps these out of the HTTP services' exposition: in
# multiprocess mode a metric without labels gets a 0 sample in every process that imports it.
SKM_UNITS = Gauge("pantau_skm_units", "Service units (UPP) in the registry", ["province"],
                  multiprocess_mode="max")
SKM_UNITS_WITHOUT_RESPONSES = Gauge("pantau_skm_units_without_responses",
                                    "UPPs without any SKM respondent in the current year (responses or a summary report)", ["province"],
                                    multiprocess_mode="max")
COMPLAINTS_OPEN = Gauge("pantau_complaints_open", "Complaints not closed, archived or forwarded out, "
                        "by the tier of the unit holding them", ["tier"], multiprocess_mode="max")
COMPLAINTS_OVERDUE = Gauge("pantau_complaints_overdue", "Complaints with a government deadline running "
                           "past due, by the tier it is charged to", ["tier"], multiprocess_mode="max")
COMPLAINT_DEADLINE_BREACHES = Gauge("pantau_complaint_deadline_breaches",
                                    "Government deadlines breached (met late or overdue) over all complaints, "
                                    "by the tier charged", ["tier"], multiprocess_mode="max")
FKP_PROMISES_OPEN = Gauge("pantau_fkp_promises_open", "FKP improvement promises still open (all years)",
                          ["province"], multiprocess_mode="max")
FKP_PROMISES_OVERDUE = Gauge("pantau_fkp_promises_overdue",
                             "Open FKP improvement promises past their target date (all years)",
                             ["province"], multiprocess_mode="max")
DOMAIN_REFRESH = Histogram("pantau_domain_metrics_refresh_seconds", "Time to recompute one source of "
                           "domain gauges", ["source"], buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
DOMAIN_REFRESH_ERRORS = Counter("pantau_domain_metrics_errors_total", "Failed recomputations of domain gauges",
                                ["source"])
DOMAIN_LAST_SUCCESS = Gauge("pantau_domain_metrics_last_success_timestamp_seconds",
                            "Unix time of the last successful recomputation", ["source"], multiprocess_mode="max")

DLQ_REASONS = ("undecodable", "invalid_envelope", "unknown_type", "unknown_version", "invalid_data",
               "apply_failed", "illegal_transition", "seq_gap", "unknown_forum", "unknown_subject")
"""DLQ reasons the code raises today; their counters start at 0 so that the first dead letter
of a kind is an increase Prometheus can see (a counter born at 1 has no increase)."""


def init_consumer_series(topics) -> None:
    """Create the consumer's counters at 0 for every topic (before the first record)."""
    for topic in topics:
        for reason in DLQ_REASONS:
            CONSUMER_DLQ.labels(topic, reason)
        CONSUMER_RETRIES.labels(topic)
    READY.labels("apply").set(1)


class RecentIds:
    """Bounded memory of event ids applied by this process (FIFO, `size` ids), so that the
    consumer can count duplicates (a relay republishing after a crash) without asking the
    projections: a re-applied id is a no-op because every projection is idempotent."""

    def __init__(self, size: int = 50_000):
        self.size = size
        # an OrderedDict drops its oldest key in O(1); `next(iter(dict))` after many deletions from
        # the front walks the deleted slots
        self._ids: OrderedDict[str, None] = OrderedDict()

    def seen(self, event_id: str) -> bool:
        return event_id in self._ids

    def add(self, event_id: str) -> None:
        if event_id in self._ids:
            return
        self._ids[event_id] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)


LARGE_BODY_BYTES = 64 * 1024


def size_class(content_length: int | None) -> str:
    return "large" if (content_length or 0) > LARGE_BODY_BYTES else "small"


def enabled() -> bool:
    """`PANTAU_METRICS=off` disables the per-request HTTP metrics (for the overhead benchmark)."""
    return os.environ.get("PANTAU_METRICS", "on").lower() not in ("off", "0", "false", "no")


def render() -> tuple[bytes, str]:
    """Exposition for a scrape: aggregated over processes in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def serve(port: int) -> None:
    """Expose /metrics for a single-process worker (relay, consumer)."""
    start_http_server(port, addr=os.environ.get("PANTAU_METRICS_ADDR", "127.0.0.1"))
