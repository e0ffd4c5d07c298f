"""One person's erasure (UU 27/2022, right to erasure): which data key holds them, destroy it,
write the audit entry. Run by `pantau privacy erase`; the mechanism is `pantau.data_keys`.

- `--complaint <tracking id>`: the reporter of that complaint (name, phone, e-mail, NIK,
  address). The complaint itself (status, deadlines, hops, content, figures) stays.
- `--fkp-participant <fkp id>/<participant id>`: that person's name wherever the forum has it
  (invitation and attendance lists, Berita Acara signatories, promise feedback); the
  participant id is in the forum's read-back (`GET /v1/fkp/{fkp_id}`, `participants[].participant_id`).
  Community elements and participant counts stay.
- `--skm-response <unit>/<response id>`: that response's free-text suggestion; its answers (and
  so every IKM) stay.

The audit entry (`privacy.erase`) names who, when, the record and the key id, never a value.
"""
from __future__ import annotations

from dataclasses import dataclass

from pantau import audit, data_keys, mongo


class NotFound(LookupError):
    """No such complaint, forum or participant."""


@dataclass(frozen=True)
class Erasure:
    service: str
    target: str
    key_id: str
    destroyed: bool   # a live key was destroyed (False: it was erased before)
    audit_id: str


def _finish(actor: str, service: str, target: str, key_id: str, fields: list[str]) -> Erasure:
    destroyed = data_keys.erase(service, key_id)
    entry = audit.record(actor, "privacy.erase", target, {"service": service, "key_id": key_id, "fields": fields,
                                                           "destroyed": destroyed})
    return Erasure(service, target, key_id, destroyed, entry)


def _require_event(service: str, event_id: str, what: str) -> None:
    """NotFound unless the service's log holds the record's first event."""
    if mongo.db(service)["events"].find_one({"_id": event_id}, {"_id": 1}) is None:
        raise NotFound(f"no {what}")


def _require_key(service: str, key_id: str, what: str) -> str:
    """NotFound unless the service keeps the person's data key."""
    if data_keys.collection(service).find_one({"_id": key_id}, {"_id": 1}) is None:
        raise NotFound(what)
    return key_id


def _split(ref: str, first: bool, usage: str) -> tuple[str, str]:
    """`<a>/<b>` split at the first (SKM: a unit id has no slash) or last slash (a forum id may)."""
    a, sep, b = ref.partition("/") if first else ref.rpartition("/")
    if not sep or not a or not b:
        raise NotFound(f"{ref!r}: give {usage}")
    return a, b


def complaint_reporter(actor: str, tracking_id: str) -> Erasure:
    _require_event("complaints", f"complaint:{tracking_id}:1", f"complaint {tracking_id}")
    return _finish(actor, "complaints", f"complaint:{tracking_id}", data_keys.complaint_reporter_key(tracking_id),
                   ["reporter.name", "reporter.phone", "reporter.email", "reporter.nik", "reporter.address"])


def fkp_participant(actor: str, ref: str) -> Erasure:
    fkp_id, participant_id = _split(ref, False, "<fkp id>/<participant id>")
    _require_event("consultation", f"fkp:{fkp_id}:1", f"forum {fkp_id}")
    key_id = _require_key("consultation", data_keys.fkp_participant_key(fkp_id, participant_id),
                          f"forum {fkp_id} has no participant {participant_id}")
    return _finish(actor, "consultation", f"fkp:{fkp_id}/{participant_id}", key_id,
                   ["participants.name", "signatories.name", "feedback.participant_name"])


def skm_suggestion(actor: str, ref: str) -> Erasure:
    unit_id, response_id = _split(ref, True, "<unit>/<response id>")
    _require_event("survey", f"skm:{unit_id}:{response_id}:1", f"SKM response {response_id} of {unit_id}")
    key_id = _require_key("survey", data_keys.skm_suggestion_key(unit_id, response_id),
                          f"SKM response {response_id} of {unit_id} has no suggestion")
    return _finish(actor, "survey", f"skm:{unit_id}:{response_id}", key_id, ["suggestion"])
