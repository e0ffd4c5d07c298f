"""Browser tests: Playwright for Python driving Debian's Chromium (never Playwright's own browser
download) against the running test platform, with a small demo set posted through the services.

The demo set lives in last year (every date is in the past, so figures do not move with the
clock) and in units no other test uses: two schools of Disdikbud and a Dishub unit.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import pytest
import requests
from dashboard_helpers import CHROMIUM, FLAGS, MAIN, OTHER, SMALL, TZ, Y

from pantau.rules.ikm import ELEMENTS


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make install` installs Debian's chromium (browser-install)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture()
def new_context(chromium):
    made = []

    def make():
        ctx = chromium.new_context(locale="id-ID", timezone_id="Asia/Makassar", viewport={"width": 1366, "height": 800})
        ctx.set_default_timeout(30_000)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


def _responses(unit_id: str, n: int, when: list[datetime], weak: str | None, base: int, tag: str) -> list[dict]:
    out = []
    for i in range(n):
        answers = {k: base for k in ELEMENTS}
        if i % 3 == 0:
            answers = {k: min(4, base + 1) for k in ELEMENTS}
        if weak:
            answers[weak] = 2
        out.append(
            {
                "unit_id": unit_id,
                "response_id": f"{tag}-{i:03d}",
                "submitted_at": when[i % len(when)].isoformat(),
                "answers": answers,
                "channel": "web" if i % 2 else "paper",
                "respondent": {
                    "sex": "L" if i % 2 else "P",
                    "age": 20 + i % 40,
                    "education": ["SMA", "D4-S1", "SMP"][i % 3],
                    "occupation": ["PNS", "SWASTA", "WIRAUSAHA", "LAINNYA"][i % 4],
                },
            }
        )
    return out


def _ok(r: requests.Response, *codes: int) -> dict:
    assert r.status_code in codes, r.text
    return r.json() if r.content else {}


@pytest.fixture(scope="session")
def demo(platform):
    """Posts the demo set (idempotent ids) and waits until the aggregator shows all of it."""
    sv = lambda p: platform.url("survey", p)  # noqa: E731
    bureau = platform.headers(platform.bureau)
    main = platform.headers(platform.key(MAIN))
    run = uuid.uuid4().hex[:6]
    at = lambda m, d, h=10: datetime(Y, m, d, h, 0, tzinfo=TZ)  # noqa: E731
    # settings: N per year (Krejcie–Morgan: N 40 → 36, N 20 → 19, N 100 → 80, N 25 → 24)
    for unit, year, n, ptype in (
        (MAIN, Y, 40, "quarter"),
        (MAIN, Y - 1, 20, "year"),
        (SMALL, Y, 100, "year"),
        (OTHER, Y, 25, "year"),
    ):
        _ok(
            requests.put(
                sv(f"/v1/skm/settings/{unit}/{year}"),
                json={"population": n, "period_type": ptype, "executor": "independent"},
                headers=bureau,
            ),
            200,
        )
    batches = [
        _responses(MAIN, 40, [at(2, 10), at(2, 20), at(5, 12), at(8, 5)], "waktu", 3, f"br-{Y}"),
        _responses(MAIN, 20, [datetime(Y - 1, 6, 10, 10, tzinfo=TZ)], "biaya", 3, f"br-{Y - 1}"),
        _responses(SMALL, 10, [at(3, 3)], None, 3, f"br-{Y}"),
        _responses(OTHER, 25, [at(4, 4), at(9, 9)], "sarana", 2, f"br-{Y}"),
    ]
    for b in batches:
        _ok(requests.post(sv("/v1/skm/responses"), json={"responses": b}, headers=bureau, timeout=60), 202)
    _ok(
        requests.post(
            sv(f"/v1/skm/publications/{MAIN}/{Y}"),
            json={"medium": "website", "published_on": f"{Y}-03-01"},
            headers=main,
        ),
        201,
        200,
    )
    _ok(
        requests.post(
            sv(f"/v1/skm/rtl/{MAIN}/{Y}/items"),
            json={
                "item_id": "rtl-loket",
                "element": "waktu",
                "programme": "Tambah petugas loket pada jam sibuk",
                "owner": "Wakil Kepala Sekolah",
                "target_date": f"{Y}-06-30",
            },
            headers=main,
        ),
        201,
        200,
        409,
    )
    _ok(
        requests.post(
            sv(f"/v1/skm/rtl/{MAIN}/{Y}/items/rtl-loket/progress"),
            json={
                "status": "done",
                "progress_pct": 100,
                "at": at(4, 20).isoformat(),
                "evidence": [{"name": "Foto loket", "sha256": "b" * 64}],
            },
            headers=main,
        ),
        200,
        409,
    )
    # FKP: a held SP review with four community elements; one promise overdue, one kept, one not due
    cs = lambda p: platform.url("consultation", p)  # noqa: E731
    fkp_id = f"fkp-browser-{Y}"
    r = requests.post(
        cs("/v1/fkp"),
        headers=main,
        timeout=30,
        json={
            "unit_id": MAIN,
            "fkp_id": fkp_id,
            "topic": "standar_pelayanan",
            "format": "tatap_muka",
            "title": "Peninjauan standar pelayanan penerimaan peserta didik",
            "held_on": f"{Y}-02-15",
            "stage": "held",
            "participants": [
                {"element": e, "name": f"Peserta {i}", "institution": None}
                for i, e in enumerate(["pengguna_layanan", "akademisi", "media", "instansi_terkait"])
            ],
            "promises": [
                {
                    "promise_id": "janji-loket",
                    "description": "Loket tambahan saat pendaftaran",
                    "owner": "Tata Usaha",
                    "target_date": f"{Y}-03-31",
                    "elements": ["waktu"],
                },
                {
                    "promise_id": "janji-info",
                    "description": "Papan informasi persyaratan",
                    "owner": "Humas Sekolah",
                    "target_date": f"{Y}-05-31",
                    "elements": ["persyaratan"],
                },
                {
                    "promise_id": "janji-ruang",
                    "description": "Ruang tunggu diperluas",
                    "owner": "Sarana Prasarana",
                    "target_date": f"{Y + 2}-06-30",
                    "elements": ["sarana"],
                },
            ],
        },
    )
    _ok(r, 201, 200, 409)
    _ok(
        requests.post(
            cs(f"/v1/fkp/{fkp_id}/promises/janji-info/progress"),
            headers=main,
            timeout=30,
            json={
                "status": "fulfilled",
                "at": at(5, 10).isoformat(),
                "evidence": [{"name": "Foto papan", "url": "https://sekolah.example/papan"}],
            },
        ),
        200,
        409,
    )
    # complaints: one verified on time and then left without follow-up (overdue), one never verified
    cp = lambda p: platform.url("complaints", p)  # noqa: E731
    for tid, day, verify in ((f"BROWSER-{Y}-1", 6, True), (f"BROWSER-{Y}-2", 20, False)):
        body = {
            "unit_id": MAIN,
            "tracking_id": tid,
            "channel": "lapor",
            "classification": "pengaduan",
            "category": "penerimaan_siswa",
            "subject": "Pendaftaran lama",
            "description": "Antrean panjang.",
            "received_at": at(4, day, 9).isoformat(),
            "anonymous": True,
            "confidential": False,
            "reporter": {"name": "Warga Uji", "phone": "081200000001"},
        }
        _ok(requests.post(cp("/v1/complaints"), json=body, headers=main, timeout=30), 201)
        if verify:
            _ok(
                requests.post(
                    cp(f"/v1/complaints/{tid}/actions"),
                    headers=bureau,
                    timeout=30,
                    json={"action": "verify", "at": at(4, day + 1, 10).isoformat(), "note": "Terverifikasi."},
                ),
                200,
                409,
            )

    def ready():
        card = requests.get(
            platform.url("aggregator", f"/v1/units/{MAIN}/card"), params={"year": Y}, headers=bureau, timeout=30
        ).json()
        other = requests.get(
            platform.url("aggregator", f"/v1/units/{OTHER}/card"), params={"year": Y}, headers=bureau, timeout=30
        ).json()
        small = requests.get(
            platform.url("aggregator", f"/v1/ikm/units/{SMALL}"), params={"period": str(Y)}, headers=bureau, timeout=30
        ).json()
        return (
            card["skm"]["year"]["respondents"] == 40
            and card["skm"]["rtl"]["done"] == 1
            and card["skm"]["publication"]["media"] == ["website"]
            and card["fkp"].get("available")
            and card["fkp"]["promises"]["total"] == 3
            and card["complaints"].get("complaints") == 2
            and other["skm"]["year"]["respondents"] == 25
            and small["respondents"] == 10
            and card
        )

    card = platform.wait_for(ready, timeout=180, what="the demo set in the aggregator")
    return {
        "year": Y,
        "run": run,
        "card": card,
        "bureau": platform.bureau,
        "main_key": platform.key(MAIN),
        "other_key": platform.key(OTHER),
    }
