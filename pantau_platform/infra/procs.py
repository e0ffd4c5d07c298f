"""Background processes with pid files, log files, readiness polling and clean stops."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from pantau.paths import LOCAL, ROOT


class StartError(RuntimeError):
    pass


def run_dir(profile: str) -> Path:
    d = LOCAL / "run" / profile
    (d / "pids").mkdir(parents=True, exist_ok=True)
    (d / "logs").mkdir(parents=True, exist_ok=True)
    return d


def _start_time(pid: int) -> str | None:
    """Kernel start time of a process (field 22 of /proc/pid/stat): tells a reused pid apart."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(") ", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def pid_of(profile: str, name: str) -> int | None:
    """The pid of a process we started, if it is still that process and alive."""
    f = run_dir(profile) / "pids" / f"{name}.pid"
    if not f.exists():
        return None
    try:
        pid_s, _, started = f.read_text().strip().partition(" ")
        pid = int(pid_s)
    except ValueError:
        return None
    if not alive(pid) or (started and _start_time(pid) != started):
        return None
    return pid


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie counts as dead, but only once every thread has exited: a thread-group leader
    # shows "Z" while its other threads (e.g. a request handler) still hold the open sockets.
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as fh:
                if fh.read().rsplit(") ", 1)[1][0] not in "ZX":
                    return True
        except (OSError, IndexError):
            continue
    return False


def start(profile: str, name: str, argv: list[str], env: dict | None = None, cwd: Path | None = None) -> int:
    """Start `argv` detached (own session) unless already running; returns its pid."""
    existing = pid_of(profile, name)
    if existing:
        return existing
    d = run_dir(profile)
    log = open(d / "logs" / f"{name}.log", "ab")
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=full_env, cwd=str(cwd or ROOT), start_new_session=True)
    (d / "pids" / f"{name}.pid").write_text(f"{proc.pid} {_start_time(proc.pid) or ''}".strip())
    return proc.pid


def stop(profile: str, name: str, timeout: float = 20.0, sig: int = signal.SIGTERM) -> bool:
    """Stop a process group gracefully, then kill it; True if something was running."""
    pid = pid_of(profile, name)
    pidfile = run_dir(profile) / "pids" / f"{name}.pid"
    if not pid:
        pidfile.unlink(missing_ok=True)
        return False
    _signal_group(pid, sig)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive(pid):
        _reap(pid)
        time.sleep(0.05)
    if alive(pid):
        _signal_group(pid, signal.SIGKILL)
        while alive(pid):
            _reap(pid)
            time.sleep(0.05)
    pidfile.unlink(missing_ok=True)
    return True


def kill9(profile: str, name: str) -> int | None:
    """Crash a process (SIGKILL to its whole group), as a fault test would."""
    pid = pid_of(profile, name)
    if pid:
        _signal_group(pid, signal.SIGKILL)
        while alive(pid):
            _reap(pid)
            time.sleep(0.02)
        (run_dir(profile) / "pids" / f"{name}.pid").unlink(missing_ok=True)
    return pid


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def wait_until(check: Callable[[], bool], what: str, timeout: float, profile: str | None = None,
               name: str | None = None) -> float:
    """Poll `check` until true (never a fixed sleep); returns seconds waited."""
    started = time.monotonic()
    delay = 0.05
    while True:
        try:
            if check():
                return time.monotonic() - started
        except Exception:  # noqa: BLE001 - not ready yet
            pass
        if profile and name and not pid_of(profile, name):
            tail = log_tail(profile, name)
            raise StartError(f"{what}: process {name} exited\n{tail}")
        if time.monotonic() - started > timeout:
            raise StartError(f"{what}: not ready after {timeout:.0f}s\n{log_tail(profile, name) if name else ''}")
        time.sleep(delay)
        delay = min(0.5, delay * 1.5)


def log_tail(profile: str | None, name: str | None, lines: int = 30) -> str:
    if not profile or not name:
        return ""
    f = run_dir(profile) / "logs" / f"{name}.log"
    if not f.exists():
        return ""
    return "\n".join(f.read_text(errors="replace").splitlines()[-lines:])


def listening(port: int, host: str = "127.0.0.1") -> bool:
    import socket
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


def port_free(port: int, grace: float = 5.0) -> bool:
    """True when nothing listens on `port`, allowing a just-killed process `grace` seconds to
    let go of it."""
    deadline = time.monotonic() + grace
    while listening(port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
