"""The restore drill (issue 21), on a platform of its own (profile test6): write through the
services, take every report, `pantau backup`, stop everything, wipe the store's and Kafka's data,
start empty, `pantau restore`, start the services, and wait until every report (unit, OPD and
province IKM, ranking, compliance, FKP, complaints) equals the one taken before the wipe. The
projections are rebuilt from the republished events, not restored. Figures (documents, backup
and restore seconds, time to the rebuilt reports) go to test-artifacts/restore-drill.json."""
from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from pantau.rules.ikm import ELEMENTS
from pantau_platform.infra import platform as plat
from pantau_platform.infra import procs
from pantau_platform.infra.profiles import get as get_profile

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
REGISTRY = str(ROOT / "deploy" / "registry" / "kaltim.yaml")
ARTIFACT = ROOT / "test-artifacts" / "restore-drill.json"
UNITS = ("samsat-samarinda", "rsud-aws")
OPD = "bapenda"
YEAR = 2026
DATA_DIRS = ("kafka-data", "ferretdb-data", "ferretdb-state", "mongod-data")


@pytest.fixture
def drill_profile(monkeypatch, infra):
    from pantau import mongo
    p = get_profile("test6")
    plat.services_down(p)
    plat.infra_down(p)
    for d in DATA_DIRS:
        shutil.rmtree(procs.run_dir(p.name) / d, ignore_errors=True)
    for k, v in p.env().items():
        monkeypatch.setenv(k, v)
    mongo.reset()
    try:
        yield p
    finally:
        plat.services_down(p)
        plat.infra_down(p)
        for k, v in infra.env().items():
            os.environ[k] = v
        mongo.reset()


def url(p, service: str, path: str) -> str:
    return f"http://127.0.0.1:{p.http_ports[service]}{path}"


def write_some(p, keys: dict) -> None:
    tag = uuid.uuid4().hex[:6]
    for n, unit in enumerate(UNITS):
        h = {"Authorization": f"Bearer {keys[unit]}"}
        batch = [{"unit_id": unit, "response_id": f"drill-{tag}-{n}-{i}", "submitted_at": "2026-03-10T09:30:00+08:00",
                  "answers": {k: 2 + (i + n) % 3 for k in ELEMENTS}} for i in range(40)]
        assert requests.post(url(p, "survey", "/v1/skm/responses"), json={"responses": batch}, headers=h,
                             timeout=60).status_code == 202
        forum = {"unit_id": unit, "fkp_id": f"fkp-drill-{tag}-{n}", "topic": "standar_pelayanan",
                 "title": "Forum uji pemulihan", "held_on": "2026-04-02", "format": "tatap_muka", "stage": "held",
                 "participants": [{"element": "pengguna_layanan", "name": "Budi"},
                                  {"element": "media", "name": "Sari", "institution": "Kaltim Post"}]}
        assert requests.post(url(p, "consultation", "/v1/fkp"), json=forum, headers=h, timeout=30).status_code == 201
        complaint = {"unit_id": unit, "tracking_id": f"DRILL-{tag}-{n}".upper(), "channel": "lapor",
                     "classification": "pengaduan", "subject": "Antrean", "description": "Lama sekali.",
                     "received_at": "2026-03-02T09:00:00+08:00", "reporter": {"name": "Ani", "phone": "0811"}}
        assert requests.post(url(p, "complaints", "/v1/complaints"), json=complaint, headers=h,
                             timeout=30).status_code == 201
        verify = {"action": "verify", "at": "2026-03-03T10:00:00+08:00", "note": "Terverifikasi."}
        assert requests.post(url(p, "complaints", f"/v1/complaints/{complaint['tracking_id']}/actions"), json=verify,
                             headers={"Authorization": f"Bearer {keys['bureau']}"}, timeout=30).status_code == 200


REPORTS = [*(f"/v1/ikm/units/{u}?period={YEAR}" for u in UNITS), f"/v1/ikm/opd/{OPD}?period={YEAR}",
           f"/v1/ikm/province?period={YEAR}", f"/v1/ikm/ranking?period={YEAR}", f"/v1/skm/compliance?year={YEAR}",
           f"/v1/compliance?year={YEAR}", f"/v1/fkp/province?year={YEAR}", f"/v1/complaints/province?period={YEAR}",
           *(f"/v1/complaints/units/{u}?period={YEAR}" for u in UNITS), *(f"/v1/units/{u}/summary" for u in UNITS)]


