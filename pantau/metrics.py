"""Every Prometheus metric of the platform, defined in one place.

HTTP services run under gunicorn in multiprocess mode (PROMETHEUS_MULTIPROC_DIR is set by the
start script, never in Python); relays and the consumer are single processes with their own
`/metrics` port. Labels are bounded: service, route template, method, status, topic, partition,
reason, outcome, event type — never ids of units, people or requests.
"""
from __future__ import annotations

import os

from prometheus_client import (CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram,
                               generate_latest, multiprocess, start_http_server)

HTTP_REQUESTS = Counter("pantau_http_requests_total", "HTTP requests handled",
                        ["service", "route", "method", "status"])
HTTP_LATENCY = Histogram("pantau_http_request_duration_seconds", "HTTP request latency",
                         ["service", "route", "method"],
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
                             "Now minus the time the last applied event was stored", ["topic"])


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


READY = Gauge("pantau_ready", "1 when the process's dependency check passes, else 0", ["check"],
              multiprocess_mode="livemostrecent")


def enabled() -> bool:
    """`PANTAU_METRICS=off` disables the per-request HTTP metrics (for the overhead benchmark)."""
    return os.environ.get("PANTAU_METRICS", "on").lower() not in ("off", "0", "false", "no")
