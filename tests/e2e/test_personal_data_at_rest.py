"""Personal data at rest (issue 19, last point), on the live platform (real store, real Kafka):

1. a complaint reporter's name, phone, e-mail, NIK and address, FKP participants' and
   signatories' names (also as named on a promise's feedback) and an SKM suggestion are
   nowhere in plain text (nor base64 nor JSON-escaped) in the store's raw files (SQLite and its
   -wal), Kafka's log directory or a fresh `pantau backup`, while the scan does find the
   non-personal tracking id and subject line there; authorised reads show them decrypted;
2. `pantau privacy erase --complaint` makes one reporter unreadable, leaves the complaint's own
   figures and the aggregator's complaint report identical, another reporter readable, an
   audit entry without any value; a backup taken before the erasure, restored, still cannot
   reveal that reporter; `--fkp-participant` does the same for one participant, element
   counts unchanged;
3. `pantau keys rotate-data-key` re-wraps every data key; with the old KEK deleted every value
   still reads.
"""
from __future__ import annotations

import json
import os
import random
import time
import uuid

import pytest
import requests
from click.testing import CliRunner
from raw_scan import files, hits

from pantau.rules.ikm import ELEMENTS
from pantau_platform.infra import procs

pytestmark = pytest.mark.e2e

UNIT = "samsat-ujoh-bilang"     # complaints (reserved in tests/conftest.py)
FKP_UNIT = "jdih-kaltim"        # forums and the SKM response (reserved)
PERIOD = "2026-02"
LABEL = "(data pribadi dihapus)"
SERVICES = ("survey", "consultation", "complaints")


def _digits(n: int) -> str:
    return "".join(random.choice("0123456789") for _ in range(n))


def _reporter(tag: str) -> dict:
    return {"name": f"Wulandari Kusumawati {tag}", "phone": "0857" + _digits(8),
            "email": f"wulan.{tag}@surel-contoh.id", "nik": "6472" + _digits(12),
            "address": f"Jl. Anggrek Bulan No. {random.randint(10, 99)} RT {tag}"}


def _post(platform, service: str, path: str, body: dict, token: str, status: int) -> dict:
    r = requests.post(platform.url(service, path), json=body, headers=platform.headers(token), timeout=60)
    assert r.status_code == status, r.text
    return r.json()


def _complaint(platform, tid: str, reporter: dict) -> None:
    _post(platform, "complaints", "/v1/complaints",
          {"unit_id": UNIT, "tracking_id": tid, "channel": "web", "classification": "pengaduan",
           "category": "antrean", "subject": f"Antrean samsat {tid}", "description": "Menunggu tiga jam.",
           "received_at": "2026-02-02T09:00:00+08:00", "reporter": reporter}, platform.key(UNIT), 201)


def _forum(platform, fkp_id: str, invited: list[str], attended: list[str], promises: list | None = None) -> dict:
    answer = _post(platform, "consultation", "/v1/fkp",
                   {"unit_id": FKP_UNIT, "fkp_id": fkp_id, "topic": "standar_pelayanan",
                    "title": "Forum uji data pribadi", "held_on": "2026-02-10", "format": "tatap_muka",
                    "stage": "planned", "promises": promises or [],
                    "participants": [{"element": el, "name": n} for n, el in zip(
                        invited, ("pengguna_layanan", "media", "akademisi"), strict=False)]},
                   platform.key(FKP_UNIT), 201)
    _post(platform, "consultation", f"/v1/fkp/{fkp_id}/stage",
          {"stage": "held", "participants": [{"element": el, "name": n} for n, el in zip(
              attended, ("pengguna_layanan", "media", "akademisi"), strict=False)]}, platform.key(FKP_UNIT), 200)
    return answer


PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"


def _get(platform, service: str, path: str, params: dict | None = None) -> dict:
    r = requests.get(platform.url(service, path), params=params, headers=platform.headers(platform.bureau), timeout=60)
    assert r.status_code == 200, (path, r.text[:300])
    return r.json()


def _cli(*args: str) -> str:
    from pantau_platform import cli
    r = CliRunner().invoke(cli.main, list(args))
    assert r.exit_code == 0, r.output
    return r.output


