"""How busy the machine is. Limits that only guard against a hang grow with it: the suite must pass while a CPU
hog keeps every core busy (`make test-under-load`), not just on an idle machine."""

from __future__ import annotations

import os


def load_factor() -> float:
    """1.0 on an idle machine, else the 1-minute load average per core, times MRM_TEST_TIMEOUT_SCALE (default 1)."""
    per_core = os.getloadavg()[0] / (os.cpu_count() or 1)
    return max(1.0, per_core) * float(os.environ.get("MRM_TEST_TIMEOUT_SCALE", "1") or 1)


def ui_timeout_ms(seconds: float = 60) -> int:
    """A browser wait's limit in ms: `seconds` on an idle machine, grown by the load when the wait starts. Read at
    each use, never once at import: a suite started with its CPU hog sees the load only after the first minute."""
    return int(seconds * 1000 * load_factor())
