"""Demo data for `make up`: posted over HTTP through the real services, seeded and repeatable
(the same ids each time, so a second `make up` is an idempotent repeat, not new data).

What it shows (demo version 2, ids `demo2-`/`DEMO2-`, on units no test asserts on):
- SKM: the previous and the current year for ten units whose IKM spans mutu A, B, C and D (some
  improving, some declining), two of them below the Krejcie–Morgan sample;
- FKP: forums in both years whose promises are planned, in progress, kept on time, kept late,
  overdue, disputed (awaiting the bureau, upheld, rejected) and dropped with a reason;
- complaints in every lifecycle state, dated with `received_at`/`at` so the working-day clock
  judges them honestly: on time, and breached at the instansi, UPP and OPD tiers; auto-close and
  auto-archive are the services' own settlement of windows that ended;
- three PEKPPP evaluations (A, B, C) and three SKM summary reports.
Each entity's script is resumable: what a service already holds (its `seq`) is not posted again.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import requests

from pantau import auth
from pantau.rules.ikm import ELEMENTS
from pantau.rules.sample import required_sample
from pantau.units import Registry

if TYPE_CHECKING:
    from pantau.rules.workdays import Calendar

TZ = timezone(timedelta(hours=8))
VERSION = "demo2"  # the id space and the `demo_loads` marker of this demo version

# (unit, mean answer of the previous year, of the current year, share of the Krejcie–Morgan sample):
# the means are chosen so that the IKM lands in mutu A (3.85), B (3.3), C (2.85) or D (2.3)
LEVEL = {"A": 3.85, "B": 3.3, "C": 2.85, "D": 2.3}
SKM_UNITS = (("layanan-pengaduan-wbs", "B", "A", 1.1), ("uptd-ppa-kaltim", "A", "A", 1.05),
             ("layanan-desa", "B", "B", 1.1), ("layanan-trantibum", "C", "B", 1.0),
             ("smkn-1-samarinda", "C", "C", 1.05), ("layanan-rumah-layak-huni", "B", "C", 1.1),
             ("uptd-pelatihan-koperasi", "D", "D", 1.0), ("ppid-utama", "C", "D", 1.05),
             ("layanan-kesbangpol", "B", "B", 0.4), ("pengaduan-investasi", "C", "C", 0.35))
SUMMARY_UNITS = ("pusdalops-pb", "uptd-prasarana-hub-berau")  # report a survey run elsewhere
OPD_UNIT = "dpmpd"  # an OPD that holds complaints itself (the opd tier of the deadlines)
DEMO_UNITS = frozenset([u for u, *_ in SKM_UNITS] + list(SUMMARY_UNITS) + [OPD_UNIT])


@dataclass
class _Run:
    """One demo load: where the services are, the bureau's key, the clock, and what was posted."""
    base: dict
    headers: dict
    year: int
    now: datetime
    cal: Calendar
    keys: dict = field(default_factory=dict)
    posted: dict = field(default_factory=dict)
    present: int = 0
    skipped: list = field(default_factory=list)

    def unit_headers(self, unit_id: str) -> dict:
        if unit_id not in self.keys:
            self.keys[unit_id] = {"Authorization": f"Bearer {auth.issue('unit', unit_id, note='demo loader')}"}
        return self.keys[unit_id]

    def count(self, what: str, n: int = 1) -> None:
        self.posted[what] = self.posted.get(what, 0) + n

    @overload
    def send(self, method: str, service: str, path: str, body: dict | None = None, headers: dict | None = None,
             timeout: float = 30, what: None = None) -> requests.Response: ...

    @overload
    def send(self, method: str, service: str, path: str, body: dict | None = None, headers: dict | None = None,
             timeout: float = 30, what: str | None = None) -> requests.Response | None: ...

    def send(self, method: str, service: str, path: str, body: dict | None = None, headers: dict | None = None,
             timeout: float = 30, what: str | None = None) -> requests.Response | None:
        """One request; a 409 on a creating request (`what` names it) means the id holds demo data of
        an older demo version, which is kept and reported rather than failing `make up`."""
        r = requests.request(method, f"{self.base[service]}{path}", json=body, headers=self.headers if headers is None else headers,
                             timeout=timeout)
        if r.status_code == 409 and what is not None:
            self.skipped.append(what)
            return None
        if r.status_code >= 400:
            raise RuntimeError(f"demo: {method} {path} answered {r.status_code}: {r.text[:500]}")
        return r


