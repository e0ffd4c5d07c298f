"""Start, check and stop the whole platform of a profile: infrastructure, the four HTTP services
under gunicorn, the three relays and the aggregator consumer."""
from __future__ import annotations

import shutil
import sys
import time

import requests

from . import kafka, procs, store
from .profiles import Profile

HTTP_SERVICES = ("aggregator", "survey", "consultation", "complaints")
WORKERS = ("relay-survey", "relay-consultation", "relay-complaints", "consumer")
PYTHON = sys.executable


def infra_up(p: Profile) -> dict[str, float]:
    t0 = time.monotonic()
    kafka.install()
    store.install()
    store.start(p)
    kafka.start(p)
    store.wait_ready(p)
    kafka.wait_ready(p)
    return {"seconds": round(time.monotonic() - t0, 1)}


def infra_down(p: Profile) -> None:
    kafka.stop(p, timeout=30)
    procs.stop(p.name, "store", timeout=15)


def init(p: Profile, registry_file: str | None) -> None:
    """Topics, indexes and the unit registry (idempotent)."""
    env = p.env()
    args = [PYTHON, "-m", "pantau_platform.cli", "init"]
    if registry_file:
        args += ["--registry", registry_file]
    import os
    import subprocess
    subprocess.run(args, check=True, env={**os.environ, **env}, cwd=procs.ROOT)


def service_env(p: Profile, name: str) -> dict[str, str]:
    env = p.env()
    if name in HTTP_SERVICES:
        prom = procs.run_dir(p.name) / "prom" / name
        shutil.rmtree(prom, ignore_errors=True)  # multiprocess files of a previous run
        prom.mkdir(parents=True)
        env.update({"PORT": str(p.http_ports[name]), "PROMETHEUS_MULTIPROC_DIR": str(prom)})
    else:
        env["PANTAU_METRICS_PORT"] = str(p.metrics_ports[name])
    return env


def argv(name: str) -> list[str]:
    if name in HTTP_SERVICES:
        return [PYTHON, "-m", "gunicorn", "-c", str(procs.ROOT / "deploy" / "gunicorn.conf.py"),
                f"services.{name}.wsgi:app"]
    if name == "consumer":
        return [PYTHON, "-m", "pantau_platform.cli", "consume"]
    return [PYTHON, "-m", "pantau_platform.cli", "relay", name.split("-", 1)[1]]


def port_of(p: Profile, name: str) -> int:
    return p.http_ports[name] if name in HTTP_SERVICES else p.metrics_ports[name]


def start_process(p: Profile, name: str) -> int:
    running = procs.pid_of(p.name, name)
    if running:
        return running
    if not procs.port_free(port_of(p, name)):
        raise procs.StartError(f"{name}: port {port_of(p, name)} is taken by a process this run did not "
                               "start (another `make up`/`make test`?); stop it first")
    return procs.start(p.name, name, argv(name), env=service_env(p, name))


def http_ready(p: Profile, name: str) -> bool:
    r = requests.get(f"http://127.0.0.1:{p.http_ports[name]}/readyz", timeout=3)
    return r.status_code == 200


def metrics_ready(p: Profile, name: str) -> bool:
    r = requests.get(f"http://127.0.0.1:{p.metrics_ports[name]}/metrics", timeout=3)
    return r.status_code == 200


def wait_process(p: Profile, name: str, timeout: float = 60) -> float:
    check = (lambda: http_ready(p, name)) if name in HTTP_SERVICES else (lambda: metrics_ready(p, name))
    return procs.wait_until(check, name, timeout, p.name, name)


def services_up(p: Profile) -> None:
    for name in (*HTTP_SERVICES, *WORKERS):
        start_process(p, name)
    for name in (*HTTP_SERVICES, *WORKERS):
        wait_process(p, name)


def services_down(p: Profile) -> None:
    for name in (*HTTP_SERVICES, *WORKERS):
        procs.stop(p.name, name)


def status(p: Profile) -> dict[str, int | None]:
    names = ("store", *(kafka.node_name(n) for n in kafka.nodes(p)), *HTTP_SERVICES, *WORKERS, "prometheus")
    return {n: procs.pid_of(p.name, n) for n in names}
