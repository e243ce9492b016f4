"""The embedded warehouse: chDB served over the ClickHouse HTTP interface on loopback.

chDB lets one process open a data path, while Dagster, dbt and Streamlit run in several processes; so one owner
process serves the engine and every component talks to it exactly as to a real ClickHouse server.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import signal
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import IO

from warehouse.access import AccessPolicy, allowed_functions, client_url, credentials
from warehouse.engine import Engine, parse_memory
from warehouse.handler import Handler
from warehouse.request_body import MAX_DATA_BODY, MAX_QUERY_BODY

log = logging.getLogger("mrm.warehouse.server")

STATE_FILE = "warehouse.json"
LOCK_FILE = "warehouse.lock"


class WarehouseLockedError(RuntimeError):
    """Another process owns the data directory."""


class DataDirLock:
    """An exclusive flock on the data directory, held for the life of the owner process."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / LOCK_FILE
        self._fh: IO[str] | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            fh.close()
            raise WarehouseLockedError(
                f"data directory {self.path.parent} is already served by another process ({holder}); "
                "stop it with `mrm warehouse stop` or point MRM_DATA_DIR elsewhere"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None


class WarehouseServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # idle keep-alive connections must not hold up a stop
    allow_reuse_address = True
    request_queue_size = 128


def serve(
    data_dir: Path,
    port: int,
    host: str = "127.0.0.1",
    ready: threading.Event | None = None,
    max_memory: int = 0,
    max_body: int = MAX_DATA_BODY,
    max_query_body: int = MAX_QUERY_BODY,
) -> None:
    """Own the data directory, open chDB (memory capped at max_memory bytes if > 0), migrate, and serve until
    SIGTERM/SIGINT. Every request must carry the install's secret (see warehouse/access.py)."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the embedded warehouse listens on loopback only")
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = DataDirLock(data_dir)
    lock.acquire()
    state = data_dir / STATE_FILE
    try:
        creds = credentials(data_dir)
        allowed = allowed_functions()
        engine = Engine(data_dir, max_memory)
        handler: type[Handler] = type(
            "BoundHandler", (Handler,), {"engine": engine, "max_data": max_body, "max_query": max_query_body}
        )
        try:
            httpd = WarehouseServer((host, port), handler)
        except OSError as exc:
            engine.close()
            raise OSError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
        actual_port = httpd.server_address[1]
        handler.policy = AccessPolicy(creds, actual_port, allowed)
        if allowed:
            log.warning(
                "outside-world functions enabled by MRM_WAREHOUSE_ALLOW_FUNCTIONS: %s",
                ", ".join(sorted(allowed)),
            )
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        thread.start()
        from warehouse.migrate import migrate_url

        applied = migrate_url(client_url(f"http://{host}:{actual_port}", creds))
        log.info("migrations applied: %s", applied or "none new")
        state.write_text(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": host,
                    "port": actual_port,
                    "url": f"http://{host}:{actual_port}",
                    "version": engine.version,
                }
            )
        )
        log.info(
            "embedded ClickHouse %s serving %s on http://%s:%s", engine.version, data_dir, host, actual_port
        )
        if ready is not None:
            ready.set()
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, lambda *_: stop.set())
            signal.signal(signal.SIGINT, lambda *_: stop.set())
        while not stop.wait(0.5):  # a bare wait() would not wake for the signal handler
            pass
        log.info("stopping")
        httpd.shutdown()
        httpd.server_close()
        log.info("http closed")
        engine.close()
        log.info("engine closed")
    finally:
        state.unlink(missing_ok=True)
        lock.release()


def main(argv: list[str] | None = None) -> int:
    from warehouse.settings import DEFAULT_PORT, data_dir

    parser = argparse.ArgumentParser(
        description="Serve the embedded ClickHouse (chDB) over the ClickHouse HTTP interface."
    )
    parser.add_argument("--data-dir", type=Path, default=data_dir(), help="data directory (MRM_DATA_DIR)")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port on 127.0.0.1 (0 = any free port)"
    )
    parser.add_argument("--log-level", default=os.environ.get("MRM_LOG_LEVEL", "INFO"))
    parser.add_argument(
        "--max-memory",
        default=os.environ.get("MRM_WAREHOUSE_MAX_MEMORY", ""),
        help="server memory cap, bytes or e.g. 12G (MRM_WAREHOUSE_MAX_MEMORY; default: chDB's 90%% of RAM)",
    )
    parser.add_argument(
        "--max-body",
        default=os.environ.get("MRM_WAREHOUSE_MAX_BODY", ""),
        help="largest decoded insert body, e.g. 8G (MRM_WAREHOUSE_MAX_BODY; default 8 GiB)",
    )
    parser.add_argument(
        "--max-query-body",
        default=os.environ.get("MRM_WAREHOUSE_MAX_QUERY_BODY", ""),
        help="largest decoded query body, e.g. 64M (MRM_WAREHOUSE_MAX_QUERY_BODY; default 64 MiB)",
    )
    args = parser.parse_args(argv)
    try:
        max_memory = parse_memory(args.max_memory)
        max_body = parse_memory(args.max_body, "MRM_WAREHOUSE_MAX_BODY") or MAX_DATA_BODY
        max_query_body = parse_memory(args.max_query_body, "MRM_WAREHOUSE_MAX_QUERY_BODY") or MAX_QUERY_BODY
        allowed_functions()  # a typo in the allow-list fails the start, not the first query
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        serve(
            args.data_dir.resolve(),
            args.port,
            max_memory=max_memory,
            max_body=max_body,
            max_query_body=max_query_body,
        )
    except WarehouseLockedError as exc:
        log.error("%s", exc)
        return 3
    except OSError as exc:
        log.error("%s", exc)
        return 4
    return 0


if __name__ == "__main__":
    code = main()
    logging.shutdown()
    # chDB's background threads can keep the interpreter from exiting after the engine is closed.
    os._exit(code)
