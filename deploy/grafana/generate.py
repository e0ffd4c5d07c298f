"""Writes the provisioned Grafana dashboards (deploy/grafana/dashboards/*.json).

    python deploy/grafana/generate.py          # rewrite the JSON files
    python deploy/grafana/generate.py --check  # exit 1 if a committed file differs

The JSON is what Grafana provisions (docker compose mounts deploy/grafana/dashboards); this
script is the source, so panels stay consistent (one datasource uid `prometheus`, one layout
routine) and tests/unit/test_metrics_catalog.py can check every query against pantau.metrics.
Queries aggregate away `instance` so a restart or a second replica does not split a line.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "dashboards"
DS = {"type": "prometheus", "uid": "prometheus"}
NOT_API = 'route!~"/metrics|/healthz|/readyz"'


class Layout:
    """Places panels left to right on Grafana's 24-column grid."""

    def __init__(self):
        self.x, self.y, self.row_h, self.next_id = 0, 0, 0, 1
        self.panels: list[dict] = []

    def add(self, panel: dict, w: int, h: int) -> None:
        if self.x + w > 24:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        panel["id"] = self.next_id
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        self.next_id += 1
        self.x += w
        self.row_h = max(self.row_h, h)
        self.panels.append(panel)

    def row(self, title: str) -> None:
        """Start a new line for a section (`title` documents it here: every panel must be a
        query panel on the provisioned datasource, which Grafana's row panels are not)."""
        if self.x:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0


def target(expr: str, legend: str = "", ref: str = "A", instant: bool = False) -> dict:
    return {"datasource": DS, "refId": ref, "expr": expr, "legendFormat": legend,
            "range": not instant, "instant": instant, "editorMode": "code"}


def timeseries(title: str, description: str, targets: list[dict], unit: str = "short",
               thresholds: list[tuple[str, float | None]] | None = None, stack: bool = False) -> dict:
    custom = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never",
              "spanNulls": False, "stacking": {"mode": "normal" if stack else "none", "group": "A"}}
    defaults: dict = {"unit": unit, "custom": custom, "color": {"mode": "palette-classic"}}
    if thresholds:
        defaults["thresholds"] = _thresholds(thresholds)
        custom["thresholdsStyle"] = {"mode": "line"}
    return {"type": "timeseries", "title": title, "description": description, "datasource": DS,
            "targets": targets, "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
                        "tooltip": {"mode": "multi", "sort": "desc"}}}


def stat(title: str, description: str, targets: list[dict], unit: str = "none",
         thresholds: list[tuple[str, float | None]] | None = None, mappings: list | None = None,
         color_mode: str = "background", decimals: int | None = None) -> dict:
    defaults: dict = {"unit": unit, "thresholds": _thresholds(thresholds or [("green", None)]),
                      "color": {"mode": "thresholds"}, "mappings": mappings or []}
    if decimals is not None:
        defaults["decimals"] = decimals
    return {"type": "stat", "title": title, "description": description, "datasource": DS, "targets": targets,
            "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": {"colorMode": color_mode, "graphMode": "none", "justifyMode": "center", "orientation": "auto",
                        "textMode": "value_and_name", "wideLayout": True, "showPercentChange": False,
                        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}}


