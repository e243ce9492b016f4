"""Distinctive fake secrets through failing operations: they must never appear in logs, errors, app tables or Dagster.

Every secret is set in the environment the way production sets it; the operations fail for real (401s from the
sandbox, an SMTP server refusing the log-in, a warehouse that does not answer, an LLM endpoint that is down).
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from ingestion.sandbox.testing import SANDBOX_TODAY, sandbox  # noqa: F401 - session fixture

SECRETS = {
    "MRM_DIRECT_TOKEN": "y0_FAKE-DIRECT-TOKEN-7c41e9",
    "MRM_VK_ADS_CLIENT_ID": "vk-client-sec-suite",
    "MRM_VK_ADS_CLIENT_SECRET": "FAKE-VK-SECRET-5b7f20d1",
    "ANTHROPIC_API_KEY": "sk-ant-FAKE-KEY-0d9a3b77",
    "CLICKHOUSE_PASSWORD": "FAKE-CH-PASS-88e1f3",
    "MRM_SMTP_USER": "reports-sec",
    "MRM_SMTP_PASSWORD": "FAKE-SMTP-PASS-2c6d4a",
}
SECRET_VALUES = [v for k, v in SECRETS.items() if "SECRET" in k or "TOKEN" in k or "KEY" in k or "PASS" in k]
TENANT = "sec_secrets"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Capture(logging.Handler):
    """Every log record of every logger at DEBUG, formatted with its exception and stack, as a user would see it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture()
def secrets_env(monkeypatch) -> Iterator[Capture]:
    for k, v in SECRETS.items():
        monkeypatch.setenv(k, v)
    cap = Capture()
    root = logging.getLogger()
    old = root.level
    root.addHandler(cap)
    root.setLevel(logging.DEBUG)
    try:
        yield cap
    finally:
        root.removeHandler(cap)
        root.setLevel(old)


def assert_clean(*texts: Any) -> None:
    blob = "\n".join(str(t) for t in texts)
    found = [s for s in SECRET_VALUES if s in blob]
    assert not found, (
        f"secret(s) {found} leaked in: {blob[blob.find(found[0]) - 300 : blob.find(found[0]) + 100]}"
    )


def _exc_texts(exc: BaseException) -> list[str]:
    import traceback

    out = []
    while exc is not None:
        out += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return out


def test_connector_401s_keep_tokens_out_of_logs_errors_and_load_log(ch, sandbox, secrets_env, capfd):  # noqa: F811
    from ingestion import vk_ads, yandex_direct
    from ingestion.common import IngestionError

    direct = yandex_direct.Settings.from_env(base_url=sandbox.url("direct"), max_attempts=1)
    with pytest.raises(IngestionError) as e1:
        yandex_direct.load(
            ch,
            direct,
            tenant_id=TENANT,
            account_id="shoes-direct",
            date_from=dt.date(2026, 1, 18),
            date_to=dt.date(2026, 1, 19),
            today=SANDBOX_TODAY,
        )
    vk = vk_ads.Settings.from_env(base_url=sandbox.url("vk"), max_attempts=1)
    account = sandbox.world.accounts_for("vk_ads")[0]
    with pytest.raises(IngestionError) as e2:
        vk_ads.load(
            ch,
            vk,
            tenant_id=TENANT,
            account_id=account.account_id,
            date_from=dt.date(2026, 1, 18),
            date_to=dt.date(2026, 1, 19),
            today=SANDBOX_TODAY,
        )
    rows = ch.query(
        "SELECT error, toString(request_ids) FROM app.load_log WHERE tenant_id = {t:String}",
        parameters={"t": TENANT},
    ).result_rows
    assert rows and any(
        "auth" in r[0].lower() or "token" in r[0].lower() or "401" in r[0] or "53" in r[0] for r in rows
    ), rows  # the failures were real and recorded
    out, err = capfd.readouterr()
    assert_clean(
        *_exc_texts(e1.value),
        *_exc_texts(e2.value),
        rows,
        secrets_env.lines,
        out,
        err,
        repr(direct),
        repr(vk),
        str(direct),
        str(vk),
    )


def test_bad_connector_settings_error_does_not_echo_the_token(secrets_env, monkeypatch):
    from ingestion import yandex_direct
    from ingestion.common import IngestionError

    monkeypatch.setenv("MRM_DIRECT_LOOKBACK_DAYS", "not-a-number")
    with pytest.raises(IngestionError) as err:
        yandex_direct.Settings.from_env(base_url="http://127.0.0.1:1")
    assert "LOOKBACK" in str(err.value).upper()
    assert_clean(*_exc_texts(err.value), secrets_env.lines)


