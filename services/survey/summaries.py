"""SKM summary reports (`POST /v1/skm/summaries`): a unit that surveys with another tool sends its
Laporan Hasil SKM: respondents, NRR per unsur or the answer counts 1–4 per unsur, the IKM and mutu
it computed, the executor and the survey dates. Each (unit, period, submission id) is one subject
(`skm-summary:…`) with one `skm.summary_submitted` event: an identical repeat is a replay, other
content under the same submission id a 409. A newer submission id for the same unit and period
supersedes the older in the aggregator, which recomputes and checks the arithmetic
(pantau/rules/skm_summary_check.py); numbers that cannot be an SKM are refused here (422).

The report file (the unit's Laporan Hasil SKM as PDF) is attached to a submission afterwards:
`PUT /v1/skm/summaries/{unit}/{period}/{submission_id}/report`, multipart/form-data with a `file`
field, checked by content like FKP documents (pantau/uploads.py: PDF magic bytes, at most 10 MB,
and it must open as a PDF with at least one page and no password; 415/413/422 otherwise, nothing
stored). The bytes go to the survey store's `documents` (by SHA-256); the subject's next event,
`skm.summary_report_attached`, carries the SHA-256, size, pages and file name. One file per
submission: the same bytes again are a replay (200), other bytes a 409, because the file is the
report whose numbers were submitted; a corrected report is a new submission (which supersedes).
`GET …/report` downloads it (the unit's key, the bureau, or a staff session forwarded by the
dashboard)."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from pantau import auth, mongo, store, uploads
from pantau.errors import Conflict, NotFound
from pantau.events import skm as ev
from pantau.messages import msg
from pantau.rules.skm_tally import counts_to_store
from pantau.web import Blueprint, PickedSchema, json_response

from .api import events
from .commands import append_event, digest, own_unit, period_or_422
from .responses import ReportFile, SummaryAnswer
from .schemas import SummaryByCounts, SummaryByNrr, summary_schema

blp = Blueprint("skm_summaries", __name__, url_prefix="/v1/skm",
                description="Laporan hasil SKM dari unit yang menyurvei dengan alat lain")


@blp.route("/summaries", methods=["POST"])
@blp.response(201, SummaryAnswer, description="Laporan hasil SKM diterima (juga pada pengulangan).")
@blp.doc(security=[{"bearer": []}])
@auth.require()
@blp.arguments_doc(PickedSchema(summary_schema), {"oneOf": [SummaryByNrr, SummaryByCounts]})
def submit(body):
    """Kirim laporan hasil SKM (NRR atau jumlah jawaban per unsur, IKM dan mutu yang dilaporkan);
    idempoten per (unit, periode, submission_id). Aritmetikanya diperiksa agregator."""
    unit_id = body["unit_id"]
    own_unit(unit_id)
    period = period_or_422(body["period"])
    # profile values (a service type may hold "." or start with "$") are stored as values, never as
    # field names: {field: [{value, count}]} (event v2)
    profile = {f: counts_to_store(c) for f, c in (body.get("profile") or {}).items() if c} or None
    private = {**body, "period": period, "profile": profile,
               **{k: body[k].isoformat() for k in ("survey_start", "survey_end") if body.get(k)}}
    subject = f"skm-summary:{unit_id}:{period}:{body['submission_id']}"
    answer = {**private, "profile": body.get("profile"), "status": "received"}
    prior = events().find_one({"_id": f"{subject}:1"})  # the submission (a report file may follow it)
    if prior is not None:
        if prior.get("content_hash") == digest(private):
            store.republish(events(), [prior])
            return json_response(answer, 201, {"Idempotent-Replay": "true"})
        raise Conflict(msg("This submission_id was used for a different report of this unit and period."))
    data = {"nrr": None, "counts": None, "profile": None, "reported_ikm": None, "reported_mutu": None,
            "executor": None, "survey_start": None, "survey_end": None, **private,
            "recorded_at": datetime.now(timezone.utc).isoformat()}
    append_event(subject, ev.SUMMARY_SUBMITTED, data, unit_id, private, None, dataversion=2)
    return json_response(answer, 201)


SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
REPORT_TYPES = (uploads.PDF,)


def _subject(unit_id: str, period: str, submission_id: str) -> str:
    return f"skm-summary:{unit_id}:{period}:{submission_id}"


def _submission(unit_id: str, raw_period: str, submission_id: str) -> tuple[str, str, dict]:
    """(canonical period, subject, head event) of a stored submission the key may act for, or a problem."""
    own_unit(unit_id)
    period = period_or_422(raw_period)
    subject = _subject(unit_id, period, submission_id)
    head = store.head(events(), subject)
    if head is None:
        raise NotFound(msg("No summary with this submission_id for this unit and period."),
                       errors=[{"pointer": "/submission_id", "field": "submission_id", "message": msg("unknown")}])
    return period, subject, head


def _report_answer(unit_id: str, period: str, submission_id: str, private: dict) -> dict:
    return {"unit_id": unit_id, "period": period, "submission_id": submission_id, **private,
            "download": f"/v1/skm/summaries/{unit_id}/{period}/{submission_id}/report"}


@blp.route("/summaries/<unit_id>/<period>/<submission_id>/report", methods=["PUT"])
@blp.response(201, ReportFile, description="Berkas laporan tersimpan.")
@blp.alt_response(200, schema=ReportFile, description="Pengulangan: berkas yang sama.", success=True)
# a multipart upload, checked by content (pantau/uploads.py), not a schema: its form stated by hand
@blp.doc(security=SECURITY, responses={
    **uploads.openapi_errors(REPORT_TYPES),
    "409": {"description": "Submission ini sudah punya berkas laporan dengan isi lain.", "content": uploads.PROBLEM_CONTENT},
    "422": {"description": "Berkas kosong, PDF rusak atau berkata sandi.", "content": uploads.PROBLEM_CONTENT}},
    requestBody={"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "additionalProperties": False, "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary", "description": "Laporan Hasil SKM unit (PDF)"}}}}}})
@auth.require()
def attach_report(unit_id: str, period: str, submission_id: str):
    """Unggah berkas Laporan Hasil SKM (PDF, diperiksa dari isinya) untuk satu submission; berkas
    yang sama lagi adalah pengulangan, berkas lain untuk submission yang sama ditolak (409)."""
    period, subject, head = _submission(unit_id, period, submission_id)
    data, ctype, filename = uploads.read_upload(REPORT_TYPES)
    pages = uploads.check_pdf(data)
    sha = hashlib.sha256(data).hexdigest()
    if head["seq"] > 1:  # a report file is attached already
        attached = head.get("private") or {}
        if attached.get("sha256") == sha:
            store.republish(events(), [head])
            return json_response(_report_answer(unit_id, period, submission_id, attached), 200,
                                 {"Idempotent-Replay": "true"})
        raise Conflict(msg("This submission already has a different report file; send a corrected report "
                           "as a new submission."), sha256=attached.get("sha256"))
    uploads.save(mongo.db("survey"), data, ctype)
    private = {"sha256": sha, "size": len(data), "content_type": ctype, "pages": pages, "filename": filename}
    event_data = {"unit_id": unit_id, "period": period, "submission_id": submission_id, **private,
                  "attached_at": datetime.now(timezone.utc).isoformat()}
    append_event(subject, ev.SUMMARY_REPORT_ATTACHED, event_data, unit_id, private, head)
    return json_response(_report_answer(unit_id, period, submission_id, private), 201)


@blp.route("/summaries/<unit_id>/<period>/<submission_id>/report", methods=["GET"])
@blp.response_doc(200, uploads.openapi_file(REPORT_TYPES)["200"])
@blp.doc(security=SECURITY)
@auth.require(sessions=True)
def download_report(unit_id: str, period: str, submission_id: str):
    """Unduh berkas Laporan Hasil SKM satu submission (unit itu sendiri atau Biro Organisasi)."""
    period, _, head = _submission(unit_id, period, submission_id)
    if head["seq"] < 2:
        raise NotFound(msg("No report file uploaded for this submission yet."))
    sha = head["private"]["sha256"]
    return uploads.file_response(mongo.db("survey")["documents"], sha,
                                 f"laporan-skm-{unit_id}-{period}-{submission_id}.pdf")
