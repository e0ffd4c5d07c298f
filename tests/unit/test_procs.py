"""Process management: start detached, readiness by polling, stop leaves nothing behind."""
import sys

import pytest

from pantau_platform.infra import procs


@pytest.fixture
def profile(tmp_path, monkeypatch):
    monkeypatch.setattr(procs, "LOCAL", tmp_path)
    return "unit-test"


def test_start_wait_stop_leaves_no_process_or_port(profile):
    port = 18999
    server = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    pid = procs.start(profile, "web", server)
    assert procs.start(profile, "web", server) == pid  # already running: not started twice
    procs.wait_until(lambda: procs.listening(port), "web", 20, profile, "web")
    assert procs.stop(profile, "web") is True
    assert not procs.alive(pid) and not procs.listening(port)
    assert procs.pid_of(profile, "web") is None and procs.stop(profile, "web") is False


def test_kill9_and_a_dead_process_is_reported(profile):
    pid = procs.start(profile, "sleeper", [sys.executable, "-c", "import time; time.sleep(60)"])
    assert procs.kill9(profile, "sleeper") == pid and not procs.alive(pid)
    procs.start(profile, "quitter", [sys.executable, "-c", "print('bye')"])
    with pytest.raises(procs.StartError, match="exited"):
        procs.wait_until(lambda: False, "quitter", 20, profile, "quitter")


def test_a_reused_pid_is_not_ours(profile):
    f = procs.run_dir(profile) / "pids" / "ghost.pid"
    f.write_text("1 123")  # pid 1 exists, but with another start time
    assert procs.pid_of(profile, "ghost") is None
