"""SKM summary reports (`POST /v1/skm/summaries`): a unit that surveys with another tool sends its
Laporan Hasil SKM: respondents, NRR per unsur or the answer counts 1–4 per unsur, the IKM and mutu
it computed, the executor and the survey dates. Each (unit, period, submission id) is one subject
(`skm-summary:…`) with one `skm.summary_submitted` event: an identical repeat is a replay, other
content under the same submission id a 409. A newer submission id for the same unit and period
supersedes the older in the aggregator, which recomputes and checks the arithmetic
(pantau/rules/skm_summary_check.py); numbers that cannot be an SKM are refused here (422).
The report file itself (PDF) is not taken yet."""
from __future__ import annotations

from datetime import datetime, timezone

from pantau import auth, outbox
from pantau.events import skm as ev
from pantau.problems import ProblemError
from pantau.rules.skm_tally import counts_to_store
from pantau.web import Blueprint, json_body, json_response

from .api import events
from .commands import append_event, digest, own_unit, period_or_422
from .schemas import SummarySchema

blp = Blueprint("skm_summaries", __name__, url_prefix="/v1/skm",
                description="Laporan hasil SKM dari unit yang menyurvei dengan alat lain")


@blp.route("/summaries", methods=["POST"])
@blp.doc(security=[{"bearer": []}])
@auth.require()
@json_body(blp, SummarySchema)
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
    prior = outbox.head(events(), subject)
    if prior is not None:
        if prior.get("content_hash") == digest(private):
            outbox.repoint(events(), [prior])
            return json_response(answer, 201, {"Idempotent-Replay": "true"})
        raise ProblemError(409, "submission_id ini sudah dipakai untuk laporan lain pada unit dan periode ini.",
                           detail_en="This submission_id was used for a different report of this unit and period.")
    data = {"nrr": None, "counts": None, "profile": None, "reported_ikm": None, "reported_mutu": None,
            "executor": None, "survey_start": None, "survey_end": None, **private,
            "recorded_at": datetime.now(timezone.utc).isoformat()}
    append_event(subject, ev.SUMMARY_SUBMITTED, data, unit_id, private, None, dataversion=2)
    return json_response(answer, 201)
