"""Peak RSS of every platform process (psutil over each started process and its children),
sampled in a background thread for the whole run."""
from __future__ import annotations

import os
import threading

import psutil

from pantau_platform.infra import procs

NAMES = ("kafka", "store", "aggregator", "survey", "consultation", "complaints", "relay-survey",
         "relay-consultation", "relay-complaints", "consumer")


class RssSampler(threading.Thread):
    def __init__(self, profile: str, every: float = 0.5):
        super().__init__(daemon=True, name="rss-sampler")
        self.profile, self.every = profile, every
        self.peak: dict[str, int] = {}
        self._halt = threading.Event()

    def _label(self, name: str, root: psutil.Process, p: psutil.Process) -> str:
        if p.pid == root.pid:
            return name if name in ("kafka", "store", "consumer") or name.startswith("relay-") else f"{name} (master)"
        return f"{name} (worker {p.pid})"

    def sample(self) -> None:
        for name in NAMES:
            pid = procs.pid_of(self.profile, name)
            if not pid:
                continue
            try:
                root = psutil.Process(pid)
                for p in [root, *root.children(recursive=True)]:
                    label = self._label(name, root, p)
                    rss = p.memory_info().rss
                    if rss > self.peak.get(label, 0):
                        self.peak[label] = rss
            except psutil.Error:
                continue
        me = psutil.Process(os.getpid()).memory_info().rss
        self.peak["bench harness"] = max(self.peak.get("bench harness", 0), me)

    def run(self) -> None:
        while not self._halt.wait(self.every):
            self.sample()

    def stop(self) -> dict:
        self._halt.set()
        self.join(timeout=5)
        return self.result()

    def result(self) -> dict:
        return {k: round(v / 2**20, 1) for k, v in sorted(self.peak.items())}
