"""Sync runs through a real Dagster webserver: `dagster dev` (webserver + daemon, as `mrm dagster` runs it) on a free
port, the sandbox APIs and a warehouse of this module's own. A backfill started through the GraphQL API loads the
account's window and rebuilds the marts; a run of a login the agency does not serve fails, showing the API's
refusal as its error."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from benchmarks.app_server import dagster_dev
from dashboards.auth import Principal
from ingestion.sandbox.testing import SANDBOX_TODAY, sandbox  # noqa: F401 - session fixture
from tests.conftest import free_port
from tests.machine import load_factor
from workspace import sync

TENANT = "sync_it"
ROOT = Path(__file__).resolve().parents[3]
BACKFILL_DAYS = 3


@contextmanager
def running_dagster(
    data_dir: Path, warehouse_url: str, *, platforms: str, extra_env: dict[str, str] | None = None
) -> Iterator[str]:
    """`dagster dev` for our code location in sandbox mode, writing to `warehouse_url`; yields its base URL.

    The sandbox the runs use is whatever `data_dir/sandbox.json` announces (write it before runs start)."""
    from orchestration.cli import dagster_dev_command, dagster_env
    from orchestration.home import INSTANCE_YAML

    home = data_dir / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INSTANCE_YAML, home / "dagster.yaml")
    env = dagster_env(home, sandbox=True, platforms=platforms)
    for var in ("CLICKHOUSE_HOST", "CLICKHOUSE_PORT", "CLICKHOUSE_USER", "CLICKHOUSE_PASSWORD"):
        env.pop(var, None)
    env.update({"CLICKHOUSE_URL": warehouse_url, "MRM_DATA_DIR": str(data_dir), **(extra_env or {})})
    with dagster_dev(
        lambda port: dagster_dev_command("127.0.0.1", port),
        env,
        timeout_s=180 * load_factor(),
        log=data_dir / "dagster-dev.log",
    ) as url:
        yield url


def announce_sandbox(data_dir: Path, server: Any) -> None:
    """Point sandbox-mode resources (ingestion.demo.sandbox_urls) in processes using `data_dir` at `server`."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "sandbox.json").write_text(json.dumps({"base_url": server.base_url, "pid": os.getpid()}))


@pytest.fixture(scope="module")
def wh(private_ch):
    from warehouse.migrate import migrate

    migrate(private_ch)
    return private_ch


@pytest.fixture(scope="module")
def dagster_url(wh, sandbox, tmp_path_factory) -> Iterator[str]:  # noqa: F811
    data = tmp_path_factory.mktemp("sync-dagster")
    announce_sandbox(data, sandbox)
    with running_dagster(data, os.environ["CLICKHOUSE_URL"], platforms="yandex_direct") as url:
        yield url


@pytest.fixture(scope="module")
def admin(wh) -> Principal:
    wh.insert(
        "app.clients",
        [[TENANT, "shoes", "Shoes"], [TENANT, "auto", "Auto"]],
        column_names=["tenant_id", "client_id", "name"],
    )
    wh.insert(
        "app.accounts",
        [
            [TENANT, "shoes", "yandex_direct", "shoes-direct"],
            [TENANT, "auto", "yandex_direct", "gone-direct"],
        ],
        column_names=["tenant_id", "client_id", "platform", "account_id"],
    )
    return Principal(TENANT, "sync-admin@it", "admin")


def _limit(seconds: float) -> float:
    return seconds * load_factor()


