"""Child processes of the front doors (`mrm dashboards`, `mrm dagster`, `mrm demo`): stopping us stops them.

Each child runs in its own process group, so a terminal's Ctrl-C reaches it once (through us) and a supervisor's
SIGTERM to us is forwarded instead of leaving the child serving its port. After the child exits, whatever it left
in its group is ended too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
# A child's exit after a stop we passed on: clean, or ended by one of the stop signals (a child may treat SIGTERM as
# an interrupt: `dagster dev` maps it to SIGINT's handler).
STOPPED_CODES = frozenset({0, *(-s for s in STOP_SIGNALS), *(128 + s for s in STOP_SIGNALS)})
# `dagster dev` waits up to 60 s for each of its webserver and daemon to stop before killing it (slow on a busy
# machine): a front door of it gives both waits and a margin before ending it by force.
DAGSTER_DEV_STOP_S = 2 * 60 + 10


def start(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    **popen: object,
) -> subprocess.Popen[bytes]:
    """Start `cmd` as the leader of a new process group."""
    child_env = dict(env) if env is not None else None
    return subprocess.Popen(list(cmd), env=child_env, cwd=cwd, start_new_session=True, **popen)  # type: ignore


def stop(proc: subprocess.Popen[bytes], *, grace_s: float = 30.0, sig: int = signal.SIGTERM) -> int:
    """Ask `proc` to stop, wait for it (SIGKILL after `grace_s`), then end anything left in its process group."""
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()
    _signal_group(proc.pid, signal.SIGTERM)  # grandchildren the leader did not take down with it
    return proc.returncode


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass  # the group is already empty


@contextmanager
def forwarding_stop_signals(procs: list[subprocess.Popen[bytes]]) -> Iterator[list[int]]:
    """While inside, SIGTERM/SIGINT/SIGHUP to this process are passed on to `procs` (the list may grow).

    Yields the list of signals received, so the caller can tell a requested stop from a child's failure.
    """
    received: list[int] = []

    def forward(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signum)

    previous = {s: signal.signal(s, forward) for s in STOP_SIGNALS}
    try:
        yield received
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def run_foreground(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    grace_s: float = 30.0,
) -> int:
    """Run `cmd` until it exits, passing our stop signals on; returns its exit code (0 after a requested stop).

    A child that outlives a forwarded stop signal by `grace_s` is killed with its process group.
    """
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with forwarding_stop_signals(procs) as received:
            _start_under_handlers(procs, [cmd], env, cwd, received)
            stop_deadline: float | None = None
            while True:
                try:
                    code = procs[0].wait(timeout=1.0)  # wakes on the child's exit, and each second to check
                    break
                except subprocess.TimeoutExpired:
                    if received and stop_deadline is None:
                        stop_deadline = time.monotonic() + grace_s
                    if stop_deadline is not None and time.monotonic() > stop_deadline:
                        _signal_group(procs[0].pid, signal.SIGKILL)
    finally:
        for proc in procs:
            stop(proc, grace_s=grace_s)
    return 0 if received and code in STOPPED_CODES else code


def _start_under_handlers(
    procs: list[subprocess.Popen[bytes]],
    cmds: Sequence[Sequence[str]],
    env: Mapping[str, str] | None,
    cwd: str | Path | None,
    received: list[int],
) -> None:
    """Start the children while our stop-signal handlers are installed. A caught signal is reset to its default
    action in a child, an ignored one stays ignored: a front door started with SIGINT ignored (a background job of
    a non-interactive shell) would otherwise pass that on, and a child that maps SIGTERM to its SIGINT handler
    (`dagster dev` does) would then ignore our SIGTERM too. A stop asked for during the start is passed on."""
    for cmd in cmds:
        procs.append(start(cmd, env=env, cwd=cwd))
    for signum in received:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signum)


def run_group_foreground(
    cmds: Sequence[Sequence[str]],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    grace_s: float = 30.0,
) -> int:
    """Run several children together (app processes and their balancer): the first to exit stops the rest.

    Our stop signals go to every child; returns 0 after a requested stop, else the exit code of the child that
    ended first (a dead app process must not leave the others serving half the users).
    """
    procs: list[subprocess.Popen[bytes]] = []
    code = 0
    try:
        with forwarding_stop_signals(procs) as received:
            _start_under_handlers(procs, cmds, env, cwd, received)
            while True:
                done = [p for p in procs if p.poll() is not None]
                if done:
                    code = done[0].returncode
                    break
                try:
                    procs[0].wait(timeout=0.5)
                except subprocess.TimeoutExpired:
                    pass
    finally:
        for proc in procs:
            stop(proc, grace_s=grace_s)
    return 0 if received and code in STOPPED_CODES else code
