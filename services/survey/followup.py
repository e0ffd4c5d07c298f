"""Survey settings, follow-up plan (RTL) and publication of results, per unit and period.

Each is a subject in the service's event log (`skm-settings:…`, `skm-rtl:…`, `skm-pub:…`);
free text (notes, evidence names and links) stays in the service, events carry what the
aggregator needs to judge compliance and PEKPPP indicators 6–9 (domain.md §4.3). The settings'
optional `signatory` (the head of the unit: name, NIP, jabatan, place) does travel in the event:
it is an official's public data the aggregator prints on the report (pantau/events/skm.py,
`SignatoryData`, says why that is allowed).
"""
from __future__ import annotations

from pantau import auth, commands, store
from pantau.events import skm as ev
from pantau.messages import msg
from pantau.problems import ProblemError
from pantau.web import Blueprint, json_response, one_of_doc

from .api import events
from .commands import append_event, digest, own_unit, period_or_422
from .responses import PublicationAnswer, RtlHistory, RtlItemAnswer, RtlProgressAnswer, SettingsAnswer
from .schemas import (
    ELECTRONIC_MEDIA,
    RTL_PROGRESS_SCHEMAS,
    PublicationSchema,
    RtlItemSchema,
    RtlProgressSchema,
    SettingsSchema,
)

blp = Blueprint("skm_followup", __name__, url_prefix="/v1/skm",
                description="Pengaturan survei, rencana tindak lanjut (RTL) dan publikasi hasil SKM")
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


def _scope(unit_id: str, period: str) -> str:
    own_unit(unit_id, ("upp", "opd", "kabkota"))  # settings, RTL and publications: any unit but the province
    return period_or_422(period)


@blp.route("/settings/<unit_id>/<period>", methods=["PUT"])
@blp.response(200, SettingsAnswer, description="Pengaturan yang berlaku.")
@blp.doc(security=SECURITY)
@auth.require()
@blp.arguments(SettingsSchema)
def put_settings(body, unit_id: str, period: str):
    """Tetapkan populasi (N), jenis periode, pelaksana survei dan penanda tangan laporan (opsional).

    PUT mengganti seluruh pengaturan: tanpa `signatory`, laporan mencetak garis kosong untuk nama dan NIP."""
    period = _scope(unit_id, period)
    subject = f"skm-settings:{unit_id}:{period}"
    # an exact repeat of the settings in force is a replay (pantau.commands)
    append_event(subject, ev.SETTINGS_SET, {"unit_id": unit_id, "period": period, **body}, unit_id, body,
                 store.head(events(), subject))
    return json_response({"unit_id": unit_id, "period": period, **body})


@blp.route("/settings/<unit_id>/<period>", methods=["GET"])
@blp.response(200, SettingsAnswer, description="Pengaturan yang berlaku.")
@blp.doc(security=SECURITY)
@auth.require()
def get_settings(unit_id: str, period: str):
    """Baca pengaturan survei yang berlaku."""
    period = _scope(unit_id, period)
    prior = store.head(events(), f"skm-settings:{unit_id}:{period}")
    if prior is None:
        raise ProblemError(404, msg("No settings yet."))
    return json_response({"unit_id": unit_id, "period": period, **prior["private"]})


@blp.route("/rtl/<unit_id>/<period>/items", methods=["POST"])
@blp.response(201, RtlItemAnswer, description="Butir RTL tercatat (juga pada pengulangan).")
@blp.doc(security=SECURITY)
@auth.require()
@blp.arguments(RtlItemSchema)
def plan_item(body, unit_id: str, period: str):
    """Rencanakan satu butir RTL untuk unsur terlemah (idempoten per item_id)."""
    period = _scope(unit_id, period)
    subject = f"skm-rtl:{unit_id}:{period}:{body['item_id']}"
    private = {**body, "target_date": body["target_date"].isoformat()}
    answer = {"unit_id": unit_id, "period": period, **private, "status": "planned"}
    result = commands.check_stored(events(), events().find_one({"_id": f"{subject}:1"}), digest(private))
    if result is None:
        result = append_event(subject, ev.RTL_ITEM_PLANNED, {"unit_id": unit_id, "period": period, **private},
                              unit_id, private, None)
    result.or_409(msg("This RTL item_id exists with different content."))
    return json_response(answer, 201, {"Idempotent-Replay": "true"} if result.replayed else None)


