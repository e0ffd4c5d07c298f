"""FKP end to end through the real services (gunicorn consultation, survey and aggregator, relays,
Kafka, consumer, store): forums, Berita Acara, promises tracked until kept, participants'
confirmation and dispute, the bureau's review, SKM impact, illegal transitions, upload checks,
and a replay of the topics into a fresh projection giving the same figures.

Expected figures are written from the scenario's dates, never read from the code under test.
Units used only here: labkesda (dinkes), uptd-mutu-perikanan and uptd-pelabuhan-perikanan (dkp),
uptd-lab-lingkungan (dlh, its OPD's only UPP).
"""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import orjson
import pytest
import requests

from pantau.rules.ikm import ELEMENTS

pytestmark = pytest.mark.e2e

TZ = ZoneInfo("Asia/Makassar")
MAIN, RULES, OTHER, IMPACT = "labkesda", "uptd-mutu-perikanan", "uptd-pelabuhan-perikanan", "uptd-lab-lingkungan"
PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(64))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(200)) + b"\xff\xd9"


def today() -> date:
    return datetime.now(TZ).date()


def noon(d: date) -> str:
    return datetime(d.year, d.month, d.day, 12, 0, tzinfo=TZ).isoformat()


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Client:
    """The consultation API as a unit system (or the bureau) calls it."""

    def __init__(self, platform, token: str | None):
        self.p, self.h = platform, (platform.headers(token) if token else {})

    def post(self, path: str, body=None, **kw) -> requests.Response:
        return requests.post(self.p.url("consultation", path), json=body, headers=self.h, timeout=30, **kw)

    def get(self, path: str) -> requests.Response:
        return requests.get(self.p.url("consultation", path), headers=self.h, timeout=30)

    def upload(self, path: str, data: bytes, name: str, ctype: str, form: dict | None = None) -> requests.Response:
        return requests.post(self.p.url("consultation", path), files={"file": (name, data, ctype)},
                             data=form or {}, headers=self.h, timeout=60)


def ok(resp: requests.Response, status: int) -> dict:
    assert resp.status_code == status, resp.text
    return resp.json()


def events_count() -> int:
    from pantau import mongo, store
    return store.document_count(mongo.db("consultation")["events"])


def refused(resp: requests.Response, status: int, *needles: str) -> dict:
    assert resp.status_code == status, resp.text
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    body = resp.json()
    assert body["status"] == status and body.get("detail") and "Traceback" not in resp.text
    for n in needles:
        assert n in body["detail"], body
    return body


