"""`make bench`: the real platform on the `bench` profile with a generated province, every figure
of issue #9 side by side with its reference in one run; writes bench/results.json and .md.

Sizes (environment; defaults fit the 20-minute budget on a 2-core machine, BENCH_QUICK=1 is a
~3-minute smoke run): BENCH_REGISTRY (kaltim | generated:N), BENCH_SIZES (report sizes, total
responses of the benchmark year), BENCH_SINGLE_SECONDS, BENCH_CLIENTS, BENCH_BATCHES,
BENCH_FRESH_SECONDS, BENCH_FRESH_RATE, BENCH_COMPLAINTS, BENCH_FORUMS, BENCH_NAIVE_MAX (largest
size at which the naive recompute is run), BENCH_SEED, BENCH_OUT (results file stem),
BENCH_PROFILE_BATCHES and BENCH_PROFILE_EVENTS (the profiled runs, apart from the figures),
BENCH_STORE_DOCS (documents per writer of the store-alone reference), BENCH_PLATFORM_PROFILE (the
port profile the platform runs on, default `bench`; `bench2` runs beside it).
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import common  # noqa: E402
from common import env_int, quick_mode  # noqa: E402

from pantau_platform.infra import platform as plat  # noqa: E402
from pantau_platform.infra import procs
from pantau_platform.infra.profiles import get  # noqa: E402

YEAR = 2025  # the generated province's survey year (complete, in the past)


def log(*a) -> None:
    print(f"[{time.strftime('%H:%M:%S')}]", *a, flush=True)


class Phases:
    def __init__(self):
        self.t0 = time.monotonic()
        self.seconds: dict[str, float] = {}

    def __call__(self, name: str):
        phases = self

        class _P:
            def __enter__(self):
                log(f"phase {name} …")
                self.t = time.monotonic()

            def __exit__(self, *exc):
                phases.seconds[name] = round(time.monotonic() - self.t, 1)
                log(f"phase {name} done in {phases.seconds[name]} s")
        return _P()


def fresh_platform(p, registry_file: str) -> None:
    plat.services_down(p)
    plat.infra_down(p)
    for d in ("kafka-data", "ferretdb-data", "ferretdb-state", "mongod-data", "prom"):
        shutil.rmtree(procs.run_dir(p.name) / d, ignore_errors=True)
    os.environ.update(p.env())
    plat.infra_up(p)
    plat.init(p, registry_file)
    plat.services_up(p)


def other_data(base: str, token: str, gen, units: list[str], complaints: int, forums: int) -> dict:
    """Complaints with lifecycles and forums through the real HTTP services."""
    import requests
    from province import WITA, complaint, complaint_steps, forum

    from pantau import auth
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    unit_keys: dict[str, dict] = {}

    def as_unit(unit: str) -> dict:
        if unit not in unit_keys:
            unit_keys[unit] = {"Authorization": f"Bearer {auth.issue('unit', unit, note='bench')}"}
        return unit_keys[unit]
    ok = {"complaints": 0, "complaint_actions": 0, "forums": 0, "errors": []}
    start = datetime(YEAR, 1, 6, 9, tzinfo=WITA)
    for i in range(complaints):
        unit = gen.pick_units(1)[0]
        at = start + timedelta(days=gen.rng.randrange(330), hours=gen.rng.randrange(8))
        tid = f"BENCH-{i:06d}"
        r = s.post(f"{base['complaints']}/v1/complaints", json=complaint(gen, unit, tid, at), timeout=60)
        if r.status_code != 201:
            ok["errors"].append(r.text[:200])
            continue
        ok["complaints"] += 1
        for step in complaint_steps(gen, at):
            headers = None if step["action"] == "verify" else as_unit(unit)  # the holder acts after verification
            r = s.post(f"{base['complaints']}/v1/complaints/{tid}/actions", json=step, timeout=60, headers=headers)
            if r.status_code >= 300:
                ok["errors"].append(r.text[:200])
                break
            ok["complaint_actions"] += 1
    for i in range(forums):
        unit = units[(i * 13) % len(units)]
        held = start + timedelta(days=gen.rng.randrange(300))
        r = s.post(f"{base['consultation']}/v1/fkp", json=forum(gen, unit, f"bench-fkp-{i}", held), timeout=60)
        if r.status_code == 201:
            ok["forums"] += 1
        else:
            ok["errors"].append(r.text[:200])
    ok["errors"] = ok["errors"][:5]
    return ok


def store_insert_rate(db, n: int, writers: int = 1) -> float:
    """Reference for the aggregator: raw pymongo insert_many of n fact-shaped documents per writer
    (each its own thread and collection) into the same store (what the store alone sustains for
    inserts; with 2 writers, whether it uses the second core)."""
    import threading
    cols = [db[f"bench_scratch_{w}"] for w in range(writers)]
    errors: list[BaseException] = []

    def write(w: int) -> None:
        docs = [{"_id": f"skm:x:{i}", "unit_id": f"u{i % 71}", "month": "2025-05", "answers": {str(k): 3 for k in range(9)},
                 "submitted_at": "2025-05-05T10:00:00+08:00", "local_hour": 10, "channel": "web", "sex": "L",
                 "education": "SMA", "occupation": "PNS", "service_type": None, "response_id": str(i),
                 "event_id": "0" * 36, "position": ["skm.events", 0, i]} for i in range(n)]
        ready.wait()  # every writer has built its documents: the clock starts
        try:
            for i in range(0, n, 2000):
                cols[w].insert_many(docs[i:i + 2000], ordered=False)
        except BaseException as exc:  # noqa: BLE001 - reported below, not a rate
            errors.append(exc)
    for c in cols:
        c.drop()
    ready = threading.Barrier(writers + 1)
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    [t.start() for t in threads]
    ready.wait()
    t0 = time.perf_counter()
    [t.join() for t in threads]
    rate = n * writers / (time.perf_counter() - t0)
    for c in cols:
        c.drop()
    if errors:
        raise errors[0]
    return rate


def main() -> None:
    import figures
    import reports
    from province import Generator, check_same_as_intake, event_records, registry
    from rss import RssSampler
    quick = quick_mode()
    phase = Phases()
    p = get(os.environ.get("BENCH_PLATFORM_PROFILE", "bench"))
    out_stem = os.environ.get("BENCH_OUT", "results-quick" if quick else "results")
    reg_kind = os.environ.get("BENCH_REGISTRY", "kaltim")
    sizes = [int(x) for x in os.environ.get("BENCH_SIZES", "2000,10000" if quick else "10000,100000").split(",")]
    naive_max = env_int("BENCH_NAIVE_MAX", 100000, 10000)
    seed = env_int("BENCH_SEED", 2026)
    results: dict = {"started_utc": datetime.utcnow().isoformat(timespec="seconds") + "Z", "quick": quick,
                     "machine": common.machine(), "registry": reg_kind, "seed": seed, "year": YEAR}
    registry_file, units = registry(reg_kind, procs.run_dir(p.name) / "bench-input")
    gen = Generator(units, seed)
    check_same_as_intake(gen)
    sampler = RssSampler(p.name)
    try:
        with phase("platform"):
            fresh_platform(p, registry_file)
        sampler.start()
        results["store"] = common.store_info(p.mongo_url)
        from pantau import auth, mongo
        from pantau.config import settings
        token = auth.issue("bureau", note="bench")
        base = {n: f"http://127.0.0.1:{port}" for n, port in p.http_ports.items()}
        survey = f"{base['survey']}/v1/skm/responses"
        topic = settings().topic("survey")
        results["units"] = len(units)

        with phase("ingest"):
            run = procs.run_dir(p.name)
            prof_out = run / "pyspy-survey.txt"
            import spy as prof
            single_s = env_int("BENCH_SINGLE_SECONDS", 20, 8)
            spy = prof.start(procs.pid_of(p.name, "survey"), single_s, prof_out)
            results["ingest"] = figures.ingest(survey, gen, units[1:], single_s, env_int("BENCH_CLIENTS", 8),
                                               env_int("BENCH_BATCHES", 10, 3), 1000, topic)
            if spy is not None:
                spy.wait(timeout=single_s + 60)
            results["ingest"]["single_profile"] = prof.summarise(prof_out)
            log(results["ingest"])

        def caught_up() -> bool:
            o = common.Offsets(topic, settings().consumer_group)
            try:
                return o.committed() >= o.end()
            finally:
                o.close()
        with phase("drain"):  # freshness is measured on an idle pipeline, not behind the ingest backlog
            common.wait(caught_up, 900, every=1, what="aggregator caught up after ingest")
        with phase("freshness"):
            results["freshness"] = figures.freshness(survey, base["aggregator"], token, gen, units[0],
                                                     env_int("BENCH_FRESH_RATE", 5),
                                                     env_int("BENCH_FRESH_SECONDS", 30, 10))
            log(results["freshness"])

        with phase("ingest_profile"):  # where the time goes, apart (py-spy slows what it watches), and after
            # the freshness figure: the relay re-reads the slots a burst just filled for ~30 s (relay.py)
            off = common.Offsets(topic, "unused")
            with prof.watch(p.name, run, "batches", ("survey", "relay-survey")) as where:
                where["run"] = figures.batch_ingest(survey, gen, units[1:], env_int("BENCH_PROFILE_BATCHES", 6, 3),
                                                    1000, off, "pb")
                where["run"].pop("payloads")
            off.close()
            results["ingest"]["batch_where"] = where
        with phase("drain_2"):  # the loads below must not start behind these batches
            common.wait(caught_up, 900, every=1, what="aggregator caught up after the profiled batches")

        with phase("complaints_forums"):
            results["other_data"] = other_data(base, token, gen, units, env_int("BENCH_COMPLAINTS", 200, 30),
                                               env_int("BENCH_FORUMS", 40, 5))
            log(results["other_data"])

        db = mongo.db("aggregator")
        # the naive recompute scans every raw response: no socket timeout for its client
        from pymongo import MongoClient
        naive_db = MongoClient(p.mongo_url, socketTimeoutMS=0, tz_aware=True)[settings().db_name("aggregator")]
        off = common.Offsets(topic, settings().consumer_group)
        results["reports"], results["aggregation"] = [], []
        have = 0
        # the first load is the year's traffic as it was recorded; each later one is recorded
        # after it (a month each, like paper forms entered later), as the survey service stamps
        recorded_from: datetime | None = None
        for size in sizes:
            with phase(f"load_{size}"):
                n = size - have
                stats = figures.load(event_records(gen, n, YEAR, f"y{have}-", recorded_from), n, topic, off)
                recorded_from = (recorded_from or datetime(YEAR + 1, 1, 2, tzinfo=timezone.utc)) + timedelta(days=31)
                have = size
                start = stats.pop("start")
                raw_n = min(n, env_int("BENCH_RAW_CONSUME_MAX", 50000))
                stats["raw_consumer_rate"] = round(figures.raw_consume_decode(topic, start, raw_n), 1)
                stats["raw_consumer_records"] = raw_n
                stats["size_after"] = size
                results["aggregation"].append(stats)
                log(stats)
            with phase(f"reports_{size}"):
                row = reports.measure(base["aggregator"], token, naive_db, units[0] if reg_kind != "kaltim" else
                                      "samsat-samarinda", units, YEAR, reps=5, naive_reps=env_int("BENCH_NAIVE_REPS", 1),
                                      naive_on=size <= naive_max,
                                      naive_compliance=size <= env_int("BENCH_NAIVE_COMPLIANCE_MAX", 10000),
                                      forum_unit=units[0],  # other_data's first forum
                                      # a month before the latest recording
                                      as_of=(recorded_from - timedelta(days=31)) if size != sizes[0]
                                      else datetime(YEAR, 12, 1, tzinfo=timezone.utc))
                row["responses"] = size
                row["facts_in_store"] = naive_db["skm_facts"].estimated_document_count()  # a scan on FerretDB
                results["reports"].append(row)
                results["report_ratios"] = {**row.get("ratios", {}), "responses": size}  # the largest size's
                log(row)
        with phase("apply_profile"):  # where the consumer's time goes at the largest size, apart (py-spy slows it)
            n = env_int("BENCH_PROFILE_EVENTS", 30000, 5000)
            with prof.watch(p.name, run, "apply", ("consumer",)) as where:
                # recorded after the loads, as they were (recorded at submission, in the year, every
                # change is recorded before the live day and rewrites every later day snapshot of
                # its unit: batches of 5,000 then outlast the store client's 30 s timeout)
                where["run"] = figures.load(event_records(gen, n, YEAR, "prof-", recorded_from), n, topic, off)
            where["run"].pop("start")
            where["size_before"] = have
            results["apply_where"] = where
        off.close()
        with phase("store_reference"):
            store_docs = env_int("BENCH_STORE_DOCS", 20000, 5000)
            # alternated and repeated, best of each: right after the loads the store is still busy
            # with its own work (first single-writer runs measured 3,466-10,865 docs/s, later ones more)
            runs: dict[str, list[float]] = {"1": [], "2": []}  # writers -> docs/s of each run
            for _ in range(env_int("BENCH_STORE_REPEATS", 3, 2)):
                for writers in runs:
                    runs[writers].append(round(store_insert_rate(db, store_docs, writers=int(writers)), 1))
            results["store_insert_runs"] = runs
            results["store_insert_rate"] = max(runs["1"])
            results["store_insert_rate_2_writers"] = max(runs["2"])
        sampler.sample()
        results["rss_mb"] = sampler.stop()
    except BaseException as exc:
        results["error"] = repr(exc)[:500]  # what was measured so far is still written
        raise
    finally:
        sampler.stop() if sampler.is_alive() else None
        results.setdefault("rss_mb", sampler.result())
        plat.services_down(p)
        plat.infra_down(p)
        write(results, phase, out_stem)


def write(results: dict, phase: Phases, out_stem: str) -> None:
    import figures
    results.update(figures.ratios(results))
    results["out_stem"] = out_stem
    results["phases_seconds"] = phase.seconds
    results["total_seconds"] = round(time.monotonic() - phase.t0, 1)
    results["machine"]["loadavg_end"] = os.getloadavg()
    import tables
    last = HERE / f"{out_stem}.json"
    if last.exists() and not quick_mode():  # the last full run stays, for the before/after table
        shutil.copyfile(last, HERE / tables.previous_name(results))
    (HERE / f"{out_stem}.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (HERE / f"{out_stem}.md").write_text(tables.markdown(results))
    log(f"wrote {HERE / out_stem}.json and .md in {results['total_seconds']} s")


if __name__ == "__main__":
    main()
