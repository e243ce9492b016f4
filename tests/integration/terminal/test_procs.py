"""`mrm.procs.run_foreground`: a stop signal to the front door ends its child and whatever the child started, even a
child that ignores SIGTERM (killed after the grace period). Real processes; the test waits on exits and files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# The child: starts a grandchild in its own process group, writes both pids, then ignores SIGTERM (or not).
CHILD = """
import os, signal, subprocess, sys, time
grand = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
if sys.argv[2] == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if sys.argv[2] == "like-dagster-dev":  # SIGTERM takes whatever SIGINT does (dagster's setup_interrupt_handlers)
    signal.signal(signal.SIGTERM, signal.getsignal(signal.SIGINT))
open(sys.argv[1] + ".tmp", "w").write(f"{os.getpid()} {grand.pid}")
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    time.sleep(1)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has ended; only its parent's reaping is left


def _front_door_stops(tmp_path: Path, mode: str, *, sigint_ignored: bool = False) -> tuple[int, float]:
    pids = tmp_path / f"pids-{mode}"
    # A front door started with SIGINT ignored, as a background job of a non-interactive shell is.
    ignore = "import signal; signal.signal(signal.SIGINT, signal.SIG_IGN); " if sigint_ignored else ""
    wrapper = (
        f"{ignore}import sys; from mrm.procs import run_foreground; "
        f"sys.exit(run_foreground([sys.executable, '-c', {CHILD!r}, {str(pids)!r}, {mode!r}], grace_s=3))"
    )
    proc = subprocess.Popen([sys.executable, "-c", wrapper], cwd=ROOT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not pids.exists():
            assert proc.poll() is None and time.monotonic() < deadline, "the child never started"
            time.sleep(0.1)
        child, grandchild = map(int, pids.read_text().split())
        assert _alive(child) and _alive(grandchild)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=120)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert not _alive(child), "the child outlived its front door"
    assert not _alive(grandchild), "the child's own child outlived the front door"
    return code, took


def test_sigterm_ends_the_child_and_its_process_group(tmp_path):
    code, _took = _front_door_stops(tmp_path, "polite")
    assert code == 0  # a requested stop is a clean exit


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path):
    code, took = _front_door_stops(tmp_path, "stubborn")
    assert took >= 3  # it was given the grace period first
    assert code != 0  # killed, not stopped: the exit code says so


def test_a_front_door_started_with_sigint_ignored_still_stops_a_child_that_maps_sigterm_to_sigint(tmp_path):
    # `dagster dev` gives SIGTERM its SIGINT handler; had it inherited an ignored SIGINT, our SIGTERM would be
    # ignored and the child killed only after the grace period (a non-zero exit).
    code, took = _front_door_stops(tmp_path, "like-dagster-dev", sigint_ignored=True)
    assert code == 0, code
