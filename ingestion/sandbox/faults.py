"""Fault switchboard: per-API faults switched on/off from Python or the `/_control/faults` endpoint."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# Applied by the server for every API before/after the handler runs.
TRANSPORT_KINDS = ("http_429", "http_420", "http_5xx", "timeout", "reset", "truncate", "garble")
# Interpreted by the emulators themselves (they call `board.take(api, path, (kind,))`).
API_KINDS = (
    "expired_token",  # all issued tokens of the API stop working (refresh required)
    "direct_offline",  # params polls=N: 201 → 202 × N → 200 (retry_in seconds)
    "direct_error_200",  # params code=N: Direct error body with HTTP 200 (e.g. 152, 506, 53, 54)
    "direct_error",  # params code=N, status=400/500/502: Direct error body with that HTTP status
    "direct_queue_full",  # 400 + error_code 9000 (five reports already in the offline queue)
    "metrika_log_stuck",  # log request never leaves `created`
    "metrika_log_failed",  # log request ends in `processing_failed`
    "metrika_too_big",  # evaluate says possible=false for multi-day requests
    "metrika_sampled",  # params share=0.5: Reporting API answers sampled data
)


@dataclass
class Fault:
    """One switched-on fault. `count` = times it still fires (None = until cleared); `path` = regex filter."""

    id: int
    api: str
    kind: str
    count: int | None = 1
    path: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    fired: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "api": self.api,
            "kind": self.kind,
            "count": self.count,
            "path": self.path,
            "params": self.params,
            "fired": self.fired,
        }


class FaultBoard:
    TRANSPORT_KINDS = TRANSPORT_KINDS
    API_KINDS = API_KINDS

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.history: list[tuple[str, str, str]] = []  # (api, kind, path) of every fired fault

    def add(
        self, api: str, kind: str, *, count: int | None = 1, path: str | None = None, **params: Any
    ) -> Fault:
        """Switch a fault on. Example: `add("direct", "http_429", count=2, retry_after=1)`."""
        if kind not in TRANSPORT_KINDS and kind not in API_KINDS and not kind.startswith(f"{api}_"):
            raise ValueError(f"unknown fault kind {kind!r}; known: {TRANSPORT_KINDS + API_KINDS}")
        fault = Fault(next(self._ids), api, kind, count, path, dict(params))
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self, api: str | None = None) -> None:
        with self._lock:
            self._faults = [f for f in self._faults if api is not None and f.api != api]

    def list(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def take(self, api: str, path: str, kinds: Iterable[str]) -> Fault | None:
        """Consume one firing of the first matching fault (None when nothing is switched on)."""
        import re

        kinds = tuple(kinds)
        with self._lock:
            for fault in self._faults:
                if fault.api != api or fault.kind not in kinds:
                    continue
                if fault.path and not re.search(fault.path, path):
                    continue
                fault.fired += 1
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                self.history.append((api, fault.kind, path))
                return fault
        return None

    @staticmethod
    def mangle(data: bytes, fault: Fault) -> bytes:
        """Truncate (keep a fraction) or garble (overwrite a run of bytes in the middle) a body."""
        if fault.kind == "truncate":
            keep = float(fault.params.get("fraction", 0.5))
            return data[: max(0, int(len(data) * keep))]
        mid = len(data) // 2
        junk = b"\x00\xff#GARBLED#\t\t\n\xfe"
        return data[:mid] + junk + data[mid + len(junk) :]
