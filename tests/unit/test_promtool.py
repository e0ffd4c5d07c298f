"""promtool (Debian's prometheus package, 2.42) checks the Prometheus configuration, the alerting
rules and runs their unit tests. `make install` installs promtool; without it these tests fail
(never skip): an unchecked rule file is how alerts silently stop working.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pantau_platform.infra import prometheus as prom
from pantau_platform.infra.profiles import PROFILES

ROOT = Path(__file__).resolve().parents[2]
PROM_DIR = ROOT / "deploy" / "prometheus"
RULE_FILES = sorted((PROM_DIR / "rules").glob("*.yml"))
TEST_FILES = sorted((PROM_DIR / "tests").glob("*.yml"))


def promtool(*args: str, cwd: Path | None = None, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    exe = shutil.which("promtool")
    assert exe, "promtool is missing: run `make install` (apt-get install --no-install-recommends prometheus)"
    return subprocess.run([exe, *args], cwd=cwd, input=stdin, capture_output=True, timeout=120)


def ok(result: subprocess.CompletedProcess) -> None:
    out = (result.stdout or b"").decode() + (result.stderr or b"").decode()
    assert result.returncode == 0, out


def alerts() -> dict[str, dict]:
    out = {}
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
            for rule in group["rules"]:
                if "alert" in rule:
                    assert rule["alert"] not in out, f"duplicate alert {rule['alert']}"
                    out[rule["alert"]] = rule
    return out


def test_promtool_is_installed_and_is_2_42_or_later():
    r = promtool("--version")
    ok(r)
    text = (r.stdout + r.stderr).decode()
    version = text.split("version ", 1)[1].split()[0]
    major, minor = (int(x) for x in version.split("+")[0].split(".")[:2])
    assert (major, minor) >= (2, 42), text


def test_compose_config_passes_promtool(tmp_path):
    """The compose file as mounted (rules at /etc/prometheus/rules) with the rules pointed at the repo."""
    ok(promtool("check", "config", "--syntax-only", str(PROM_DIR / "prometheus.yml")))
    cfg = yaml.safe_load((PROM_DIR / "prometheus.yml").read_text(encoding="utf-8"))
    cfg["rule_files"] = [str(PROM_DIR / "rules" / "*.yml")]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    ok(promtool("check", "config", str(tmp_path / "prometheus.yml")))


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_local_config_for_every_profile_passes_promtool(tmp_path, profile):
    p = PROFILES[profile]
    cfg = prom.config(p, scrape_interval="1s")
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(cfg), encoding="utf-8")
    ok(promtool("check", "config", str(tmp_path / "prometheus.yml")))
    jobs = {j["job_name"]: j["static_configs"][0]["targets"] for j in cfg["scrape_configs"]}
    assert jobs["survey"] == [f"127.0.0.1:{p.http_ports['survey']}"]
    assert jobs["consumer"] == [f"127.0.0.1:{p.metrics_ports['consumer']}"]
    assert set(jobs) == {"prometheus", *p.http_ports, *p.metrics_ports}
    assert cfg["global"]["scrape_timeout"] == "1s"


def test_local_and_compose_configs_scrape_the_same_jobs():
    compose = yaml.safe_load((PROM_DIR / "prometheus.yml").read_text(encoding="utf-8"))
    local = prom.config(PROFILES["dev"])
    assert {j["job_name"] for j in compose["scrape_configs"]} == {j["job_name"] for j in local["scrape_configs"]}


def test_rules_pass_promtool_check():
    assert RULE_FILES
    ok(promtool("check", "rules", *map(str, RULE_FILES)))


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_rule_unit_tests_pass(path):
    ok(promtool("test", "rules", path.name, cwd=path.parent))


def test_every_rule_file_is_tested():
    tested = {(PROM_DIR / "tests" / rf).resolve() for t in TEST_FILES
              for rf in yaml.safe_load(t.read_text(encoding="utf-8"))["rule_files"]}
    assert tested == {p.resolve() for p in RULE_FILES}


def test_every_alert_has_a_firing_and_a_quiet_case():
    cases: dict[str, dict[str, int]] = {}
    for path in TEST_FILES:
        for test in yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]:
            for case in test.get("alert_rule_test", []):
                c = cases.setdefault(case["alertname"], {"firing": 0, "quiet": 0})
                c["firing" if case.get("exp_alerts") else "quiet"] += 1
    for name in alerts():
        assert cases.get(name, {}).get("firing"), f"{name}: no test case where it fires"
        assert cases.get(name, {}).get("quiet"), f"{name}: no test case where it stays quiet"
    assert not set(cases) - set(alerts()), "tests name alerts that do not exist"


def test_alerts_carry_severity_team_summary_and_description():
    found = alerts()
    expected = {"PantauTargetDown", "PantauNotReady", "PantauOutboxStuck", "PantauRelayPublishFailing",
                "PantauOutboxGrowing", "PantauConsumerLagGrowing", "PantauDlqReceiving",
                "PantauHttpErrorRatioHigh", "PantauLatencySLOFastBurn", "PantauLatencySLOSlowBurn",
                "PantauComplaintDeadlineBreachesRising", "PantauFkpPromisesOverdueRising",
                "PantauDomainMetricsStale"}
    assert expected <= set(found)
    for name, rule in found.items():
        assert rule["labels"]["severity"] in {"page", "ticket"}, name
        assert rule["labels"]["team"] in {"ops", "bureau"}, name
        assert rule["annotations"]["summary"].strip() and rule["annotations"]["description"].strip(), name


def test_alerts_read_recording_rules_recorded_before_them_in_their_group():
    """Groups are evaluated independently: an alert reading a recorded series from another group
    (or from later in its own) sees the previous round's value, and its tests become flaky."""
    import re
    for path in RULE_FILES:
        recorded_anywhere = {r["record"] for g in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
                             for r in g["rules"] if "record" in r}
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
            seen: set[str] = set()
            for rule in group["rules"]:
                used = set(re.findall(r"[a-z_]+:[a-z0-9_:]+", rule["expr"])) & recorded_anywhere
                assert used <= seen, f"{rule.get('alert') or rule.get('record')} reads {used - seen} before it is recorded"
                if "record" in rule:
                    seen.add(rule["record"])
