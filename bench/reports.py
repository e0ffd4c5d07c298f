"""Figure 4: report latency (ours, through HTTP) against the naive recompute from raw responses."""
from __future__ import annotations

import time

import naive
import requests
from common import median, ms


def timed(fn, reps: int, keep: dict | None = None) -> list[float]:
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        value = fn()
        out.append(time.perf_counter() - t)
        if keep is not None:
            keep["value"] = value
    return out


def measure(agg_url: str, token: str, db, unit: str, unit_ids: list[str], year: int, reps: int,
            naive_reps: int, naive_on: bool, naive_compliance: bool = True) -> dict:
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"

    def get(path: str) -> dict:
        r = s.get(agg_url + path, timeout=600)
        r.raise_for_status()
        return r.json()
    ours = {"unit_ikm": lambda: get(f"/v1/ikm/units/{unit}?period={year}"),
            "province_ikm": lambda: get(f"/v1/ikm/province?period={year}"),
            "compliance": lambda: get(f"/v1/skm/compliance?year={year}")}
    naives = {"unit_ikm": lambda: naive.unit_ikm(db, unit, str(year)),
              "province_ikm": lambda: naive.province_ikm(db, unit_ids, str(year)),
              "compliance": lambda: naive.compliance(db, unit_ids, year)}
    out: dict = {}
    last: dict = {}
    # both designs must agree on what they report (the comparison is of equal answers)
    prov = ours["province_ikm"]()
    unit_body = ours["unit_ikm"]()
    out["respondents_in_year"] = sum(u["respondents"] for u in prov["units"])
    for name in ours:
        ours[name]()  # warm (registry cache, connections)
        row = {"ours_p50_ms": ms(median(timed(ours[name], reps))), "reps": reps}
        if naive_on and (name != "compliance" or naive_compliance):
            last[name] = {}
            t = timed(naives[name], naive_reps, last[name])
            row.update({"naive_p50_ms": ms(median(t)), "naive_reps": naive_reps})
            row["ratio"] = round(row["naive_p50_ms"] / row["ours_p50_ms"], 1) if row["ours_p50_ms"] else None
        out[name] = row
    if naive_on:
        check_u, check_p = last["unit_ikm"]["value"], last["province_ikm"]["value"]  # the timed answers
        out["answers_agree"] = (check_u["respondents"] == unit_body["respondents"]
                                and check_u["ikm"] == unit_body["ikm"]
                                and check_p["respondents"] == out["respondents_in_year"]
                                and check_p.get("ikm_pooled_respondents") == prov.get("ikm_pooled_respondents"))
    return out