def test_no_personal_value_in_plain_text_in_the_store_files_kafka_or_a_backup(platform, tmp_path):
    tag = uuid.uuid4().hex[:8]
    reporter = _reporter(tag)
    tid = f"PRV-{tag.upper()}"
    names = [f"Bambang Sutrisno {tag}", f"Yohana Pasaribu {tag}", f"Ahmad Fauzan {tag}"]
    suggestion = f"Petugas loket bernama Pak Darmawan {tag} sangat membantu"
    _complaint(platform, tid, reporter)
    signatory = f"Ir. Hendra Gunawan {tag}"
    fkp_id = f"fkp-prv-{tag}"
    code = _forum(platform, fkp_id, names[:2], names, [
        {"promise_id": "janji-loket", "description": "Loket tambahan", "owner": "Seksi Pelayanan",
         "target_date": "2026-06-30"}])["confirmation_code"]
    r = requests.post(platform.url("consultation", f"/v1/fkp/{fkp_id}/berita-acara"),
                      headers=platform.headers(platform.key(FKP_UNIT)), timeout=30,
                      files={"file": ("ba.pdf", PDF, "application/pdf")},
                      data={"signatories": json.dumps([{"name": signatory, "position": "Kepala"},
                                                       {"name": names[1], "element": "media"}])})
    assert r.status_code == 201, r.text
    promise = f"/v1/fkp/{fkp_id}/promises/janji-loket"
    _post(platform, "consultation", f"{promise}/progress",
          {"status": "fulfilled", "at": "2026-03-02T12:00:00+08:00",
           "evidence": [{"name": "Foto loket", "url": "https://jdih.example/foto"}]}, platform.key(FKP_UNIT), 200)
    r = requests.post(platform.url("consultation", f"{promise}/feedback"), timeout=30,
                      json={"code": code, "participant_name": names[2], "verdict": "confirm"})
    assert r.status_code == 201, r.text
    _post(platform, "survey", "/v1/skm/responses",
          {"unit_id": FKP_UNIT, "response_id": f"prv-{tag}", "submitted_at": "2026-02-11T09:00:00+08:00",
           "answers": {k: 3 for k in ELEMENTS}, "suggestion": suggestion}, platform.key(FKP_UNIT), 202)
    platform.wait_published()
    platform.wait_for(lambda: platform.summary(UNIT).get("complaints", 0) >= 1, what="the complaint aggregated")

    backup_dir = tmp_path / "cadangan"
    _cli("backup", str(backup_dir))
    run = procs.run_dir(platform.profile.name)
    places = {"store": files(run / "ferretdb-data"), "kafka": files(run / "kafka-data"), "backup": files(backup_dir)}
    assert any(p.name.endswith(".sqlite") for p in places["store"]), [p.name for p in places["store"]]
    personal = [*reporter.values(), *names, signatory, suggestion]
    for where, paths in places.items():
        assert paths, where
        found = hits(paths, personal + [tid, f"Antrean samsat {tid}"])
        # the scan reads the right bytes: what is not personal is found in plain text
        assert tid in found, (where, "the tracking id should be readable")
        if where != "kafka":
            assert f"Antrean samsat {tid}" in found, (where, "the subject line stays in the service, unsealed")
        leaked = {v: found[v] for v in personal if v in found}
        assert not leaked, f"personal values in plain text in the {where}: {leaked}"

    # an authorised person still reads them, decrypted, where the service shows them
    view = _get(platform, "complaints", f"/v1/complaints/{tid}")
    assert view["complaint"]["reporter"] == reporter and view["reporter_erased"] is False
    forum = _get(platform, "consultation", f"/v1/fkp/{fkp_id}")
    assert [p["name"] for p in forum["participants"]] == names
    assert len({p["participant_id"] for p in forum["participants"]}) == 3
    assert [p["name"] for p in forum["berita_acara"]["signatories"]] == [signatory, names[1]]
    assert forum["promises"][0]["updates"][-1]["participant_name"] == names[2]
    from pantau import data_keys, mongo
    doc = mongo.db("survey")["events"].find_one({"_id": f"skm:{FKP_UNIT}:prv-{tag}:1"})
    assert data_keys.open_one("survey", doc["private"]["suggestion"], doc["_id"], "suggestion") == suggestion
    assert requests.get(platform.url("complaints", f"/v1/complaints/{tid}"), timeout=10).status_code == 401

    # the respondent's suggestion erased: it reads as erased, the unit's IKM stays as it was
    ikm = (f"/v1/ikm/units/{FKP_UNIT}", {"period": "2026-02"})
    platform.wait_for(lambda: _get(platform, "aggregator", *ikm)["respondents"] >= 1, what="the response in the IKM")
    before = _get(platform, "aggregator", *ikm)
    _cli("privacy", "erase", "--skm-response", f"{FKP_UNIT}/prv-{tag}")
    assert data_keys.open_one("survey", doc["private"]["suggestion"], doc["_id"], "suggestion") == LABEL
    after = _get(platform, "aggregator", *ikm)
    assert {k: v for k, v in after.items() if k != "as_of"} == {k: v for k, v in before.items() if k != "as_of"}


