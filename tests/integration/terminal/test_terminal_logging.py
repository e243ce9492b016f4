"""The terminal of `mrm`: the platform's lines shown, third-party chatter kept in the log file, acknowledged
warnings silenced; `mrm warehouse sql` runs any statement; `mrm sandbox start` prints working credentials."""

from __future__ import annotations

import io
import logging
import re
import sys
import warnings
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner

from mrm import logsetup


@pytest.fixture
def fresh_logging() -> Iterator[None]:
    """Leave the root logger, the warnings filters and MRM_LOG_LEVEL as they were."""
    with warnings.catch_warnings(), pytest.MonkeyPatch.context() as mp:
        # a fresh process's filters: what earlier tests in this process ignored must not hide a warning here
        warnings.resetwarnings()
        warnings.simplefilter("default")
        mp.setenv("MRM_LOG_LEVEL", "INFO")  # recorded, so a verbose test's DEBUG is undone
        yield
        logsetup.teardown()


def _speak() -> None:
    logging.getLogger("mrm.demo").info("platform step done")
    logging.getLogger("assistants.reports").info("report written")
    logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
    logging.getLogger("fontTools.subset").info("maxp pruned")
    logging.getLogger("great_expectations._docs_decorators").warning("a real third-party warning")
    warnings.warn(
        "Parameter `backfill_policy` of function `asset` is currently in beta, and may change",
        FutureWarning,
        stacklevel=1,
    )
    warnings.warn("something the platform has not acknowledged", UserWarning, stacklevel=1)


def test_terminal_shows_the_platform_and_warnings_the_file_keeps_everything(tmp_path, fresh_logging):
    term = io.StringIO()
    path = logsetup.setup("unit", data_dir=tmp_path, stream=term)
    _speak()
    shown = term.getvalue()
    assert "platform step done" in shown and "report written" in shown
    assert "SQLiteImpl" not in shown and "maxp pruned" not in shown  # third-party INFO stays off the terminal
    assert "a real third-party warning" in shown  # ...but its warnings still reach the reader
    assert "something the platform has not acknowledged" in shown
    assert "backfill_policy" not in shown  # silenced on purpose (see ACKNOWLEDGED_WARNINGS)
    assert path == tmp_path / "logs" / "mrm-unit.log"
    for h in logging.getLogger().handlers:
        h.flush()
    kept = path.read_text(encoding="utf-8")
    assert "=== mrm unit started" in kept
    for line in ("platform step done", "SQLiteImpl", "maxp pruned", "a real third-party warning"):
        assert line in kept


def test_verbose_shows_third_party_lines_and_acknowledged_warnings(tmp_path, fresh_logging):
    term = io.StringIO()
    logsetup.setup("unit", data_dir=tmp_path, stream=term, verbose=True)
    _speak()
    shown = term.getvalue()
    assert "SQLiteImpl" in shown and "maxp pruned" in shown and "backfill_policy" in shown
    assert logsetup.is_verbose()  # children started from here inherit the switch


def test_a_second_setup_replaces_its_handlers_and_bad_levels_are_refused(tmp_path, fresh_logging):
    logsetup.setup("one", data_dir=tmp_path, stream=io.StringIO())
    logsetup.setup("two", data_dir=tmp_path, stream=io.StringIO())
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_mrm", False)]
    assert len(ours) == 2  # one terminal, one file: not four
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        logsetup.setup("x", level="loud", data_dir=tmp_path)
    res = CliRunner().invoke(
        __import__("mrm.cli", fromlist=["cli"]).cli, ["--log-level", "loud", "tenants", "list"]
    )
    assert res.exit_code == 2 and "unknown log level" in res.output


def test_child_env_carries_the_acknowledged_warnings_unless_verbose():
    env = logsetup.child_env({"PYTHONWARNINGS": "error::ResourceWarning"}, verbose=False)
    assert env["PYTHONWARNINGS"].startswith("error::ResourceWarning,ignore:Parameter `backfill_policy`")
    assert "ignore:Function `dev_command` is superseded" in env["PYTHONWARNINGS"]
    assert ":" not in env["PYTHONWARNINGS"].split("ignore:", 1)[1].split(",")[0]  # one field per prefix
    assert "PYTHONWARNINGS" not in logsetup.child_env({}, verbose=True)


def test_warehouse_sql_runs_any_statement_and_formats_only_rows(warehouse_url):
    from warehouse.cli import warehouse

    run = CliRunner().invoke
    table = "default.e_sql_cli"
    assert run(warehouse, ["sql", f"DROP TABLE IF EXISTS {table}"]).exit_code == 0
    created = run(
        warehouse, ["sql", f"CREATE TABLE {table} (id UInt32, name String) ENGINE = MergeTree ORDER BY id"]
    )
    assert created.exit_code == 0, created.output
    inserted = run(warehouse, ["sql", f"INSERT INTO {table} VALUES (1, 'один'), (2, 'two')"])
    assert inserted.exit_code == 0, inserted.output  # was a parse error: FORMAT appended to an INSERT
    selected = run(warehouse, ["sql", f"SELECT id, name FROM {table} ORDER BY id"])
    assert selected.exit_code == 0, selected.output
    assert re.search(r"│\s*1\s*│\s*один\s*│", selected.output) and "┌" in selected.output  # the Pretty format
    csv = run(warehouse, ["sql", f"SELECT id FROM {table} ORDER BY id FORMAT CSV"])
    assert csv.output.split() == ["1", "2"]  # the query's own FORMAT wins
    tsv = run(warehouse, ["sql", f"SELECT count() FROM {table}", "--format", "TSV"])
    assert tsv.output.strip() == "2"
    bad = run(warehouse, ["sql", f"INSERT INTO {table} VALUES (oops"])
    assert bad.exit_code == 1 and "Error" in bad.output
    assert run(warehouse, ["sql", f"DROP TABLE {table}"]).exit_code == 0


