"""Load test of the analyst app: N simulated users speak Streamlit's websocket protocol, as browsers without rendering.

    python -m benchmarks.streamlit_load [--users 100] [--rows 1000000] [--workers 2] [--url http://…]

Each user signs in through the login form, lands on Overview, changes the period, then opens Campaigns, Plan vs
Fact, Reach and Assistant, thinking between actions. Per step it reports the server-side time from the request of a
run to its `script_finished` (the last delta of that run) as p50/p95/p99, the errors the runs drew, and the CPU
seconds by process. Without --url it builds sample marts with --rows ad rows in a throw-away embedded warehouse and
serves the app itself (`mrm dashboards --workers N`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import click

from benchmarks.app_server import free_port, wait_healthy_path
from benchmarks.streamlit_client import Run, Session
from dashboards.i18n import t

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95_MS = 2000.0
# step -> (url path of the page, or None for an action on the current page; a heading the run must draw)
STEPS = [
    ("Sign in", None, "Overview"),
    ("Overview: change period", None, "Overview"),
    ("Campaigns", "campaigns", "Campaigns"),
    ("Plan vs Fact", "plan-fact", "Plan vs Fact"),
    ("Reach", "reach", "Reach & Frequency"),
    ("Assistant", "assistant", "Assistant"),
]


@functools.cache
def _same_period() -> frozenset[str]:
    """Preset labels (the sessions run in English) that would not change the period: the default one and "custom",
    which only opens the date range for typing. (The app's module is imported here, not at the top: importing it
    outside a Streamlit server makes Streamlit warn once per cached function, which `--help` would print.)"""
    from dashboards.ui import DEFAULT_PRESET

    return frozenset(t(f"preset_{name}", "en") for name in (DEFAULT_PRESET, "custom"))


@dataclass
class Results:
    ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    sessions_done: int = 0


def percentile(xs: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    s = sorted(xs)
    return s[max(0, min(len(s) - 1, int(round(q / 100 * len(s))) - 1))]


async def user_session(
    url: str,
    user: int,
    login: str,
    password: str,
    out: Results,
    *,
    think_s: float,
    rng: random.Random,
    timeout_s: float,
    query: str = "lang=en",
) -> None:
    """One user's visit; any failure is recorded against its step and ends the visit (a user would reload)."""
    s = Session(url, timeout_s=timeout_s, query=query)
    step = "connect"

    async def think() -> None:
        # Exponential think time around the mean, as users pause unevenly; capped so a run stays bounded.
        await asyncio.sleep(min(rng.expovariate(1 / think_s), 4 * think_s) if think_s > 0 else 0)

    def record(name: str, run: Run, heading: str) -> None:
        out.ms[name].append(run.ms)
        out.errors.extend(f"user {user} {name}: {e}" for e in run.errors)
        if heading not in run.headings:
            out.errors.append(f"user {user} {name}: no heading {heading!r} (drew {run.headings[:5]})")

    try:
        await s.connect()
        step = "open"
        first = await s.rerun()
        record("Open (sign-in form)", first, "Sign in")
        await think()
        step = "Sign in"
        submit = s.submitter("login_form")
        run = await s.rerun(
            set_values={
                s.widget("login_name").id: ("string_value", login),
                s.widget("login_password").id: ("string_value", password),
            },
            trigger=submit.id,
        )
        s.values.clear()  # the form is gone after a sign-in
        record(step, run, STEPS[0][2])
        for step, path, heading in STEPS[1:]:
            await think()
            if path is None:  # the period preset in the sidebar, as a user picks another one
                preset = s.widget("period_preset")
                choice = rng.choice([o for o in preset.options if o not in _same_period()])
                run = await s.rerun(set_values={preset.id: ("string_value", choice)})
            else:
                run = await s.rerun(page=path)
            record(step, run, heading)
        out.sessions_done += 1
    except Exception as exc:  # noqa: BLE001 - every failure is counted against its step, none stops the others
        out.errors.append(f"user {user} {step}: {type(exc).__name__}: {exc}")
    finally:
        await s.close()


async def run_load(
    url: str,
    users: int,
    logins: list[str],
    password: str,
    *,
    think_s: float = 3.0,
    ramp_s: float = 10.0,
    timeout_s: float = 120.0,
    seed: int = 1,
) -> Results:
    """`users` sessions at once, their starts spread over `ramp_s` (users do not all click in the same instant)."""
    out = Results()
    rng = random.Random(seed)

    async def one(i: int) -> None:
        await asyncio.sleep(ramp_s * i / max(1, users))
        await user_session(
            url,
            i,
            logins[i % len(logins)],
            password,
            out,
            think_s=think_s,
            rng=random.Random(rng.random()),
            timeout_s=timeout_s,
        )

    await asyncio.gather(*(one(i) for i in range(users)))
    return out


