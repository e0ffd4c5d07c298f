"""Searching raw files (the store's SQLite files, Kafka's log segments, a backup directory) for
values in any form they could be written in: raw UTF-8, JSON-escaped, base64 at each byte
alignment (tests/e2e/test_personal_data_at_rest.py, tests/e2e/test_complaints_privacy.py)."""
from __future__ import annotations

import base64
import json
from pathlib import Path


def forms(value: str) -> set[bytes]:
    """The value as raw UTF-8, JSON-escaped, and base64 at each of the three byte alignments
    (the full groups only, so a match does not depend on the neighbouring bytes)."""
    raw = value.encode()
    out = {raw, json.dumps(value).encode()[1:-1]}
    for shift in range(3):
        part = raw[shift:]
        out.add(base64.b64encode(part)[: (len(part) // 3) * 4])
    return {f for f in out if len(f) >= 8}


def files(*roots: Path) -> list[Path]:
    return [p for r in roots for p in sorted(r.rglob("*")) if p.is_file()]


def hits(paths: list[Path], values: list[str]) -> dict[str, list[str]]:
    """value → the names of the files holding it in one of its forms."""
    wanted = {v: forms(v) for v in values}
    found: dict[str, list[str]] = {}
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue  # a segment deleted while we listed
        for v, fs in wanted.items():
            if any(f in data for f in fs):
                found.setdefault(v, []).append(path.name)
    return found
