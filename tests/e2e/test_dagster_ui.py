"""The Dagster UI as `make demo` leaves it: the demo job ran as a real run in DAGSTER_HOME (the session's demo run,
tests/demo_run.py), then `mrm dagster` serves the UI; headless Debian chromium sees the asset graph and the
successful run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.app_server import free_port, wait_healthy_path
from mrm import procs

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dagster_ui(demo_after_run) -> Iterator[dict[str, str]]:
    """`mrm dagster` over the data directory of the session's `mrm demo --no-serve` run (tests/demo_run.py), whose
    job ran as a real run in its DAGSTER_HOME."""
    from dagster import DagsterInstance

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `apt-get install -y chromium` (never `playwright install`)")
    run, data = demo_after_run.run, demo_after_run.data
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    with DagsterInstance.from_config(str(data / "dagster")) as instance:
        (demo_run,) = instance.get_runs(limit=1)  # the demo job's run, the only one in this home
    assert demo_run.is_success, demo_run.status
    env = {
        k: v for k, v in os.environ.items() if k not in ("CLICKHOUSE_URL", "CLICKHOUSE_HOST", "DAGSTER_HOME")
    }
    env.update(
        {"MRM_DATA_DIR": str(data), "MRM_WAREHOUSE_PORT": str(free_port()), "GX_ANALYTICS_ENABLED": "false"}
    )
    port = free_port()
    log = data.parent / "dagster-dev.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from orchestration.cli import dagster_cmd; dagster_cmd()",
                "--port",
                str(port),
                "--sandbox",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy_path(url, "/server_info", proc, 180, log)
        yield {"url": url, "home": str(data / "dagster"), "run_id": demo_run.run_id}
    finally:
        proc.send_signal(
            signal.SIGINT
        )  # `mrm dagster` passes it to dagster dev, which stops webserver and daemon
        try:
            proc.wait(timeout=procs.DAGSTER_DEV_STOP_S + 20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        from warehouse import embedded

        embedded.stop(data)  # if the UI started the demo's warehouse again


def _dismiss_community_dialog(page) -> None:
    """A first-visit "Join the community" dialog covers the page; skip it when it appears."""
    skip = page.get_by_role("button", name="Skip")
    try:
        skip.first.wait_for(timeout=5000)
        skip.first.click()
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError: the dialog did not appear, nothing to dismiss
        pass


def test_ui_shows_asset_graph_and_successful_demo_run(dagster_ui, artifacts_dir) -> None:
    from playwright.sync_api import sync_playwright

    assert (Path(dagster_ui["home"]) / "dagster.yaml").read_text().count("enabled: false") >= 1
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(90_000)
        page.goto(f"{dagster_ui['url']}/asset-groups/")
        _dismiss_community_dialog(page)
        # The global lineage graph: raw databases → dbt layers → AI/report groups, all in one graph.
        graph = page.locator("#root")
        for group in ("raw_yandex_direct", "raw_vk_ads", "staging", "marts", "ai", "reports"):
            graph.get_by_text(group, exact=True).first.wait_for()
        page.screenshot(path=str(artifacts_dir / "dagster_asset_graph.png"))
        # A mart's own page: the dbt asset with its checks (dbt tests and the GX suite) from the demo run.
        page.goto(f"{dagster_ui['url']}/assets/marts/fct_ad_performance_daily")
        _dismiss_community_dialog(page)
        page.get_by_text("fct_ad_performance_daily").first.wait_for()
        page.screenshot(path=str(artifacts_dir / "dagster_mart_asset.png"))
        page.goto(f"{dagster_ui['url']}/runs")
        _dismiss_community_dialog(page)
        page.get_by_text("platform_job").first.wait_for()
        page.get_by_text("Success", exact=True).first.wait_for()
        page.screenshot(path=str(artifacts_dir / "dagster_runs.png"))
        page.goto(f"{dagster_ui['url']}/runs/{dagster_ui['run_id']}")
        _dismiss_community_dialog(page)
        page.get_by_text("Errored (0)").first.wait_for()
        page.get_by_text("mrm_dbt_models").first.wait_for()
        assert page.get_by_text("Success", exact=True).count() >= 1
        page.screenshot(path=str(artifacts_dir / "dagster_run_success.png"))
        browser.close()
