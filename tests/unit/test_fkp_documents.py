"""The consultation schemas' own rules (no server needed; the upload checks: test_uploads.py)."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError

from services.consultation.schemas import EvidenceSchema, FeedbackSchema, PromiseSchema


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
