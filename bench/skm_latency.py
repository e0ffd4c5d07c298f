"""SKM figures for issue 3: how long the aggregator takes to reflect a 5,000-response batch, and
how the province IKM endpoint's latency grows from 100 to 2,000 units.

Runs the real platform on the `bench` profile (its own ports and data), fresh each time:
    .venv/bin/python bench/skm_latency.py [--sizes 100,500,1000,2000]
Writes bench/results-skm.json. The store it ran on is recorded with the results.
"""
from __future__ import annotations

import argparse
import json
import os
import platform as host
import shutil
import statistics
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pantau.rules.ikm import ELEMENTS  # noqa: E402
from pantau_platform.infra import platform as plat  # noqa: E402
from pantau_platform.infra import procs, store
from pantau_platform.infra.profiles import get  # noqa: E402


def wait(fn, timeout=900):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if fn():
            return time.monotonic() - t0
        time.sleep(0.05)
    raise TimeoutError


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,500,1000,2000")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    p = get("bench")
    plat.services_down(p)
    plat.infra_down(p)
    for d in ("kafka-data", "ferretdb-data", "ferretdb-state", "mongod-data", "prom"):
        shutil.rmtree(procs.run_dir(p.name) / d, ignore_errors=True)
    os.environ.update(p.env())
    results: dict = {"store": store.engine(), "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                                                          "platform": host.platform()}}
    try:
        plat.infra_up(p)
        plat.init(p, str(ROOT / "deploy" / "registry" / "kaltim.yaml"))
        plat.services_up(p)
        from pantau import auth, units
        h = {"Authorization": f"Bearer {auth.issue('bureau', note='bench')}"}
        agg = f"http://127.0.0.1:{p.http_ports['aggregator']}"
        survey = f"http://127.0.0.1:{p.http_ports['survey']}/v1/skm/responses"

        # 1. a 5,000-response batch for one unit: 202, then reflected in the unit IKM
        batch = [{"unit_id": "samsat-samarinda", "response_id": f"b5k-{i}", "submitted_at": "2026-05-10T10:00:00+08:00",
                  "answers": {k: 1 + (i + j) % 4 for j, k in enumerate(ELEMENTS)}} for i in range(5000)]
        t0 = time.monotonic()
        r = requests.post(survey, json={"responses": batch}, headers=h, timeout=600)
        accepted = time.monotonic() - t0
        assert r.status_code == 202, r.text
        url = f"{agg}/v1/ikm/units/samsat-samarinda?period=2026-05"
        reflected = wait(lambda: requests.get(url, headers=h).json()["respondents"] == 5000)
        results["batch_5000"] = {"http_202_seconds": round(accepted, 2),
                                 "reflected_after_202_seconds": round(reflected, 2),
                                 "total_seconds": round(accepted + reflected, 2)}
        print("batch 5000:", results["batch_5000"], flush=True)

        # 2. province endpoint latency as the registry grows (one response per synthetic unit)
        results["province_latency"] = []
        have = 0
        for n in sizes:
            rows = [{"id": f"bench-opd-{k}", "name": f"OPD {k}", "kind": "opd", "level": "provinsi", "parent": "kaltim"}
                    for k in range(max(1, n // 50))]
            rows.insert(0, {"id": "kaltim", "name": "Pemprov", "kind": "province", "level": "provinsi", "parent": None})
            rows += [{"id": f"bench-upp-{i:05d}", "name": f"UPP {i}", "kind": "upp", "level": "provinsi",
                      "parent": f"bench-opd-{i % max(1, n // 50)}", "population": 10} for i in range(n)]
            units.import_units(units.parse(rows))
            new = [{"unit_id": f"bench-upp-{i:05d}", "response_id": "one", "submitted_at": "2026-03-03T10:00:00+08:00",
                    "answers": {k: 3 for k in ELEMENTS}} for i in range(have, n)]
            for i in range(0, len(new), 5000):
                assert requests.post(survey, json={"responses": new[i:i + 5000]}, headers=h,
                                     timeout=600).status_code == 202
            have = n
            plat.procs.stop(p.name, "aggregator")  # the API caches the registry for 30 s
            plat.start_process(p, "aggregator")
            plat.wait_process(p, "aggregator")
            purl = f"{agg}/v1/ikm/province?period=2026"
            wait(lambda: sum(1 for u in requests.get(purl, headers=h).json()["units"]
                             if u["unit_id"].startswith("bench-upp-") and u["respondents"]) == n)
            times = []
            for _ in range(7):
                t = time.perf_counter()
                requests.get(purl, headers=h).raise_for_status()
                times.append(time.perf_counter() - t)
            row = {"units": n + len([u for u in units.Registry.instance().upps() if not u.id.startswith("bench-")]),
                   "synthetic_units": n, "p50_ms": round(1000 * statistics.median(times), 1),
                   "max_ms": round(1000 * max(times), 1)}
            results["province_latency"].append(row)
            print("province:", row, flush=True)
    finally:
        plat.services_down(p)
        plat.infra_down(p)
    out = ROOT / "bench" / "results-skm.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