def load(profile, year: int | None = None) -> dict:
    """Post the demo for `year` (default: this year) and the year before; a repeat posts nothing."""
    from pantau import mongo
    from pantau.rules.workdays import default_calendar
    now = datetime.now(TZ)
    year = year or now.year
    done = mongo.db("survey")["demo_loads"]  # written once every demo item is posted
    marker = f"{VERSION}-{year}"  # the old demo's markers (the bare year) do not block this version
    if done.find_one({"_id": marker}) is not None:
        return {"posted": {}, "note": f"demo data ({VERSION}, {year - 1}–{year}) already loaded: nothing posted"}
    run = _Run({n: f"http://127.0.0.1:{port}" for n, port in profile.http_ports.items()},
               {"Authorization": f"Bearer {auth.issue('bureau', note='demo loader')}"}, year, now, default_calendar())
    _skm(run)
    _fkp(run)
    _complaints(run)
    _pekppp(run)
    _summaries(run)
    done.replace_one({"_id": marker}, {"_id": marker, "at": datetime.now(timezone.utc).isoformat()}, upsert=True)
    out = {"posted": run.posted, "already_present": run.present}
    if run.skipped:
        out["skipped"] = (f"{len(run.skipped)} already held other demo data (an older demo version): "
                          f"{', '.join(run.skipped)}")
    return out


# --- SKM --------------------------------------------------------------------------------------

def _responses(rng: random.Random, unit_id: str, n: int, year: int, bias: float, now: datetime) -> list[dict]:
    # this year's responses fall in its months before the current one (stable within a month)
    months = max(1, now.month - 1) if year == now.year else 12
    out = []
    for i in range(n):
        at = datetime(year, rng.randint(1, months), rng.randint(1, 28), rng.randint(8, 15), rng.randint(0, 59),
                      tzinfo=TZ)
        if at > now:  # January: a survey cannot have been filled in the future
            at = at.replace(year=year - 1)
        answers = {k: max(1, min(4, round(rng.gauss(bias, 0.6)))) for k in ELEMENTS}
        out.append({"unit_id": unit_id, "response_id": f"{VERSION}-{year}-{i:05d}", "submitted_at": at.isoformat(),
                    "answers": answers, "channel": rng.choice(["qr", "web", "paper", "enumerator"]),
                    "respondent": {"sex": rng.choice("LP"), "age": rng.randint(18, 70),
                                   "education": rng.choice(["SMA", "D4-S1", "SMP", "S2", "D1-D3"]),
                                   "occupation": rng.choice(["PNS", "SWASTA", "WIRAUSAHA", "LAINNYA"])}})
    return out


def _skm(run: _Run) -> None:
    reg = Registry.instance()
    for unit, before, now_level, share in SKM_UNITS:
        u = reg.get(unit)
        assert u is not None, unit  # the demo's units are in the registry it loads
        n = max(30, math.ceil(required_sample(u.population or 1000) * share))
        for yr, level in ((run.year - 1, before), (run.year, now_level)):
            batch = _responses(random.Random(f"{VERSION}-skm-{unit}-{yr}"), unit, n, yr, LEVEL[level], run.now)
            r = run.send("POST", "survey", "/v1/skm/responses", {"responses": batch}, timeout=120, what=f"{unit}/{yr}")
            if r is not None:
                run.count("skm_responses", r.json()["new"])
                run.present += r.json()["duplicates"]


# --- FKP --------------------------------------------------------------------------------------

EVIDENCE = [{"name": "Foto dan laporan pelaksanaan (demo)", "url": "https://example.org/pantau-demo/bukti.pdf"}]


