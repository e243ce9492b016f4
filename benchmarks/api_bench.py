"""REST API benchmark: `POST /v1/metrics/query` latency and throughput with concurrent clients.

    python -m benchmarks.api_bench [--rows 10000000] [--clients 20] [--requests 60] [--workers 1]
                                   [--data-dir DIR]

Builds sample marts with `--rows` ad rows (the dashboards benchmark's generator) in an embedded warehouse (a
throw-away one, or `--data-dir`, reused when it already holds the marts), serves the API with uvicorn in its own
process (`--workers` processes), and drives it from a separate process with `--clients` concurrent HTTP clients,
each sending `--requests` queries of the kinds the app and agents send (period KPIs by platform, campaigns with a
comparison, a daily series, deduplicated visitors). Reports p50/p95 latency, requests/s, the machine's load
average during the run, and the warehouse's share of the server's time: each answer's `Server-Timing` header
(added by this benchmark's app factory only) gives the time inside the warehouse client's query calls and the
request's time in the server, summed over the requests. Prints one JSON object last (benchmarks/run.py records it).
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parents[1]
TENANT = "bench_dash"


def _queries(end: dt.date) -> list[dict[str, Any]]:
    a30, a7 = (end - dt.timedelta(days=29)).isoformat(), (end - dt.timedelta(days=6)).isoformat()
    base = {"date_to": end.isoformat()}
    return [
        {
            **base,
            "date_from": a30,
            "metrics": ["spend", "clicks", "ctr", "cpc", "cpa"],
            "dimensions": ["platform"],
        },
        {
            **base,
            "date_from": a7,
            "metrics": ["spend", "impressions", "ctr"],
            "compare": "previous_period",
            "dimensions": ["campaign_id"],
            "limit": 100,
        },
        {**base, "date_from": a30, "metrics": ["spend", "conversions"], "granularity": "day"},
        {**base, "date_from": a30, "metrics": ["unique_visitors", "visits_per_visitor"]},
    ]


KINDS = ("kpis_by_platform", "campaigns_vs_previous", "daily_series", "unique_visitors")  # _queries' order


def _p95_ms(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[max(0, int(round(0.95 * len(ordered))) - 1)] * 1000, 1)


def _load(url: str, key: str, clients: int, requests: int, end: dt.date, n_clients: int) -> dict[str, Any]:
    """The client side (run in its own process so the load generator does not share the server's GIL)."""
    import httpx

    qs = _queries(end)
    lat: list[float] = []
    errors: list[str] = []
    timing = {"wh": 0.0, "app": 0.0}
    by_kind: dict[str, list[float]] = {k: [] for k in KINDS}

    async def worker(i: int, http: httpx.AsyncClient) -> None:
        for j in range(requests):
            body = {**qs[(i + j) % len(qs)], "client_id": f"client{(i + j) % n_clients:02d}"}
            t0 = time.perf_counter()
            r = await http.post("/v1/metrics/query", json=body)
            lat.append(time.perf_counter() - t0)
            by_kind[KINDS[(i + j) % len(qs)]].append(lat[-1])
            for part in r.headers.get("server-timing", "").split(","):
                name, _, dur = part.strip().partition(";dur=")
                if name in timing:
                    timing[name] += float(dur) / 1000
            if r.status_code != 200:
                errors.append(f"{r.status_code} {r.text[:200]}")

    async def main() -> float:
        limits = httpx.Limits(max_connections=clients)
        async with httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120, limits=limits
        ) as http:
            t0 = time.perf_counter()
            await asyncio.gather(*(worker(i, http) for i in range(clients)))
            return time.perf_counter() - t0

    wall = asyncio.run(main())
    lat.sort()
    return {
        "p95_ms_by_kind": {k: _p95_ms(v) for k, v in by_kind.items() if v},
        "requests": len(lat),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "wall_s": round(wall, 2),
        "rps": round(len(lat) / wall, 1),
        "p50_ms": round(statistics.median(lat) * 1000, 1),
        "p95_ms": _p95_ms(lat),
        "warehouse_s": round(timing["wh"], 2),
        "server_s": round(timing["app"], 2),
    }


_spent: contextvars.ContextVar[list[float]] = contextvars.ContextVar("api_bench_spent")


