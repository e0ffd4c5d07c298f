"""The error of a questionnaire file that cannot be accepted, shared by the paper-form reader
(paper.py) and the form-service export reader (paper_formtool.py) without either importing the other."""
from __future__ import annotations


class PaperFormError(Exception):
    """The file cannot be accepted; `errors` lists every problem (row/column/pointer/message);
    `report` is what a preview shows of the file so far (form-service exports), or None."""

    def __init__(self, errors: list[dict], report: dict | None = None):
        super().__init__(f"{len(errors)} kesalahan pada berkas kuesioner")
        self.errors = errors
        self.report = report


def file_error(message: str) -> dict:
    return {"row": None, "column": None, "pointer": "/file", "field": "file", "message": message}