def _progress(status: str, day: date, pct: int | None = None, reason: str | None = None) -> tuple:
    body: dict[str, Any] = {"status": status, "at": f"{day.isoformat()}T10:00:00+08:00",
            "note": {"in_progress": "Pekerjaan sedang berjalan.", "fulfilled": "Janji telah dipenuhi."}.get(status)}
    if pct is not None:
        body["progress_pct"] = pct
    if status == "fulfilled":
        body["evidence"] = EVIDENCE
    if reason:
        body["reason"] = reason
    return ("progress", body)


CONFIRM = ("feedback", {"verdict": "confirm", "note": "Sudah kami rasakan perbaikannya."})
DISPUTE = ("feedback", {"verdict": "dispute", "note": "Di lapangan perbaikan ini belum terlihat."})


def _review(decision: str) -> tuple:
    note = {"dispute_upheld": "Sanggahan diterima setelah cek lapangan; janji dibuka kembali.",
            "dispute_rejected": "Bukti pemenuhan memadai; sanggahan ditolak."}[decision]
    return ("review", {"decision": decision, "note": note})


def _fkp_plan(p: int, c: int) -> list[tuple[str, date, list[tuple]]]:
    """(unit, held on, [(promise id, description, target date, SKM unsur, steps)]) per forum, in
    the previous year `p` and the current year `c`: every promise state, past due where needed."""
    d = date
    kept, late, dropped = "tepat", "terlambat", "batal"
    return [
        ("uptd-ppa-kaltim", d(p, 3, 18), [
            (kept, "Ruang tunggu ramah anak", d(p, 9, 30), ["sarana"],
             [_progress("in_progress", d(p, 5, 10), 50), _progress("fulfilled", d(p, 8, 20)), CONFIRM]),
            (late, "Jadwal layanan konseling diumumkan di papan informasi", d(p, 6, 30), ["waktu"],
             [_progress("in_progress", d(p, 5, 2), 30), _progress("fulfilled", d(p, 10, 15))]),
            (dropped, "Layanan konseling daring 24 jam", d(p, 12, 31), ["prosedur"],
             [_progress("dropped", d(p, 7, 1), reason="Anggaran tidak tersedia; diganti layanan jam kerja.")])]),
        ("layanan-trantibum", d(p, 4, 22), [
            ("lambat", "Waktu tanggap laporan gangguan ketertiban ≤ 1 jam", d(p, 11, 30), ["waktu"],
             [_progress("in_progress", d(p, 8, 1), 30)]),
            ("belum", "Nomor pengaduan siaga dicetak di setiap pos", d(p, 12, 15), ["pengaduan"], []),
            ("sanggah-diterima", "Petugas berseragam dan beridentitas jelas", d(p, 10, 31), ["perilaku"],
             [_progress("fulfilled", d(p, 10, 20)), DISPUTE, _review("dispute_upheld")])]),
        ("layanan-rumah-layak-huni", d(p, 5, 14), [
            ("sanggah-ditolak", "Daftar penerima bantuan diumumkan terbuka", d(p, 9, 30), ["produk"],
             [_progress("fulfilled", d(p, 9, 1)), DISPUTE, _review("dispute_rejected")]),
            (kept, "Formulir permohonan disederhanakan", d(p, 8, 31), ["persyaratan"],
             [_progress("fulfilled", d(p, 7, 28)), CONFIRM])]),
        ("layanan-pengaduan-wbs", d(c, 2, 19), [
            ("rencana", "Kanal pelaporan WBS daring dengan nomor tiket", d(c + 1, 3, 31), ["pengaduan"], []),
            ("berjalan", "Pelatihan petugas penerima laporan", d(c + 1, 6, 30), ["kompetensi"],
             [_progress("in_progress", d(c, 7, 1), 40)]),
            (kept, "Standar pelayanan WBS dipublikasikan", d(c, 9, 30), ["prosedur"],
             [_progress("fulfilled", d(c, 8, 11)), CONFIRM])]),
        ("ppid-utama", d(c, 3, 12), [
            ("sanggah", "Permohonan informasi dijawab ≤ 10 hari kerja", d(c, 10, 31), ["waktu"],
             [_progress("fulfilled", d(c, 9, 15)), DISPUTE]),
            ("lambat", "Daftar informasi publik diperbarui", d(c, 6, 30), ["produk"],
             [_progress("in_progress", d(c, 4, 20), 20)]),
            (late, "Meja layanan informasi di lobi", d(c, 5, 31), ["sarana"],
             [_progress("in_progress", d(c, 4, 30), 60), _progress("fulfilled", d(c, 7, 20))])]),
        ("smkn-1-samarinda", d(c, 4, 9), [
            (dropped, "Loket legalisir ijazah di hari Sabtu", d(c, 12, 31), ["waktu"],
             [_progress("dropped", d(c, 6, 2), reason="Diganti legalisir daring yang melayani setiap hari.")]),
            ("rencana", "Papan alur layanan di loket", d(c + 1, 2, 28), ["prosedur"], [])]),
    ]


