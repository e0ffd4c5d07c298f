"""Upload type sniffing and the consultation schemas' own rules (no server needed)."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from services.consultation.documents import sniff
from services.consultation.schemas import EvidenceSchema, FeedbackSchema, PromiseSchema


@pytest.mark.parametrize("head, ctype", [
    (b"%PDF-1.7\n%\xe2\xe3", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"GIF89a", None),
    (b"PK\x03\x04", None),            # a zip/docx
    (b"<html><body>", None),
    (b"%PD", None),                   # truncated
    (b"", None),
])
def test_sniff_by_magic_bytes(head, ctype):
    assert sniff(head + b"\x00" * 32 if head else head) == ctype


def test_feedback_dispute_needs_a_note():
    FeedbackSchema().load({"code": "ABCD-EFGH", "verdict": "confirm"})
    with pytest.raises(ValidationError) as exc:
        FeedbackSchema().load({"code": "ABCD-EFGH", "verdict": "dispute"})
    assert "note" in exc.value.messages


def test_evidence_needs_a_url_or_a_document():
    EvidenceSchema().load({"name": "Foto loket", "sha256": "a" * 64})
    EvidenceSchema().load({"name": "Berita", "url": "https://example.org/x"})
    with pytest.raises(ValidationError):
        EvidenceSchema().load({"name": "Foto loket"})


def test_promise_elements_are_skm_keys_without_repeats():
    ok = PromiseSchema().load({"promise_id": "p1", "description": "Tambah loket", "owner": "Bidang",
                               "target_date": "2026-05-01", "elements": ["waktu", "prosedur"]})
    assert ok["elements"] == ["waktu", "prosedur"]
    for bad in (["parkir"], ["waktu", "waktu"]):
        with pytest.raises(ValidationError):
            PromiseSchema().load({"promise_id": "p1", "description": "Tambah loket", "owner": "Bidang",
                                  "target_date": "2026-05-01", "elements": bad})
