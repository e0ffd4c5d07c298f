"""Per-request cost of reading a report's query (`period`, `as_of`, `weight`) in a Flask request
context: the hand-read functions of pantau/params.py at git revision BEFORE (default: the last one
with them) against the query schema loaded by the parser `@blp.arguments` uses.

    .venv/bin/python bench/query_params.py [BEFORE]
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

from flask import Flask, request

from pantau.params import PeriodReportQuery, report_settings
from pantau.web import ProblemParser

BEFORE = sys.argv[1] if len(sys.argv) > 1 else "0c9eec2"
QUERY = "/?period=2026-Q1&as_of=2026-03-31T23:59:59%2B08:00&weight=exact"


def old_params():
    """pantau/params.py at BEFORE, its relative imports made absolute."""
    root = Path(__file__).resolve().parents[1]
    text = subprocess.run(["git", "-C", str(root), "show", f"{BEFORE}:pantau/params.py"], check=True,
                          capture_output=True, text=True).stdout.replace("from .", "from pantau.")
    path = Path(tempfile.mkdtemp()) / "params_before.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("params_before", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    old, app, parser, schema = old_params(), Flask("bench"), ProblemParser(), PeriodReportQuery()

    def context_only():
        with app.test_request_context(QUERY):
            pass

    def hand_read():
        with app.test_request_context(QUERY):
            old.report_settings(), old.period_arg(), old.as_of_arg()

    def query_schema():
        with app.test_request_context(QUERY):
            report_settings(parser.parse(schema, request, location="query"))

    variants = {"request context only": context_only, f"hand-read ({BEFORE})": hand_read, "query schema": query_schema}
    best = dict.fromkeys(variants, float("inf"))
    for _round in range(15):  # interleaved, the best of each: a shared machine's load hits all alike
        for name, fn in variants.items():
            best[name] = min(best[name], timeit.timeit(fn, number=2000) / 2000 * 1e6)
    for name, us in best.items():
        print(f"{name:24s} {us:7.1f} µs/request")


if __name__ == "__main__":
    main()
