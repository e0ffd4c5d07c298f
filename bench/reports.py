"""Figure 4: report latency (ours, through HTTP) against the naive recompute from raw responses."""
from __future__ import annotations

import time
from datetime import datetime
from functools import partial
from zoneinfo import ZoneInfo

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


def p95(values: list[float]) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(0.95 * (len(v) - 1))))]


LOCAL_TZ = "Asia/Makassar"  # the platform's PANTAU_TZ default: `per=` is the end of a local day


def dashboard_session(agg_url: str, token: str) -> requests.Session:
    """A dashboard session signed in with the bench's key (the login form and its CSRF token)."""
    import re
    s = requests.Session()
    page = s.get(agg_url + "/masuk", timeout=60).text
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = s.post(agg_url + "/masuk", data={"csrf_token": csrf, "api_key": token}, timeout=60, allow_redirects=False)
    assert r.status_code == 302, r.text[:300]
    return s


# every dashboard page that takes per= (dashboard/views.py, pekppp_views.py; the PDFs are
# downloads, not pages); `promise` and `case` are the harness's first forum and complaint
PER_PAGES = {"overview": "/dasbor?tahun={year}", "opd": "/dasbor/opd/{opd}?tahun={year}",
             "compliance": "/dasbor/kepatuhan?tahun={year}", "fkp": "/dasbor/fkp?tahun={year}",
             "complaints": "/dasbor/pengaduan?tahun={year}", "pekppp": "/dasbor/pekppp?tahun={year}",
             "unit_card": "/dasbor/unit/{unit}?tahun={year}", "unit_skm": "/dasbor/unit/{unit}/skm?periode={year}",
             "unit_fkp": "/dasbor/unit/{unit}/fkp?tahun={year}",
             "unit_complaints": "/dasbor/unit/{unit}/pengaduan?tahun={year}",
             "unit_pekppp": "/dasbor/unit/{unit}/pekppp?tahun={year}",
             "promise": "/dasbor/fkp/janji/{forum_unit}/bench-fkp-0/janji-1?tahun={year}",
             "case": "/dasbor/pengaduan/kasus/BENCH-000000?tahun={year}"}


def as_of_pages(agg_url: str, token: str, unit: str, opd: str, year: int, as_of, reps: int,
                forum_unit: str | None = None) -> dict:
    """Dashboard pages with "keadaan per" (the end of `as_of`'s day): p50 and p95 over `reps`."""
    s = dashboard_session(agg_url, token)
    per = as_of.date().isoformat()
    pages = {name: path.format(year=year, opd=opd, unit=unit, forum_unit=forum_unit or unit) + f"&per={per}"
             for name, path in PER_PAGES.items() if forum_unit is not None or name != "promise"}
    out = {}
    for name, path in pages.items():
        statuses: list[int] = []

        def get(path=path, statuses=statuses):
            r = s.get(agg_url + path, timeout=600)
            # 503: over the report deadline; 404: what the page shows did not exist yet at per=
            assert r.status_code in (200, 503, 404), (path, r.status_code)
            statuses.append(r.status_code)
        get()
        row_per = per
        if statuses[0] == 404:
            # the harness posts its forum and complaint in real time, after the year's responses:
            # a month back they did not exist, so the page is timed as of the end of today instead
            row_per = datetime.now(ZoneInfo(LOCAL_TZ)).date().isoformat()
            path = path.replace(f"per={per}", f"per={row_per}")
            statuses.clear()
            get(path)
            if statuses[0] == 404:
                out[name] = {"status": 404}
                continue
        t = timed(partial(get, path), reps)
        refused = statuses[1:].count(503)
        out[name] = {"p50_ms": ms(median(t)), "p95_ms": ms(p95(t)), "reps": reps, "per": row_per,
                     "over_deadline": refused}  # a 503's time is the deadline's, not the page's
    return out


def measure(agg_url: str, token: str, db, unit: str, unit_ids: list[str], year: int, reps: int,
            naive_reps: int, naive_on: bool, naive_compliance: bool = True, as_of=None, opd: str = "bapenda",
            forum_unit: str | None = None) -> dict:
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"

    def get(path: str) -> dict:
        r = s.get(agg_url + path, timeout=600)
        r.raise_for_status()
        return r.json()
    ours = {"unit_ikm": lambda: get(f"/v1/ikm/units/{unit}?period={year}"),
            "province_ikm": lambda: get(f"/v1/ikm/province?period={year}"),
            "compliance": lambda: get(f"/v1/skm/compliance?year={year}"),
            "ranking": lambda: get(f"/v1/ikm/ranking?period={year}")}
    if as_of is not None:
        stamp = as_of.isoformat().replace("+00:00", "Z")
        ours["unit_ikm_as_of"] = lambda: get(f"/v1/ikm/units/{unit}?period={year}&as_of={stamp}")
        ours["province_ikm_as_of"] = lambda: get(f"/v1/ikm/province?period={year}&as_of={stamp}")
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
        if naive_on and name in naives and (name != "compliance" or naive_compliance):
            last[name] = {}
            t = timed(naives[name], naive_reps, last[name])
            row.update({"naive_p50_ms": ms(median(t)), "naive_reps": naive_reps})
            row["ratio"] = round(row["naive_p50_ms"] / row["ours_p50_ms"], 1) if row["ours_p50_ms"] else None
        out[name] = row
    unit_ms = out["unit_ikm"]["ours_p50_ms"]
    ratios = {"province_vs_unit_report_ratio": ("province_ikm", "unit_ikm"),
              "compliance_vs_unit_report_ratio": ("compliance", "unit_ikm"),
              "ranking_vs_unit_report_ratio": ("ranking", "unit_ikm"),
              "as_of_vs_live_unit_report_ratio": ("unit_ikm_as_of", "unit_ikm"),
              "as_of_vs_live_province_report_ratio": ("province_ikm_as_of", "province_ikm")}
    out["ratios"] = {k: round(out[a]["ours_p50_ms"] / out[b]["ours_p50_ms"], 2)
                     for k, (a, b) in ratios.items() if a in out and unit_ms}
    if as_of is not None:
        out["as_of"] = as_of.isoformat()
        out["as_of_pages"] = as_of_pages(agg_url, s.headers["Authorization"][7:], unit, opd, year, as_of, reps,
                                         forum_unit)
    if naive_on:
        check_u, check_p = last["unit_ikm"]["value"], last["province_ikm"]["value"]  # the timed answers
        out["answers_agree"] = (check_u["respondents"] == unit_body["respondents"]
                                and check_u["ikm"] == unit_body["ikm"]
                                and check_p["respondents"] == out["respondents_in_year"]
                                and check_p.get("ikm_pooled_respondents") == prov.get("ikm_pooled_respondents"))
    return out
