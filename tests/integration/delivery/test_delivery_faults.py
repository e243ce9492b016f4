"""Delivery faults end to end: a real SMTP server (aiosmtpd) refusing the report, a persistent Sheets quota error
(Sheets API emulator) and a deleted Telegram chat (Bot API emulator). Each marks its channel broken, the account
manager hears by another channel, the other channels still deliver, and a rerun sends only what was missing."""

from __future__ import annotations

import datetime as dt
import socket
from email import message_from_bytes
from email.policy import default

import httpx
import pytest

from delivery import channels, dispatch, schedules
from delivery import sheets as sh
from delivery import telegram as tg

T = "dlf_t"
DB = "marts_delivery_faults_it"
START = dt.date(2026, 3, 2)
DAYS = 28
END = START + dt.timedelta(days=DAYS - 1)
CLIENT_MAIL = "cmo@acme.example"
AM = "am@faults-agency.example"
CLIENT_CHAT, AM_CHAT = 8101, 8201


class _Smtp:
    """Accepts every message except those to the address in `refuse`: refused with 554."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.refuse = ""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        if self.refuse and self.refuse in envelope.rcpt_tos:
            return "554 5.7.1 Message rejected: policy"
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def subjects_to(self, who: str, since: int) -> list[str]:
        return [
            str(message_from_bytes(raw, policy=default)["Subject"])
            for to, raw in self.messages[since:]
            if who in to
        ]


@pytest.fixture(scope="module")
def smtp():
    from aiosmtpd.controller import Controller

    with socket.socket() as free:  # aiosmtpd cannot report a port-0 bind
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    server = Controller(_Smtp(), hostname="127.0.0.1", port=port)
    server.start()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MRM_SMTP_HOST", "127.0.0.1")
        env.setenv("MRM_SMTP_PORT", str(port))
        yield server.handler
    server.stop()


@pytest.fixture(scope="module")
def world(ch):
    from assistants.insights import synthetic
    from dashboards import auth
    from ingestion.sandbox.server import SandboxServer
    from warehouse.migrate import migrate

    migrate(ch)
    ch.command(f"DROP DATABASE IF EXISTS {DB}")
    synthetic.generate(ch, DB, T, ["acme"], START, DAYS, seed=5)
    client = {"tenant_id": T, "client_id": "acme", "name": "Acme Retail", "report_recipients": [CLIENT_MAIL]}
    ch.insert("app.clients", [list(client.values())], column_names=list(client))
    auth.add_user(ch, tenant_id=T, login=AM, role="account_manager", password="pw-long-enough-1")
    with SandboxServer(apis=["telegram", "sheets"]) as sbx:
        tgu, shu = sbx.url("telegram"), sbx.url("sheets")
        key = httpx.get(f"{shu}/_sandbox/service_account.json", timeout=10).json()
        bot = tg.TelegramBot(
            __import__("ingestion.sandbox.telegram", fromlist=["x"]).BOT_TOKEN, tgu, sleep=lambda s: None
        )
        for kind, target, chat in (("client", "acme", CLIENT_CHAT), ("user", AM, AM_CHAT)):
            code = tg.start_link(ch, T, kind, target)
            httpx.post(
                f"{tgu}/_user/{chat}/message", json={"text": f"/start {code}"}, timeout=10
            ).raise_for_status()
        assert tg.process_updates(ch, bot, on_ack=lambda *a: None)["linked"] == 2
        sid = httpx.post(f"{shu}/_sandbox/spreadsheets", json={"title": "Acme"}, timeout=10).json()[
            "spreadsheetId"
        ]
        yield {"sbx": sbx, "bot": bot, "key": key, "sid": sid, "tg": tgu, "sheets": shu}


def _due(world, day: int, channels_: tuple[str, ...]) -> schedules.Due:
    s = schedules.Schedule(
        T,
        f"faults-{day}",
        "acme",
        "daily",
        channels=channels_,
        language="en",
        spreadsheet_id=world["sid"] if "sheets" in channels_ else "",
    )
    return schedules.Due(
        s.validate(), END + dt.timedelta(days=day), dt.datetime(2026, 4, 1, tzinfo=dt.UTC), (END, END)
    )


def _sent(world, chat: int) -> list[dict]:
    return [
        m for m in httpx.get(f"{world['tg']}/_sent", timeout=10).json() if m.get("chat", {}).get("id") == chat
    ]


def _run(ch, world, due, tmp_path, waits=None):
    client = sh.SheetsClient(
        world["key"], world["sheets"], sleep=(waits.append if waits is not None else lambda s: None)
    )
    return dispatch.deliver_report(ch, due, out_dir=tmp_path, bot=world["bot"], sheets=client, marts_db=DB)


def _state(ch, channel: str) -> str:
    return next(s["status"] for s in channels.states(ch, T, "acme") if s["channel"] == channel)


def test_smtp_refusal_breaks_email_tells_the_am_on_telegram_and_a_rerun_sends_only_the_mail(
    ch, world, smtp, tmp_path
):
    due = _due(world, 1, ("email", "telegram", "sheets"))
    smtp.refuse = CLIENT_MAIL
    am_before, client_before = len(_sent(world, AM_CHAT)), len(_sent(world, CLIENT_CHAT))
    out = _run(ch, world, due, tmp_path)
    assert [b.split(":")[0] for b in out.broken] == ["email"] and "554" in out.broken[0]
    assert sorted(x.split(":")[0] for x in out.sent) == ["sheets", "telegram"]  # the rest went on
    assert _state(ch, "email") == "broken"
    told = _sent(world, AM_CHAT)[am_before:]
    assert len(told) == 1 and "E-mail" in told[0]["text"] and "acme" in told[0]["text"]
    cells = httpx.get(f"{world['sheets']}/_sandbox/spreadsheets/{world['sid']}", timeout=10).json()["sheets"]
    assert cells["Summary"][0][1] == "Acme Retail"
    assert any(isinstance(v, int | float) for row in cells["Campaigns"][1:] for v in row)

    smtp.refuse = ""
    mails, client_now = len(smtp.messages), len(_sent(world, CLIENT_CHAT))
    again = _run(ch, world, due, tmp_path)
    assert again.ok and [x.split(":")[0] for x in again.sent] == ["email"]
    assert sorted(x.split(":")[0] for x in again.skipped) == ["sheets", "telegram"]
    assert len(_sent(world, CLIENT_CHAT)) == client_now == client_before + 2  # summary + PDF, once
    assert smtp.messages[mails:] and smtp.messages[-1][0] == [CLIENT_MAIL]
    assert _state(ch, "email") == "ok"


def test_a_persistent_sheets_quota_breaks_the_channel_and_a_rerun_fills_the_sheet(ch, world, smtp, tmp_path):
    due = _due(world, 2, ("email", "sheets"))
    fault = world["sbx"].faults.add("sheets", "http_429", count=None, path="values:batchUpdate")
    mails = len(smtp.messages)
    waits: list[float] = []
    out = _run(ch, world, due, tmp_path, waits)
    assert [b.split(":")[0] for b in out.broken] == ["sheets"] and "RESOURCE_EXHAUSTED" in out.broken[0]
    assert [x.split(":")[0] for x in out.sent] == ["email"]
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]  # backed off before giving up
    assert _state(ch, "sheets") == "broken"
    assert any("Google Sheets" in s for s in smtp.subjects_to(AM, mails))
    world["sbx"].faults.clear("sheets")
    assert fault.fired == 6
    again = _run(ch, world, due, tmp_path)
    assert again.ok and [x.split(":")[0] for x in again.sent] == ["sheets"] and len(again.skipped) == 1
    assert _state(ch, "sheets") == "ok"


def test_a_deleted_chat_breaks_telegram_and_the_other_channels_deliver(ch, world, smtp, tmp_path):
    due = _due(world, 3, ("email", "telegram"))
    world["sbx"].faults.add("telegram", "telegram_chat_not_found", count=1)
    mails = len(smtp.messages)
    out = _run(ch, world, due, tmp_path)
    assert [b.split(":")[0] for b in out.broken] == ["telegram"] and "chat not found" in out.broken[0]
    assert [x.split(":")[0] for x in out.sent] == ["email"]
    assert tg.links(ch, T, "client", "acme")[0]["status"] == "broken"
    assert any("Telegram" in s for s in smtp.subjects_to(AM, mails))
    again = _run(ch, world, due, tmp_path)
    assert again.sent == [] and [x.split(":")[0] for x in again.skipped] == ["email"]
    assert any("no linked chat" in f for f in again.failed)  # until the chat is linked again


def test_a_scheduled_run_finds_the_service_account_in_its_settings(ch, world, smtp, tmp_path, monkeypatch):
    import json

    due = _due(world, 4, ("sheets",))
    monkeypatch.delenv("MRM_SHEETS_SERVICE_ACCOUNT_FILE", raising=False)
    unset = dispatch.deliver_report(ch, due, out_dir=tmp_path, marts_db=DB)
    assert unset.sent == [] and "MRM_SHEETS_SERVICE_ACCOUNT_FILE" in unset.failed[0]
    keyfile = tmp_path / "sa.json"
    keyfile.write_text(json.dumps(world["key"]))
    monkeypatch.setenv("MRM_SHEETS_SERVICE_ACCOUNT_FILE", str(keyfile))
    monkeypatch.setenv("MRM_SHEETS_API_URL", world["sheets"])
    out = dispatch.deliver_report(ch, due, out_dir=tmp_path, marts_db=DB)  # as the Dagster op calls it
    assert out.ok and out.sent == [f"sheets:{world['sid']}"]


def test_a_refused_alert_mail_breaks_email_and_the_am_hears_on_telegram(ch, world, smtp):
    from delivery import alerts

    cond = alerts.Condition(
        "stale:vk_ads:x-1", "stale", "2026-04-01", 50.0, "нет загрузки 50 ч", "no load for 50 h"
    )
    notices = alerts.reconcile(ch, T, "acme", [cond])
    before = len(_sent(world, AM_CHAT))
    smtp.refuse = AM
    try:
        out = dispatch.deliver_notices(ch, T, notices, bot=world["bot"], lang="en")
    finally:
        smtp.refuse = ""
    assert [b.split(":")[0] for b in out.broken] == ["email"] and [s.split(":")[0] for s in out.sent] == [
        "telegram"
    ]
    texts = [m["text"] for m in _sent(world, AM_CHAT)[before:]]
    assert len(texts) == 2 and "no load for 50 h" in texts[0] and "E-mail" in texts[1]
    again = dispatch.deliver_notices(ch, T, notices, bot=world["bot"], lang="en")
    assert [s.split(":")[0] for s in again.sent] == ["email"] and len(_sent(world, AM_CHAT)) == before + 2