def _fkp(run: _Run) -> None:
    # the current year's forums and changes are dated up to September: before October the year
    # before stands in, so that nothing is dated in the future
    cur = run.year if run.now.date() >= date(run.year, 10, 1) else run.year - 1
    elements = ("pengguna_layanan", "akademisi", "instansi_terkait", "organisasi_masyarakat", "media")
    for i, (unit, held_on, promises) in enumerate(_fkp_plan(cur - 1, cur)):
        fkp_id = f"{VERSION}-fkp-{unit}-{held_on.year}"
        forum = {"unit_id": unit, "fkp_id": fkp_id, "topic": ("tindak_lanjut_skm", "standar_pelayanan")[i % 2],
                 "title": "FKP tindak lanjut hasil SKM" if i % 2 == 0 else "FKP penyusunan standar pelayanan",
                 "held_on": held_on.isoformat(), "format": "tatap_muka", "stage": "held",
                 "participants": [{"element": e, "name": f"Peserta Demo {j + 1}", "institution": None}
                                  for j, e in enumerate(elements[: 2 + i % 4])],
                 "promises": [{"promise_id": pid, "description": desc, "owner": "Kepala unit (demo)",
                               "target_date": target.isoformat(), "elements": els}
                              for pid, desc, target, els, _ in promises]}
        r = run.send("POST", "consultation", "/v1/fkp", forum, what=fkp_id)
        if r is None:
            continue
        ans = r.json()
        code = ans["confirmation_code"]
        run.count("fkp_forums", 0 if r.headers.get("Idempotent-Replay") else 1)
        run.count("fkp_promises", len(ans["promises_created"]))
        seqs = {pid: 1 for pid in ans["promises_created"]}
        if len(seqs) < len(promises):  # some were stored before: resume after what they hold
            held = run.send("GET", "consultation", f"/v1/fkp/{fkp_id}").json()["promises"]
            seqs.update({v["promise_id"]: v["seq"] for v in held if v["promise_id"] not in seqs})
        for pid, _, _, _, steps in promises:
            run.present += seqs[pid] - 1
            for kind, body in steps[seqs[pid] - 1:]:
                if kind == "feedback":  # participants use the forum's code, without an account
                    if code is None:
                        code = run.send("POST", "consultation", f"/v1/fkp/{fkp_id}/confirmation-code").json()[
                            "confirmation_code"]
                    body = {**body, "code": code}
                run.send("POST", "consultation", f"/v1/fkp/{fkp_id}/promises/{pid}/{kind}", body,
                         headers=run.headers if kind != "feedback" else {})
                run.count("fkp_promise_changes")


# --- complaints -------------------------------------------------------------------------------

NOTES = {"follow_up": "Unit telah meninjau lokasi dan menjadwalkan perbaikan.",
         "resolve": "Perbaikan telah dilakukan; mohon tanggapan Saudara.",
         "complete_info": "Pelapor melengkapi foto lokasi (dicatat oleh Biro atas nama pelapor)."}
DEFAULTS: dict[str, dict[str, Any]] = {"pend": {"missing": ["bukti"]}, "archive": {"reason": "duplikat"}, "rate": {"satisfaction": 4},
            "forward_out": {"to_instansi": "Kantor Pertanahan Kota Samarinda (Kementerian ATR/BPN)"}}
SUBJECTS = ("Antrean pelayanan terlalu lama", "Petugas tidak ada di loket pada jam layanan",
            "Informasi persyaratan di laman tidak sesuai", "Biaya tambahan di luar ketentuan",
            "Fasilitas ruang tunggu rusak", "Jawaban permohonan tidak kunjung diterima")


