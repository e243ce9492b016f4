"""Start, find and stop the embedded warehouse server process for a data directory."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from warehouse.access import EMBEDDED_USER, SECRET_FILE, Credentials, client_url, read_secret
from warehouse.server import STATE_FILE


class WarehouseStartError(RuntimeError):
    """The embedded server did not come up."""


@dataclass(frozen=True)
class ServerInfo:
    """A running embedded server. `address` is for people (logs, status lines); `url` carries the install's secret
    as user:password for clients (clickhouse-connect dsn, CLICKHOUSE_URL, dbt) and must never be printed."""

    pid: int
    port: int
    address: str
    version: str = ""
    credentials: Credentials = field(default=Credentials(EMBEDDED_USER, ""), repr=False)

    @property
    def url(self) -> str:
        return client_url(self.address, self.credentials)


def status(data_dir: Path) -> ServerInfo | None:
    """The running server for this data directory, or None (stale state files are ignored)."""
    state = data_dir / STATE_FILE
    try:
        info = json.loads(state.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    if not _alive(info["pid"]) or not _ping(info["url"]):
        return None
    try:
        creds = Credentials(EMBEDDED_USER, read_secret(data_dir / SECRET_FILE))
    except FileNotFoundError:
        # A server started before secrets existed takes any credentials: report it, so it can be used and stopped.
        creds = Credentials(EMBEDDED_USER, "")
    return ServerInfo(info["pid"], info["port"], info["url"], info.get("version", ""), creds)


def _alive(pid: int) -> bool:
    try:  # reap it if it is our own child that has exited
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        with open(f"/proc/{pid}/stat") as fh:
            if fh.read().rsplit(")", 1)[1].split()[0] == "Z":  # a zombie has exited
                return False
    except (FileNotFoundError, IndexError):
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ping(url: str) -> bool:
    try:
        return httpx.get(f"{url}/ping", timeout=2).text.startswith("Ok")
    except httpx.HTTPError:
        return False


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start(
    data_dir: Path, port: int | None = None, timeout: float = 90.0, max_memory: str | None = None
) -> ServerInfo:
    """Start a detached server for data_dir (or return the running one) and wait until it answers. max_memory
    (bytes or e.g. '12G') caps the server's memory; default MRM_WAREHOUSE_MAX_MEMORY, else chDB's own limit."""
    running = status(data_dir)
    if running:
        return running
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "logs").mkdir(exist_ok=True)
    if port is None:
        from warehouse.settings import DEFAULT_PORT

        port = DEFAULT_PORT if _port_free(DEFAULT_PORT) else 0
    log_path = data_dir / "logs" / "warehouse.log"
    with open(log_path, "ab") as log_fh:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "warehouse.server",
                "--data-dir",
                str(data_dir),
                "--port",
                str(port),
                *(["--max-memory", max_memory] if max_memory else []),
            ],
            stdout=log_fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            cwd=str(Path(__file__).resolve().parent.parent),
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = status(data_dir)
        if info:
            return info
        code = proc.poll()
        if code is not None:
            # Another process may have won the race for this data directory: use it.
            time.sleep(0.3)
            info = status(data_dir)
            if info:
                return info
            tail = log_path.read_text(errors="replace").strip().splitlines()[-5:]
            raise WarehouseStartError(f"embedded warehouse exited with code {code}: " + " | ".join(tail))
        time.sleep(0.1)
    proc.terminate()
    raise WarehouseStartError(f"embedded warehouse did not answer within {timeout:.0f}s; see {log_path}")


def stop(data_dir: Path, timeout: float = 30.0) -> bool:
    """Stop the server for data_dir; True if one was running."""
    info = status(data_dir)
    if info is None:
        return False
    os.kill(info.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and _alive(info.pid):
        time.sleep(0.1)
    if _alive(info.pid):
        os.kill(info.pid, signal.SIGKILL)
    return True
