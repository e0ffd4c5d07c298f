"""The cost bounds of one paper-form upload: width, row, size and element limits, and the
cooperative deadline that every parse loop checks.

A request thread of a gthread gunicorn worker cannot be interrupted from outside (the worker's
heartbeat runs in its main thread, so gunicorn's `timeout` never fires, and signals reach only
the main thread). The bounds are therefore enforced by the parser itself: every loop whose
length depends on the file counts against these limits and calls `Deadline.check()`, and the
work between two checks is bounded by a constant (one XML chunk, one CSV line, one row).
"""
from __future__ import annotations

import time

from pantau.config import settings

from .paper_layout import COLUMNS
from .schemas import MAX_BATCH

WIDTH_SLACK = 16  # blank trailing columns that spreadsheet programs leave behind
MAX_WIDTH = len(COLUMNS) + WIDTH_SLACK
"""Columns a sheet or a CSV record may have (declared or actual), counted from column A."""
MAX_SHEET_ROWS = 2 * MAX_BATCH + 1
"""Last spreadsheet row that may exist at all (header + MAX_BATCH data rows + as many blank ones)."""
MAX_LINE_CHARS = 32 * 1024  # a full row with a 2,000-character suggestion is ~2.5 K characters
MAX_CELL_CHARS = 32 * 1024
MAX_XLSX_UNCOMPRESSED = 64 * 1024 * 1024  # a 5000-row questionnaire sheet is ~2-3 MB unpacked
MAX_XML_ELEMENTS = 400_000
"""XML elements read from all parts of one workbook; a valid 5,000-row file has 175,000 (shared
strings, as Excel and XlsxWriter write) to 210,000 (inline strings, as openpyxl writes)."""


class DeadlineExceeded(Exception):
    """The upload did not finish parsing before its deadline (nothing was stored)."""

    def __init__(self, seconds: float):
        super().__init__(f"upload deadline of {seconds:g} s exceeded")
        self.seconds = seconds


class Deadline:
    """A point in monotonic time; `check()` raises DeadlineExceeded once it has passed."""

    __slots__ = ("seconds", "_at")

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._at = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() >= self._at:
            raise DeadlineExceeded(self.seconds)

    @classmethod
    def default(cls) -> Deadline:
        """`PANTAU_UPLOAD_DEADLINE_S` (20 s: a valid file of the largest size fits many times over, room
        for a busy host; bench/README.md, "Figures behind defaults")."""
        return cls(settings().upload_deadline_s)
