"""Demo data for `make up`: posted over HTTP through the real services, seeded and repeatable
(the same ids each time, so a second `make up` is an idempotent repeat, not new data)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

from . import auth
from .rules.ikm import ELEMENTS
from .rules.sample import required_sample
from .units import Registry

TZ = timezone(timedelta(hours=8))


def _responses(rng: random.Random, unit_id: str, n: int, year: int, bias: float) -> list[dict]:
    out = []
    for i in range(n):
        month = rng.randint(1, 12)
        day = rng.randint(1, 28)
        at = datetime(year, month, day, rng.randint(8, 15), rng.randint(0, 59), tzinfo=TZ)
        if at > datetime.now(TZ):  # a survey cannot have been filled in the future
            at = at.replace(year=year - 1)
        answers = {k: max(1, min(4, round(rng.gauss(bias, 0.6)))) for k in ELEMENTS}
        out.append({"unit_id": unit_id, "response_id": f"demo-{year}-{i:05d}", "submitted_at": at.isoformat(),
                    "answers": answers, "channel": rng.choice(["qr", "web", "paper", "enumerator"]),
                    "respondent": {"sex": rng.choice("LP"), "age": rng.randint(18, 70),
                                   "education": rng.choice(["SMA", "D4-S1", "SMP", "S2", "D1-D3"]),
                                   "occupation": rng.choice(["PNS", "SWASTA", "WIRAUSAHA", "LAINNYA"])}})
    return out


def load(profile, units: int = 10, year: int | None = None) -> dict:
    year = year or datetime.now(TZ).year
    rng = random.Random(20171)
    token = auth.issue("bureau", note="demo loader")
    h = {"Authorization": f"Bearer {token}"}
    base = {n: f"http://127.0.0.1:{port}" for n, port in profile.http_ports.items()}
    all_upps = Registry.instance().upps()
    step = max(1, len(all_upps) // units)
    # a spread over the registry, preferring small populations so that full samples stay quick
    upps = sorted(all_upps[::step][:units * 2], key=lambda u: u.population or 0)[:units]
    posted, skipped = 0, []
    from . import mongo
    done = mongo.db("survey")["demo_loads"]  # written once every demo item is posted
    if done.find_one({"_id": str(year)}) is not None:
        return {"responses": 0, "units": len(upps), "note": "demo data already loaded"}
    for i, u in enumerate(upps):
        # most units reach the Krejcie–Morgan sample for their population; every fourth does not
        need = required_sample(u.population or 1000)
        n = max(30, int(need * (0.4 if i % 4 == 3 else rng.uniform(1.0, 1.3))))
        batch = _responses(rng, u.id, n, year, bias=rng.uniform(2.6, 3.7))
        if _post(f"{base['survey']}/v1/skm/responses", {"responses": batch}, h, 120, skipped, u.id):
            posted += len(batch)
    for i, u in enumerate(upps[:8]):
        elements = ["pengguna_layanan", "akademisi", "instansi_terkait", "organisasi_masyarakat", "media"]
        forum = {"unit_id": u.id, "fkp_id": f"demo-fkp-{u.id}-{year}", "topic": "tindak_lanjut_skm",
                 "title": "FKP tindak lanjut hasil SKM", "held_on": f"{year}-0{1 + i % 9}-15",
                 "format": "tatap_muka", "stage": "held",
                 "participants": [{"element": e, "name": f"Peserta {j + 1}", "institution": None}
                                  for j, e in enumerate(elements[: 2 + i % 4])]}
        _post(f"{base['consultation']}/v1/fkp", forum, h, 30, skipped, forum["fkp_id"])
    for i, u in enumerate(upps[:12]):
        c = {"unit_id": u.id, "tracking_id": f"DEMO-{year}-{i:04d}", "channel": "lapor",
             "classification": "pengaduan", "category": rng.choice(["pelayanan", "infrastruktur", "perizinan"]),
             "subject": "Antrean pelayanan terlalu lama", "description": "Contoh pengaduan untuk data demo.",
             "anonymous": i % 3 == 0, "confidential": i % 4 == 0,
             "reporter": {"name": "Warga Demo", "phone": "081200000000"}}
        _post(f"{base['complaints']}/v1/complaints", c, h, 30, skipped, c["tracking_id"])
    for u, level in zip(upps[:3], (5, 4, 3), strict=False):  # three completed PEKPPP evaluations: A, B and C
        pekppp_demo(base["survey"], h, u.id, year, level, rng)
    others = [u for u in all_upps if u not in upps and u.population]
    for body in summaries_demo([u.id for u in others[:2]], upps[0].id, year,
                               {u.id: u.population for u in all_upps if u.population}):
        _post(f"{base['survey']}/v1/skm/summaries", body, h, 30, skipped, body["submission_id"])
    done.replace_one({"_id": str(year)}, {"_id": str(year), "at": datetime.now(timezone.utc).isoformat()}, upsert=True)
    out = {"responses": posted, "units": len(upps)}
    if skipped:
        out["skipped"] = f"{len(skipped)} already held other demo data (an older demo version): {', '.join(skipped)}"
    return out


def pekppp_demo(survey: str, headers: dict, unit_id: str, year: int, level: int, rng: random.Random) -> None:
    """An evaluator's F-02 scores for all 30 indicators around `level` (the measured ones overridden,
    with the reason the rubric asks for), so the demo shows complete evaluations and their predikat."""
    from .rules.pekppp_instrument import instrument
    scores = {str(n): max(0, min(5, level - (rng.random() < 0.3))) for n in instrument().numbers()}
    body = {"scores": scores, "note": "Data demo: penilaian evaluator setelah kunjungan lapangan."}
    r = requests.put(f"{survey}/v1/pekppp/{unit_id}/{year}/scores", json=body, headers=headers, timeout=30)
    r.raise_for_status()


def summaries_demo(without_responses: list[str], with_responses: str, year: int,
                   populations: dict[str, int]) -> list[dict]:
    """Laporan Hasil SKM from units that survey with another tool: one from answer counts whose
    arithmetic holds (it counts in the compilation with `source: summary`), one of NRRs whose IKM
    was converted x 20 (flagged), and one from a unit that also has responses (both shown)."""
    from .rules.ikm import ELEMENTS
    out = []
    if without_responses:
        u = without_responses[0]
        n = required_sample(populations[u]) + 12
        counts = {k: {"1": n // 40, "2": n // 8 + i, "3": n // 2 - i, "4": n - n // 40 - n // 8 - n // 2}
                  for i, k in enumerate(ELEMENTS)}
        from .rules.skm_summary_check import recompute
        r = recompute({"counts": counts})
        out.append({"unit_id": u, "period": str(year), "submission_id": f"LHS-{year}-01", "respondents": n,
                    "counts": counts, "reported_ikm": r["ikm"], "reported_mutu": r["mutu"],
                    "executor": "independent", "survey_start": f"{year}-02-03", "survey_end": f"{year}-03-28"})
    if len(without_responses) > 1:
        u = without_responses[1]
        nrr = {k: round(3.0 + 0.07 * i, 2) for i, k in enumerate(ELEMENTS)}
        x20 = round(sum(nrr.values()) / 9 * 20, 2)
        out.append({"unit_id": u, "period": str(year), "submission_id": f"LHS-{year}-02",
                    "respondents": required_sample(populations[u]) + 5, "nrr": nrr, "reported_ikm": x20,
                    "reported_mutu": "C", "executor": "internal"})
    out.append({"unit_id": with_responses, "period": str(year), "submission_id": f"LHS-{year}-03",
                "respondents": 150, "nrr": {k: 3.4 for k in ELEMENTS}, "reported_ikm": 85.0, "reported_mutu": "B",
                "executor": "independent"})
    return out


def _post(url: str, body: dict, headers: dict, timeout: float, skipped: list, what: str) -> bool:
    """POST one demo item; a 409 means the id holds demo data of an older demo version (the ids
    are reserved for demo data), which is kept and reported rather than failing `make up`."""
    r = requests.post(url, json=body, headers=headers, timeout=timeout)
    if r.status_code == 409:
        skipped.append(what)
        return False
    r.raise_for_status()
    return True


DEMO_ACCOUNTS = (("biro.admin", "Admin Biro Organisasi (demo)", "bureau_admin"),
                 ("biro.analis", "Analis Biro Organisasi (demo)", "bureau_analyst"),
                 ("evaluator.pekppp", "Evaluator PEKPPP (demo)", "evaluator"),
                 ("operator.unit", "Operator unit (demo)", "unit_operator"))


def accounts_file(profile) -> Path:
    from .infra import procs
    return procs.run_dir(profile.name) / "akun-demo.txt"


def demo_accounts(profile) -> Path:
    """Staff accounts to try the dashboard with (`make up`): a bureau admin, an analyst, an
    evaluator and an operator of the smallest unit, each with a random password, written once to
    `.local/run/<profile>/akun-demo.txt` (readable by the owner only); idempotent."""
    import secrets

    from . import accounts
    path = accounts_file(profile)
    unit = sorted(Registry.instance().upps(), key=lambda u: u.population or 0)[0].id
    lines = []
    for username, name, role in DEMO_ACCOUNTS:
        if accounts.get(username) is not None:
            continue
        password = "-".join(secrets.token_urlsafe(6) for _ in range(3))
        accounts.create(username, name, role, password, unit if role == "unit_operator" else None)
        lines.append(f"{username}\t{password}\t{role}{' ' + unit if role == 'unit_operator' else ''}")
    if lines:
        with path.open("a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        path.chmod(0o600)
    return path
