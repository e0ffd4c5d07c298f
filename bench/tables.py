"""results.json → results.md: one table row per figure (ours, reference, ratio, target, met?)."""
from __future__ import annotations

RSS_LIMIT_MB = 300  # issue 9's bound
RSS_TARGET_MB = 150  # issue 20's target per Pantau process


def _r(a, b):
    return round(a / b, 3) if a is not None and b else None


def rows(res: dict) -> list[list]:
    out = []
    ing = res.get("ingest", {})
    raw = ing.get("raw_producer", {}).get("rate")
    if "batch" in ing:
        b = ing["batch"]["rate"]
        out.append(["1. batch ingest (1,000/batch, until published), responses/s", b, f"raw producer {raw}",
                    _r(b, raw), "≥ 0.5", _r(b, raw) is not None and _r(b, raw) >= 0.5])
    if "single" in ing:
        s = ing["single"]["rate"]
        prof = ing.get("single_profile", {})
        layers = prof.get("busy_layers_pct") or prof.get("layers_pct", {})
        http = sum(v for k, v in layers.items() if k.startswith("http") or k == "network I/O")
        out.append(["1. single-post ingest (until published), responses/s", s, f"raw producer {raw}", _r(s, raw),
                    "limited by HTTP (profile)", f"HTTP+network {round(http, 1)} %, store "
                    f"{round(sum(v for k, v in layers.items() if k.startswith('store')), 1)} % of busy survey samples"
                    if layers else "n/a"])
    for key, label, ours, ref, target in (
            ("single_post_vs_store_insert_one_ratio", "1a. single-post ingest ({} clients, until published) ÷ store "
             "insert_one of the same documents, responses/s", ing.get("single", {}), ing.get("store_insert_one", {}), 1.0),
            ("batch_vs_store_insert_many_ratio", "1b. batch ingest (1,000/batch, until published) ÷ store insert_many "
             "of the same documents, responses/s", ing.get("batch", {}), ing.get("store_insert_many", {}), 0.25),
            ("apply_vs_raw_consume_ratio", "2a. aggregator apply (largest size) ÷ raw consume + decode, events/s",
             (res.get("aggregation") or [{}])[-1], (res.get("aggregation") or [{}])[-1], 0.5)):
        v = res.get(key)
        if v is not None:
            out.append([label.format(ing.get("single", {}).get("clients")), ours.get("rate", ours.get("apply_rate")),
                        f"store {ref.get('writers')} writers {ref.get('rate')}" if "writers" in ref
                        else f"raw consumer+decode {ref.get('raw_consumer_rate')}", v, f"≥ {target}", v >= target])
    for a in res.get("aggregation", []):
        out.append([f"2. aggregator apply rate (load to {a['size_after']:,}), events/s", a["apply_rate"],
                    f"raw consumer+decode {a['raw_consumer_rate']}", _r(a["apply_rate"], a["raw_consumer_rate"]),
                    "≥ 0.5", _r(a["apply_rate"], a["raw_consumer_rate"]) >= 0.5])
    if res.get("store_insert_rate"):
        out.append(["2b. store alone: pymongo insert_many of fact documents, docs/s", res["store_insert_rate"],
                    "(reference for the store)", None, "context", ""])
    if res.get("store_insert_rate_2_writers"):
        out.append(["2b. store alone, two concurrent writers (threads, collections), docs/s in all (best of "
                    f"{len(res.get('store_insert_runs', {}).get('2', [])) or 1}, alternating with one writer)",
                    res["store_insert_rate_2_writers"], f"one writer {res.get('store_insert_rate')}",
                    _r(res["store_insert_rate_2_writers"], res.get("store_insert_rate")), "context (2 cores)", ""])
    f = res.get("freshness")
    if f:
        limit = 5 * (f["broker"]["p99_ms"] or 0) + 200
        out.append(["3. freshness p50 (2xx → unit report), ms", f["p50_ms"], f"broker p50 {f['broker']['p50_ms']}",
                    _r(f["p50_ms"], f["broker"]["p50_ms"]), "", ""])
        out.append(["3. freshness p99, ms", f["p99_ms"], f"broker p99 {f['broker']['p99_ms']}",
                    _r(f["p99_ms"], f["broker"]["p99_ms"]), f"≤ 5×broker p99 + 200 ms poll = {round(limit)}",
                    f["p99_ms"] is not None and f["p99_ms"] <= limit])
    reps = res.get("reports", [])
    for r in reps:
        for name in ("unit_ikm", "province_ikm", "compliance"):
            row = r[name]
            naive = row.get("naive_p50_ms")
            target = "≥ 1000× at 1M" if name != "compliance" else "context"
            met = (row.get("ratio") or 0) >= 1000 if r["responses"] >= 1_000_000 and name != "compliance" else ""
            out.append([f"4. {name} at {r['responses']:,} responses, ms p50", row["ours_p50_ms"],
                        f"naive {naive}" if naive is not None else "naive not run", row.get("ratio"), target, met])
    targets = {"province_vs_unit_report_ratio": ("province IKM ÷ unit IKM (p50)", 3.0),
               "compliance_vs_unit_report_ratio": ("compliance ÷ unit IKM (p50)", 5.0),
               "ranking_vs_unit_report_ratio": ("ranking ÷ unit IKM (p50)", 5.0),
               "as_of_vs_live_unit_report_ratio": ("unit IKM as of a month back ÷ live (p50)", 3.0),
               "as_of_vs_live_province_report_ratio": ("province IKM as of a month back ÷ live (p50)", 3.0)}
    for r in reps:
        for key, (label, limit) in targets.items():
            v = r.get("ratios", {}).get(key)
            if v is not None:
                out.append([f"5. {label} at {r['responses']:,} responses", v, "same run", v, f"≤ {limit}", v <= limit])
        for name, page in (r.get("as_of_pages") or {}).items():
            if "p95_ms" not in page:  # 404: not there yet at per=
                out.append([f"6. dashboard {name} with per= at {r['responses']:,}", "404", "not recorded yet at per=",
                            None, "", ""])
                continue
            over = page.get("over_deadline", 0)
            month_back = page.get("per") in (None, r.get("as_of", "")[:10])
            out.append([f"6. dashboard {name} with per= at {r['responses']:,}, ms p95", page["p95_ms"],
                        f"p50 {page['p50_ms']}" + (f", {over}/{page['reps']} over the report deadline (503)" if over else "")
                        + ("" if month_back else f", per={page['per']} (recorded today: a month back it did not exist)"),
                        None, "< 1000", page["p95_ms"] < 1000 and not over])
    if len(reps) >= 2:
        lo, hi = reps[0], reps[-1]
        for name in ("unit_ikm", "province_ikm", "compliance"):
            g = _r(hi[name]["ours_p50_ms"], lo[name]["ours_p50_ms"])
            ng = _r(hi[name].get("naive_p50_ms"), lo[name].get("naive_p50_ms"))
            out.append([f"4. growth {name} {lo['responses']:,} → {hi['responses']:,} (×{hi['responses'] // lo['responses']} data)",
                        f"×{g}", f"naive ×{ng}" if ng else "naive n/a", None, "flat (≈ ×1)", g is not None and g <= 1.5])
    rss = res.get("rss_mb", {})
    ours = {k: v for k, v in rss.items() if not k.startswith(("kafka", "store"))}
    if rss:
        worst = max(ours, key=ours.get) if ours else None
        out.append(["5. peak RSS, largest Pantau process, MB", ours.get(worst), worst, None, f"< {RSS_LIMIT_MB}",
                    ours.get(worst, 0) < RSS_LIMIT_MB])
        out.append(["5a. peak RSS per Pantau process (issue 20), largest, MB", ours.get(worst), worst, None,
                    f"≤ {RSS_TARGET_MB}", ours.get(worst, 0) <= RSS_TARGET_MB])
    return out


