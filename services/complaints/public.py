"""Public complaint tracking, no API key (Open311 GeoReport v2 is in services/complaints/open311.py).

- `GET /v1/complaints/track/{tracking_id}`: status, dates, the unit holding it, the timeline
  and the deadlines; the subject line and category unless the complaint is confidential; never
  the reporter, the description or the notes. With `X-Reporter-Token` the reporter also sees
  the answers to their complaint and the feedback question.
"""
from __future__ import annotations

from marshmallow import Schema, fields

from pantau.errors import NotFound
from pantau.messages import msg
from pantau.params import AsOfQuery
from pantau.web import Blueprint, json_response

from . import lifecycle, store
from .api import TOKEN_HEADER
from .responses import PublicView


class ReporterToken(Schema):
    """The reporter's token (optional), which shows them the answers and the feedback question."""
    token = fields.String(data_key=TOKEN_HEADER)


track_blp = Blueprint("complaint_tracking", __name__, url_prefix="/v1/complaints",
                      description="Pelacakan pengaduan untuk publik dan pelapor")


@track_blp.route("/track/<tracking_id>", methods=["GET"])
@track_blp.response(200, PublicView, description="Status untuk publik.")
@track_blp.doc(security=[])
@track_blp.arguments(AsOfQuery, location="query")
@track_blp.arguments(ReporterToken, location="headers")
def track(query: dict, headers: dict, tracking_id: str):
    """Status pengaduan untuk publik (tanpa data pribadi; tanpa isi bila rahasia)."""
    stored = store.docs(tracking_id)
    if not stored:
        raise NotFound(msg("Complaint not found."))
    token = headers.get("token")
    reporter = False
    if token:
        lifecycle.check_reporter(stored, token)
        reporter = True
    view = lifecycle.public_view(tracking_id, stored, query.get("as_of") or lifecycle.now(), reporter)
    if view is None:
        raise NotFound(msg("Not yet received at as_of."))
    return json_response(view, headers={"Cache-Control": "no-store"})
