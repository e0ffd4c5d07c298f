"""Structure of the Docker deployment: docker-compose.yml, Dockerfile, Prometheus and Grafana files.

No Docker engine is needed: the files are parsed and cross-checked against each other and against
the platform's fixed interfaces (commands, ports, environment, health endpoints).
"""
from __future__ import annotations

import fnmatch
import json
import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES: dict = COMPOSE["services"]

GUNICORN = ["gunicorn", "-c", "deploy/gunicorn.conf.py"]
HTTP = {  # service -> (command, port)
    "aggregator": (GUNICORN + ["services.aggregator.wsgi:app"], 8000),
    "survey": (GUNICORN + ["services.survey.wsgi:app"], 8001),
    "consultation": (GUNICORN + ["services.consultation.wsgi:app"], 8002),
    "complaints": (GUNICORN + ["services.complaints.wsgi:app"], 8003),
}
WORKERS = {  # service -> (command, metrics port)
    "consumer": (["pantau", "consume"], 9100),
    "relay-survey": (["pantau", "relay", "survey"], 9101),
    "relay-consultation": (["pantau", "relay", "consultation"], 9102),
    "relay-complaints": (["pantau", "relay", "complaints"], 9103),
}
PYTHON = {"init": ["pantau", "init"]} | {n: c for n, (c, _) in (HTTP | WORKERS).items()}
KAFKA_NODES = ("kafka-1", "kafka-2", "kafka-3")
INFRA = {**{k: "apache/kafka:4.1.1" for k in KAFKA_NODES}, "mongo": "mongo:7",
         "prometheus": "prom/prometheus:v2.53.0", "grafana": "grafana/grafana:11.1.0"}
PUBLISHED = {"aggregator": 8000, "survey": 8001, "consultation": 8002, "complaints": 8003,
             "prometheus": 9090, "grafana": 3000}


# --- helpers: normalise the several syntaxes Compose accepts -------------------------------------

def env(name: str) -> dict[str, str]:
    raw = SERVICES[name].get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) for item in raw)
    return {k: "" if v is None else str(v) for k, v in raw.items()}


def command(name: str) -> list[str]:
    cmd = SERVICES[name].get("command")
    return shlex.split(cmd) if isinstance(cmd, str) else list(cmd or [])


def published(name: str) -> set[tuple[int, int]]:
    """(host port, container port) pairs."""
    pairs = set()
    for p in SERVICES[name].get("ports") or []:
        if isinstance(p, dict):
            pairs.add((int(p["published"]), int(p["target"])))
        else:
            parts = str(p).split("/")[0].split(":")
            pairs.add((int(parts[-2]), int(parts[-1])))
    return pairs


def build_of(name: str) -> dict | None:
    b = SERVICES[name].get("build")
    return {"context": b} if isinstance(b, str) else b


def healthcheck_text(name: str) -> str:
    test = SERVICES[name]["healthcheck"]["test"]
    return test if isinstance(test, str) else " ".join(test)


def mounts(name: str) -> dict[str, str]:
    """container path -> source (bind path or volume name), short or long syntax."""
    out = {}
    for v in SERVICES[name].get("volumes") or []:
        if isinstance(v, dict):
            out[v["target"]] = v["source"]
        else:
            source, target = v.split(":")[:2]
            out[target] = source
    return out


def repo_path(source: str) -> Path:
    return (ROOT / source).resolve()


PROM_CONFIG_SOURCE = mounts("prometheus")["/etc/prometheus/prometheus.yml"]
PROM = yaml.safe_load(repo_path(PROM_CONFIG_SOURCE).read_text(encoding="utf-8"))
DASHBOARD = json.loads((ROOT / "deploy/grafana/dashboards/platform.json").read_text(encoding="utf-8"))


# --- services, image, commands ------------------------------------------------------------------

def test_every_expected_service_is_defined():
    missing = (set(PYTHON) | set(INFRA)) - set(SERVICES)
    assert not missing, f"services missing from docker-compose.yml: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(INFRA))
def test_infrastructure_images_are_pinned(name):
    assert SERVICES[name]["image"] == INFRA[name]


def test_python_services_run_one_image_built_once_from_the_repo_root():
    builders = {n for n in PYTHON if build_of(n)}
    assert builders, "no Python service builds the image"
    for n in builders:
        b = build_of(n)
        assert repo_path(b["context"]) == ROOT, n
        assert b.get("dockerfile", "Dockerfile") == "Dockerfile", n
    if builders != set(PYTHON):  # the rest must reuse the tag the builder produces
        tags = {SERVICES[n].get("image") for n in PYTHON}
        assert len(tags) == 1 and None not in tags, f"Python services use different images: {tags}"
    for n in INFRA:
        assert not build_of(n), f"{n} should use its official image"


