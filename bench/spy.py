"""Where the time goes: py-spy samples a process tree while a phase runs; the collapsed stacks
are summarised by the layer owning the innermost frame (HTTP server/framework, validation,
store driver, Kafka client, our code, other).

Two views: `summarise` (CPU samples, threads idling for work left out) for the single posts, and
`watch` for the pipeline phases: wall-clock samples (py-spy --idle) of the thread doing the work
(the consumer's loop, the relay's loop, the survey workers' threads while serving a request) by
layer, so "waiting for the store's answer" shows as such, plus the CPU each process used (cores)."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import psutil

LAYERS = (("gunicorn", "http (gunicorn)"), ("werkzeug", "http (werkzeug)"), ("flask", "http (flask)"),
          ("http/", "http (stdlib)"), ("socket", "network I/O"), ("selectors", "network I/O"),
          ("ssl", "network I/O"), ("marshmallow", "validation (marshmallow)"), ("pymongo", "store driver (pymongo)"),
          ("bson", "store driver (bson)"), ("kafka", "kafka client"), ("prometheus_client", "metrics"),
          ("pantau/", "our code (pantau)"), ("services/", "our code (services)"), ("json", "json"),
          ("orjson", "json"), ("logging", "logging"), ("threading", "threads (idle/wait)"))


IDLE = ("_worker (concurrent/futures/thread.py", "Condition.wait", "EpollSelector.select", "PeriodicExecutor._run",
        "wait_for_signals", "_PollLikeSelector.select")  # threads waiting for work, not serving one


def pyspy() -> str | None:
    exe = Path(sys.executable).with_name("py-spy")
    return str(exe) if exe.exists() else shutil.which("py-spy")


def start(pid: int, seconds: int | None, out: Path, idle: bool = False) -> subprocess.Popen | None:
    """py-spy on `pid` and its children for `seconds` (None: until `stop`)."""
    exe = pyspy()
    if exe is None or not pid:
        return None
    return subprocess.Popen([exe, "record", "--pid", str(pid), "--subprocesses",
                             *(["--duration", str(seconds)] if seconds else []), *(["--idle"] if idle else []),
                             "--rate", "50" if not idle else "25", "--format", "raw", "--nonblocking", "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(proc: subprocess.Popen | None) -> None:
    """End an open-ended recording (py-spy writes its output on SIGINT)."""
    if proc is not None and proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def stacks(out: Path):
    """(frames innermost last, sample count) of each line of a py-spy raw (collapsed) file."""
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if count.isdigit():
            yield stack.split(";"), int(count)


def layer_of(parts: list[str]) -> str:
    """The layer owning the innermost frame that belongs to one."""
    for frame in reversed(parts):
        hit = next((name for key, name in LAYERS if key in frame), None)
        if hit:
            return hit
    return "other"


def summarise(out: Path, top: int = 12) -> dict:
    """Share of samples per layer (innermost frame that is not an idle wait) and top frames."""
    layers: Counter = Counter()
    busy: Counter = Counter()
    frames: Counter = Counter()
    total = 0
    if not out.exists():
        return {"available": False}
    for parts, n in stacks(out):
        leaf = parts[-1]
        total += n
        frames[leaf] += n
        layer = layer_of(parts)
        layers[layer] += n
        if not leaf.startswith(IDLE):
            busy[layer] += n
    if not total:
        return {"available": False}
    return {"available": True, "samples": total,
            "layers_pct": {k: round(100 * v / total, 1) for k, v in layers.most_common()},
            # the same without threads idling for work: where a request's time goes (waiting on the
            # store's answer counts as store time)
            "busy_layers_pct": {k: round(100 * v / max(1, sum(busy.values())), 1) for k, v in busy.most_common()},
            "top_leaf_frames": [[k, round(100 * v / total, 1)] for k, v in frames.most_common(top)]}


# The thread that does a process's work, by a frame on its stack; and what its wall-clock
# samples mean: the innermost frame decides, except that a leaf in pymongo's socket layer is the
# thread waiting for the store's answer (the store's own work, seen from the client).
WORKING_THREAD = {"consumer": "ConsumerLoop.run", "relay-survey": "Relay.run", "survey": "handle_request"}
IDLE_LOOP = ("Relay.run (",)  # a leaf in the relay's loop itself: its idle sleep (nothing new to publish)


def wall_layer(parts: list[str]) -> str:
    leaf = parts[-1]
    if "pymongo/network_layer" in leaf:
        return "waiting for the store"
    if leaf.startswith(IDLE_LOOP):
        return "idle (nothing to do)"
    return layer_of(parts)


def summarise_wall(out: Path, marker: str) -> dict:
    """Share of the working thread's wall-clock samples per layer (stacks holding `marker`), and
    of the time waiting for the store, the share per call site in our code (which store operation)."""
    layers: Counter = Counter()
    store_sites: Counter = Counter()
    if not out.exists():
        return {"available": False}
    for parts, n in stacks(out):
        if any(marker in frame for frame in parts):
            layer = wall_layer(parts)
            layers[layer] += n
            if layer == "waiting for the store":
                store_sites[_call_site(parts)] += n
    total = sum(layers.values())
    if not total:
        return {"available": False}
    waited = max(1, sum(store_sites.values()))
    return {"available": True, "samples": total,
            "wall_pct": {k: round(100 * v / total, 1) for k, v in layers.most_common()},
            "store_wait_by_call_pct": {k: round(100 * v / waited, 1) for k, v in store_sites.most_common(6)}}


def _call_site(parts: list[str]) -> str:
    """The innermost frame of our code that is not a store helper: which operation waited."""
    for frame in reversed(parts):
        if ("pantau/" in frame or "services/" in frame) and "pantau/mongo.py" not in frame:
            func, _, where = frame.partition(" (")
            return f"{func} ({where.rpartition('/')[2]}"  # "func (file.py:line)"
    return "other"


def _cpu_seconds(pid: int | None) -> dict[int, float]:
    """CPU seconds (user + system) of a process and each of its children, by pid."""
    out: dict[int, float] = {}
    if not pid:
        return out
    try:
        procs_ = [psutil.Process(pid)]
        procs_ += procs_[0].children(recursive=True)
    except psutil.Error:
        return out
    for p in procs_:
        try:
            out[p.pid] = sum(p.cpu_times()[:2])
        except psutil.Error:  # gone meanwhile: left out, not the whole tree
            continue
    return out


def _used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds used between two snapshots, per pid (a child started meanwhile counts from 0;
    one that exited meanwhile is lost, which only makes the figure lower)."""
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