def cpu_seconds(roots: list[int] | None = None) -> dict[str, float]:
    """CPU seconds so far by process role: app processes, the balancer, the warehouse, this load generator.

    With `roots`, only those processes and their descendants count (the machine may run other people's app
    servers and warehouses); without, every process on the machine whose command line names its role."""
    import psutil

    out = {"streamlit": 0.0, "balancer": 0.0, "warehouse": 0.0, "load generator": 0.0, "other": 0.0}
    me = psutil.Process()
    procs = [me]
    if roots is None:
        procs += [p for p in psutil.process_iter() if p.pid != me.pid]
    else:
        for pid in roots:
            try:
                root = psutil.Process(pid)
                procs += [root, *root.children(recursive=True)]
            except psutil.Error:
                continue
    for proc in procs:
        try:
            times = proc.cpu_times()
            cmd = " ".join(proc.cmdline())
        except (psutil.Error, OSError):
            continue
        role = (
            "load generator"
            if proc.pid == me.pid
            else "balancer"
            if "dashboards.balancer" in cmd
            else "streamlit"
            if "streamlit run" in cmd
            else "warehouse"
            if "warehouse" in cmd
            else "other"
        )
        out[role] += times.user + times.system
    return out


def summarize(res: Results, users: int, wall_s: float, cpu: dict[str, float]) -> dict:
    pages = {
        name: {
            "n": len(xs),
            "p50_ms": round(statistics.median(xs)),
            "p95_ms": round(percentile(xs, 95)),
            "p99_ms": round(percentile(xs, 99)),
            "ok": percentile(xs, 95) < TARGET_P95_MS,
        }
        for name, xs in res.ms.items()
        if xs
    }
    return {
        "users": users,
        "sessions_completed": res.sessions_done,
        "errors": len(res.errors),
        "error_samples": res.errors[:10],
        "wall_s": round(wall_s, 1),
        "pages": pages,
        "cpu_s": {k: round(v, 1) for k, v in cpu.items()},
    }


def markdown(summary: dict, title: str) -> str:
    lines = [
        title,
        "",
        f"{summary['users']} users, {summary['sessions_completed']} sessions completed, "
        f"{summary['errors']} errors, {summary['wall_s']} s wall.",
        "",
        "| step | runs | p50 ms | p95 ms | p99 ms | p95 < 2 s |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {k} | {v['n']} | {v['p50_ms']} | {v['p95_ms']} | {v['p99_ms']} | {'ok' if v['ok'] else 'MISSED'} |"
        for k, v in summary["pages"].items()
    ]
    total = sum(summary["cpu_s"].values()) or 1.0
    lines += ["", "| process | CPU s | share |", "|---|---|---|"]
    lines += [f"| {k} | {v} | {v / total:.0%} |" for k, v in summary["cpu_s"].items()]
    return "\n".join(lines)


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Wait for Streamlit's health endpoint (through the balancer when there is one)."""
    wait_healthy_path(url, "/_stcore/health", proc, timeout_s)


@click.command()
@click.option("--users", default=100, show_default=True, help="Concurrent simulated users.")
@click.option(
    "--rows", default=1_000_000, show_default=True, help="Ad rows in the sample marts (without --url)."
)
@click.option(
    "--workers", default=2, show_default=True, help="App processes behind the balancer (without --url)."
)
@click.option(
    "--think", "think_s", default=8.0, show_default=True, help="Mean think time between actions, s."
)
@click.option("--ramp", "ramp_s", default=30.0, show_default=True, help="Seconds over which users arrive.")
@click.option("--url", default=None, help="Load an app already serving here (users must exist, see --login).")
@click.option("--login", "logins", multiple=True, help="With --url: logins to use (repeatable).")
@click.option("--password", envvar="MRM_LOAD_PASSWORD", default=None, help="With --url: their password.")
@click.option(
    "--browser/--no-browser",
    "with_browser",
    default=True,
    show_default=True,
    help="Without --url: one real Chromium session measures first paint during the load.",
)
def main(
    users: int,
    rows: int,
    workers: int,
    think_s: float,
    ramp_s: float,
    url: str | None,
    logins: tuple[str, ...],
    password: str | None,
    with_browser: bool,
) -> None:
    """Run N simulated users against the app and print the per-step table and a JSON summary."""
    if url:
        if not logins or not password:
            raise click.UsageError("--url needs --login and --password (MRM_LOAD_PASSWORD)")
        res, wall, cpu = _measure(url, users, list(logins), password, think_s, ramp_s)
        summary = summarize(res, users, wall, cpu)
        summary["markdown"] = markdown(summary, f"## Streamlit load against {url}")
    else:
        summary = _self_served(users, rows, workers, think_s, ramp_s, with_browser)
    click.echo(summary["markdown"])
    click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    if summary["errors"]:
        raise SystemExit(1)