@pytest.mark.parametrize("name", sorted(PYTHON))
def test_python_service_command(name):
    assert command(name) == PYTHON[name]
    assert "entrypoint" not in SERVICES[name], "the image's entrypoint must stay as it is"


def test_init_is_a_one_shot_job():
    assert str(SERVICES["init"].get("restart", "no")) in {"no", "on-failure"}
    assert "ports" not in SERVICES["init"]


# --- ports and environment ----------------------------------------------------------------------

def test_published_ports_are_exactly_the_public_ones():
    actual = {n: published(n) for n in SERVICES if published(n)}
    assert actual == {n: {(p, p)} for n, p in PUBLISHED.items()}


@pytest.mark.parametrize("name", sorted(HTTP))
def test_http_service_listens_on_its_port_on_all_interfaces(name):
    e = env(name)
    assert e["PORT"] == str(HTTP[name][1])
    assert e.get("PANTAU_HOST") == "0.0.0.0", "gunicorn.conf.py binds $PANTAU_HOST:$PORT (loopback by default)"


@pytest.mark.parametrize("name", sorted(WORKERS))
def test_worker_metrics_port_is_reachable_from_prometheus(name):
    e = env(name)
    assert e["PANTAU_METRICS_PORT"] == str(WORKERS[name][1])
    assert e.get("PANTAU_METRICS_ADDR") == "0.0.0.0", "metrics bind to loopback by default"


@pytest.mark.parametrize("name", sorted(PYTHON))
def test_python_service_environment_points_at_compose_hosts(name):
    e = env(name)
    mongo = urlsplit(e["PANTAU_MONGO_URL"])
    assert mongo.scheme == "mongodb" and mongo.hostname == "mongo" and mongo.port in (None, 27017)
    assert "directConnection=true" in mongo.query
    advertised = [env(k)["KAFKA_ADVERTISED_LISTENERS"].split("//", 1)[1] for k in KAFKA_NODES]
    assert e["PANTAU_KAFKA_BOOTSTRAP"].split(",") == advertised
    assert e["PANTAU_DB_PREFIX"] == "pantau"
    assert e["PANTAU_TZ"] == "Asia/Makassar"
    assert e["PROMETHEUS_MULTIPROC_DIR"]


# --- health and start order ---------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(set(SERVICES) - {"init"}))
def test_service_has_a_healthcheck(name):
    hc = SERVICES[name].get("healthcheck")
    assert hc and not hc.get("disable"), f"{name} has no healthcheck"
    assert hc["test"] and hc["test"] != ["NONE"]
    assert re.fullmatch(r"(\d+(ms|s|m|h))+", hc["interval"])
    assert int(hc["retries"]) > 0


@pytest.mark.parametrize("name", sorted(HTTP))
def test_http_healthcheck_probes_readyz_with_python(name):
    text = healthcheck_text(name)
    assert text.split()[:2] == ["CMD", "python"], "the slim image has no curl"
    assert f"http://127.0.0.1:{HTTP[name][1]}/readyz" in text


@pytest.mark.parametrize("name", sorted(WORKERS))
def test_worker_healthcheck_probes_its_metrics_port(name):
    text = healthcheck_text(name)
    assert text.split()[:2] == ["CMD", "python"]
    assert f"http://127.0.0.1:{WORKERS[name][1]}/metrics" in text


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_depends_on_uses_conditions_on_existing_services(name):
    deps = SERVICES[name].get("depends_on") or {}
    assert isinstance(deps, dict), f"{name}: a depends_on list waits for nothing; use conditions"
    for dep, spec in deps.items():
        assert dep in SERVICES, f"{name} depends on unknown service {dep}"
        condition = spec["condition"]
        if condition == "service_healthy":
            assert SERVICES[dep].get("healthcheck"), f"{dep} cannot become healthy: no healthcheck"
        else:
            assert (dep, condition) == ("init", "service_completed_successfully"), (name, dep, condition)


@pytest.mark.parametrize("name", sorted(PYTHON))
def test_python_services_start_after_the_infrastructure_and_init(name):
    deps = {d: s["condition"] for d, s in (SERVICES[name].get("depends_on") or {}).items()}
    expected = {**{k: "service_healthy" for k in KAFKA_NODES}, "mongo": "service_healthy"}
    if name != "init":
        expected["init"] = "service_completed_successfully"
    assert deps == expected


def test_grafana_waits_for_prometheus():
    assert SERVICES["grafana"]["depends_on"]["prometheus"]["condition"] == "service_healthy"