def test_sandbox_start_prints_credentials_that_the_emulators_accept():
    from ingestion.cli import UNDESCRIBED, sandbox_credentials
    from ingestion.sandbox.server import SandboxServer

    with SandboxServer() as server:
        printed = {
            api: " ".join(sandbox_credentials(api, url, server.world)) for api, url in server.urls.items()
        }
        assert set(printed) >= {"direct", "metrika", "oauth", "vk", "garpun", "telegram"}
        undescribed = [api for api, text in printed.items() if not text or UNDESCRIBED in text]
        assert not undescribed, f"emulators without printed credentials: {undescribed}"

        def field(api: str, name: str) -> str:
            found = re.search(rf"{name}=(\S+)", printed[api])
            assert found, f"{api}: no {name} in {printed[api]!r}"
            return found.group(1)

        yandex = httpx.post(
            f"{server.url('oauth')}/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": field("oauth", "refresh_token"),
                "client_id": field("oauth", "client_id"),
                "client_secret": field("oauth", "client_secret"),
            },
        )
        assert yandex.status_code == 200 and yandex.json()["access_token"]
        vk_account = printed["vk"].rsplit("one of: ", 1)[1].split(", ")[0]
        vk = httpx.post(
            f"{server.url('vk')}/api/v2/oauth2/token.json",
            data={
                "grant_type": "agency_client_credentials",
                "agency_client_name": vk_account,
                "client_id": field("vk", "client_id"),
                "client_secret": field("vk", "client_secret"),
            },
        )
        assert vk.status_code == 200 and vk.json()["access_token"]
        token = re.search(r"Bearer (\S+)", printed["direct"]).group(1)  # type: ignore[union-attr]
        login = printed["direct"].rsplit("to try: ", 1)[1].split(", ")[0]
        campaigns = httpx.post(
            f"{server.url('direct')}/json/v5/campaigns",
            headers={"Authorization": f"Bearer {token}", "Client-Login": login},
            json={"method": "get", "params": {"SelectionCriteria": {}, "FieldNames": ["Id"]}},
        )
        assert campaigns.status_code == 200 and "error" not in campaigns.json(), campaigns.text
        bot = re.search(r"bot token (\S+):", printed["telegram"]).group(1)  # type: ignore[union-attr]
        me = httpx.get(f"{server.url('telegram')}/bot{bot}/getMe")
        assert me.status_code == 200 and me.json()["ok"] is True, me.text


def test_printed_output_goes_to_the_log_file_and_its_warnings_to_the_terminal(
    tmp_path, fresh_logging, capsys
):
    term = io.StringIO()
    path = logsetup.setup("unit", data_dir=tmp_path, stream=term)
    watched: list[str] = []
    with logsetup.printed_output_to_log(watch=watched.append):
        print("1 of 110 START sql view model `staging`.`stg_app__accounts` ...... [RUN]")
        print(
            "2026-12-05 - dagster - WARNING - platform_job - run - step - \x1b[33mslow step\x1b[0m",
            file=sys.stderr,
        )
        print("no newline at the end", end="")
    assert capsys.readouterr() == ("", "")  # nothing reached the real stdout/stderr
    assert len(watched) == 3 and "\x1b[" not in watched[1]  # every line, without colour codes
    shown = term.getvalue()
    assert "stg_app__accounts" not in shown and "no newline" not in shown
    assert "WARNING - platform_job - run - step - slow step" in shown and "\x1b[" not in shown
    for h in logging.getLogger().handlers:
        h.flush()
    kept = path.read_text(encoding="utf-8")  # type: ignore[union-attr]
    assert "INFO dbt.output: 1 of 110 START" in kept and "INFO dbt.output: no newline at the end" in kept
    assert "WARNING dagster.console:" in kept


def test_a_command_run_in_process_leaves_logging_as_it_found_it(tmp_path, fresh_logging, monkeypatch):
    from mrm.cli import cli

    monkeypatch.setenv("MRM_DATA_DIR", str(tmp_path))
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    res = CliRunner().invoke(cli, ["tenants", "--help"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "logs" / "mrm-tenants.log").exists()  # the set-up ran for this command...
    assert root.level == level and root.handlers == handlers  # ...and was undone when it ended


def test_dagster_console_lines_become_one_progress_line_per_step(caplog):
    from mrm.demo import StepProgress

    progress = StepProgress()
    run = "2026-12-05 15:19:06 +0000 - dagster - INFO - platform_job - e028171c-2b57-45ba-b27d-d5b789a3a7c3"
    with caplog.at_level(logging.INFO, logger="mrm.demo"):
        progress(f"{run} - garpun_raw - garpun: 1 accounts, requested 2026-12-02..2026-12-04")
        progress(f"{run} - garpun_raw - a second line of the same step")
        progress("1 of 110 START sql view model `staging`.`stg_app__accounts`")
        progress(f"{run.replace('INFO', 'WARNING')} - mrm_dbt_models - dbt build for 2026-12-02..2026-12-04")
    said = [r.getMessage() for r in caplog.records if r.name == "mrm.demo"]
    assert [m.split(" (at ")[0] for m in said] == ["  · garpun_raw", "  · mrm_dbt_models"]