def unit_report(platform, unit: str, year: int, as_of: str | None = None, token: str | None = None) -> dict:
    params = {"year": year, **({"as_of": as_of} if as_of else {})}
    r = requests.get(platform.url("aggregator", f"/v1/fkp/units/{unit}"), params=params,
                     headers=platform.headers(token or platform.bureau), timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def province_report(platform, year: int, as_of: str | None = None) -> dict:
    params = {"year": year, **({"as_of": as_of} if as_of else {})}
    r = requests.get(platform.url("aggregator", "/v1/fkp/province"), params=params,
                     headers=platform.headers(platform.bureau), timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


# ---- the issue's scenario --------------------------------------------------------------------

INVITED = [{"element": "pengguna_layanan", "name": "Siti Aminah", "institution": None},
           {"element": "pengguna_layanan", "name": "Rudi Hartono", "institution": None},
           {"element": "akademisi", "name": "Yohanes Lake", "institution": "Universitas Mulawarman"},
           {"element": "media", "name": "Dewi Lestari", "institution": "Kaltim Post"},
           {"element": "organisasi_masyarakat", "name": "Bambang Irawan", "institution": "LSM Peduli"}]
ATTENDED = INVITED[:4]  # the civil-society invitee did not come: three elements attended
NAMES = [p["name"] for p in INVITED]


@pytest.fixture(scope="module")
def main_flow(platform):
    """A forum with participants from three elements and two promises; one fulfilled with evidence
    and confirmed by a participant, one past its target date; then a dispute and a review."""
    unit, fkp_id = MAIN, uid("fkp-labkesda")
    c = Client(platform, platform.key(unit))
    held, t = today() - timedelta(days=40), today()
    out = {"fkp_id": fkp_id, "held": held, "year": held.year}
    forum = {"unit_id": unit, "fkp_id": fkp_id, "topic": "standar_pelayanan", "format": "tatap_muka",
             "title": "Peninjauan standar pelayanan laboratorium", "held_on": held.isoformat(), "place": "Aula",
             "stage": "planned", "participants": INVITED, "minutes": None,
             "promises": [{"promise_id": "janji-antrean", "description": "Sistem antrean daring untuk pengambilan "
                           "sampel", "owner": "Seksi Pelayanan", "target_date": (t + timedelta(days=30)).isoformat(),
                           "elements": ["waktu"], "sp_component": "jangka waktu pelayanan"},
                          {"promise_id": "janji-tarif", "description": "Papan informasi tarif di loket",
                           "owner": "Subbag Umum", "target_date": (t - timedelta(days=10)).isoformat(),
                           "elements": ["biaya", "prosedur"]}]}
    answer = ok(c.post("/v1/fkp", forum), 201)
    assert sorted(answer["promises_created"]) == ["janji-antrean", "janji-tarif"]
    code = answer["confirmation_code"]
    assert code and len(code.replace("-", "")) >= 12
    p1 = f"/v1/fkp/{fkp_id}/promises/janji-antrean"

    # fulfilled before the forum is held: refused, nothing stored
    before = events_count()
    refused(c.post(f"{p1}/progress", {"status": "fulfilled", "at": noon(t), "evidence": [
        {"name": "Foto", "url": "https://labkesda.example/foto"}]}), 409, "belum dilaksanakan")
    assert events_count() == before

    ok(c.post(f"/v1/fkp/{fkp_id}/stage", {"stage": "held", "participants": ATTENDED,
                                          "minutes": "Notulen: antrean dan tarif dibahas."}), 200)
    ba = ok(c.upload(f"/v1/fkp/{fkp_id}/berita-acara", PDF, "ba.pdf", "application/pdf", {"signatories": json.dumps(
        [{"name": "dr. Kepala Labkesda", "position": "Kepala UPTD"},
         {"name": "Siti Aminah", "element": "pengguna_layanan"},
         {"name": "Yohanes Lake", "element": "akademisi"}])}), 201)
    assert ba["sha256"] == hashlib.sha256(PDF).hexdigest() and ba["signatory_count"] == 3
    evidence = ok(c.upload(f"/v1/fkp/{fkp_id}/documents", PNG, "foto-antrean.png", "image/png"), 201)
    assert evidence["sha256"] == hashlib.sha256(PNG).hexdigest() and evidence["content_type"] == "image/png"
    ok(c.post(f"{p1}/progress", {"status": "in_progress", "progress_pct": 50, "note": "Aplikasi diuji coba",
                                 "at": noon(held + timedelta(days=20))}), 200)
    done = ok(c.post(f"{p1}/progress", {"status": "fulfilled", "at": noon(t - timedelta(days=5)),
                                        "note": "Antrean daring berjalan", "evidence": [
                                            {"name": "Foto layar antrean", "sha256": evidence["sha256"]}]}), 200)
    assert done["status"] == "fulfilled" and done["progress_pct"] == 100
    ok(requests.post(platform.url("consultation", f"{p1}/feedback"), timeout=30,
                     json={"code": code.lower(), "participant_name": "siti  aminah", "verdict": "confirm",
                           "note": "Sudah saya coba, berjalan."}), 201)

    year = out["year"]
    out["confirmed"] = platform.wait_for(
        lambda: (r := unit_report(platform, unit, year)) and r["promises"]["confirmed"] == 1 and r,
        what="the confirmed fulfilment in the aggregator")
    out["as_of_confirmed"] = datetime.now(timezone.utc).isoformat()
    out["confirmed_at_as_of"] = unit_report(platform, unit, year, out["as_of_confirmed"])

    # another participant disputes: the promise is open again until the bureau decides
    ok(requests.post(platform.url("consultation", f"{p1}/feedback"), timeout=30,
                     json={"code": code, "verdict": "dispute", "note": "Aplikasi sering tidak bisa dibuka."}), 201)
    out["disputed"] = platform.wait_for(
        lambda: (r := unit_report(platform, unit, year)) and r["promises"]["disputed"] == 1 and r,
        what="the dispute in the aggregator")
    out["past_after_dispute"] = unit_report(platform, unit, year, out["as_of_confirmed"])

    refused(c.post(f"{p1}/review", {"decision": "dispute_upheld", "note": "x" * 5}), 403)
    bureau = Client(platform, platform.bureau)
    ok(bureau.post(f"{p1}/review", {"decision": "dispute_upheld", "note": "Aplikasi belum stabil; lanjutkan."}), 200)
    out["reviewed"] = platform.wait_for(
        lambda: (r := unit_report(platform, unit, year)) and r["promises"]["in_progress"] == 1 and r,
        what="the review in the aggregator")
    out["forum"] = ok(c.get(f"/v1/fkp/{fkp_id}"), 200)
    return out


def test_the_aggregator_reports_the_issue_figures(main_flow):
    r, held = main_flow["confirmed"], main_flow["held"]
    assert r["forums_held"] == 1 and r["forums_with_berita_acara"] == 1
    assert r["elements_covered"] == ["pengguna_layanan", "akademisi", "media"]
    assert r["pekppp_ind2"]["score"] == 3
    p = r["promises"]
    assert (p["total"], p["fulfilled"], p["in_progress"], p["overdue"], p["disputed"]) == (2, 1, 0, 1, 0)
    assert r["fulfilment_rate_pct"] == 50.0
    assert r["median_days_to_fulfil"] == float((today() - timedelta(days=5) - held).days)  # 35
    assert r["last_forum_date"] == held.isoformat()
    assert [(o["promise_id"], o["days_overdue"]) for o in r["overdue_promises"]] == [("janji-tarif", 10)]
    fulfilled = next(x for x in r["promise_list"] if x["promise_id"] == "janji-antrean")
    assert fulfilled["confirmations"] == 1 and fulfilled["fulfilled_on"] == (today() - timedelta(days=5)).isoformat()
    # the months after the fulfilment have hardly begun: no SKM data yet
    assert fulfilled["impact"]["state"] == "not_enough_data" and fulfilled["impact"]["respondents_after"] == 0


def test_a_dispute_moves_the_promise_back_into_the_open_count(main_flow):
    before, after = main_flow["confirmed"]["promises"], main_flow["disputed"]["promises"]
    assert (before["open"], before["fulfilled"]) == (1, 1)
    assert (after["open"], after["fulfilled"], after["disputed"]) == (2, 0, 1)
    assert main_flow["disputed"]["fulfilment_rate_pct"] == 0.0
    reviewed = main_flow["reviewed"]["promises"]
    assert (reviewed["open"], reviewed["in_progress"], reviewed["disputed"]) == (2, 1, 0)


def test_as_of_answers_as_the_data_stood(main_flow):
    assert main_flow["past_after_dispute"] == main_flow["confirmed_at_as_of"]
    assert main_flow["confirmed_at_as_of"]["promises"]["fulfilled"] == 1
    early = main_flow["confirmed_at_as_of"]
    assert early["as_of"] == datetime.fromisoformat(main_flow["as_of_confirmed"]).isoformat()


def test_full_history_reads_back_and_names_stay_in_the_service(main_flow, platform):
    forum = main_flow["forum"]
    assert forum["stage"] == "held" and [p["name"] for p in forum["participants"]] == NAMES[:4]
    assert forum["berita_acara"]["signatories"][1]["name"] == "Siti Aminah"
    assert [e["type"] for e in forum["history"]] == ["fkp.forum_recorded", "fkp.stage_changed",
                                                      "fkp.berita_acara_uploaded"]
    p1 = next(p for p in forum["promises"] if p["promise_id"] == "janji-antrean")
    assert [e["type"].split(".")[1] for e in p1["history"]] == [
        "promise_recorded", "promise_progressed", "promise_progressed", "promise_feedback", "promise_feedback",
        "promise_reviewed"]
    assert [e["seq"] for e in p1["history"]] == [1, 2, 3, 4, 5, 6] and p1["status"] == "in_progress"
    assert p1["updates"][2]["participant_name"] == "siti  aminah"
    published = json.dumps([forum["history"], [p["history"] for p in forum["promises"]]])
    from pantau import mongo
    projected = json.dumps(mongo.db("aggregator")["fkp_units"].find_one({"_id": MAIN}), default=str)
    for name in NAMES + ["dr. Kepala Labkesda", "siti  aminah"]:
        assert name not in published and name not in projected
    assert "Aplikasi sering" not in published and "Aplikasi sering" not in projected


# ---- illegal transitions and upload checks ---------------------------------------------------

def test_illegal_transitions_are_refused_with_a_reason_and_change_nothing(platform):
    unit, fkp_id = RULES, uid("fkp-rules")
    c, other, bureau = Client(platform, platform.key(unit)), Client(platform, platform.key(OTHER)), \
        Client(platform, platform.bureau)
    t = today()
    forum = {"unit_id": unit, "fkp_id": fkp_id, "topic": "tindak_lanjut_skm", "title": "FKP tindak lanjut SKM",
             "held_on": (t - timedelta(days=3)).isoformat(), "format": "daring",
             "participants": [{"element": "pengguna_layanan", "name": "Ani"}, {"element": "media", "name": "Budi"}],
             "promises": [{"promise_id": "a", "description": "Perbaiki SOP", "owner": "Seksi Mutu",
                           "target_date": (t + timedelta(days=20)).isoformat()},
                          {"promise_id": "b", "description": "Tambah kursi", "owner": "Subbag Umum",
                           "target_date": (t + timedelta(days=20)).isoformat(), "elements": ["sarana"]}]}
    first = ok(c.post("/v1/fkp", forum), 201)
    code = first["confirmation_code"]
    pa, pb = f"/v1/fkp/{fkp_id}/promises/a", f"/v1/fkp/{fkp_id}/promises/b"
    url_evidence = [{"name": "SOP baru", "url": "https://dkp.example/sop.pdf"}]
    n = events_count()

    def unchanged():
        assert events_count() == n

    refused(c.post(f"{pa}/progress", {"status": "fulfilled", "at": noon(t), "evidence": url_evidence}), 409,
            "belum dilaksanakan")
    unchanged()
    # another unit's key: neither promises nor progress nor reading nor uploading
    refused(other.post(f"/v1/fkp/{fkp_id}/promises", {"promise_id": "c", "description": "Titipan", "owner": "X Y",
                                                      "target_date": t.isoformat()}), 403)
    refused(other.post(f"{pa}/progress", {"status": "in_progress", "at": noon(t)}), 403)
    assert other.get(f"/v1/fkp/{fkp_id}").status_code == 403
    refused(other.upload(f"/v1/fkp/{fkp_id}/documents", PDF, "x.pdf", "application/pdf"), 403)
    refused(c.upload(f"/v1/fkp/{fkp_id}/berita-acara", PDF, "ba.pdf", "application/pdf",
                     {"signatories": json.dumps([{"name": "Ani"}])}), 409, "sudah dilaksanakan")
    refused(c.post(f"/v1/fkp/{fkp_id}/stage", {"stage": "closed"}), 409, "belum dilaksanakan")
    refused(c.post(f"/v1/fkp/{fkp_id}/stage", {"stage": "held", "held_on": (t + timedelta(days=2)).isoformat()}),
            422)
    # a forum recorded as already held (or closed) cannot carry a date still to come
    for stage in ("held", "closed"):
        refused(c.post("/v1/fkp", {**forum, "fkp_id": uid("fkp-future"), "stage": stage,
                                   "held_on": (t + timedelta(days=2)).isoformat()}), 422, "belum tiba")
    early = {"promise_id": "c", "description": "Sebelum forum", "owner": "Seksi",
             "target_date": (t - timedelta(days=30)).isoformat()}
    refused(c.post(f"/v1/fkp/{fkp_id}/promises", early), 422)
    unchanged()

    ok(c.post(f"/v1/fkp/{fkp_id}/stage", {"stage": "held"}), 200)
    n += 1
    assert ok(c.post(f"/v1/fkp/{fkp_id}/stage", {"stage": "held"}), 200)["stage"] == "held"  # a repeat
    unchanged()
    refused(c.post(f"{pb}/progress", {"status": "dropped", "at": noon(t)}), 422, "alasan")
    ok(c.post(f"{pb}/progress", {"status": "dropped", "at": noon(t), "reason": "Anggaran dialihkan"}), 200)
    n += 1
    refused(c.post(f"{pb}/progress", {"status": "in_progress", "progress_pct": 10, "at": noon(t)}), 409, "dibatalkan")
    refused(c.post(f"{pa}/progress", {"status": "fulfilled", "at": noon(t)}), 422, "bukti")
    refused(c.post(f"{pa}/progress", {"status": "fulfilled", "at": noon(t), "evidence": [
        {"name": "Tidak diunggah", "sha256": "0" * 64}]}), 409)  # no such document of this forum
    refused(c.post(f"{pa}/progress", {"status": "fulfilled", "at": noon(t - timedelta(days=10)),
                                      "evidence": url_evidence}), 422, "sebelum tanggal FKP")
    unchanged()
    fulfil = {"status": "fulfilled", "at": noon(t), "evidence": url_evidence}
    ok(c.post(f"{pa}/progress", fulfil), 200)
    n += 1
    again = c.post(f"{pa}/progress", fulfil)
    assert again.status_code == 200 and again.headers.get("Idempotent-Replay") == "true"
    refused(c.post(f"{pa}/progress", {"status": "in_progress", "progress_pct": 80, "at": noon(t)}), 409,
            "sudah dipenuhi")
    # participants: only fulfilled promises, only with the forum's code, only listed names
    anonymous = Client(platform, None)
    refused(anonymous.post(f"{pb}/feedback", {"code": code, "verdict": "confirm"}), 409, "fulfilled")
    refused(anonymous.post(f"{pa}/feedback", {"code": "AAAA-BBBB-CCCC", "verdict": "confirm"}), 403)
    refused(anonymous.post(f"{pa}/feedback", {"code": code, "verdict": "confirm", "participant_name": "Orang Lain"}),
            422)
    refused(anonymous.post(f"{pa}/feedback", {"code": code, "verdict": "dispute"}), 422)
    # the bureau reviews disputes only
    refused(bureau.post(f"{pa}/review", {"decision": "dispute_rejected", "note": "tidak ada sanggahan"}), 409)
    refused(c.post(f"{pa}/review", {"decision": "dispute_rejected", "note": "unit sendiri"}), 403)
    unchanged()

    # idempotent forum repeat: no code shown again; different content under the same id: 409
    repeat = c.post("/v1/fkp", forum)
    assert repeat.status_code == 201 and repeat.headers.get("Idempotent-Replay") == "true"
    assert repeat.json()["confirmation_code"] is None
    refused(c.post("/v1/fkp", {**forum, "title": "Judul lain"}), 409)
    # a new code replaces the old one
    new_code = ok(c.post(f"/v1/fkp/{fkp_id}/confirmation-code"), 201)["confirmation_code"]
    refused(anonymous.post(f"{pa}/feedback", {"code": code, "verdict": "confirm"}), 403)
    unchanged()
    ok(anonymous.post(f"{pa}/feedback", {"code": new_code, "verdict": "confirm", "participant_name": "Ani"}), 201)
    ok(c.post(f"/v1/fkp/{fkp_id}/stage", {"stage": "closed"}), 200)
    n += 2
    refused(c.post(f"/v1/fkp/{fkp_id}/promises", {"promise_id": "c", "description": "Terlambat",
                                                  "owner": "Seksi", "target_date": t.isoformat()}), 409, "ditutup")
    refused(c.post(f"/v1/fkp/{fkp_id}/stage", {"stage": "held"}), 409)
    unchanged()
    forum_back = ok(c.get(f"/v1/fkp/{fkp_id}"), 200)
    assert [p["status"] for p in forum_back["promises"]] == ["fulfilled", "dropped"]
    assert forum_back["promises"][1]["updates"][0]["reason"] == "Anggaran dialihkan"


def test_uploads_are_checked_by_content_and_size(platform):
    unit, fkp_id = RULES, uid("fkp-upload")
    c = Client(platform, platform.key(unit))
    ok(c.post("/v1/fkp", {"unit_id": unit, "fkp_id": fkp_id, "topic": "maklumat_pelayanan", "title": "Maklumat",
                          "held_on": (today() - timedelta(days=1)).isoformat(), "format": "tatap_muka",
                          "stage": "held", "participants": [{"element": "akademisi", "name": "Cici"}]}), 201)
    path = f"/v1/fkp/{fkp_id}/berita-acara"
    signatories = {"signatories": json.dumps([{"name": "Kepala UPTD"}, {"name": "Cici", "element": "akademisi"}])}
    n = events_count()
    refused(c.upload(path, b"bukan pdf sama sekali", "ba.pdf", "application/pdf", signatories), 415, "PDF")
    refused(c.upload(path, b"GIF89a" + bytes(50), "ba.png", "image/png", signatories), 415)
    refused(c.post(path, {"signatories": []}), 415)
    too_big = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1 - 9)
    refused(c.upload(path, too_big, "besar.pdf", "application/pdf", signatories), 413, "10 MB")
    refused(c.upload(path, JPEG, "ba.jpg", "image/jpeg"), 422)
    refused(c.upload(path, JPEG, "ba.jpg", "image/jpeg", {"signatories": "[{nama"}), 422)
    refused(c.upload(path, JPEG, "ba.jpg", "image/jpeg", {"signatories": "[]"}), 422)
    refused(c.upload(f"/v1/fkp/{fkp_id}/documents", b"plain text", "bukti.txt", "text/plain"), 415)
    assert events_count() == n
    # declared as PDF, but the bytes are a JPEG: stored as what it is
    stored = ok(c.upload(path, JPEG, "ba.pdf", "application/pdf", signatories), 201)
    assert stored == {"fkp_id": fkp_id, "sha256": hashlib.sha256(JPEG).hexdigest(), "size": len(JPEG),
                      "content_type": "image/jpeg", "signatory_count": 2, "version": 1}
    repeat = c.upload(path, JPEG, "ba.pdf", "application/pdf", signatories)
    assert repeat.status_code == 200 and repeat.headers.get("Idempotent-Replay") == "true"
    assert events_count() == n + 1
    back = c.get(path)
    assert back.status_code == 200 and back.content == JPEG and back.headers["Content-Type"] == "image/jpeg"
    forum = ok(c.get(f"/v1/fkp/{fkp_id}"), 200)
    assert forum["berita_acara"]["sha256"] == stored["sha256"] and forum["history"][-1]["data"]["signatory_count"] == 2


# ---- promise impact on SKM -------------------------------------------------------------------

def month_shift(month: str, n: int) -> str:
    y, m = int(month[:4]), int(month[5:7])
    i = y * 12 + m - 1 + n
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def skm(unit: str, month: str, count: int, waktu: int, tag: str) -> list[dict]:
    return [{"unit_id": unit, "response_id": f"{tag}-{month}-{i}", "submitted_at": f"{month}-05T09:{i:02d}:00+08:00",
             "answers": {k: (waktu if k == "waktu" else 3) for k in ELEMENTS}, "channel": "web"} for i in range(count)]


@pytest.fixture(scope="module")
def impact_flow(platform):
    """A promise fulfilled five months ago: 3 months of SKM before (waktu 2) and after (waktu 4)."""
    unit, fkp_id, tag = IMPACT, uid("fkp-impact"), uuid.uuid4().hex[:6]
    token = platform.key(unit)
    c = Client(platform, token)
    fulfil_month = month_shift(today().isoformat()[:7], -5)
    held_on = f"{month_shift(fulfil_month, -1)}-10"
    responses = [r for k in (-3, -2, -1) for r in skm(unit, month_shift(fulfil_month, k), 12, 2, tag)]
    responses += skm(unit, fulfil_month, 10, 1, tag)  # the fulfilment month itself counts on neither side
    responses += [r for k in (1, 2, 3) for r in skm(unit, month_shift(fulfil_month, k), 12, 4, tag)]
    r = requests.post(platform.url("survey", "/v1/skm/responses"), json={"responses": responses},
                      headers=platform.headers(token), timeout=60)
    assert r.status_code == 202, r.text
    ok(c.post("/v1/fkp", {"unit_id": unit, "fkp_id": fkp_id, "topic": "tindak_lanjut_skm", "format": "tatap_muka",
                          "title": "FKP tindak lanjut SKM", "held_on": held_on, "stage": "held",
                          "participants": [{"element": e, "name": f"Peserta {i}"} for i, e in enumerate(
                              ["pengguna_layanan", "akademisi", "instansi_terkait", "organisasi_masyarakat", "media"])],
                          "promises": [{"promise_id": "janji-waktu", "description": "Percepat penerbitan hasil uji",
                                        "owner": "Seksi Pengujian", "target_date": f"{fulfil_month}-28",
                                        "elements": ["waktu", "prosedur"]}]}), 201)
    ok(c.post(f"/v1/fkp/{fkp_id}/promises/janji-waktu/progress", {
        "status": "fulfilled", "at": f"{fulfil_month}-15T10:00:00+08:00",
        "evidence": [{"name": "SK percepatan", "url": "https://dlh.example/sk"}]}), 200)
    year = int(held_on[:4])
    report = platform.wait_for(
        lambda: (rep := unit_report(platform, unit, year)) and rep["promise_list"]
        and (imp := rep["promise_list"][0]["impact"]) and imp["state"] == "measured" and rep,
        what="the SKM impact of the fulfilled promise")
    return {"report": report, "fulfil_month": fulfil_month, "year": year}


def test_a_fulfilled_promise_shows_the_skm_element_before_and_after(impact_flow):
    m = impact_flow["fulfil_month"]
    imp = impact_flow["report"]["promise_list"][0]["impact"]
    assert imp["fulfilment_month"] == m
    assert imp["months_before"] == [month_shift(m, -3), month_shift(m, -2), month_shift(m, -1)]
    assert imp["months_after"] == [month_shift(m, 1), month_shift(m, 2), month_shift(m, 3)]
    assert (imp["respondents_before"], imp["respondents_after"]) == (36, 36)
    assert imp["elements"]["waktu"] == {"nrr_before": 2.0, "nrr_after": 4.0, "change": 2.0}
    assert imp["elements"]["prosedur"] == {"nrr_before": 3.0, "nrr_after": 3.0, "change": 0.0}
    rep = impact_flow["report"]
    assert rep["pekppp_ind2"]["score"] == 0  # a tindak_lanjut_skm forum: not an SP review
    assert rep["elements_covered_count"] == 5 and rep["fulfilment_rate_pct"] == 100.0


def test_impact_as_of_takes_the_skm_figures_as_they_stood(platform, impact_flow):
    """SKM responses recorded after `as_of` do not move the impact asked for at `as_of`."""
    unit, year, before = IMPACT, impact_flow["year"], impact_flow["report"]["promise_list"][0]["impact"]
    t = datetime.now(timezone.utc).isoformat()
    later = skm(unit, month_shift(impact_flow["fulfil_month"], 1), 12, 1, uuid.uuid4().hex[:6])
    r = requests.post(platform.url("survey", "/v1/skm/responses"), json={"responses": later},
                      headers=platform.headers(platform.key(unit)), timeout=60)
    assert r.status_code == 202, r.text
    live = platform.wait_for(
        lambda: (imp := unit_report(platform, unit, year)["promise_list"][0]["impact"])["respondents_after"] == 48
        and imp, what="the later responses in the live impact")
    assert live["elements"]["waktu"]["nrr_after"] == (36 * 4 + 12 * 1) / 48
    assert unit_report(platform, unit, year, t)["promise_list"][0]["impact"] == before


# ---- province, access, replay ----------------------------------------------------------------

def test_province_report_rolls_up_per_opd(platform, main_flow, impact_flow):
    year = main_flow["year"]
    prov = province_report(platform, year)
    dinkes = next(o for o in prov["opd"] if o["opd_id"] == "dinkes")
    assert dinkes["units"] == 6 and dinkes["units_with_forum_held"] == 1 and dinkes["forums_held"] == 1
    assert (dinkes["promises"]["total"], dinkes["promises"]["open"], dinkes["promises"]["overdue"]) == (2, 2, 1)
    assert dinkes["pekppp_ind2_mean"] == 0.5  # one unit scored 3, five scored 0
    if impact_flow["year"] == year:
        dlh = next(o for o in prov["opd"] if o["opd_id"] == "dlh")
        assert (dlh["units"], dlh["forums_held"], dlh["promises"]["fulfilled"]) == (1, 1, 1)
    without = {u["unit_id"] for u in prov["units_without_forum"]}
    assert MAIN not in without and "rs-mata-kaltim" in without
    overdue = prov["overdue_promises"]
    assert any(o["unit_id"] == MAIN and o["promise_id"] == "janji-tarif" and o["opd_id"] == "dinkes" for o in overdue)
    assert [o["target_date"] for o in overdue] == sorted(o["target_date"] for o in overdue)
    assert prov["promises"]["total"] == sum(o["promises"]["total"] for o in prov["opd"])
    assert prov["forums_held"] == sum(o["forums_held"] for o in prov["opd"])


def test_report_access_and_parameters(platform):
    base = platform.url("aggregator", "/v1/fkp")
    unit_h, other_h = platform.headers(platform.key(MAIN)), platform.headers(platform.key(OTHER))
    assert requests.get(f"{base}/units/{MAIN}", params={"year": 2026}, headers=unit_h).status_code == 200
    assert requests.get(f"{base}/units/{MAIN}", params={"year": 2026}, headers=other_h).status_code == 403
    assert requests.get(f"{base}/province", params={"year": 2026}, headers=unit_h).status_code == 403
    assert requests.get(f"{base}/units/{MAIN}", params={"year": 2026}).status_code == 401
    bureau = platform.headers(platform.bureau)
    assert requests.get(f"{base}/units/nope", params={"year": 2026}, headers=bureau).status_code == 404
    for params in ({}, {"year": "26"}, {"year": 2026, "as_of": "kemarin"}, {"year": 2026, "as_of": "2026-05-01T10:00"}):
        r = requests.get(f"{base}/province", params=params, headers=bureau)
        assert r.status_code == 422 and r.headers["Content-Type"].startswith("application/problem+json"), params


def _json(x):
    return orjson.loads(orjson.dumps(x))


def test_replaying_the_topics_gives_the_same_figures(platform, main_flow, impact_flow):
    from pantau import mongo
    from services.aggregator import fkp_reports

    platform.wait_published()
    replay_db, records = platform.replay("replay_fkp")
    assert records > 0
    as_of = datetime.now(timezone.utc)
    live_db = mongo.db("aggregator")
    years = sorted({main_flow["year"], impact_flow["year"], today().year})

    # now, and a moment in the middle of the history (as_of must read the same past from both)
    moments = [as_of, datetime.fromisoformat(main_flow["as_of_confirmed"])]

    def figures(db) -> list:
        out = [fkp_reports.province_report(db, y, m) for y in years for m in moments]
        out += [fkp_reports.unit_report(db, u, y, m) for u in (MAIN, RULES, IMPACT, "samsat-balikpapan")
                for y in years for m in moments]
        return _json(out)

    replayed = figures(replay_db)
    assert any(u["promises"]["total"] for u in replayed[len(years) * 2:])  # the replay saw the promises
    platform.wait_for(lambda: figures(live_db) == replayed, what="live figures equal to the replayed ones")
    # and the HTTP report is that same function's answer
    http = unit_report(platform, MAIN, main_flow["year"], as_of.isoformat())
    assert http == _json(fkp_reports.unit_report(replay_db, MAIN, main_flow["year"], as_of))
    mongo.client().drop_database(replay_db.name)