# --- infrastructure -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", KAFKA_NODES)
def test_kafka_is_three_kraft_nodes_without_topic_auto_creation(name):
    """Three combined broker-and-controller nodes, one quorum, replication 3 with two in sync
    (issue 21; the same layout as `pantau infra up --profile cluster`)."""
    e = env(name)
    node = int(name.rsplit("-", 1)[1])
    assert set(e["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert e["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert set(e["KAFKA_LISTENERS"].split(",")) == {"PLAINTEXT://:9092", "CONTROLLER://:9093"}
    assert e["KAFKA_NODE_ID"] == str(node) and e["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{name}:9092"
    assert e["KAFKA_CONTROLLER_QUORUM_VOTERS"] == ",".join(f"{i}@kafka-{i}:9093" for i in (1, 2, 3))
    assert "CONTROLLER" in e["KAFKA_CONTROLLER_LISTENER_NAMES"]
    assert len({env(k)["CLUSTER_ID"] for k in KAFKA_NODES}) == 1  # one cluster
    factors = {k: v for k, v in e.items() if k.endswith(("REPLICATION_FACTOR", "MIN_ISR"))}
    assert factors.keys() >= {"KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
                              "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR"}
    assert {v for k, v in factors.items() if k.endswith("REPLICATION_FACTOR")} == {"3"}
    assert {v for k, v in factors.items() if k.endswith("MIN_ISR")} == {"2"}
    assert e["KAFKA_MIN_INSYNC_REPLICAS"] == "2" and e["KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE"] == "false"
    assert "kafka-topics.sh" in healthcheck_text(name)


@pytest.mark.parametrize("name", KAFKA_NODES)
def test_kafka_keeps_events_forever_by_default_too(name):
    """The topics carry retention.ms=-1 themselves (tests/integration/test_topic_retention.py);
    the broker's default must not be Kafka's seven days either (issue 21)."""
    e = env(name)
    assert e["KAFKA_LOG_RETENTION_MS"] == "-1" and e["KAFKA_LOG_RETENTION_BYTES"] == "-1"
    assert not any(k.startswith("KAFKA_LOG_RETENTION_") and k not in ("KAFKA_LOG_RETENTION_MS",
                   "KAFKA_LOG_RETENTION_BYTES", "KAFKA_LOG_RETENTION_CHECK_INTERVAL_MS") for k in e)
    assert e["KAFKA_UNCLEAN_LEADER_ELECTION_ENABLE"] == "false"


@pytest.mark.parametrize("name,data_dir", [
    *((k, None) for k in KAFKA_NODES), ("mongo", "/data/db"), ("prometheus", "/prometheus"),
    ("grafana", "/var/lib/grafana"),
])
def test_infrastructure_data_lives_on_named_volumes(name, data_dir):
    data_dir = data_dir or env(name)["KAFKA_LOG_DIRS"]
    volume = mounts(name).get(data_dir)
    assert volume in (COMPOSE.get("volumes") or {}), f"{name}: {data_dir} is not on a named volume"


def test_every_bind_mount_exists_in_the_repo():
    binds = [(n, s) for n in SERVICES for s in mounts(n).values() if s.startswith((".", "/"))]
    assert binds
    for name, source in binds:
        assert repo_path(source).exists(), f"{name} mounts missing {source}"
        assert repo_path(source).is_relative_to(ROOT), f"{name} mounts {source} from outside the repo"


# --- Prometheus ---------------------------------------------------------------------------------

def scrape_targets() -> dict[str, tuple[str, set[str]]]:
    """job -> (metrics path, targets)."""
    return {job["job_name"]: (job.get("metrics_path", "/metrics"),
                              {t for sc in job.get("static_configs", []) for t in sc["targets"]})
            for job in PROM["scrape_configs"]}


def test_prometheus_config_and_rules_are_mounted_where_the_config_says():
    m = mounts("prometheus")
    assert repo_path(PROM_CONFIG_SOURCE) == ROOT / "deploy/prometheus/prometheus.yml"
    assert repo_path(m["/etc/prometheus/rules"]) == ROOT / "deploy/prometheus/rules"
    assert "--config.file=/etc/prometheus/prometheus.yml" in command("prometheus")
    assert PROM["rule_files"] == ["/etc/prometheus/rules/*.yml"]
    assert list((ROOT / "deploy/prometheus/rules").glob("*.yml"))
    assert PROM["global"]["scrape_interval"] == "15s"


def test_prometheus_scrapes_every_python_service_on_its_port():
    jobs = scrape_targets()
    for name, (_, port) in (HTTP | WORKERS).items():
        assert jobs.get(name) == ("/metrics", {f"{name}:{port}"}), f"job {name} (dashboards group by job)"


def test_prometheus_targets_are_compose_services():
    for job, (_, targets) in scrape_targets().items():
        for target in targets:
            host, port = target.rsplit(":", 1)
            if host == "localhost":
                assert job == "prometheus"
                continue
            assert host in SERVICES, f"{job} scrapes {target}, which is not a compose service"
            e = env(host)
            assert port in (e.get("PORT"), e.get("PANTAU_METRICS_PORT")), f"{target}: wrong port"


def test_alert_rules_follow_the_convention():
    for path in (ROOT / "deploy/prometheus/rules").glob("*.yml"):
        rules = [r for g in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"] for r in g["rules"]]
        for rule in (r for r in rules if "alert" in r):
            assert rule["labels"]["severity"] in {"page", "ticket"}, rule["alert"]
            assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]
    tests = yaml.safe_load((ROOT / "deploy/prometheus/tests/platform_test.yml").read_text(encoding="utf-8"))
    tested = {t["alertname"] for case in tests["tests"] for t in case.get("alert_rule_test", [])}
    assert tested >= {"PantauTargetDown", "PantauDlqReceiving"}


# --- Grafana ------------------------------------------------------------------------------------

def test_grafana_provisioning_matches_compose():
    m = mounts("grafana")
    assert repo_path(m["/etc/grafana/provisioning"]) == ROOT / "deploy/grafana/provisioning"
    prov = ROOT / "deploy/grafana/provisioning"
    datasources = yaml.safe_load((prov / "datasources/prometheus.yml").read_text(encoding="utf-8"))["datasources"]
    (ds,) = [d for d in datasources if d["uid"] == "prometheus"]
    assert ds["type"] == "prometheus"
    assert urlsplit(ds["url"]).hostname == "prometheus" and urlsplit(ds["url"]).port == 9090
    providers = yaml.safe_load((prov / "dashboards/pantau.yml").read_text(encoding="utf-8"))["providers"]
    for p in providers:
        path = p["options"]["path"]
        assert path in m, f"dashboard provider reads {path}, which is not mounted"
        assert repo_path(m[path]) == ROOT / "deploy/grafana/dashboards"


def test_dashboard_uses_the_provisioned_datasource_everywhere():
    panels = DASHBOARD["panels"]
    assert DASHBOARD["uid"] and panels
    for panel in panels:
        assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}, panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "prometheus", panel["title"]
    exprs = {t["expr"] for p in panels for t in p["targets"]}
    assert "sum by (job) (rate(pantau_http_requests_total[5m]))" in exprs
    assert "sum by (topic) (pantau_consumer_lag_records)" in exprs
    assert any(re.search(r"\bup\b", e) and "job" in e for e in exprs)
    assert len({p["id"] for p in panels}) == len(panels)


# --- Dockerfile ---------------------------------------------------------------------------------

def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [ln for ln in text.replace("\\\n", " ").splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1].strip()) for ln in lines]


