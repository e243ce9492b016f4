"""Where a running `mrm sandbox start` announces itself ($MRM_DATA_DIR/sandbox.json)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx


def state_path() -> Path:
    return Path(os.environ.get("MRM_DATA_DIR", ".mrm")) / "sandbox.json"


def write_state(info: dict[str, Any]) -> None:
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(info, indent=2))


def clear_state(pid: int) -> None:
    path = state_path()
    try:
        if json.loads(path.read_text()).get("pid") == pid:
            path.unlink()
    except (FileNotFoundError, ValueError):
        pass


def running() -> dict[str, Any] | None:
    """The running sandbox's status (asked over HTTP), or None when none answers."""
    try:
        info = json.loads(state_path().read_text())
        resp = httpx.get(f"{info['base_url']}/_control/status", timeout=2.0)
        resp.raise_for_status()
        return resp.json()
    except (FileNotFoundError, ValueError, KeyError, httpx.HTTPError):
        return None
