"""What Prometheus metrics cost the survey intake: throughput with and without metrics, side by side.

Two survey services run at once against the same store, identical but for metrics:
  on   PROMETHEUS_MULTIPROC_DIR set (gunicorn multiprocess mode, as deployed), hooks active;
  off  PANTAU_METRICS=off (pantau/web.py skips the per-request metric calls), no multiprocess dir.
Both are loaded at the same time, in rounds, so that whatever else the (shared, 2-core) machine
does and the store growing during the run hit both alike: each round is a closed loop of
`--clients` concurrent clients per variant posting single responses (mode post x1), then
GETting /healthz (no store: the lightest request, where the hooks weigh most), for a fixed time.
Reported per mode: requests/s per variant, the median over rounds of the on/off throughput ratio,
and the server CPU time per request (gunicorn master + workers, from /proc).
Also measured: the per-request cost of the metric calls alone (multiprocess mode, in a
subprocess) and the latency of a scrape of the `on` service after the load.

Runs on an isolated profile (default `test2`; refuses to start if any of its ports is taken):
    .venv/bin/python bench/metrics_overhead.py [--profile test2] [--seconds 15] [--rounds 3]
Writes bench/results-metrics-overhead.json. The store it ran on is recorded with the results.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pantau.rules.ikm import ELEMENTS  # noqa: E402
from pantau_platform.infra import platform as plat  # noqa: E402
from pantau_platform.infra import procs, store
from pantau_platform.infra.profiles import get  # noqa: E402

WITA = timezone(timedelta(hours=8))
UNIT = "samsat-balikpapan"


def response(rid: str) -> dict:
    when = datetime.now(WITA) - timedelta(minutes=1)
    return {"unit_id": UNIT, "response_id": rid, "submitted_at": when.isoformat(timespec="seconds"),
            "answers": {k: 3 + (hash(rid + k) & 1) for k in ELEMENTS}}


def group_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a gunicorn master and its workers so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(entry.name) == pid or int(fields[1]) == pid:  # fields[1] = ppid
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def load(url: str, token: str, seconds: float, clients: int, batch: int, pid: int | None = None) -> dict:
    """Closed loop: `clients` threads post (batch >= 1) or GET (batch 0) as fast as answers come
    back, for `seconds`; with `pid`, also the server's CPU time per request."""
    stop = time.monotonic() + seconds
    lat: list[float] = []
    counts = {"requests": 0, "responses": 0, "errors": 0}
    lock = threading.Lock()

    def worker(n: int) -> None:
        s = requests.Session()
        s.headers["Authorization"] = f"Bearer {token}"
        i = 0
        while time.monotonic() < stop:
            i += 1
            tag = f"{uuid.uuid4().hex[:10]}-{n}-{i}"
            t0 = time.perf_counter()
            if batch == 0:
                r = s.get(url, timeout=60)
            else:
                body = response(tag) if batch == 1 else {"responses": [response(f"{tag}-{k}") for k in range(batch)]}
                r = s.post(url, json=body, timeout=60)
            dt = time.perf_counter() - t0
            with lock:
                if r.status_code in (200, 202):
                    counts["requests"] += 1
                    counts["responses"] += max(batch, 1)
                    lat.append(dt)
                else:
                    counts["errors"] += 1
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    cpu0 = group_cpu_seconds(pid) if pid else None
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    cpu = group_cpu_seconds(pid) - cpu0 if pid else None
    lat.sort()
    return {"seconds": round(elapsed, 2), **counts,
            "server_cpu_ms_per_request": round(1000 * cpu / counts["requests"], 3) if cpu and counts["requests"] else None,
            "requests_per_s": round(counts["requests"] / elapsed, 1),
            "responses_per_s": round(counts["responses"] / elapsed, 1),
            "p50_ms": round(1000 * lat[len(lat) // 2], 1) if lat else None,
            "p95_ms": round(1000 * lat[int(len(lat) * 0.95)], 1) if lat else None}


HOOK_COST = r"""
import os, sys, time
sys.path.insert(0, sys.argv[1])
from pantau import metrics
n = 20000
svc, route, method = "survey", "/v1/skm/responses", "POST"
t0 = time.perf_counter()
for i in range(n):
    metrics.HTTP_IN_FLIGHT.labels(svc).inc()
    metrics.HTTP_REQUESTS.labels(svc, route, method, "202").inc()
    metrics.HTTP_LATENCY.labels(svc, route, method, metrics.size_class(600)).observe(0.012)
    metrics.HTTP_IN_FLIGHT.labels(svc).dec()
    metrics.EVENTS_STORED.labels(svc, "skm.response_recorded").inc()
print((time.perf_counter() - t0) / n * 1e6)
"""


def hook_cost_us(multiproc_dir: Path) -> dict:
    multiproc_dir.mkdir(parents=True, exist_ok=True)
    out = {}
    for mode, env_extra in (("multiprocess", {"PROMETHEUS_MULTIPROC_DIR": str(multiproc_dir)}), ("single", {})):
        env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"} | env_extra
        r = subprocess.run([sys.executable, "-c", HOOK_COST, str(ROOT)], env=env, capture_output=True, text=True,
                           check=True)
        out[mode] = round(float(r.stdout.strip()), 2)
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", default="test2")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--rounds", type=int, default=3, help="rounds per variant and mode")
    ap.add_argument("--clients", type=int, default=6, help="concurrent clients per variant")
    ap.add_argument("--batches", default="1,0",
                    help="responses per POST, comma-separated, one mode each; 0 = GET /healthz (no store)")
    args = ap.parse_args()
    p = get(args.profile)
    port_on, port_off = p.http_ports["survey"], p.http_ports["survey"] + 10
    ports = [p.kafka_port, p.controller_port, p.store_port, port_on, port_off, *p.http_ports.values(),
             *p.metrics_ports.values(), p.prometheus_port]
    busy = [port for port in ports if procs.listening(port)]
    if busy:
        print(f"profile {p.name}: ports {busy} are in use (another run?); not starting", file=sys.stderr)
        return 2
    run = procs.run_dir(p.name)
    for d in ("kafka-data", "ferretdb-data", "ferretdb-state", "mongod-data", "prom"):
        shutil.rmtree(run / d, ignore_errors=True)
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
    os.environ.update(p.env())
    results: dict = {"profile": p.name, "store": store.engine(), "started": datetime.now(timezone.utc).isoformat(),
                     "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                     "gunicorn": {"workers": int(os.environ.get("PANTAU_WORKERS", "2")),
                                  "threads": int(os.environ.get("PANTAU_THREADS", "4"))},
                     "clients": args.clients, "seconds_per_round": args.seconds}
    names = {"on": "bench-survey-metrics-on", "off": "bench-survey-metrics-off"}
    try:
        plat.infra_up(p)
        plat.init(p, str(ROOT / "deploy" / "registry" / "kaltim.yaml"))
        from pantau import auth
        token = auth.issue("unit", UNIT, note="metrics overhead bench")
        prom_dir = run / "prom" / "bench-on"
        prom_dir.mkdir(parents=True, exist_ok=True)
        argv = plat.argv("survey")
        procs.start(p.name, names["on"], argv, env={**p.env(), "PORT": str(port_on),
                                                    "PROMETHEUS_MULTIPROC_DIR": str(prom_dir)})
        procs.start(p.name, names["off"], argv, env={**p.env(), "PORT": str(port_off), "PANTAU_METRICS": "off"})
        for variant, port in (("on", port_on), ("off", port_off)):
            procs.wait_until(lambda port=port: requests.get(f"http://127.0.0.1:{port}/readyz", timeout=3).ok,
                             names[variant], 60, p.name, names[variant])
        pids = {v: procs.pid_of(p.name, names[v]) for v in ("on", "off")}
        for v, port in (("on", port_on), ("off", port_off)):  # warm up both (imports, connections, writes)
            load(f"http://127.0.0.1:{port}/v1/skm/responses", token, 3, args.clients, 1)
        modes = {}
        for batch in (int(b) for b in args.batches.split(",")):
            path = "/healthz" if batch == 0 else "/v1/skm/responses"
            urls = {"on": f"http://127.0.0.1:{port_on}{path}", "off": f"http://127.0.0.1:{port_off}{path}"}
            rounds = {"on": [], "off": []}
            for r in range(args.rounds):
                # both variants loaded at the same time: whatever else the machine does hits both
                got: dict = {}
                threads = [threading.Thread(target=lambda v=v: got.__setitem__(
                    v, load(urls[v], token, args.seconds, args.clients, batch, pids[v]))) for v in ("on", "off")]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                for v in ("on", "off"):
                    res = got[v]
                    rounds[v].append(res)
                    print(f"{'healthz' if batch == 0 else f'post x{batch}':9s} round {r}  metrics {v:3s} "
                          f"{res['requests_per_s']:8.1f} req/s  p50 {res['p50_ms']} ms  p95 {res['p95_ms']} ms  "
                          f"server CPU {res['server_cpu_ms_per_request']} ms/request  errors {res['errors']}",
                          flush=True)
            summary = {v: {"responses_per_s_median": statistics.median(x["responses_per_s"] for x in rs),
                           "requests_per_s_median": statistics.median(x["requests_per_s"] for x in rs),
                           "p50_ms_median": statistics.median(x["p50_ms"] or 0 for x in rs),
                           "p95_ms_median": statistics.median(x["p95_ms"] or 0 for x in rs),
                           "server_cpu_ms_per_request_median": statistics.median(
                               x["server_cpu_ms_per_request"] or 0 for x in rs),
                           "rounds": rs} for v, rs in rounds.items()}
            ratios = [a["requests_per_s"] / b["requests_per_s"] for a, b in zip(rounds["on"], rounds["off"])
                      if b["requests_per_s"]]
            summary["throughput_change_pct"] = round(100.0 * (statistics.median(ratios) - 1), 1) if ratios else None
            summary["throughput_change_pct_per_round"] = [round(100.0 * (x - 1), 1) for x in ratios]
            modes["healthz" if batch == 0 else f"post_batch_{batch}"] = summary
        results["modes"] = modes
        scrape = []
        for _ in range(20):
            t0 = time.perf_counter()
            body = requests.get(f"http://127.0.0.1:{port_on}/metrics", timeout=10).content
            scrape.append(time.perf_counter() - t0)
        results["scrape"] = {"median_ms": round(1000 * statistics.median(scrape), 1), "bytes": len(body)}
        results["hook_cost_us_per_request"] = hook_cost_us(run / "prom" / "bench-hooks")
    finally:
        for name in names.values():
            procs.stop(p.name, name)
        plat.infra_down(p)
        shutil.rmtree(run / "prom" / "bench-hooks", ignore_errors=True)
    out = ROOT / "bench" / "results-metrics-overhead.json"
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for mode, s in results["modes"].items():
        print(f"{mode}: on {s['on']['requests_per_s_median']} vs off {s['off']['requests_per_s_median']} "
              f"req/s (medians); on/off per round {s['throughput_change_pct_per_round']} %, median "
              f"{s['throughput_change_pct']:+.1f} %; server CPU "
              f"{s['on']['server_cpu_ms_per_request_median']} vs {s['off']['server_cpu_ms_per_request_median']} ms/request")
    print(f"scrape of the 'on' survey: {results['scrape']}; metric calls per request: "
          f"{results['hook_cost_us_per_request']} µs")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
