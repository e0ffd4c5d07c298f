"""Hostile paper-form uploads against the live survey service: each one small on the wire and
costly to read naively, each answered 4xx problem+json within the budget, nothing stored.

The elapsed times are printed (run with `-s` to see them) and asserted against a generous bound:
these are guards against a return to minutes (the width-padding XLSX took 64 s at row 3,500
before the reader streamed), not benchmarks.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import NamedTuple

import pytest
import requests
from xlsx_builder import SHEET_TAIL, inline_row, sheet_head, xlsx

pytestmark = pytest.mark.e2e

UNIT = "samsat-sendawar"
PATH = "/v1/skm/paper-forms"
BOUND_S = 5.0
HEADER = ("response_id,submitted_at,persyaratan,prosedur,waktu,biaya,produk,kompetensi,perilaku,"
          "pengaduan,sarana,service_type,sex,age,education,occupation,suggestion").split(",")
LAST_ROW = 1_048_576  # the last row of a worksheet


def width_padding() -> bytes:
    """The probe's file: the header, then one cell at the sheet's last row, `<dimension>` A1:XFD…"""
    return xlsx(sheet_head(f"A1:XFD{LAST_ROW}") + inline_row(1, HEADER).encode()
                + f'<row r="{LAST_ROW}"><c r="A{LAST_ROW}"><v>1</v></c></row>'.encode() + SHEET_TAIL)


def repeated(element: bytes, count: int, per: int = 100_000) -> Iterator[bytes]:
    block = element * per
    for _ in range(count // per):
        yield block
    yield element * (count % per)


def every_row_filled() -> bytes:
    """The header and 1,048,575 rows with a value each (rows and cells without references, as the
    format allows: 27 bytes a row, so the archive stays small)."""
    return xlsx([sheet_head() + inline_row(1, HEADER).encode(),
                 *repeated(b"<row><c><v>1</v></c></row>", LAST_ROW - 1), SHEET_TAIL])


def empty_rows_64mb() -> bytes:
    """The header and 64 MB of empty rows (just below the 64 MiB unpacked cap, so the streaming
    row bound has to stop it)."""
    count = (64 * 1024 * 1024 - 64 * 1024) // len(b"<row/>")
    return xlsx([sheet_head() + inline_row(1, HEADER).encode(), *repeated(b"<row/>", count), SHEET_TAIL])


def csv_100k_columns() -> bytes:
    header = HEADER + [f"kolom_{i}" for i in range(100_000 - len(HEADER))]
    return (",".join(header) + "\n" + ",".join(["3"] * 100_000) + "\n").encode()


def csv_blank_million() -> bytes:
    return (",".join(HEADER) + "\n").encode() + b",\n" * 1_000_000


class Case(NamedTuple):
    name: str
    build: Callable[[], bytes]
    filename: str
    reason: str  # what the refusal's message says


CASES = [
    Case("width-padding-xlsx", width_padding, "lebar.xlsx", "dinyatakan selebar 16384 kolom (sampai kolom XFD)"),
    Case("1048576-rows-xlsx", every_row_filled, "sejuta-baris.xlsx", "lebih dari 5000 baris data"),
    Case("64mb-empty-rows-xlsx", empty_rows_64mb, "kosong.xlsx", "baris sampai nomor 10002"),
    Case("100000-columns-csv", csv_100k_columns, "lebar.csv", "lebih dari 32768 karakter"),
    Case("million-blank-lines-csv", csv_blank_million, "kosong.csv", "lebih dari 10001 baris"),
]


def survey_events() -> int:
    from pantau import mongo, store
    return store.document_count(mongo.db("survey")["events"])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_upload_is_refused_within_the_budget(platform, case):
    data = case.build()
    assert len(data) < 8 * 1024 * 1024  # under the body limit: the reader, not the size check, must refuse it
    before = survey_events()
    start = time.monotonic()
    r = requests.post(platform.url("survey", PATH), data={"unit_id": UNIT},
                      files={"file": (case.filename, data, "application/octet-stream")},
                      headers=platform.headers(platform.key(UNIT)), timeout=120)
    elapsed = time.monotonic() - start
    print(f"\n{case.name}: {len(data):,} bytes sent, HTTP {r.status_code} in {elapsed:.2f} s")
    assert r.status_code == 422, r.text[:500]
    assert r.headers["Content-Type"].startswith("application/problem+json")
    errors = r.json()["errors"]
    assert len(errors) == 1 and errors[0]["pointer"] == "/file" and case.reason in errors[0]["message"], errors
    assert elapsed < BOUND_S
    assert survey_events() == before