def _complaint_plan(run: _Run) -> list[tuple[str, str, datetime, list[tuple]]]:
    """(id suffix, unit, received at, [(action, gap, extra)]) per complaint; a gap is `wN` working
    days or `cN` calendar days after the step before. `H` complaints lie in the previous year and
    are finished (on time, late at each tier, archived, auto-closed, forwarded out); `L` complaints
    are dated back from today, so that their state is the one they are in now (two finished)."""
    prev = run.year - 1
    a, b, c, o = "layanan-trantibum", "layanan-desa", "ppid-utama", OPD_UNIT
    done: list[tuple[str, str, dict[str, Any]]] = [
        ("verify", "w1", {}), ("follow_up", "w2", {}), ("resolve", "c10", {}), ("accept", "w2", {})]

    def hist(m: int, d: int) -> datetime:
        day = date(prev, m, d)
        while not run.cal.is_working_day(day):
            day += timedelta(days=1)
        return datetime.combine(day, time(8, 30), tzinfo=TZ)

    def live(k: int) -> datetime:
        day = run.now.date()
        while k:
            day -= timedelta(days=1)
            k -= run.cal.is_working_day(day)
        return datetime.combine(day, time(8, 30), tzinfo=TZ)

    return [
        ("H01", a, hist(2, 3), done[:3] + [("rate", "w1", {}), ("accept", "w1", {})]),
        ("H02", b, hist(2, 17), done[:3] + [("rate", "w1", {"satisfaction": 3})]),  # auto-closes
        ("H03", c, hist(3, 3), [("archive", "w1", {})]),
        ("H04", b, hist(3, 10), [("forward_out", "w2", {})]),
        ("H05", a, hist(4, 7), [("verify", "w6", {})] + done[1:]),  # verification late (instansi)
        ("H06", b, hist(4, 14), [done[0], ("follow_up", "w9", {}), ("resolve", "c20", {}),
                                 ("rate", "w1", {"satisfaction": 2}), ("accept", "w1", {})]),  # upp tier late
        ("H07", o, hist(5, 5), [("verify", "w2", {}), ("follow_up", "w8", {})] + done[2:]),  # opd tier late
        ("H08", c, hist(5, 19), [done[0], ("follow_up", "w3", {}), ("resolve", "c75", {}),
                                 ("accept", "w2", {})]),  # resolution (60 days) late
        ("H09", a, hist(6, 2), [done[0], ("forward", "w2", {"to_unit_id": b, "by_holder": True})] + done[1:]),
        ("H10", b, hist(6, 16), done[:3] + [("reopen", "w3", {}), ("follow_up", "w2", {}), ("resolve", "c7", {}),
                                            ("accept", "w1", {}), ("rate", "w1", {})]),
        ("H11", c, hist(7, 7), [("pend", "w1", {})]),  # auto-archived after 30 days
        ("H12", a, hist(7, 21), [("pend", "w1", {}), ("complete_info", "c5", {})] + done),
        ("L01", a, live(1), []),
        ("L02", b, live(7), []),  # verification overdue (instansi)
        ("L03", c, live(6), [("pend", "w2", {})]),
        ("L04", a, live(3), [("verify", "w1", {})]),
        ("L05", b, live(12), [("verify", "w1", {})]),  # first follow-up overdue (upp)
        ("L06", o, live(12), [("verify", "w2", {})]),  # first follow-up overdue (opd)
        ("L07", c, live(5), [("verify", "w1", {}), ("follow_up", "w2", {})]),
        ("L08", a, live(50), [("verify", "w1", {}), ("follow_up", "w3", {})]),  # resolution overdue
        ("L09", b, live(6), [("verify", "w1", {}), ("follow_up", "w1", {}), ("resolve", "w2", {}),
                             ("rate", "w1", {"satisfaction": 3})]),  # the reporter's window is open
        ("L10", c, live(9), [("verify", "w1", {}), ("follow_up", "w1", {}), ("resolve", "w2", {}),
                             ("reopen", "w2", {})]),  # the reporter disputes the answer
        ("L11", c, live(2), [("forward", "w1", {"to_unit_id": a})]),  # before verification: the bureau
        ("L12", a, live(4), [("verify", "w1", {}), ("forward", "w1", {"to_unit_id": c, "by_holder": True})]),
        # finished weeks ago: the current year shows complaints completed, not only open ones
        ("L13", c, live(30), done),
        ("L14", b, live(40), done[:3] + [("rate", "w1", {"satisfaction": 4}), ("accept", "w1", {})]),
    ]