def bargauge(title: str, description: str, targets: list[dict],
             thresholds: list[tuple[str, float | None]]) -> dict:
    return {"type": "bargauge", "title": title, "description": description, "datasource": DS, "targets": targets,
            "fieldConfig": {"defaults": {"unit": "none", "min": 0, "thresholds": _thresholds(thresholds),
                                         "color": {"mode": "thresholds"}}, "overrides": []},
            "options": {"orientation": "horizontal", "displayMode": "basic", "showUnfilled": True,
                        "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}}


def table(title: str, description: str, targets: list[dict]) -> dict:
    return {"type": "table", "title": title, "description": description, "datasource": DS, "targets": targets,
            "fieldConfig": {"defaults": {}, "overrides": []},
            "transformations": [{"id": "labelsToFields", "options": {}},
                                {"id": "organize", "options": {"excludeByName": {"Time": True, "Value": True,
                                                                                "__name__": True}}}],
            "options": {"showHeader": True}}


def _thresholds(steps: list[tuple[str, float | None]]) -> dict:
    return {"mode": "absolute", "steps": [{"color": c, "value": v} for c, v in steps]}


def dashboard(uid: str, title: str, description: str, tags: list[str], panels: list[dict],
              time_from: str = "now-6h") -> dict:
    return {"uid": uid, "title": title, "description": description, "tags": tags, "editable": False,
            "graphTooltip": 1, "schemaVersion": 39, "version": 1, "time": {"from": time_from, "to": "now"},
            "timepicker": {}, "timezone": "browser", "refresh": "30s", "annotations": {"list": []},
            "templating": {"list": []}, "links": [], "panels": panels}


UPDOWN = [{"type": "value", "options": {"0": {"text": "DOWN", "color": "red", "index": 0},
                                        "1": {"text": "UP", "color": "green", "index": 1}}}]
READY = [{"type": "value", "options": {"0": {"text": "NOT READY", "color": "red", "index": 0},
                                       "1": {"text": "READY", "color": "green", "index": 1}}}]
RED_GREEN = [("red", None), ("green", 1)]


def platform() -> dict:
    g = Layout()
    g.add(stat("Targets up", "Scrape health per Prometheus job (one job per process). DOWN for 2m pages "
               "(PantauTargetDown).", [target("min by (job) (up)", "{{job}}", instant=True)],
               thresholds=RED_GREEN, mappings=UPDOWN), 24, 5)
    g.add(stat("Readiness", "pantau_ready per job and check: the /readyz checks of the HTTP services, and "
               "`apply` of the consumer (0 while a batch is retried). 0 for 2m pages (PantauNotReady).",
               [target("min by (job, check) (pantau_ready)", "{{job}} {{check}}", instant=True)],
               thresholds=RED_GREEN, mappings=READY), 16, 5)
    g.add(table("Firing alerts", "Alerts firing now (Prometheus ALERTS series).",
                [target('ALERTS{alertstate="firing"}', instant=True)]), 8, 5)

    g.row("HTTP services")
    g.add(timeseries("HTTP requests per second by service", "All routes and statuses of each HTTP service "
                     "(job), 5-minute rate.", [target("sum by (job) (rate(pantau_http_requests_total[5m]))",
                                                      "{{job}}")], unit="reqps"), 12, 8)
    g.add(timeseries("Responses by status (API routes)", "Probes and /metrics excluded.",
                     [target(f"sum by (job, status) (rate(pantau_http_requests_total{{{NOT_API}}}[5m]))",
                             "{{job}} {{status}}")], unit="reqps", stack=True), 12, 8)
    g.add(timeseries("Server error ratio (5xx)", "Share of API requests answered 5xx. Above 5 % for 5m pages "
                     "(PantauHttpErrorRatioHigh).",
                     [target("pantau:http_server_errors:rate5m / pantau:http_requests:rate5m", "{{job}}")],
                     unit="percentunit", thresholds=[("green", None), ("red", 0.05)]), 8, 8)
    g.add(timeseries("Latency p95 by service", "95th percentile of API request latency, 5-minute window: "
                     "ordinary requests (the SLO's) and bulk uploads (bodies over 64 KiB) apart.",
                     [target("histogram_quantile(0.95, sum by (job, le) (rate(pantau_http_request_duration_seconds_bucket"
                             f"{{{NOT_API}, size_class=\"small\"}}[5m])))", "{{job}}"),
                      target("histogram_quantile(0.95, sum by (job, le) (rate(pantau_http_request_duration_seconds_bucket"
                             f"{{{NOT_API}, size_class=\"large\"}}[5m])))", "{{job}} bulk", ref="B")],
                     unit="s", thresholds=[("green", None), ("red", 1)]), 8, 8)
    g.add(timeseries("Latency SLO: requests slower than 1 s", "Share of API requests (bulk uploads excluded) "
                     "slower than 1 s over 1h and 6h. The SLO allows 1 %; 14.4 % over 1h pages, 6 % over 6h opens "
                     "a ticket.",
                     [target("pantau:http_request_slow:ratio_rate1h", "{{job}} 1h"),
                      target("pantau:http_request_slow:ratio_rate6h", "{{job}} 6h", ref="B")],
                     unit="percentunit", thresholds=[("green", None), ("red", 0.01)]), 8, 8)
    g.add(timeseries("Requests in flight", "Requests being handled now, summed over gunicorn workers.",
                     [target("sum by (job) (pantau_http_requests_in_flight)", "{{job}}")]), 8, 7)
    g.add(timeseries("Events stored per second", "Events durably stored in the write services' event logs.",
                     [target("sum by (service, type) (rate(pantau_events_stored_total[5m]))", "{{service}} {{type}}")],
                     unit="ops"), 16, 7)

    g.row("Outbox and relays")
    g.add(timeseries("Outbox backlog", "Stored events not yet acknowledged by Kafka. Above 100 and rising for "
                     "10m opens a ticket (PantauOutboxGrowing).",
                     [target("max by (service) (pantau_outbox_backlog_events)", "{{service}}")]), 8, 8)
    g.add(timeseries("Oldest unpublished event", "Age of the oldest stored event not yet in Kafka. Above 5 "
                     "minutes for 2m pages (PantauOutboxStuck).",
                     [target("max by (service) (pantau_outbox_oldest_age_seconds)", "{{service}}")], unit="s",
                     thresholds=[("green", None), ("red", 300)]), 8, 8)
    g.add(timeseries("Relay publish attempts", "Publish rounds by outcome (a failed round is retried with "
                     "backoff: retries = failures), and events acknowledged by Kafka.",
                     [target("sum by (service, outcome) (rate(pantau_relay_publish_total[5m]))",
                             "{{service}} {{outcome}}"),
                      target("sum by (service) (rate(pantau_relay_published_events_total[5m]))",
                             "{{service}} events", ref="B")], unit="ops"), 8, 8)

    g.row("Aggregator consumer")
    g.add(timeseries("Consumer lag by topic", "Records in Kafka not yet applied (highwater - position), "
                     "summed over partitions. Rising for 10m pages (PantauConsumerLagGrowing).",
                     [target("sum by (topic) (pantau_consumer_lag_records)", "{{topic}}")]), 12, 8)
    g.add(timeseries("Records by outcome", "applied, duplicate (republished event already applied: a no-op), "
                     "rejected (to the DLQ by a projection), poison (undecodable or invalid).",
                     [target("sum by (topic, outcome) (rate(pantau_consumer_records_total[5m]))",
                             "{{topic}} {{outcome}}")], unit="ops", stack=True), 12, 8)
    g.add(timeseries("Dead-lettered records (last hour)", "Records sent to <topic>.dlq by reason. Any new one "
                     "opens a ticket (PantauDlqReceiving).",
                     [target("sum by (topic, reason) (increase(pantau_consumer_dlq_records_total[1h]))",
                             "{{topic}} {{reason}}")]), 8, 8)
    g.add(timeseries("Apply latency p95", "Time to apply one polled batch to the projections.",
                     [target("histogram_quantile(0.95, sum by (topic, le) (rate(pantau_consumer_apply_seconds_bucket[5m])))",
                             "{{topic}}")], unit="s"), 8, 8)
    g.add(timeseries("Projection freshness and retries", "Now minus the Kafka time of the last applied record "
                     "(grows when idle too: read it with the lag), and batches retried after an error.",
                     [target("max by (topic) (pantau_projection_freshness_seconds)", "{{topic}} freshness"),
                      target("sum by (topic) (increase(pantau_consumer_retries_total[5m]))", "{{topic}} retries",
                             ref="B")], unit="s"), 8, 8)
    return dashboard("pantau-platform", "Pantau — platform",
                     "Scrape health, readiness, HTTP traffic, errors and latency SLO, outbox and relays, the "
                     "aggregator consumer (lag, DLQ, apply latency, freshness).", ["pantau", "platform"],
                     g.panels)


IKM_STEPS = [("red", None), ("orange", 65), ("yellow", 76.61), ("green", 88.31)]  # mutu D, C, B, A


def domain() -> dict:
    g = Layout()
    g.row("SKM (Survei Kepuasan Masyarakat)")
    g.add(stat("IKM provinsi", "Province IKM of the current year, quarter and month (official compilation "
               "method; only units with an adequate sample). Colours: mutu D < 65, C < 76.61, B < 88.31, A.",
               [target("max by (period) (pantau_skm_province_ikm)", "{{period}}", instant=True)],
               thresholds=IKM_STEPS, decimals=2), 10, 6)
    g.add(stat("Responden", "SKM respondents of every UPP in the current year, quarter and month.",
               [target("max by (period) (pantau_skm_province_respondents)", "{{period}}", instant=True)],
               color_mode="none"), 7, 6)
    g.add(stat("UPP tanpa SKM tahun ini", "Service units without a single SKM respondent this year, out of "
               "all UPPs in the registry.",
               [target("max(pantau_skm_units_without_responses)", "tanpa SKM", instant=True),
                target("max(pantau_skm_units)", "semua UPP", ref="B", instant=True)],
               thresholds=[("green", None), ("orange", 1)]), 7, 6)
    g.add(timeseries("IKM provinsi", "Province IKM over time by period kind.",
                     [target("max by (period) (pantau_skm_province_ikm)", "{{period}}")],
                     thresholds=IKM_STEPS), 12, 8)
    g.add(timeseries("UPP dengan sampel memadai", "UPPs whose sample meets Krejcie-Morgan and that are "
                     "included in the province IKM, by period.",
                     [target("max by (period) (pantau_skm_province_units_included)", "{{period}}")]), 12, 8)

    g.row("Pengaduan (SP4N-LAPOR!)")
    g.add(bargauge("Pengaduan terbuka per tingkat", "Complaints not closed, archived or forwarded out, by the "
                   "tier of the unit holding them.",
                   [target("sum by (tier) (pantau_complaints_open)", "{{tier}}", instant=True)],
                   [("green", None)]), 8, 8)
    g.add(bargauge("Pengaduan lewat tenggat per tingkat", "Complaints with a verification, first follow-up or "
                   "resolution deadline running past due, by the tier it is charged to.",
                   [target("sum by (tier) (pantau_complaints_overdue)", "{{tier}}", instant=True)],
                   [("green", None), ("red", 1)]), 8, 8)
    g.add(timeseries("Pelanggaran tenggat baru (24 jam)", "Deadlines breached in the last 24 hours by tier. "
                     "Any rise pages the bureau (PantauComplaintDeadlineBreachesRising).",
                     [target("sum by (tier) (delta(pantau_complaint_deadline_breaches[24h]))", "{{tier}}")]), 8, 8)

    g.row("FKP (Forum Konsultasi Publik)")
    g.add(stat("Janji perbaikan", "Improvement promises still open, and those past their target date "
               "(all years).",
               [target("max(pantau_fkp_promises_open)", "terbuka", instant=True),
                target("max(pantau_fkp_promises_overdue)", "lewat target", ref="B", instant=True)],
               color_mode="none"), 8, 8)
    g.add(timeseries("Janji lewat target", "Overdue promises over time. A rise within 24 hours pages the "
                     "bureau (PantauFkpPromisesOverdueRising).",
                     [target("max(pantau_fkp_promises_overdue)", "lewat target"),
                      target("max(pantau_fkp_promises_open)", "terbuka", ref="B")]), 10, 8)
    g.add(stat("Umur angka", "Seconds since the consumer last recomputed each source of these figures "
               "(every ~15 s; over 10 minutes opens a ticket: PantauDomainMetricsStale).",
               [target("time() - max by (source) (pantau_domain_metrics_last_success_timestamp_seconds)",
                       "{{source}}", instant=True)],
               unit="s", thresholds=[("green", None), ("orange", 120), ("red", 600)]), 6, 8)
    return dashboard("pantau-bureau", "Pantau — Biro Organisasi",
                     "The bureau's view: province IKM, units without SKM, open and overdue complaints by tier, "
                     "FKP promises past their target date.", ["pantau", "domain"], g.panels, time_from="now-7d")


DASHBOARDS = {"platform.json": platform, "domain.json": domain}


def render(fn) -> str:
    return json.dumps(fn(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, fn in DASHBOARDS.items():
        path, text = OUT / name, render(fn)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"out of date (run python deploy/grafana/generate.py): {', '.join(stale)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
