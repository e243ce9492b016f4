"""The Dagster UI as `make demo` leaves it: the demo job ran as a real run in DAGSTER_HOME, then `mrm dagster`
serves the UI; headless Debian chromium sees the asset graph and the successful run."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
DEMO_DAYS = 3  # the demo's shape with a short window: the UI test is about the UI, not load volume


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def dagster_ui(tmp_path_factory) -> Iterator[dict[str, str]]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `apt-get install -y chromium` (never `playwright install`)")
    data = tmp_path_factory.mktemp("dagster-demo") / "data"
    env = {k: v for k, v in os.environ.items() if k not in ("CLICKHOUSE_URL", "CLICKHOUSE_HOST", "DAGSTER_HOME")}
    env.update({"MRM_DATA_DIR": str(data), "MRM_WAREHOUSE_PORT": str(_free_port()), "GX_ANALYTICS_ENABLED": "false"})
    demo = subprocess.run(
        [sys.executable, "-c", f"from orchestration.demo import run_demo_job; import json; "
                               f"print(json.dumps(run_demo_job(days={DEMO_DAYS})))"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert demo.returncode == 0, demo.stderr[-4000:]
    summary = json.loads(demo.stdout.strip().splitlines()[-1])
    assert summary["success"] and not summary["failures"]
    port = _free_port()
    log = data.parent / "dagster-dev.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from orchestration.cli import dagster_cmd; dagster_cmd()", "--port", str(port),
             "--sandbox"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while True:
            try:
                if urllib.request.urlopen(f"{url}/server_info", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise AssertionError(f"dagster UI did not start: {log.read_text(errors='replace')[-3000:]}")
            time.sleep(1)
        yield {"url": url, "home": str(data / "dagster"), "run_id": summary["run_id"]}
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # dagster dev stops webserver and daemon on SIGINT
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        from warehouse import embedded

        embedded.stop(data)


def test_ui_shows_asset_graph_and_successful_demo_run(dagster_ui, artifacts_dir) -> None:
    from playwright.sync_api import sync_playwright

    assert (Path(dagster_ui["home"]) / "dagster.yaml").read_text().count("enabled: false") >= 1
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.set_default_timeout(90_000)
        page.goto(f"{dagster_ui['url']}/asset-groups/")
        # The global lineage graph: raw tables, dbt marts and the AI assets are all nodes of one graph.
        page.get_by_text("fct_ad_performance_daily").first.wait_for()
        page.get_by_text("banner_stats_daily").first.wait_for()
        page.get_by_text("client_reports").first.wait_for()
        page.screenshot(path=str(artifacts_dir / "dagster_asset_graph.png"))
        page.goto(f"{dagster_ui['url']}/runs")
        page.get_by_text("platform_job").first.wait_for()
        page.get_by_text("Success").first.wait_for()
        page.screenshot(path=str(artifacts_dir / "dagster_runs.png"))
        page.goto(f"{dagster_ui['url']}/runs/{dagster_ui['run_id']}")
        page.get_by_text("RUN_SUCCESS").first.wait_for()
        page.screenshot(path=str(artifacts_dir / "dagster_run_success.png"))
        browser.close()