def test_a_backfill_run_loads_the_accounts_window_and_rebuilds_the_marts(wh, admin, dagster_url) -> None:
    api = sync.Dagster(dagster_url)
    first = SANDBOX_TODAY - dt.timedelta(days=BACKFILL_DAYS)
    run = sync.start(
        wh,
        admin,
        "shoes",
        "yandex_direct",
        ["shoes-direct"],
        "backfill",
        date_from=first,
        today=SANDBOX_TODAY,
        dagster=api,
    )
    last = SANDBOX_TODAY - dt.timedelta(days=1)
    assert (run.window.first, run.window.last, run.window.days) == (first, last, BACKFILL_DAYS)
    assert run.url == f"{dagster_url}/runs/{run.run_id}"
    state = sync.wait(api, run.run_id, timeout_s=_limit(900))
    assert state.ok, state.error
    assert state.steps_total >= 3 and state.steps_done == state.steps_total
    # The page's refresh records the outcome; the latest run of the account is this one, succeeded.
    assert sync.refresh(wh, admin, "shoes", run.run_id, dagster=api).ok
    latest = sync.latest_runs(wh, admin, "shoes")
    assert [(r["account_id"], r["run_id"], r["status"], r["date_from"], r["date_to"]) for r in latest] == [
        ("shoes-direct", run.run_id, "SUCCESS", first, last)
    ]
    # The loader logged the account's window, and only this account of the tenant was loaded.
    logged = wh.query(
        "SELECT account_id, min(date_from), max(date_to), sum(rows) FROM app.load_log "
        "WHERE tenant_id = {t:String} AND status = 'ok' GROUP BY account_id",
        parameters={"t": TENANT},
    ).result_rows
    assert [r[0] for r in logged] == ["shoes-direct"], logged
    assert logged[0][1] <= first and logged[0][2] == last and logged[0][3] > 0
    # The mart holds every day of the window for the client, with the raw current rows' impressions.
    from warehouse.loads import current_rows_sql

    raw = dict(
        wh.query(
            f"SELECT date_day, sum(impressions) FROM ({current_rows_sql('raw_yandex_direct.ad_stats_daily')}) "  # noqa: S608
            "WHERE tenant_id = {t:String} AND date_day BETWEEN {f:Date} AND {l:Date} GROUP BY date_day",
            parameters={"t": TENANT, "f": first, "l": last},
        ).result_rows
    )
    mart = dict(
        wh.query(
            "SELECT date_day, sum(impressions) FROM marts.fct_ad_performance_daily WHERE tenant_id = {t:String} "
            "AND client_id = 'shoes' AND platform = 'yandex_direct' AND date_day BETWEEN {f:Date} AND {l:Date} "
            "GROUP BY date_day",
            parameters={"t": TENANT, "f": first, "l": last},
        ).result_rows
    )
    assert len(raw) == BACKFILL_DAYS and all(v > 0 for v in raw.values()), raw
    assert mart == raw


def test_a_failing_run_shows_as_failed_with_its_error(wh, admin, dagster_url) -> None:
    # An advertiser login the agency does not serve (any more): Direct answers error 54, which is not retried.
    api = sync.Dagster(dagster_url)
    run = sync.start(
        wh, admin, "auto", "yandex_direct", ["gone-direct"], "load_now", today=SANDBOX_TODAY, dagster=api
    )
    assert run.window.first == run.window.last == SANDBOX_TODAY - dt.timedelta(days=1)
    state = sync.wait(api, run.run_id, timeout_s=_limit(600))
    assert state.status == "FAILURE"
    # The error is the loader's own, naming the step, the account and the API's refusal; nothing was loaded.
    assert "yandex_direct_raw" in state.error and "sync_it/gone-direct" in state.error, state.error
    assert "54" in state.error and "not a client of this agency" in state.error, state.error
    sync.refresh(wh, admin, "auto", run.run_id, dagster=api)
    stored = wh.query(
        "SELECT account_id, status, error FROM app.sync_runs FINAL WHERE tenant_id = {t:String} "
        "AND run_id = {r:String}",
        parameters={"t": TENANT, "r": run.run_id},
    ).result_rows
    assert stored == [("gone-direct", "FAILURE", state.error)]
    loaded = wh.query(
        "SELECT count() FROM app.load_log WHERE tenant_id = {t:String} AND account_id = 'gone-direct' "
        "AND status = 'ok'",
        parameters={"t": TENANT},
    ).result_rows[0][0]
    assert loaded == 0


def test_starting_a_run_is_refused_for_a_wrong_window_an_unknown_account_or_an_unreachable_dagster(
    wh, admin
) -> None:
    gone = sync.Dagster(f"http://127.0.0.1:{free_port()}")

    def start(who: Principal, client: str, kind: str, **kw: Any) -> Any:
        return sync.start(
            wh, who, client, "yandex_direct", ["shoes-direct"], kind, today=SANDBOX_TODAY, dagster=gone, **kw
        )

    with pytest.raises(sync.SyncError, match="date_from: .* after the last complete day"):
        start(admin, "shoes", "backfill", date_from=SANDBOX_TODAY)
    with pytest.raises(LookupError, match="not an account of client 'auto'"):
        start(admin, "auto", "load_now")
    with pytest.raises(sync.SyncError, match="did not answer"):
        start(admin, "shoes", "load_now")
    with pytest.raises(PermissionError):
        start(Principal(TENANT, "sync-analyst@it", "analyst"), "shoes", "load_now")
    # Nothing was recorded for the refused starts.
    assert not wh.query(
        "SELECT count() FROM app.sync_runs WHERE tenant_id = {t:String} AND client_id = 'shoes' "
        "AND kind = 'load_now'",
        parameters={"t": TENANT},
    ).result_rows[0][0]