def _fmt(v):
    if v is True:
        return "yes"
    if v is False:
        return "**no**"
    if v is None:
        return ""
    return f"{v:,}" if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)


def markdown(res: dict) -> str:
    m, st = res.get("machine", {}), res.get("store", {})
    lines = [f"# Pantau benchmark ({'quick' if res.get('quick') else 'full'} run, {res.get('started_utc')})", "",
             f"Machine: {m.get('cores')} cores, {m.get('cpu_model')}, {m.get('ram_gb')} GB RAM, Python {m.get('python')}; "
             f"load average at start {_load(m.get('loadavg_start'))}, at end {_load(m.get('loadavg_end'))}.",
             f"Store: {st.get('engine')} {st.get('ferretdb_version') or st.get('version')} "
             f"({st.get('backend', 'native')} backend). Registry: {res.get('registry')} ({res.get('units')} UPPs), "
             f"seed {res.get('seed')}. Total run {res.get('total_seconds')} s.", "",
             "| figure | ours | reference | ratio | target | met? |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(_fmt(c) for c in row) + " |" for row in rows(res)]
    rss = res.get("rss_mb", {})
    if rss:
        lines += ["", "Peak RSS per process (MB): " + ", ".join(f"{k} {v}" for k, v in rss.items()) + "."]
    prof = res.get("ingest", {}).get("single_profile", {})
    if prof.get("available"):
        lines += ["", "Single-post ingest, survey service samples by layer (py-spy, threads idling for work left out): " +
                  ", ".join(f"{k} {v} %" for k, v in (prof.get("busy_layers_pct") or prof["layers_pct"]).items()) + "."]
    lines += where_lines(res)
    before = _before()
    if before:
        lines += ["", "Before/after the fixes (quick runs on the same machine, bench/before.json; " + before["note"].split(";")[0] + "):",
                  "", ("| run | single posts/s | 1,000-batches responses/s | s per 1,000-batch | apply events/s (2,000) "
                   "| raw consumer+decode/s | `_id` lookup, missing, 20k docs (ms) |"),
                  "|---|---|---|---|---|---|---|"]
        for r in before["runs"]:
            lines.append(f"| {r['label']} ({r['at']}) | {r['single_rate']} | {r['batch_rate']} | {r['batch_http_seconds_per_1000']} | "
                         f"{r['apply_rate_2000']} | {r['raw_consumer_rate_2000']} | {r['id_lookup_ms_missing_20k_docs']} |")
    prev = _previous(res)
    if prev:
        now_rows = {row[0]: row for row in rows(res)}
        lines += ["", f"Before/after this session's fixes: the previous full run ({prev.get('started_utc')}, "
                  f"{prev.get('total_seconds')} s, load average at end {_load(prev.get('machine', {}).get('loadavg_end'))}; "
                  f"bench/{previous_name(res)}) against this one on the same machine, the rows both runs have (compare ratios: "
                  "the references move with the machine's load too):",
                  "", "| figure | before: ours | before: ratio | after: ours | after: ratio |", "|---|---|---|---|---|"]
        for row in rows(prev):
            if row[0] in now_rows:
                after = now_rows[row[0]]
                lines.append(f"| {row[0]} | {_fmt(row[1])} | {_fmt(row[3])} | {_fmt(after[1])} | {_fmt(after[3])} |")
    lines += ["", "Phases (s): " + ", ".join(f"{k} {v}" for k, v in res.get("phases_seconds", {}).items()) + ".", ""]
    return "\n".join(lines)


def where_lines(res: dict) -> list[str]:
    """Where the time goes in the pipeline phases (bench/spy.py `watch`): the working thread's
    wall-clock samples by layer, and the CPU each process used."""
    watched = []
    w = res.get("ingest", {}).get("batch_where")
    if w:
        watched.append((f"{w['run']['batches']} more 1,000-response batches, until published "
                        f"({w['run']['rate']} responses/s under py-spy)", w))
    w = res.get("apply_where")
    if w:
        watched.append((f"aggregator apply of {w['run']['records']:,} more events after {w['size_before']:,} "
                        f"({w['run']['apply_rate']} events/s under py-spy)", w))
    if not watched:
        return []
    out = ["", "Where the time goes, measured apart from the figures above (py-spy slows what it watches): "
           "py-spy wall-clock samples of the thread doing the work (waits included; the survey "
           "workers' threads while they serve a request), by layer, and the "
           "store calls it waited on; CPU in cores = CPU seconds of the process and its children / wall "
           "seconds (2 cores in all):", "",
           "| phase | thread | its wall-clock time by layer | waiting for the store, by call | CPU used (cores) |",
           "|---|---|---|---|---|"]
    for label, w in watched:
        cpu = ", ".join(f"{k} {v}" for k, v in w.get("cpu_cores", {}).items())
        for name, t in (w.get("threads") or {"-": {}}).items():
            pct = ", ".join(f"{k} {v} %" for k, v in t.get("wall_pct", {}).items()) or "no samples"
            calls = ", ".join(f"{k} {v} %" for k, v in t.get("store_wait_by_call_pct", {}).items())
            out.append(f"| {label} | {name} | {pct} | {calls} | {cpu} |")
    return out


def _load(v):
    return "/".join(f"{x:.2f}" for x in v) if v else "?"


def _before() -> dict | None:
    import json
    from pathlib import Path
    p = Path(__file__).with_name("before.json")
    return json.loads(p.read_text()) if p.exists() else None


def previous_name(res: dict) -> str | None:
    """The earlier run of the same kind kept for the before/after table: `<stem>-previous.json`
    (None for a results file that does not say its stem)."""
    return f"{res['out_stem']}-previous.json" if res.get("out_stem") else None


def _previous(res: dict) -> dict | None:
    """The earlier full run kept for the before/after table (not for quick runs)."""
    import json
    from pathlib import Path
    name = previous_name(res)
    p = Path(__file__).parent / name if name else None  # BENCH_OUT may be an absolute path
    return json.loads(p.read_text()) if p and p.exists() and not res.get("quick") else None