def test_smtp_auth_failure_keeps_the_password_out(ch, sec_world, secrets_env, capfd):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from assistants.reports import load_run, send_report
    from tests.security.conftest import PERIOD, T2

    class Sink:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
            return "250 OK"

    def deny(server, session, envelope, mechanism, auth_data):  # every log-in is refused with 535
        return AuthResult(success=False, handled=False)

    port = _free_port()
    ctl = Controller(Sink(), hostname="127.0.0.1", port=port, auth_require_tls=False, authenticator=deny)
    ctl.start()
    try:
        files = load_run(ch, T2, "globex", PERIOD, "en")
        with pytest.raises(RuntimeError) as err:
            send_report(ch, files, smtp_host="127.0.0.1", smtp_port=port, timeout=5)
    finally:
        ctl.stop()
    assert "535" in str(err.value) or "auth" in str(err.value).lower(), err.value
    rows = ch.query(
        "SELECT error FROM app.report_runs WHERE run_id = {r:String} AND status = 'send_failed'",
        parameters={"r": files.run_id},
    ).result_rows
    assert rows
    out, errs = capfd.readouterr()
    assert_clean(*_exc_texts(err.value), rows, secrets_env.lines, out, errs)


def test_warehouse_errors_and_status_never_show_the_password(secrets_env, monkeypatch, capfd):
    from click.testing import CliRunner

    import warehouse
    from warehouse.cli import warehouse as wh_cli
    from warehouse.settings import WarehouseSettings

    port = _free_port()  # nothing listens there
    monkeypatch.setenv("CLICKHOUSE_URL", f"http://mrm:{SECRETS['CLICKHOUSE_PASSWORD']}@127.0.0.1:{port}")
    s = WarehouseSettings.from_env()
    assert s.password == SECRETS["CLICKHOUSE_PASSWORD"]  # the secret is really in play
    with pytest.raises(Exception) as err:
        warehouse.connect(s, connect_timeout=1)
    r = CliRunner().invoke(wh_cli, ["status"])
    assert r.exit_code == 1
    monkeypatch.delenv("CLICKHOUSE_URL")
    monkeypatch.setenv("CLICKHOUSE_HOST", "127.0.0.1")
    monkeypatch.setenv("CLICKHOUSE_PORT", str(port))
    r2 = CliRunner().invoke(wh_cli, ["sql", "SELECT 1"])
    assert r2.exit_code != 0
    out, errs = capfd.readouterr()
    assert_clean(*_exc_texts(err.value), repr(s), str(s), r.output, r2.output, secrets_env.lines, out, errs)


def test_llm_errors_keep_the_api_key_out(ch, secrets_env, monkeypatch, capfd):
    from assistants import kb

    monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{_free_port()}")  # the endpoint is down
    try:
        ans = kb.ask(ch, "sec_t1", "Budget policy CPA target", "en")
        text = [ans.answer, ans.provider]
    except Exception as exc:  # noqa: BLE001 - a loud failure is fine; its text is what we check
        text = _exc_texts(exc)
    rows = ch.query("SELECT * FROM app.ai_usage ORDER BY 1 DESC LIMIT 50").result_rows
    out, errs = capfd.readouterr()
    # the key was really used: the SDK tried the (down) endpoint, with its DEBUG request log captured above
    assert any("/v1/messages" in line for line in secrets_env.lines)
    assert_clean(*text, rows, secrets_env.lines, out, errs)


def test_dagster_run_logs_and_ui_snapshot_carry_no_secret(ch, sandbox, secrets_env, warehouse_url):  # noqa: F811
    import dagster as dg
    from dagster._serdes import serialize_value

    from orchestration import resources
    from orchestration.definitions import RAW_ASSETS

    ch.insert(
        "app.accounts",
        [[TENANT, "sec-client", "yandex_direct", "shoes-direct"]],
        column_names=["tenant_id", "client_id", "platform", "account_id"],
    )
    direct = resources.YandexDirectResource(
        base_url=sandbox.url("direct"), token=dg.EnvVar("MRM_DIRECT_TOKEN"), today=SANDBOX_TODAY.isoformat()
    )
    asset = RAW_ASSETS["yandex_direct"]
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [asset],
            instance=instance,
            partition_key="2026-01-19",
            raise_on_error=False,
            resources={"warehouse": resources.WarehouseResource(), "yandex_direct": direct},
            run_config={"ops": {asset.op.name: {"config": {"tenants": [TENANT]}}}},
        )
        assert not result.success  # the 401 failed the run for real
        records = instance.all_logs(result.run_id)
        texts = [serialize_value(r) for r in records]
        run = instance.get_run_by_id(result.run_id)
        ui = [serialize_value(run), serialize_value(result.dagster_run)]
    assert any("fail" in t.lower() for t in texts)
    assert_clean(*texts, *ui, secrets_env.lines)
