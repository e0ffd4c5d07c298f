"""A seeded, reproducible province: units, SKM responses spread over a year, forums, complaints.

Responses are built two ways from the same generator:
- `items(...)`: JSON bodies for `POST /v1/skm/responses` (ingest, freshness);
- `event_records(...)`: the exact Kafka records the survey relay would publish for those items
  (key = unit, value = the CloudEvents envelope of `services.survey.intake.build_doc`), used to
  load 10k..1M responses straight into `skm.events` so that the real aggregator consumes them
  (HTTP intake of 1M responses does not fit in the time budget; see bench/README.md).
`check_same_as_intake` proves the record builder matches the intake's own envelope.
"""
from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import yaml
from common import ROOT

from pantau.events import SOURCES
from pantau.rules.ikm import ELEMENTS as _ELEMENTS

WITA = timezone(timedelta(hours=8))
ELEMENTS = tuple(_ELEMENTS)
CHANNELS = ("qr", "web", "enumerator", "paper", "kiosk", "mobile")
EDUCATION = ("SD", "SMP", "SMA", "D1-D3", "D4-S1", "S2")
OCCUPATION = ("PNS", "SWASTA", "WIRAUSAHA", "LAINNYA")
SOURCE = SOURCES["survey"]


def registry(kind: str, out_dir: Path) -> tuple[str, list[str]]:
    """(registry file to import with `pantau init --registry`, UPP ids). `kaltim` is the shipped
    registry; `generated:N` writes a CSV of N UPPs under 40 OPDs (imported the same way)."""
    if kind == "kaltim":
        path = ROOT / "deploy" / "registry" / "kaltim.yaml"
        doc = yaml.safe_load(path.read_text())
        return str(path), [u["id"] for u in doc["units"] if u["kind"] == "upp"]
    n = int(kind.split(":", 1)[1])
    rows = ["id,name,kind,level,parent,population", "kaltim,Pemerintah Provinsi Kalimantan Timur,province,provinsi,,"]
    opds = max(1, min(40, n // 50))
    rows += [f"bench-opd-{k},OPD {k},opd,provinsi,kaltim," for k in range(opds)]
    upps = [f"bench-upp-{i:05d}" for i in range(n)]
    rng = random.Random(7)
    rows += [f"{u},UPP {i},upp,provinsi,bench-opd-{i % opds},{rng.choice((500, 2000, 10000, 50000))}"
             for i, u in enumerate(upps)]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"registry-{n}.csv"
    path.write_text("\n".join(rows) + "\n")
    return str(path), upps


class Generator:
    """Deterministic for a seed: unit weights (some units are busier), answer profiles per unit."""

    def __init__(self, units: list[str], seed: int = 2026):
        self.rng = random.Random(seed)
        self.units = units
        self.weights = [self.rng.choice((1, 1, 2, 3, 5, 8)) for _ in units]
        self.bias = {u: self.rng.uniform(-0.6, 0.6) for u in units}

    def answers(self, unit: str) -> dict:
        base = 3.1 + self.bias[unit]
        return {k: max(1, min(4, round(self.rng.gauss(base, 0.7)))) for k in ELEMENTS}

    def response(self, unit: str, rid: str, at: datetime) -> dict:
        r = self.rng
        return {"unit_id": unit, "response_id": rid, "submitted_at": at.isoformat(timespec="seconds"),
                "answers": self.answers(unit), "service_type": None, "channel": r.choice(CHANNELS),
                "respondent": {"sex": r.choice(("L", "P")), "age": r.randint(18, 75),
                               "education": r.choice(EDUCATION), "occupation": r.choice(OCCUPATION)}}

    def year_times(self, n: int, year: int) -> list[datetime]:
        """n instants spread over the year, 85 % inside service hours (07–17 WITA), sorted."""
        start = datetime(year, 1, 1, tzinfo=WITA)
        out = []
        for _ in range(n):
            day = start + timedelta(days=self.rng.randrange(365))
            hour = self.rng.randrange(7, 17) if self.rng.random() < 0.85 else self.rng.choice((5, 6, 18, 20, 22))
            out.append(day + timedelta(hours=hour, minutes=self.rng.randrange(60), seconds=self.rng.randrange(60)))
        out.sort()
        return out

    def pick_units(self, n: int) -> list[str]:
        return self.rng.choices(self.units, weights=self.weights, k=n)


def month_key(at: datetime) -> str:
    local = at.astimezone(WITA)
    return f"{local.year:04d}-{local.month:02d}"


def envelope(item: dict, event_id: str, at: datetime, recorded: datetime | None = None) -> dict:
    """The `skm.response_recorded` envelope exactly as intake.build_doc + Event.to_dict build it;
    `recorded`: when the survey service stored it (default: seconds after submission)."""
    local = at.astimezone(WITA)
    data = {"unit_id": item["unit_id"], "response_id": item["response_id"], "submitted_at": at.isoformat(),
            "period_month": month_key(at), "local_hour": local.hour, "answers": dict(item["answers"]),
            "service_type": item.get("service_type"), "channel": item.get("channel"),
            "respondent": item.get("respondent"), "has_suggestion": bool(item.get("suggestion")),
            # as if recorded live, seconds after submission (a year of traffic, not a bulk import)
            "recorded_at": (recorded or at + timedelta(seconds=2)).astimezone(timezone.utc).isoformat()}
    return {"specversion": "1.0", "id": event_id, "source": SOURCE, "type": "skm.response_recorded",
            "subject": f"skm:{item['unit_id']}:{item['response_id']}", "time": at.isoformat(), "seq": 1,
            "dataversion": 1, "correlationid": None, "datacontenttype": "application/json", "data": data}


def event_records(gen: Generator, n: int, year: int, prefix: str, recorded_from: datetime | None = None,
                  recorded_over: timedelta = timedelta(days=30)):
    """Yield (key, value, headers) Kafka records for n responses of `year`, in time order. With
    `recorded_from`, the responses (paper forms of the year, say) are recorded one after the
    other over `recorded_over` from then; else each as it was submitted."""
    times = gen.year_times(n, year)
    units = gen.pick_units(n)
    for i, (at, unit) in enumerate(zip(times, units, strict=True)):
        item = gen.response(unit, f"{prefix}{i:07d}", at)
        eid = str(uuid.UUID(int=gen.rng.getrandbits(128), version=4))
        recorded = recorded_from + recorded_over * (i / max(1, n)) if recorded_from is not None else None
        env = envelope(item, eid, at, recorded)
        yield unit.encode(), orjson.dumps(env), [("ce_type", b"skm.response_recorded"), ("ce_id", eid.encode())]


def check_same_as_intake(gen: Generator) -> None:
    """The loader's envelope equals what the survey intake stores and the relay publishes."""
    from pantau import events as _contracts  # noqa: F401 (registers schemas)
    from services.survey import intake
    from services.survey.schemas import ResponseSchema
    at = datetime(2025, 6, 3, 9, 30, tzinfo=WITA)
    item = gen.response(gen.units[0], "check-1", at)
    loaded = ResponseSchema().load(item)
    doc = intake.build_doc(loaded, None, "Asia/Makassar")
    ours = envelope(item, doc["envelope"]["id"], at)
    theirs = dict(doc["envelope"], data=dict(doc["envelope"]["data"]))
    theirs["data"]["recorded_at"] = ours["data"]["recorded_at"]  # the intake stamps "now"
    if orjson.dumps(ours) != orjson.dumps(theirs):
        raise AssertionError(f"loader envelope differs from intake's:\n{ours}\n{doc['envelope']}")


def complaint(gen: Generator, unit: str, tid: str, at: datetime) -> dict:
    r = gen.rng
    return {"unit_id": unit, "tracking_id": tid, "channel": r.choice(("lapor", "web", "sms")),
            "classification": r.choice(("pengaduan", "pengaduan", "aspirasi")),
            "category": r.choice(("antrean", "biaya", "perilaku", "sarana")), "tags": ["bench"],
            "subject": "Keluhan pelayanan (data uji)", "description": "Data uji benchmark, bukan laporan nyata.",
            "place": "Loket", "received_at": at.isoformat(timespec="seconds"),
            "reporter": {"name": "Pelapor Uji", "phone": "081200000000"}}


def complaint_steps(gen: Generator, at: datetime) -> list[dict]:
    """A realistic lifecycle prefix: many are verified, most of those followed up and resolved."""
    steps, t = [], at
    for action, p in (("verify", 0.9), ("follow_up", 0.8), ("resolve", 0.75)):
        if gen.rng.random() > p:
            break
        t = t + timedelta(days=gen.rng.randint(1, 6), hours=gen.rng.randint(0, 5))
        steps.append({"action": action, "at": t.isoformat(timespec="seconds"), "note": "Ditindaklanjuti (uji)."})
    return steps


def forum(gen: Generator, unit: str, fkp_id: str, held: datetime) -> dict:
    people = [{"element": "pengguna_layanan", "name": "Warga Uji", "institution": None},
              {"element": "akademisi", "name": "Akademisi Uji", "institution": "Universitas"},
              {"element": "media", "name": "Media Uji", "institution": "Koran"}]
    target = (held + timedelta(days=gen.rng.randint(20, 120))).date().isoformat()
    return {"unit_id": unit, "fkp_id": fkp_id, "topic": "standar_pelayanan", "format": "tatap_muka",
            "title": "Forum konsultasi publik (data uji)", "held_on": held.date().isoformat(), "place": "Aula",
            "stage": "held", "participants": people, "minutes": "Notulen uji.",
            "promises": [{"promise_id": "janji-1", "description": "Perbaikan antrean (uji)", "owner": "Seksi",
                          "target_date": target, "elements": ["waktu"]}]}
