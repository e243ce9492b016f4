"""Scenario 5: the daily report e-mail step is interrupted by the SMTP server, then the step is rerun.

A real local SMTP server (aiosmtpd) drops the connection during one client's DATA, or refuses it with 554. The
interrupted report must not be recorded as sent; rerunning the Dagster e-mail step must deliver every client's
report exactly once — the interrupted one now, the already delivered one not again.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from typing import Any

import dagster as dg
import pytest

from tests.faults.faultkit import LAST_DAY, TODAY

TENANT = "demo-agency"
RECIPIENTS = {"shoes": "shoes@client.example", "auto": "auto@client.example"}
EMAILS = dg.AssetKey(["reports", "client_report_emails"])


class FlakySmtp:
    """aiosmtpd handler: the first message for `victim` is interrupted (`mode`), everything else is delivered."""

    def __init__(self) -> None:
        self.delivered: list[tuple[list[str], bytes]] = []
        self.interrupted: list[list[str]] = []
        self.victim = ""
        self.mode = ""

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd hook
        if self.victim in envelope.rcpt_tos and self.mode:
            mode, self.mode = self.mode, ""
            self.interrupted.append(list(envelope.rcpt_tos))
            if mode == "drop":  # the whole message arrived, the server dies before acknowledging it
                server.transport.close()
                return "421 closing"  # never reaches the client: the transport is gone
            return "554 5.6.0 Transaction failed: message refused"
        self.delivered.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, FlakySmtp]]:
    from aiosmtpd.controller import Controller

    handler = FlakySmtp()
    with socket.socket() as s:  # aiosmtpd cannot report a port-0 bind: pick a free port first
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield port, handler
    finally:
        ctl.stop()


def _statuses(ch: Any, period: tuple[dt.date, dt.date]) -> dict[str, tuple[str, str]]:
    rows = ch.query(
        "SELECT client_id, status, run_id FROM app.report_runs FINAL WHERE tenant_id = {t:String} "
        "AND date_from = {f:Date} AND date_to = {to:Date}",
        parameters={"t": TENANT, "f": period[0], "to": period[1]},
    ).result_rows
    return {c: (s, r) for c, s, r in rows}


@pytest.mark.parametrize("mode", ["drop", "refuse"])
def test_interrupted_report_send_is_not_recorded_and_rerun_sends_exactly_once(
    mode, clean_marts, wh_env, fault_sandbox, smtp, tmp_path
) -> None:
    from assistants.reports import build_report
    from orchestration.ai.partitions import report_period
    from orchestration.definitions import build_definitions
    from orchestration.resources import SmtpResource

    port, handler = smtp
    ch = wh_env.client()
    ch.command("TRUNCATE TABLE app.report_runs")
    for client_id, rcpt in RECIPIENTS.items():
        ch.command(
            "INSERT INTO app.clients (tenant_id, client_id, name, currency, agency_commission, "
            "report_recipients, report_language) SELECT tenant_id, client_id, name, currency, "
            "agency_commission, [{r:String}], 'en' FROM app.clients FINAL WHERE tenant_id = {t:String} "
            "AND client_id = {c:String}",
            parameters={"r": rcpt, "t": TENANT, "c": client_id},
        )
    period = report_period(LAST_DAY, 7)
    first, last = (dt.date.fromisoformat(p) for p in period.split(":"))
    for client_id in RECIPIENTS:
        build_report(ch, TENANT, client_id, period, "en", tmp_path / "reports" / TENANT)
    built = _statuses(ch, (first, last))
    assert {c: s for c, (s, _) in built.items()} == {c: "built" for c in RECIPIENTS}

    defs = build_definitions(
        sandbox=True,
        sandbox_urls=fault_sandbox.urls,
        today=TODAY.isoformat(),
        warehouse_url=wh_env.url,
        reports_dir=str(tmp_path / "reports"),
        smtp=SmtpResource(host="127.0.0.1", port=port, timeout_s=10),
    )
    job = dg.Definitions.merge(
        defs,
        dg.Definitions(jobs=[dg.define_asset_job("emails_only", selection=dg.AssetSelection.assets(EMAILS))]),
    ).resolve_job_def("emails_only")
    run_config = {"ops": {"reports__client_report_emails": {"config": {"tenants": [TENANT]}}}}

    victim = "auto"  # sent second (clients go in id order): one client is delivered before the interruption
    handler.victim, handler.mode = RECIPIENTS[victim], mode
    with dg.instance_for_test() as instance:
        first_run = job.execute_in_process(
            partition_key=LAST_DAY.isoformat(), instance=instance, run_config=run_config, raise_on_error=False
        )
        assert not first_run.success, "an interrupted send must fail the step loudly"
        assert handler.interrupted == [[RECIPIENTS[victim]]]
        after = _statuses(ch, (first, last))
        assert after[victim][0] != "sent", f"the interrupted report is recorded as {after[victim]}"
        assert after[victim][1] == built[victim][1]  # the same frozen run, not a rebuild
        assert after["shoes"][0] == "sent"
        assert [r for r, _ in handler.delivered] == [[RECIPIENTS["shoes"]]]

        rerun = job.execute_in_process(
            partition_key=LAST_DAY.isoformat(), instance=instance, run_config=run_config, raise_on_error=False
        )
        assert rerun.success
    final = _statuses(ch, (first, last))
    assert {c: s for c, (s, _) in final.items()} == {c: "sent" for c in RECIPIENTS}
    assert {c: r for c, (_, r) in final.items()} == {c: r for c, (_, r) in built.items()}
    delivered = sorted(r[0] for r, _ in handler.delivered)
    assert delivered == sorted(RECIPIENTS.values()), f"each report exactly once, got {delivered}"
    for _, content in handler.delivered:  # complete messages: both attachments arrived
        assert b".pdf" in content and b".xlsx" in content
    ch.close()