@contextmanager
def watch(profile: str, out_dir: Path, tag: str, spied: tuple[str, ...],
          metered: tuple[str, ...] = ("store", "kafka", "survey", "relay-survey", "consumer")):
    """While the block runs: wall-clock py-spy of the `spied` processes' working threads, and the
    CPU (in cores: CPU seconds / wall seconds) of each `metered` process and its children.
    Yields a dict that holds the summary once the block is done."""
    from pantau_platform.infra import procs
    pids = {n: procs.pid_of(profile, n) for n in {*spied, *metered}}
    outs = {n: out_dir / f"pyspy-{tag}-{n}.txt" for n in spied}
    spies = {n: start(pids[n], None, outs[n], idle=True) for n in spied}
    cpu0 = {n: _cpu_seconds(pids[n]) for n in metered}
    t0 = time.monotonic()
    summary: dict = {}
    try:
        yield summary
    finally:
        wall = time.monotonic() - t0
        summary["seconds"] = round(wall, 2)
        summary["cpu_cores"] = {n: round(_used(cpu0[n], _cpu_seconds(pids[n])) / max(wall, 1e-6), 2) for n in metered}
        for n, proc in spies.items():
            stop(proc)
            summary.setdefault("threads", {})[n] = summarise_wall(outs[n], WORKING_THREAD[n])