def reports(p, token: str, as_of: str) -> dict:
    out = {}
    for path in REPORTS:
        full = path + ("&" if "?" in path else "?") + ("as_of=" + as_of if "summary" not in path else "")
        r = requests.get(url(p, "aggregator", full.rstrip("?&")), headers={"Authorization": f"Bearer {token}"},
                         timeout=60)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
        out[path] = r.json()
        if "summary" in path:
            out[path].pop("as_of")  # the live summary says when it was read
    return out


def test_backup_wipe_restore_rebuild_gives_the_same_reports(drill_profile, tmp_path):
    from pantau import auth, mongo
    from pantau_platform import cli
    p = drill_profile
    plat.infra_up(p)
    plat.init(p, REGISTRY)
    plat.services_up(p)
    keys = {"bureau": auth.issue("bureau", note="drill"), **{u: auth.issue("unit", u, note="drill") for u in UNITS}}
    write_some(p, keys)
    as_of = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 5))
    summary = lambda: requests.get(url(p, "aggregator", f"/v1/units/{UNITS[1]}/summary"),  # noqa: E731
                                   headers={"Authorization": f"Bearer {keys['bureau']}"}, timeout=10).json()
    deadline = time.monotonic() + 90
    while not (summary().get("skm_responses") == 40 and summary().get("complaints") == 1):
        assert time.monotonic() < deadline, summary()
        time.sleep(0.5)
    time.sleep(6)  # past as_of: every report below reads the same moment before and after
    before = reports(p, keys["bureau"], as_of)

    runner = CliRunner()
    backup_dir = tmp_path / "cadangan"
    t0 = time.monotonic()
    r = runner.invoke(cli.main, ["backup", str(backup_dir)])
    assert r.exit_code == 0, r.output
    backup_s = time.monotonic() - t0
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert {"survey.events.jsonl", "complaints.events.jsonl", "registry.keys.jsonl"} <= set(manifest["files"])
    assert not any(n.startswith(("aggregator.", "registry.sessions")) for n in manifest["files"])

    plat.services_down(p)
    plat.infra_down(p)
    for d in DATA_DIRS:
        shutil.rmtree(procs.run_dir(p.name) / d, ignore_errors=True)
    mongo.reset()
    plat.infra_up(p)
    assert mongo.db("survey")["events"].find_one({}) is None  # empty: wiped
    t0 = time.monotonic()
    r = runner.invoke(cli.main, ["restore", str(backup_dir)])
    assert r.exit_code == 0, r.output
    restore_s = time.monotonic() - t0
    again = runner.invoke(cli.main, ["restore", str(backup_dir)])
    assert again.exit_code != 0 and "not empty" in again.output  # never on top of data
    plat.init(p, REGISTRY)
    plat.services_up(p)
    t0 = time.monotonic()
    deadline = time.monotonic() + 180
    while True:
        after = reports(p, keys["bureau"], as_of)  # the old bureau key works: keys were restored
        if after == before or time.monotonic() > deadline:
            break
        time.sleep(1)
    rebuild_s = time.monotonic() - t0
    diff = [k for k in before if before[k] != after[k]]
    documents = sum(f["documents"] for f in manifest["files"].values())
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(json.dumps({"documents": documents, "files": len(manifest["files"]),
                                    "backup_seconds": round(backup_s, 2), "restore_seconds": round(restore_s, 2),
                                    "rebuilt_reports_seconds": round(rebuild_s, 1), "reports": len(REPORTS),
                                    "different": diff}, indent=2) + "\n")
    print(f"\nrestore drill: {documents} documents, backup {backup_s:.1f} s, restore {restore_s:.1f} s, "
          f"reports equal after {rebuild_s:.1f} s ({len(REPORTS)} reports)")
    assert not diff, {k: (before[k], after[k]) for k in diff[:2]}
