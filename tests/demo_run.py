"""`mrm demo --no-serve` once per test session, for the tests that read what it leaves behind: what it printed
(tests/integration/terminal) and every credential it used, searched for in plain text (tests/security).

It runs as `make demo-no-serve` does, over a short window, in a data directory and on a warehouse port of its own,
against a sandbox held here (announced in the data directory as `mrm sandbox start` announces it), so that every
token the emulators issued to the demo's loads can be read back once it has finished. The demo's warehouse is
stopped afterwards; a test that reads the warehouse starts it again on the same data directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
DEMO_DAYS = 2  # the demo's shape and data path over a short window: the same steps and credentials as 90 days


@dataclass(frozen=True)
class DemoRun:
    run: subprocess.CompletedProcess[str]
    data: Path  # the demo's data directory (warehouse, logs, Dagster home)
    issued: dict[str, str]  # label -> every token, code and secret the emulators held when the demo ended


def run_demo(data: Path) -> subprocess.CompletedProcess[str]:
    """`mrm demo --no-serve` with the data directory and warehouse port its own (nothing inherited that points
    elsewhere)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CLICKHOUSE_URL", "CLICKHOUSE_HOST", "DAGSTER_HOME", "MRM_LOG_LEVEL", "MRM_DEMO_DIRECT")
    }
    env["MRM_DATA_DIR"], env["MRM_WAREHOUSE_PORT"] = str(data), str(free_port())
    env["MRM_LANG"] = "en"  # the tests read its English messages
    cmd = [sys.executable, "-m", "mrm.cli", "demo", "--no-serve", "--days", str(DEMO_DAYS)]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False)


def _strings(value: Any) -> list[str]:
    """The credential-like strings held in an emulator's token store entry (a str, or an object's str fields)."""
    if isinstance(value, str):
        return [value]
    fields = getattr(value, "__dict__", {}) or {}
    return [v for k, v in fields.items() if isinstance(v, str) and k not in ("client_id", "user", "scope")]


def issued_by(sandbox: Any) -> dict[str, str]:
    """label -> value for every token, code, refresh token and client secret the emulators hold now."""
    found: dict[str, str] = {}
    store = sandbox.ctx.tokens
    for api, tokens in store._valid.items():
        for i, tok in enumerate(sorted(tokens)):
            found[f"{api} access token #{i}"] = tok
    for i, tok in enumerate(sorted(store._refresh)):
        found[f"refresh token #{i}"] = tok
    for name, api in sandbox.apis.items():
        for attr in ("tokens", "grants", "codes", "credentials"):
            held = getattr(api, attr, None)
            if not isinstance(held, dict):
                continue
            for i, (key, value) in enumerate(sorted(held.items(), key=lambda kv: str(kv[0]))):
                # credentials map a public client id to its secret: only the secret counts
                values = _strings(value) if attr == "credentials" else [str(key), *_strings(value)]
                for j, v in enumerate(values):
                    found[f"{name} {attr} #{i}.{j}"] = v
    return found


def demo_once(data: Path) -> DemoRun:
    """Run the demo into `data` against a sandbox held for its duration; the warehouse is stopped afterwards."""
    from ingestion.sandbox.generator import World
    from ingestion.sandbox.server import SandboxServer
    from warehouse import embedded

    data.mkdir(parents=True, exist_ok=True)
    with SandboxServer(World()) as sandbox:
        announce = {"pid": os.getpid(), "base_url": sandbox.base_url, "apis": sandbox.urls}
        (data / "sandbox.json").write_text(json.dumps(announce))
        try:
            run = run_demo(data)
            issued = issued_by(sandbox)
        finally:
            embedded.stop(data)
            (data / "sandbox.json").unlink(missing_ok=True)
    return DemoRun(run, data, issued)