def _after(run: _Run, t: datetime, gap: str) -> datetime:
    n = int(gap[1:])
    day = run.cal.add_working_days(t.date(), n) if gap[0] == "w" else t.date() + timedelta(days=n)
    return datetime.combine(day, time(10, 0), tzinfo=TZ)


def _complaints(run: _Run) -> None:
    for i, (sid, unit, received, steps) in enumerate(_complaint_plan(run)):
        tid = f"DEMO2-{run.year}-{sid}"
        body = {"unit_id": unit, "tracking_id": tid, "channel": ("lapor", "web", "aplikasi")[i % 3],
                "classification": "pengaduan", "category": ("pelayanan", "infrastruktur", "perizinan")[i % 3],
                "subject": SUBJECTS[i % len(SUBJECTS)], "description": "Contoh pengaduan untuk data demo.",
                "received_at": received.isoformat(), "anonymous": i % 3 == 0, "confidential": i % 5 == 0,
                "reporter": {"name": "Warga Demo", "phone": "081200000000"}}
        r = run.send("POST", "complaints", "/v1/complaints", body, what=tid)
        if r is None:
            continue
        seq = 1
        if r.headers.get("Idempotent-Replay"):  # stored before: resume after what it holds
            seq = run.send("GET", "complaints", f"/v1/complaints/{tid}").json()["seq"]
            run.present += seq
        else:
            run.count("complaints")
        t, holder = received, unit
        for n, (action, gap, extra) in enumerate(steps, start=2):
            t = _after(run, t, gap)
            if t > run.now:
                raise RuntimeError(f"demo complaint {sid}: step {action} would lie in the future")
            extra = dict(extra)
            by_holder = extra.pop("by_holder", False) or action in ("follow_up", "resolve")
            act = {"action": action, "at": t.isoformat(), **DEFAULTS.get(action, {}), **extra}
            if action in NOTES:
                act["note"] = NOTES[action]
            if n > seq:
                run.send("POST", "complaints", f"/v1/complaints/{tid}/actions", act,
                         headers=run.unit_headers(holder) if by_holder else run.headers)
                run.count("complaint_actions")
            holder = extra.get("to_unit_id", holder)


# --- PEKPPP and SKM summary reports ------------------------------------------------------------

def _pekppp(run: _Run) -> None:
    for (unit, *_), level in zip(SKM_UNITS[1:4], (5, 4, 3), strict=False):  # completed evaluations: A, B, C
        replay = pekppp_demo(run.base["survey"], run.headers, unit, run.year, level,
                             random.Random(f"{VERSION}-pekppp-{unit}-{run.year}"))
        run.count("pekppp_evaluations", 0 if replay else 1)
        run.present += replay


def _summaries(run: _Run) -> None:
    populations = {u.id: u.population for u in Registry.instance().upps() if u.population}
    for body in summaries_demo(list(SUMMARY_UNITS), SKM_UNITS[2][0], run.year, populations):
        r = run.send("POST", "survey", "/v1/skm/summaries", body, what=body["submission_id"])
        if r is not None:
            replay = bool(r.headers.get("Idempotent-Replay"))
            run.count("skm_summaries", 0 if replay else 1)
            run.present += replay