def _figures(view: dict) -> dict:
    return {k: v for k, v in view.items() if k not in ("complaint", "reporter_erased")}


def test_erasing_one_reporter_keeps_every_figure_and_a_restored_older_backup_cannot_reveal_them(platform, tmp_path):
    from pantau import data_keys, mongo
    tag = uuid.uuid4().hex[:8]
    erased, kept = _reporter(tag), _reporter(tag[::-1])
    tid, other = f"ERS-{tag.upper()}", f"KPT-{tag.upper()}"
    _complaint(platform, tid, erased)
    _complaint(platform, other, kept)
    act = f"/v1/complaints/{tid}/actions"
    _post(platform, "complaints", act, {"action": "verify", "at": "2026-02-03T10:00:00+08:00"}, platform.bureau, 200)
    _post(platform, "complaints", act, {"action": "follow_up", "at": "2026-02-05T10:00:00+08:00",
                                        "note": "Loket ditambah."}, platform.key(UNIT), 200)
    names = [f"Rudi Hartono {tag}", f"Maria Ulfa {tag}"]
    fkp_id = f"fkp-ers-{tag}"
    _forum(platform, fkp_id, names, names)
    platform.wait_published()
    platform.wait_for(lambda: _get(platform, "aggregator", f"/v1/complaints/units/{UNIT}",
                                   {"period": PERIOD})["complaints"] >= 2, what="both complaints aggregated")
    platform.wait_for(lambda: any(f["fkp_id"] == fkp_id and f["stage"] == "held" for f in _get(
        platform, "aggregator", f"/v1/fkp/units/{FKP_UNIT}", {"year": "2026"})["forums"]), what="the forum aggregated")
    as_of = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 1))
    time.sleep(1.5)  # every read below is of the same past moment, before and after
    reports = [("complaints", f"/v1/complaints/{tid}", {"as_of": as_of}),
               ("aggregator", f"/v1/complaints/units/{UNIT}", {"period": PERIOD, "as_of": as_of}),
               ("aggregator", "/v1/complaints/province", {"period": PERIOD, "as_of": as_of}),
               ("aggregator", f"/v1/fkp/units/{FKP_UNIT}", {"year": "2026", "as_of": as_of})]
    before = [_get(platform, *r) for r in reports]
    forum_before = _get(platform, "consultation", f"/v1/fkp/{fkp_id}")
    backup_dir = tmp_path / "before-erasure"
    _cli("backup", str(backup_dir))

    out = _cli("privacy", "erase", "--complaint", tid)
    assert f"erased complaint:{tid}" in out and "already" not in out
    target = next(p for p in forum_before["participants"] if p["name"] == names[0])
    _cli("privacy", "erase", "--fkp-participant", f"{fkp_id}/{target['participant_id']}")

    after = [_get(platform, *r) for r in reports]
    assert _figures(after[0]) == _figures(before[0])  # status, deadlines, hops, history: the same
    assert after[0]["complaint"]["reporter"] == {k: LABEL for k in erased} and after[0]["reporter_erased"] is True
    assert after[0]["complaint"]["subject"] == before[0]["complaint"]["subject"]
    assert after[1:] == before[1:]  # the aggregator's complaint and FKP figures: identical
    assert after[1]["complaints"] >= 2 and after[3]["forums_held"] >= 1
    assert _get(platform, "complaints", f"/v1/complaints/{other}")["complaint"]["reporter"] == kept
    forum = _get(platform, "consultation", f"/v1/fkp/{fkp_id}")
    assert [p["name"] for p in forum["participants"]] == [LABEL, names[1]]
    assert forum["participants"][0]["erased"] is True
    assert (forum["elements"], forum["participant_count"]) == (forum_before["elements"],
                                                               forum_before["participant_count"])
    assert erased["name"] not in json.dumps(after[0]) and names[0] not in json.dumps(forum)

    # the audit log: one entry per erasure, naming the record and key, never a value
    log = _get(platform, "aggregator", "/v1/audit", {"action": "privacy.erase", "target": f"complaint:{tid}"})
    assert log["count"] == 1 and log["entries"][0]["actor"].startswith("cli:")
    assert log["entries"][0]["details"]["key_id"] == f"complaint-reporter:{tid}"
    both = _get(platform, "aggregator", "/v1/audit", {"action": "privacy.erase", "limit": "500"})
    assert any(e["target"] == f"fkp:{fkp_id}/{target['participant_id']}" for e in both["entries"])
    text = json.dumps(both)
    assert not any(v in text for v in [*erased.values(), names[0]])

    # the backup from before still holds the reporter's wrapped key; restored, it opens nothing
    keys_file = (backup_dir / "complaints.data_keys.jsonl").read_text()
    assert f"complaint-reporter:{tid}" in keys_file and "wrapped" in keys_file
    prefix = os.environ["PANTAU_DB_PREFIX"]
    os.environ["PANTAU_DB_PREFIX"] = restored = f"{prefix}rst{tag}"
    try:
        _cli("restore", str(backup_dir))
        docs = mongo.db("complaints")["events"]
        first, other_first = docs.find_one({"_id": f"complaint:{tid}:1"}), docs.find_one({"_id": f"complaint:{other}:1"})
        assert first is not None and other_first is not None  # the complaints are restored
        rep = first["private"]["complaint"]["reporter"]
        assert data_keys.open_one("complaints", rep, f"complaint:{tid}", "reporter", erased=None) is None
        assert data_keys.collection("complaints").find_one({"_id": f"complaint-reporter:{tid}"}).get("wrapped") is None
        assert data_keys.open_one("complaints", other_first["private"]["complaint"]["reporter"],
                                  f"complaint:{other}", "reporter") == kept
    finally:
        for service in (*SERVICES, "registry"):
            mongo.client().drop_database(f"{restored}_{service}")
        os.environ["PANTAU_DB_PREFIX"] = prefix