def _measure(
    url: str,
    users: int,
    logins: list[str],
    password: str,
    think_s: float,
    ramp_s: float,
    roots: list[int] | None = None,
) -> tuple[Results, float, dict[str, float]]:
    cpu0, t0 = cpu_seconds(roots), time.perf_counter()
    res = asyncio.run(run_load(url, users, logins, password, think_s=think_s, ramp_s=ramp_s))
    wall, cpu1 = time.perf_counter() - t0, cpu_seconds(roots)
    return res, wall, {k: v - cpu0.get(k, 0.0) for k, v in cpu1.items()}


def _browser_during_load(url: str, delay_s: float, out: dict) -> None:
    """One real Chromium session once the simulated users are arriving: ms from the sign-in click (Overview) and from
    a click on each page's link to that page's data on screen. Its renderer runs on the server's cores too."""
    from playwright.sync_api import sync_playwright

    from benchmarks.dashboards_bench import CHROMIUM, PAGES, PASSWORD

    time.sleep(delay_s)
    ms: dict[str, float] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            page.goto(f"{url}/?lang=en")
            page.get_by_role("textbox", name="Login").fill("bench-pm")
            page.get_by_role("textbox", name="Password").fill(PASSWORD)
            t0 = time.perf_counter()
            page.get_by_role("button", name="Sign in").click()
            page.locator(PAGES["Overview"]).first.wait_for()
            ms["Overview (sign in)"] = (time.perf_counter() - t0) * 1000
            for name in ("Campaigns", "Plan vs Fact", "Reach & Frequency"):
                t0 = time.perf_counter()
                page.get_by_role("link", name=name, exact=True).click()
                page.get_by_role("heading", name=name).wait_for()
                page.locator(PAGES[name]).first.wait_for()
                ms[name] = (time.perf_counter() - t0) * 1000
            browser.close()
    except Exception as exc:  # noqa: BLE001 - reported in the summary next to what was measured
        out["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    out["ms"] = ms


def _self_served(
    users: int, rows: int, workers: int, think_s: float, ramp_s: float, with_browser: bool
) -> dict:
    import clickhouse_connect

    from benchmarks.dashboards_bench import PASSWORD, TENANT, build
    from dashboards.auth import add_user
    from mrm import procs
    from warehouse import embedded
    from warehouse.migrate import migrate

    tmp = Path(tempfile.mkdtemp(prefix="mrm-load-"))
    info = embedded.start(tmp / "data", port=free_port())
    try:
        ch = clickhouse_connect.get_client(dsn=info.url, send_receive_timeout=1200)
        migrate(ch)
        counts = build(ch, rows, dt.date.today() - dt.timedelta(days=1))
        add_user(ch, tenant_id=TENANT, login="bench-pm", role="pm", password=PASSWORD)
        port = free_port()
        env = {**os.environ, "CLICKHOUSE_URL": info.url, "MRM_MARTS_DB": "marts_bench"}
        app = procs.start(
            [sys.executable, "-m", "mrm.cli", "dashboards", "--port", str(port), "--workers", str(workers)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, app, 300)
            load = os.getloadavg()[0]
            paint: dict = {}
            browser = threading.Thread(
                target=_browser_during_load, args=(url, ramp_s / 2, paint), daemon=True
            )
            if with_browser:
                browser.start()
            res, wall, cpu = _measure(
                url, users, ["bench-pm"], PASSWORD, think_s, ramp_s, roots=[app.pid, info.pid]
            )
            if with_browser:
                browser.join(timeout=600)
        finally:
            procs.stop(app)
    finally:
        embedded.stop(tmp / "data")
    summary = summarize(res, users, wall, cpu)
    summary.update(rows=counts.get("fct_ad_performance_daily", rows), workers=workers, load_avg_before=load)
    if with_browser:
        summary["browser_first_paint_ms"] = {k: round(v) for k, v in paint.get("ms", {}).items()}
        summary["browser_error"] = paint.get("error", "" if paint.get("ms") else "not finished")
    summary["markdown"] = markdown(
        summary,
        f"## Streamlit load: {users} users, {workers} app processes, "
        f"{summary['rows']:,} ad rows ({os.cpu_count()} cores, 1-min load {load:.1f} "
        "before)",
    )
    if with_browser:
        paints = summary["browser_first_paint_ms"]
        summary["markdown"] += (
            "\n\nOne real Chromium session during the load (click → page data on screen, ms): "
            + (", ".join(f"{k} {v}" for k, v in paints.items()) or "none")
            + (f" — {summary['browser_error']}" if summary["browser_error"] else "")
        )
    return summary


if __name__ == "__main__":
    main()
