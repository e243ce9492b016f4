"""Keep every core busy for a bounded time: `make test-under-load` runs the suite beside it.

python scripts/cpu_hog.py [--workers N] [--seconds S]
One busy-looping process per core (default: all cores). The hog ends by itself after `--seconds`, when it is
sent SIGTERM/SIGINT, or when the process that started it is gone, so a crashed `make` never leaves it spinning.
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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="busy processes (default: all cores)"
    )
    p.add_argument("--seconds", type=float, default=3600.0, help="stop after this long at the latest")
    a = p.parse_args(argv)
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
