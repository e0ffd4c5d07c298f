"""A small plain-dict scenario for the card, dashboard and export tests (tests/unit, tests/integration).

Documents are built with the projections' own pure folds (`rules.skm_tally.month_doc_add`) or in the
stored shapes (`fkp_units`, complaint logs), so the report functions see what the store holds.
Three UPPs in two OPDs: `lab` (N = 20, adequate sample, FKP, complaints), `rs` (large N, far too
few respondents), `pelabuhan` (no population, nothing recorded).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pantau.rules.ikm import ELEMENTS
from pantau.rules.skm_tally import SkmTally, month_doc_add, month_doc_new
from pantau.units import Registry, Unit

TZ = ZoneInfo("Asia/Makassar")
YEAR = 2026
AS_OF = datetime(YEAR, 7, 15, 12, 0, tzinfo=TZ)

UNITS = [
    Unit("kaltim", "Pemerintah Provinsi Kalimantan Timur", "province", "provinsi", None),
    Unit("dinkes", "Dinas Kesehatan", "opd", "provinsi", "kaltim"),
    Unit("dkp", "Dinas Kelautan dan Perikanan", "opd", "provinsi", "kaltim"),
    Unit("lab", "UPTD Laboratorium Kesehatan", "upp", "provinsi", "dinkes", 20, ("uji laboratorium",)),
    Unit("rs", "Rumah Sakit Mata", "upp", "provinsi", "dinkes", 100000, ("rawat jalan",)),
    Unit("pelabuhan", "UPTD Pelabuhan Perikanan", "upp", "provinsi", "dkp", None),
]


def install_registry(monkeypatch) -> Registry:
    reg = Registry(ttl=1e12)
    reg._units = {u.id: u for u in UNITS}
    reg._loaded = float("inf")  # never refreshed from the store
    monkeypatch.setattr(Registry, "_instance", reg)
    return reg


def aggregator_client(monkeypatch, db, principals: dict, active_keys: set[str]):
    """An in-process client of the aggregator's API and pages reading `db`, where the bearer tokens
    of `principals` are keys (those in `active_keys` also for a page's session check)."""
    from pantau import auth, sessions
    from services.aggregator.wsgi import app
    install_registry(monkeypatch)
    monkeypatch.setattr(auth, "verify", lambda token: principals.get(token))
    monkeypatch.setattr(sessions, "key_active", lambda key_id: key_id in active_keys)
    for where in ("api", "card_api", "dashboard.views"):
        monkeypatch.setattr(f"services.aggregator.{where}.db", lambda: db)
    app.config.update(TESTING=True)
    return app.test_client()


def answers(value: int = 3, **override) -> dict:
    return {k: override.get(k, value) for k in ELEMENTS}


def bucket(unit_id: str, month: str, rows: list[dict], hour: int = 10) -> tuple[str, str, SkmTally]:
    b = month_doc_new()
    for i, a in enumerate(rows):
        month_doc_add(
            b,
            {
                "answers": a,
                "local_hour": hour,
                "submitted_at": f"{month}-{1 + i % 28:02d}T{hour:02d}:{i % 60:02d}:00+08:00",
                "channel": "web" if i % 3 else "paper",
                "sex": "L" if i % 2 else "P",
                "education": "SMA",
                "occupation": "PNS" if i % 4 else "SWASTA",
                "service_type": "uji laboratorium",
            },
            1,
        )
    return unit_id, month, SkmTally.of_month(b)


def skm_docs() -> dict:
    """`lab`: 12 respondents in Feb (waktu weak), 10 in May (biaya weak), 5 in Aug (after AS_OF) of
    YEAR and 8 in Nov of the previous year; `rs`: 3 in March; RTL and publications for `lab`."""
    lab_feb = [answers(3, waktu=2)] * 8 + [answers(4, waktu=3)] * 4
    lab_may = [answers(4, biaya=2)] * 10
    buckets = [
        bucket("lab", f"{YEAR}-02", lab_feb),
        bucket("lab", f"{YEAR}-05", lab_may),
        bucket("lab", f"{YEAR}-08", [answers(1)] * 5),
        bucket("lab", f"{YEAR - 1}-11", [answers(2)] * 8),
        bucket("rs", f"{YEAR}-03", [answers(4)] * 3),
    ]
    t = lambda m, d: datetime(YEAR, m, d, 9, 0, tzinfo=TZ)  # noqa: E731
    settings_docs = [
        {
            "_id": f"lab:{YEAR}",
            "unit_id": "lab",
            "period": str(YEAR),
            "year": YEAR,
            "population": 20,
            "period_type": "semester",
            "executor": "internal",
            "updated_at": t(1, 5),
        }
    ]
    rtl = [
        {
            "_id": f"lab:{YEAR}:r1",
            "unit_id": "lab",
            "period": str(YEAR),
            "year": YEAR,
            "item_id": "r1",
            "element": "waktu",
            "programme": "Tambah loket pada jam sibuk",
            "owner": "Kepala Seksi Pelayanan",
            "target_date": f"{YEAR}-06-30",
            "status": "done",
            "progress_pct": 100,
            "done_at": t(6, 1).isoformat(),
            "planned_at": t(3, 1).isoformat(),
            "updated_at": t(6, 1),
        },
        {
            "_id": f"lab:{YEAR}:r2",
            "unit_id": "lab",
            "period": str(YEAR),
            "year": YEAR,
            "item_id": "r2",
            "element": "biaya",
            "programme": "Papan informasi tarif",
            "owner": "Subbag Umum",
            "target_date": f"{YEAR}-09-30",
            "status": "done",
            "progress_pct": 100,
            "done_at": t(8, 1).isoformat(),
            "planned_at": t(3, 1).isoformat(),
            "updated_at": t(8, 1),
        },
    ]
    pubs = [
        {
            "_id": f"lab:{YEAR}:website",
            "unit_id": "lab",
            "period": str(YEAR),
            "year": YEAR,
            "medium": "website",
            "electronic": True,
            "published_on": f"{YEAR}-03-05",
            "updated_at": t(3, 5),
        },
        {
            "_id": f"lab:{YEAR}:papan",
            "unit_id": "lab",
            "period": str(YEAR),
            "year": YEAR,
            "medium": "papan_pengumuman",
            "electronic": False,
            "published_on": f"{YEAR}-03-06",
            "updated_at": t(3, 6),
        },
        {
            "_id": f"lab:{YEAR}:sosmed",
            "unit_id": "lab",
            "period": str(YEAR),
            "year": YEAR,
            "medium": "media_sosial",
            "electronic": True,
            "published_on": f"{YEAR}-09-01",
            "updated_at": t(9, 1),
        },
    ]
    months: dict[str, dict[str, SkmTally]] = {}
    for unit_id, month, tally in buckets:
        months.setdefault(unit_id, {})[month] = tally
    return {"months": months, "settings": settings_docs, "rtl": rtl, "pubs": pubs}


def fkp_doc() -> dict:
    """`lab`: one SP-review forum held on 10 Feb with three community elements; promise p1 (target
    31 March) fulfilled on 20 March, p2 (target 30 April) still open → overdue at AS_OF, p3 (target
    31 December) open and not yet due."""
    t = lambda m, d: datetime(YEAR, m, d, 9, 0, tzinfo=TZ)  # noqa: E731
    held_on = f"{YEAR}-02-10"
    forum = {
        "fkp_id": "f1",
        "seq": 3,
        "topic": "standar_pelayanan",
        "title": "Peninjauan standar pelayanan",
        "format": "tatap_muka",
        "stages": [
            {"t": t(1, 20), "stage": "planned", "held_on": held_on, "elements": [], "participant_count": 0},
            {
                "t": t(2, 10),
                "stage": "held",
                "held_on": held_on,
                "elements": ["pengguna_layanan", "akademisi", "media"],
                "participant_count": 6,
            },
        ],
        "berita_acara": [
            {"t": t(2, 11), "sha256": "a" * 64, "size": 100, "content_type": "application/pdf", "signatory_count": 3}
        ],
    }

    def promise(pid: str, target: str, history: list[dict]) -> dict:
        return {
            "fkp_id": "f1",
            "promise_id": pid,
            "seq": len(history),
            "description": f"Janji {pid}",
            "owner": "Seksi Pelayanan",
            "target_date": target,
            "elements": ["waktu"],
            "sp_component": None,
            "history": history,
        }

    rec = {"t": t(2, 10), "kind": "recorded", "status": "planned"}
    promises = [
        promise(
            "p1",
            f"{YEAR}-03-31",
            [
                rec,
                {
                    "t": t(3, 20),
                    "kind": "progress",
                    "status": "fulfilled",
                    "at": t(3, 20).isoformat(),
                    "progress_pct": 100,
                    "evidence_count": 1,
                },
            ],
        ),
        promise("p2", f"{YEAR}-04-30", [rec]),
        promise("p3", f"{YEAR}-12-31", [rec]),
    ]
    return {"_id": "lab", "unit_id": "lab", "forums": [forum], "promises": promises, "rev": 1}


def complaint_logs() -> list[list[dict]]:
    """Two complaints at `lab`: one verified on time and never followed up (first follow-up overdue
    at AS_OF), one still unverified for months (verification breached, charged to the province)."""

    def received(cid: str, at: datetime) -> dict:
        return {
            "type": "complaint.received",
            "seq": 1,
            "time": at.isoformat(),
            "data": {
                "complaint_id": cid,
                "unit_id": "lab",
                "channel": "lapor",
                "classification": "pengaduan",
                "category": "antrean",
                "received_at": at.isoformat(),
                "anonymous": True,
                "confidential": False,
                "status": "RECEIVED",
            },
        }

    a_at = datetime(YEAR, 5, 4, 8, 15, tzinfo=TZ)
    verified = {
        "type": "complaint.verified",
        "seq": 2,
        "time": (a_at + timedelta(days=1)).isoformat(),
        "data": {
            "complaint_id": "C-1",
            "recorded_at": (a_at + timedelta(days=1)).isoformat(),
            "action": "verify",
            "status": "DISPOSED",
            "holder_unit_id": "lab",
            "actor_role": "bureau",
            "actor_unit_id": None,
            "classification": "pengaduan",
            "category": "antrean",
            "tags": [],
            "berkadar_pengawasan": False,
        },
    }
    return [[received("C-1", a_at), verified], [received("C-2", datetime(YEAR, 6, 1, 9, 0, tzinfo=TZ))]]


def complaint_report(as_of: datetime = AS_OF) -> dict:
    """The `lab` complaint report as `complaint_reports.unit_report` builds it, from the logs."""
    from pantau.rules.periods import Period
    from pantau.rules.workdays import default_calendar
    from services.aggregator import complaint_reports as cr

    cal = default_calendar()
    judged = cr.judge(complaint_logs(), as_of, cal, "kaltim")
    period = Period("year", YEAR)
    now_items = cr.in_period(judged, period, "Asia/Makassar")
    prev = cr.in_period(judged, period.previous(), "Asia/Makassar")
    held = [j for j in now_items if j.st.holder_unit_id == "lab"]
    return {
        "unit_id": "lab",
        "name": "UPTD Laboratorium Kesehatan",
        "kind": "upp",
        "opd_id": "dinkes",
        "period": str(period),
        "previous_period": str(period.previous()),
        "as_of": as_of.isoformat(),
        **cr.figures(held, [j for j in prev if j.st.holder_unit_id == "lab"], as_of, cal),
        "breaches_charged": cr.charged_to(now_items, "lab"),
    }


def scenario_card(as_of: datetime = AS_OF) -> dict:
    """`lab`'s unit card as `card_reports.unit_card` assembles it, from the plain documents."""
    from services.aggregator import card_reports as cr
    from services.aggregator import fkp_reports

    d = skm_docs()
    inp = cr.cut_skm(d["months"], d["settings"], d["rtl"], d["pubs"], as_of, "Asia/Makassar")
    skm = cr.skm_section("lab", YEAR, inp, "exact")
    fkp = cr.fkp_section(fkp_reports.unit_figures(fkp_doc(), YEAR, as_of, TZ))
    comp = cr.complaints_section(complaint_report(as_of))
    return {
        "unit_id": "lab",
        "name": "UPTD Laboratorium Kesehatan",
        "opd_id": "dinkes",
        "opd_name": "Dinas Kesehatan",
        "year": YEAR,
        "as_of": as_of.isoformat(),
        "weight_mode": "exact",
        "skm": skm,
        "fkp": fkp,
        "complaints": comp,
        "pekppp": cr.pekppp_indicators(skm, fkp, comp),
        "obligations": cr.obligation_cells(skm, fkp, comp),
    }