def pekppp_demo(survey: str, headers: dict, unit_id: str, year: int, level: int, rng: random.Random) -> bool:
    """An evaluator's F-02 scores for all 30 indicators around `level` (the measured ones overridden,
    with the reason the rubric asks for), so the demo shows complete evaluations and their predikat.
    True when the same scores were stored before (a replay)."""
    from pantau.rules.pekppp_instrument import instrument
    scores = {str(n): max(0, min(5, level - (rng.random() < 0.3))) for n in instrument().numbers()}
    body = {"scores": scores, "note": "Data demo: penilaian evaluator setelah kunjungan lapangan."}
    r = requests.put(f"{survey}/v1/pekppp/{unit_id}/{year}/scores", json=body, headers=headers, timeout=30)
    r.raise_for_status()
    return bool(r.headers.get("Idempotent-Replay"))


def summaries_demo(without_responses: list[str], with_responses: str, year: int,
                   populations: dict[str, int]) -> list[dict]:
    """Laporan Hasil SKM from units that survey with another tool: one from answer counts whose
    arithmetic holds (it counts in the compilation with `source: summary`), one of NRRs whose IKM
    was converted x 20 (flagged), and one from a unit that also has responses (both shown)."""
    out = []
    if without_responses:
        u = without_responses[0]
        n = required_sample(populations[u]) + 12
        counts = {k: {"1": n // 40, "2": n // 8 + i, "3": n // 2 - i, "4": n - n // 40 - n // 8 - n // 2}
                  for i, k in enumerate(ELEMENTS)}
        from pantau.rules.skm_summary_check import recompute
        r = recompute({"counts": counts})
        out.append({"unit_id": u, "period": str(year), "submission_id": f"{VERSION.upper()}-LHS-{year}-01", "respondents": n,
                    "counts": counts, "reported_ikm": r["ikm"], "reported_mutu": r["mutu"],
                    "executor": "independent", "survey_start": f"{year}-02-03", "survey_end": f"{year}-03-28"})
    if len(without_responses) > 1:
        u = without_responses[1]
        nrr = {k: round(3.0 + 0.07 * i, 2) for i, k in enumerate(ELEMENTS)}
        x20 = round(sum(nrr.values()) / 9 * 20, 2)
        out.append({"unit_id": u, "period": str(year), "submission_id": f"{VERSION.upper()}-LHS-{year}-02",
                    "respondents": required_sample(populations[u]) + 5, "nrr": nrr, "reported_ikm": x20,
                    "reported_mutu": "C", "executor": "internal"})
    out.append({"unit_id": with_responses, "period": str(year), "submission_id": f"{VERSION.upper()}-LHS-{year}-03",
                "respondents": 150, "nrr": {k: 3.4 for k in ELEMENTS}, "reported_ikm": 85.0, "reported_mutu": "B",
                "executor": "independent"})
    return out


OPERATOR_UNIT = "ppid-utama"  # the demo's unit with an SKM result, FKP promises and complaints
DEMO_ACCOUNTS = (("biro.admin", "Admin Biro Organisasi (demo)", "bureau_admin"),
                 ("biro.analis", "Analis Biro Organisasi (demo)", "bureau_analyst"),
                 ("evaluator.pekppp", "Evaluator PEKPPP (demo)", "evaluator"),
                 ("operator.unit", "Operator unit (demo)", "unit_operator"))


def accounts_file(profile) -> Path:
    from .infra import procs
    return procs.run_dir(profile.name) / "akun-demo.txt"


def demo_accounts(profile) -> Path:
    """Staff accounts to try the dashboard with (`make up`): a bureau admin, an analyst, an
    evaluator and an operator of a unit the demo gives every instrument (SKM, FKP promises,
    complaints), each with a random one-time password (changed
    at the first sign-in), written once to
    `.local/run/<profile>/akun-demo.txt` (readable by the owner only); idempotent."""
    import secrets

    from pantau import accounts
    path = accounts_file(profile)
    upps = {u.id for u in Registry.instance().upps()}
    unit = OPERATOR_UNIT if OPERATOR_UNIT in upps else sorted(upps)[0]
    lines = []
    for username, name, role in DEMO_ACCOUNTS:
        if accounts.get(username) is not None:
            continue
        password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
        accounts.create(username, name, role, password, unit if role == "unit_operator" else None, temporary=True)
        lines.append(f"{username}\t{password}\t{role}{' ' + unit if role == 'unit_operator' else ''}")
    if lines:
        with path.open("a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        path.chmod(0o600)
    return path
