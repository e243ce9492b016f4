"""REST API benchmark: `POST /v1/metrics/query` latency and throughput with concurrent clients.

    python -m benchmarks.api_bench [--rows 10000000] [--clients 20] [--requests 30]

Builds sample marts with `--rows` ad rows (the dashboards benchmark's generator) in a throw-away embedded
warehouse, serves the API in this process (uvicorn in a thread), and drives it from a separate process with
`--clients` concurrent HTTP clients, each sending `--requests` queries of the kinds the app and agents send
(period KPIs by platform, campaigns with a comparison, a daily series, deduplicated visitors). Reports p50/p95
latency, requests/s, and the warehouse's share of the server's time (time spent inside the warehouse client's
query calls over the summed request time). Prints one JSON object last (benchmarks/run.py records it).
"""

from __future__ import annotations

import asyncio
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


def _load(url: str, key: str, clients: int, requests: int, end: dt.date, n_clients: int) -> dict[str, Any]:
    """The client side (run in its own process so the load generator does not share the server's GIL)."""
    import httpx

    qs = _queries(end)
    lat: list[float] = []
    errors: list[str] = []

    async def worker(i: int, http: httpx.AsyncClient) -> None:
        for j in range(requests):
            body = {**qs[(i + j) % len(qs)], "client_id": f"client{(i + j) % n_clients:02d}"}
            t0 = time.perf_counter()
            r = await http.post("/v1/metrics/query", json=body)
            lat.append(time.perf_counter() - t0)
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
        "requests": len(lat),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "wall_s": round(wall, 2),
        "rps": round(len(lat) / wall, 1),
        "p50_ms": round(statistics.median(lat) * 1000, 1),
        "p95_ms": round(lat[max(0, int(round(0.95 * len(lat))) - 1)] * 1000, 1),
    }


@click.command()
@click.option("--rows", type=int, default=10_000_000, show_default=True, help="Ad rows in the sample marts.")
@click.option("--clients", type=int, default=20, show_default=True, help="Concurrent HTTP clients.")
@click.option("--requests", type=int, default=30, show_default=True, help="Requests per client.")
@click.option("--load-only", "load_only", type=str, default=None, hidden=True)
def main(rows: int, clients: int, requests: int, load_only: str | None) -> None:
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
    tmp = tempfile.mkdtemp(prefix="mrm-api-bench-")
    os.environ.setdefault("MRM_DATA_DIR", str(Path(tmp) / "data"))
    os.environ["MRM_MARTS_DB"] = "marts_bench"
    import uvicorn

    import warehouse
    from api import keys
    from api.app import create_app
    from benchmarks.dashboards_bench import build
    from dashboards import auth
    from metrics import service
    from tests.conftest import free_port

    ch = warehouse.connect()
    warehouse.migrate(ch)
    end = dt.date(2026, 6, 30)  # a fixed day: the benchmark's data and queries do not follow the calendar
    t0 = time.perf_counter()
    counts = build(ch, rows, end)
    build_s = time.perf_counter() - t0
    auth.add_user(ch, tenant_id=TENANT, login="bench-api", role="pm", password="bench-password-1")
    key = keys.create(ch, tenant_id=TENANT, login="bench-api")

    # The warehouse's share: time inside the client's query calls, summed over every request's queries.
    in_warehouse = [0.0]
    lock = threading.Lock()
    original = service._rows

    def timed_rows(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            with lock:
                in_warehouse[0] += time.perf_counter() - t

    service._rows = timed_rows  # type: ignore[assignment]
    port = free_port()
    app = create_app(rate=10_000, burst=10_000)
    in_server = [0.0]

    @app.middleware("http")
    async def timer(request: Any, call_next: Any) -> Any:
        t = time.perf_counter()
        response = await call_next(request)
        in_server[0] += time.perf_counter() - t
        return response

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    spec = {"url": f"http://127.0.0.1:{port}", "end": end.isoformat(), "n_clients": 10}
    child_env = {**os.environ, "MRM_BENCH_API_KEY": key}
    # warm-up: one pass of each query kind (connections, caches of the engine)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.api_bench",
            "--clients",
            "4",
            "--requests",
            "4",
            "--load-only",
            json.dumps(spec),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env=child_env,
    )
    in_warehouse[0] = in_server[0] = 0.0
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.api_bench",
            "--clients",
            str(clients),
            "--requests",
            str(requests),
            "--load-only",
            json.dumps(spec),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env=child_env,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    server.should_exit = True
    thread.join(timeout=30)
    server_time = in_server[0]  # summed time of the requests inside the server (queueing included)
    result.update(
        {
            "rows": counts.get("fct_ad_performance_daily", rows),
            "build_s": round(build_s, 1),
            "clients": clients,
            "warehouse_s": round(in_warehouse[0], 2),
            "server_s": round(server_time, 2),
            "warehouse_share": round(in_warehouse[0] / max(server_time, 1e-9), 2),
            "target": "p95 < 500 ms with 20 concurrent clients on 10 M ad rows",
        }
    )
    result["markdown"] = (
        f"| rows | clients | requests | p50 ms | p95 ms | req/s | warehouse share |\n"
        f"|---|---|---|---|---|---|---|\n| {result['rows']:,} | {clients} | {result['requests']} | "
        f"{result['p50_ms']} | {result['p95_ms']} | {result['rps']} | "
        f"{result['warehouse_share']:.0%} |"
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
