"""Keep every core busy for a bounded time: `make test-under-load` runs the suite beside it.

python scripts/cpu_hog.py [--workers N] [--seconds S]
python scripts/cpu_hog.py --await-load S
One busy-looping process per core (default: all cores). The hog ends by itself after `--seconds`, when it is
sent SIGTERM/SIGINT, or when the process that started it is gone, so a crashed `make` never leaves it spinning.
`--await-load` spins nothing: it returns once the 1-minute load average reaches 0.8 per core (at most S seconds),
so a suite started after it sees the hog in the load that its wait limits read (tests/machine.py).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import signal
import sys
import time


def _spin(deadline: float, parent: int) -> None:
    """Burn CPU until the deadline or until the hog's parent dies (checked every ~0.2 s of spinning)."""
    # The parent's handlers are inherited: a worker must die on SIGTERM/SIGINT, not just note it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    x = 0
    while time.monotonic() < deadline and os.getppid() == parent:
        for i in range(200_000):
            x ^= i * i
    sys.exit(0)


def await_load(limit_s: float, per_core: float = 0.8, poll_s: float = 1.0) -> float:
    """Wait until the 1-minute load average per core reaches `per_core`, at most `limit_s`; the last reading."""
    cores = os.cpu_count() or 1
    end = time.monotonic() + limit_s
    while (load := os.getloadavg()[0] / cores) < per_core and time.monotonic() < end:
        time.sleep(poll_s)
    return load


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="busy processes (default: all cores)"
    )
    p.add_argument("--seconds", type=float, default=3600.0, help="stop after this long at the latest")
    p.add_argument(
        "--await-load",
        type=float,
        metavar="S",
        help="spin nothing; wait up to S s for a load of 0.8 per core",
    )
    a = p.parse_args(argv)
    if a.await_load is not None:
        load = await_load(a.await_load)
        print(f"cpu hog: load average {load:.2f} per core; starting", flush=True)
        return 0
    if a.workers < 1 or a.seconds <= 0:
        p.error("--workers must be >= 1 and --seconds > 0")
    starter = os.getppid()
    deadline = time.monotonic() + a.seconds
    workers = [mp.Process(target=_spin, args=(deadline, os.getpid()), daemon=True) for _ in range(a.workers)]
    stop = {"now": False}

    def on_signal(signum: int, _frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    for w in workers:
        w.start()
    print(f"cpu hog: {a.workers} busy processes for at most {a.seconds:.0f}s (pid {os.getpid()})", flush=True)
    try:
        while not stop["now"] and time.monotonic() < deadline and os.getppid() == starter:
            if not any(w.is_alive() for w in workers):
                break
            time.sleep(0.5)
    finally:
        for w in workers:
            if w.is_alive():
                w.terminate()
        for w in workers:
            w.join(10)
            if w.is_alive():
                w.kill()
                w.join(10)
    print("cpu hog: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
