"""Where the time goes: py-spy samples a process tree while a phase runs; the collapsed stacks
are summarised by the layer owning the innermost frame (HTTP server/framework, validation,
store driver, Kafka client, our code, other)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

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


def start(pid: int, seconds: int, out: Path) -> subprocess.Popen | None:
    exe = pyspy()
    if exe is None:
        return None
    return subprocess.Popen([exe, "record", "--pid", str(pid), "--subprocesses", "--duration", str(seconds),
                             "--rate", "50", "--format", "raw", "--nonblocking", "--output", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summarise(out: Path, top: int = 12) -> dict:
    """Share of samples per layer (innermost frame that is not an idle wait) and top frames."""
    layers: Counter = Counter()
    busy: Counter = Counter()
    frames: Counter = Counter()
    total = 0
    if not out.exists():
        return {"available": False}
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        parts = stack.split(";")
        leaf = parts[-1]
        total += n
        frames[leaf] += n
        layer = "other"
        for frame in reversed(parts):
            hit = next((name for key, name in LAYERS if key in frame), None)
            if hit:
                layer = hit
                break
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