def test_dockerfile_builds_the_project_on_python_311_as_non_root():
    ins = dockerfile_instructions()
    bases = [arg.split()[0] for op, arg in ins if op == "FROM"]
    assert bases and all(b.startswith("python:3.11") for b in bases), bases
    assert bases[-1] == "python:3.11-slim"
    assert any(op == "RUN" and re.search(r"\bpip install( [-\w=]+)* \.(\s|$)", arg) for op, arg in ins)
    final = ins[max(i for i, (op, _) in enumerate(ins) if op == "FROM"):]
    users = [arg for op, arg in final if op == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert any(op == "ENV" and "PROMETHEUS_MULTIPROC_DIR=/tmp/prom" in arg for op, arg in final)
    assert any(op == "RUN" and "/tmp/prom" in arg for op, arg in final)
    assert any(op == "COPY" and arg.split()[0].rstrip("/") == "deploy" for op, arg in final), \
        "commands use deploy/gunicorn.conf.py and deploy/registry/ relative to the workdir"


def test_dockerignore_keeps_local_state_out_and_the_project_in():
    patterns = [ln.strip() for ln in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
                if ln.strip() and not ln.startswith(("#", "!"))]
    clean = {p.strip("/") for p in patterns}
    assert {".git", ".local", ".venv", "**/__pycache__"} <= clean
    for needed in ("pyproject.toml", "pantau", "services", "deploy", "deploy/gunicorn.conf.py"):
        assert not [p for p in clean if fnmatch.fnmatch(needed, p)], f".dockerignore drops {needed}"


def test_each_kafka_node_has_a_volume_of_its_own():
    volumes = [mounts(k)[env(k)["KAFKA_LOG_DIRS"]] for k in KAFKA_NODES]
    assert len(set(volumes)) == 3