def test_rotating_the_kek_rewraps_every_data_key_and_the_old_kek_is_no_longer_needed(platform):
    from pantau import data_keys, kek
    tag = uuid.uuid4().hex[:8]
    reporter, names = _reporter(tag), [f"Sri Mulyani {tag}"]
    tid, fkp_id = f"ROT-{tag.upper()}", f"fkp-rot-{tag}"
    _complaint(platform, tid, reporter)
    _forum(platform, fkp_id, names, names)
    old = kek.keyring().active_id
    out = _cli("keys", "rotate-data-key")
    new = kek.keyring().active_id
    assert new != old and f"active KEK {new}; {old} retired" in out
    for service in SERVICES:
        assert data_keys.kek_ids_in_use(service) <= {new}, service
    retired = kek.keys_dir() / "retired" / f"kek-{old}.key"
    assert retired.exists()
    retired.unlink()  # the old KEK is gone: nothing may need it any more
    assert old not in kek.keyring().keys
    assert _get(platform, "complaints", f"/v1/complaints/{tid}")["complaint"]["reporter"] == reporter
    assert [p["name"] for p in _get(platform, "consultation", f"/v1/fkp/{fkp_id}")["participants"]] == names
    later = f"ROT2-{tag.upper()}"
    _complaint(platform, later, _reporter(tag[:4]))  # a new reporter's key is wrapped by the new KEK
    assert data_keys.collection("complaints").find_one({"_id": f"complaint-reporter:{later}"})["kek"] == new
    log = _get(platform, "aggregator", "/v1/audit", {"action": "data_key.rotate", "target": new})
    assert log["count"] == 1 and log["entries"][0]["details"]["old_kek"] == old