@blp.route("/rtl/<unit_id>/<period>/items/<item_id>/progress", methods=["POST"])
@blp.response(200, RtlProgressAnswer, description="Kemajuan tercatat.")
@blp.doc(security=SECURITY)
@auth.require()
@blp.arguments_doc(RtlProgressSchema, one_of_doc("status", RTL_PROGRESS_SCHEMAS))
def item_progress(body, unit_id: str, period: str, item_id: str):
    """Laporkan kemajuan/penyelesaian butir RTL beserta bukti."""
    period = _scope(unit_id, period)
    if body["status"] == "done" and body["progress_pct"] != 100:
        raise ProblemError(422, msg("done means progress_pct 100."),
                           errors=[{"pointer": "/progress_pct", "field": "progress_pct", "message": msg("must be 100")}])
    subject = f"skm-rtl:{unit_id}:{period}:{item_id}"
    prior = store.head(events(), subject)
    if prior is None:
        raise ProblemError(404, msg("RTL item not found."))
    private = {**body, "at": body["at"].isoformat()}
    if prior["seq"] > 1 and commands.repeats(events(), prior, digest(private)):
        return json_response({"unit_id": unit_id, "period": period, "item_id": item_id, **private})
    last_status = prior["envelope"]["data"].get("status", "planned")
    if last_status in ("done", "cancelled"):
        raise ProblemError(409, msg("RTL item is already %(last_status)s.", last_status=last_status))
    data = {"unit_id": unit_id, "period": period, "item_id": item_id, "status": body["status"],
            "progress_pct": body["progress_pct"], "at": private["at"], "evidence_count": len(body["evidence"])}
    append_event(subject, ev.RTL_ITEM_PROGRESSED, data, unit_id, private, prior)
    return json_response({"unit_id": unit_id, "period": period, "item_id": item_id, **private})


@blp.route("/rtl/<unit_id>/<period>/items/<item_id>", methods=["GET"])
@blp.response(200, RtlHistory, description="Riwayat butir RTL.")
@blp.doc(security=SECURITY)
@auth.require()
def get_item(unit_id: str, period: str, item_id: str):
    """Riwayat lengkap satu butir RTL."""
    period = _scope(unit_id, period)
    subject = f"skm-rtl:{unit_id}:{period}:{item_id}"
    history = [d["envelope"] for d in store.stream(events(), subject, projection={"envelope": 1})]
    if not history:
        raise ProblemError(404, msg("RTL item not found."))
    return json_response({"unit_id": unit_id, "period": period, "item_id": item_id, "history": history})


@blp.route("/publications/<unit_id>/<period>", methods=["POST"])
@blp.response(201, PublicationAnswer, description="Publikasi tercatat (juga pada pengulangan).")
@blp.doc(security=SECURITY)
@auth.require()
@blp.arguments(PublicationSchema)
def publish(body, unit_id: str, period: str):
    """Catat media publikasi hasil SKM (situs web, papan pengumuman, media sosial, ...)."""
    period = _scope(unit_id, period)
    subject = f"skm-pub:{unit_id}:{period}:{body['medium']}"
    private = {**body, "published_on": body["published_on"].isoformat()}
    answer = {"unit_id": unit_id, "period": period, **private, "electronic": body["medium"] in ELECTRONIC_MEDIA}
    result = commands.check_stored(events(), events().find_one({"_id": f"{subject}:1"}), digest(private))
    if result is None:
        data = {"unit_id": unit_id, "period": period, "medium": body["medium"],
                "electronic": answer["electronic"], "published_on": private["published_on"]}
        result = append_event(subject, ev.RESULT_PUBLISHED, data, unit_id, private, None)
    result.or_409(msg("A publication on this medium is already recorded for the period."))
    return json_response(answer, 201, {"Idempotent-Replay": "true"} if result.replayed else None)