class _TimedClient:
    """A warehouse client whose query calls add their time to the current request's total."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def query(self, *args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return self._inner.query(*args, **kwargs)
        finally:
            spent = _spent.get(None)
            if spent is not None:
                spent[0] += time.perf_counter() - t

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def bench_app() -> Any:
    """The API as `mrm api serve` builds it, plus a `Server-Timing` header (warehouse and server time of the
    request); for `uvicorn --factory` in the benchmark's server processes."""
    import warehouse
    from api.app import create_app

    app = create_app(
        connect=lambda: _TimedClient(warehouse.connect(autogenerate_session_id=False)),
        rate=10_000,
        burst=10_000,
    )

    def timed(inner: Any) -> Any:
        async def asgi(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                return await inner(scope, receive, send)
            spent, t0 = [0.0], time.perf_counter()
            _spent.set(spent)  # threads the request runs on copy this context, so they add to the same list

            async def send_timed(message: Any) -> None:
                if message["type"] == "http.response.start":
                    took = (time.perf_counter() - t0) * 1000
                    value = f"wh;dur={spent[0] * 1000:.2f}, app;dur={took:.2f}".encode()
                    message = {**message, "headers": [*message.get("headers", []), (b"server-timing", value)]}
                await send(message)

            await inner(scope, receive, send_timed)

        return asgi

    return timed(app)


def _marts_rows(ch: Any) -> int:
    """Ad rows already in the benchmark's marts (0 when they were never built)."""
    try:
        return int(ch.query("SELECT count() FROM marts_bench.fct_ad_performance_daily").result_rows[0][0])
    except Exception:  # noqa: BLE001 - the database or table does not exist yet
        return 0


class _LoadSampler(threading.Thread):
    """The machine's 1-minute load average every second while the load runs (other users share the cores)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(1.0):
            self.samples.append(os.getloadavg()[0])


@click.command()
@click.option("--rows", type=int, default=10_000_000, show_default=True, help="Ad rows in the sample marts.")
@click.option("--clients", type=int, default=20, show_default=True, help="Concurrent HTTP clients.")
@click.option(
    "--requests", type=int, default=60, show_default=True, help="Requests per client (60: the recorded runs)."
)
@click.option(
    "--workers", type=int, default=1, show_default=True, help="uvicorn worker processes of the API."
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Warehouse data directory to keep and reuse (the marts are built once); default a throw-away one.",
)
@click.option("--load-only", "load_only", type=str, default=None, hidden=True)
def main(
    rows: int, clients: int, requests: int, workers: int, data_dir: Path | None, load_only: str | None
) -> None:
    """Measure the REST API under concurrent load (see the module docstring)."""
    if load_only:  # the child process: the load generator
        spec = json.loads(load_only)
        # the key travels in the environment, never on a command line other users of the machine can list
        print(
            json.dumps(
                _load(
                    spec["url"],
                    os.environ["MRM_BENCH_API_KEY"],
                    clients,
                    requests,
                    dt.date.fromisoformat(spec["end"]),
                    spec["n_clients"],
                )
            )
        )
        return
    os.environ["MRM_DATA_DIR"] = str(data_dir or Path(tempfile.mkdtemp(prefix="mrm-api-bench-")) / "data")
    os.environ["MRM_MARTS_DB"] = "marts_bench"
    import httpx

    import warehouse
    from api import keys
    from benchmarks.dashboards_bench import build
    from dashboards import auth
    from tests.conftest import free_port

    ch = warehouse.connect()
    warehouse.migrate(ch)
    end = dt.date(2026, 6, 30)  # a fixed day: the benchmark's data and queries do not follow the calendar
    t0 = time.perf_counter()
    built = _marts_rows(ch)
    counts = {"fct_ad_performance_daily": built} if built >= rows else build(ch, rows, end)
    for table in ("fct_campaign_daily", "fct_channel_daily", "fct_campaign_reach_states_daily"):
        # settle the parts as the server's background merges would (the API's queries read these marts)
        ch.command(f"OPTIMIZE TABLE marts_bench.{table} FINAL")
    build_s = time.perf_counter() - t0
    login = f"bench-api-{os.getpid()}"
    auth.add_user(ch, tenant_id=TENANT, login=login, role="pm", password="bench-password-1")
    key = keys.create(ch, tenant_id=TENANT, login=login)

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "benchmarks.api_bench:bench_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "error",
        ],
        cwd=ROOT,
        env=dict(os.environ),
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise click.ClickException("the API server did not start")
            time.sleep(0.2)
        spec = {"url": f"http://127.0.0.1:{port}", "end": end.isoformat(), "n_clients": 10}
        child_env = {**os.environ, "MRM_BENCH_API_KEY": key}

        def drive(n_clients: int, n_requests: int) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.api_bench",
                    "--clients",
                    str(n_clients),
                    "--requests",
                    str(n_requests),
                    "--load-only",
                    json.dumps(spec),
                ],
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
                env=child_env,
            )

        drive(4 * workers, 4)  # warm-up: each query kind in every worker (connections, the engine's caches)
        sampler = _LoadSampler()
        sampler.samples.append(os.getloadavg()[0])
        sampler.start()
        out = drive(clients, requests)
        sampler.done.set()
        sampler.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
        from warehouse import embedded

        embedded.stop(Path(os.environ["MRM_DATA_DIR"]))  # the warehouse this run started (data kept on disk)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    load = sampler.samples
    result.update(
        {
            "rows": counts.get("fct_ad_performance_daily", rows),
            "build_s": round(build_s, 1),
            "clients": clients,
            "workers": workers,
            "load_avg": {"min": min(load), "max": max(load), "mean": round(sum(load) / len(load), 2)},
            "warehouse_share": round(result["warehouse_s"] / max(result["server_s"], 1e-9), 2),
            "target": "p95 < 500 ms with 20 concurrent clients on 10 M ad rows",
        }
    )
    result["markdown"] = (
        f"| rows | clients | workers | requests | p50 ms | p95 ms | req/s | warehouse share | load avg |\n"
        f"|---|---|---|---|---|---|---|---|---|\n| {result['rows']:,} | {clients} | {workers} | "
        f"{result['requests']} | {result['p50_ms']} | {result['p95_ms']} | {result['rps']} | "
        f"{result['warehouse_share']:.0%} | {min(load):.1f}–{max(load):.1f} |"
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
