"""Scheduled reports and alert notices delivered through the Telegram Bot API emulator and a real SMTP server:
linking by one-time code, exactly-once per run key, 429 honoured, a blocked bot marks the channel broken and the
account managers hear by e-mail, and an alert acknowledged from its inline button."""

from __future__ import annotations

import datetime as dt
import socket
from email import message_from_bytes
from email.policy import default

import httpx
import pytest

from delivery import alerts, dispatch, schedules
from delivery import telegram as tg

T = "dl_t"
DB = "marts_delivery_it"
START = dt.date(2026, 3, 2)
DAYS = 56
END = START + dt.timedelta(days=DAYS - 1)  # Sunday 2026-04-26


class _Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp():
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = _Sink()
    ctl = Controller(sink, hostname="127.0.0.1", port=port)
    ctl.start()
    mp = pytest.MonkeyPatch()
    mp.setenv("MRM_SMTP_HOST", "127.0.0.1")
    mp.setenv("MRM_SMTP_PORT", str(port))
    yield sink
    mp.undo()
    ctl.stop()


@pytest.fixture(scope="module")
def world(ch):
    from assistants.insights import synthetic
    from dashboards import auth
    from ingestion.sandbox.server import SandboxServer
    from warehouse.migrate import migrate

    migrate(ch)
    ch.command(f"DROP DATABASE IF EXISTS {DB}")
    synthetic.generate(ch, DB, T, ["acme"], START, DAYS, seed=11)
    ch.insert(
        "app.clients",
        [[T, "acme", "Acme Retail", "RUB", ["cmo@acme.example"], "ru", "Asia/Vladivostok"]],
        column_names=[
            "tenant_id",
            "client_id",
            "name",
            "currency",
            "report_recipients",
            "report_language",
            "timezone",
        ],
    )
    auth.add_user(
        ch, tenant_id=T, login="am@agency.example", role="account_manager", password="pw-long-enough-1"
    )
    with SandboxServer(apis=["telegram"]) as sbx:
        yield {"tg": sbx.url("telegram"), "sbx": sbx}


def _bot(world, waits: list[float] | None = None) -> tg.TelegramBot:
    import time

    def sleep(s: float) -> None:
        if waits is not None:
            waits.append(s)
        time.sleep(s)

    return tg.TelegramBot(
        __import__("ingestion.sandbox.telegram", fromlist=["x"]).BOT_TOKEN, world["tg"], sleep=sleep
    )


def _user(world, chat: int, action: str, **body) -> None:
    httpx.post(f"{world['tg']}/_user/{chat}/{action}", json=body, timeout=10).raise_for_status()


def _sent(world) -> list[dict]:
    return httpx.get(f"{world['tg']}/_sent", timeout=10).json()


def _due(ch, since: dt.datetime, until: dt.datetime) -> list[schedules.Due]:
    return [d for d in schedules.due_now(ch, since, until, T)]


def test_weekly_telegram_and_email_report_exactly_once(ch, world, smtp, tmp_path):
    s = schedules.save(
        ch,
        schedules.Schedule(
            T, "weekly-acme", "acme", "weekly", weekday=1, local_time="09:00", channels=("email", "telegram")
        ),
        by="am@agency.example",
    )
    code = tg.start_link(ch, T, "client", "acme")
    _user(world, 5001, "message", text=f"/start {code}")
    bot = _bot(world)
    assert tg.process_updates(ch, bot, on_ack=lambda *a: None)["linked"] == 1
    assert tg.links(ch, T, "client", "acme")[0]["chat_id"] == 5001
    # Monday 2026-04-27 09:00 in Vladivostok = Sunday 23:00 UTC
    due = _due(ch, dt.datetime(2026, 4, 26, 12, tzinfo=dt.UTC), dt.datetime(2026, 4, 27, 12, tzinfo=dt.UTC))
    assert [(d.schedule.schedule_id, d.local_day, d.period) for d in due] == [
        (s.schedule_id, dt.date(2026, 4, 27), (dt.date(2026, 4, 20), END))
    ]
    out = dispatch.deliver_report(ch, due[0], out_dir=tmp_path, bot=bot, marts_db=DB)
    assert out.ok and sorted(x.split(":")[0] for x in out.sent) == ["email", "telegram"]
    kinds = [m["kind"] for m in _sent(world) if m.get("chat", {}).get("id") == 5001]
    assert kinds.count("document") == 1
    assert smtp.messages and smtp.messages[-1][0] == ["cmo@acme.example"]
    before = len(_sent(world)), len(smtp.messages)
    again = dispatch.deliver_report(ch, due[0], out_dir=tmp_path, bot=bot, marts_db=DB)
    assert again.sent == [] and len(again.skipped) == 2
    assert (len(_sent(world)), len(smtp.messages)) == before


def test_429_waits_retry_after_then_a_blocked_bot_breaks_the_channel(ch, world, smtp, tmp_path):
    waits: list[float] = []
    bot = _bot(world, waits)
    due = schedules.Due(
        schedules.Schedule(T, "daily-acme", "acme", "daily", channels=("telegram",)),
        END + dt.timedelta(days=1),
        dt.datetime(2026, 4, 27, tzinfo=dt.UTC),
        (END, END),
    )
    world["sbx"].faults.add("telegram", "http_429", count=1, retry_after=1, path="sendMessage")
    out = dispatch.deliver_report(ch, due, out_dir=tmp_path, bot=bot, marts_db=DB)
    assert out.ok and waits == [1.0]
    _user(world, 5001, "block")
    due2 = schedules.Due(due.schedule, END + dt.timedelta(days=2), due.fire_at, (END, END))
    mails = len(smtp.messages)
    out2 = dispatch.deliver_report(ch, due2, out_dir=tmp_path, bot=bot, marts_db=DB)
    assert not out2.ok and out2.broken and "blocked" in out2.broken[0]
    assert tg.links(ch, T, "client", "acme")[0]["status"] == "broken"
    told = [message_from_bytes(raw, policy=default) for _, raw in smtp.messages[mails:]]
    assert any("Telegram" in m["Subject"] for m in told) and smtp.messages[-1][0] == ["am@agency.example"]


def test_alert_notice_acknowledged_from_telegram(ch, world, smtp):
    code = tg.start_link(ch, T, "user", "am@agency.example")
    _user(world, 6001, "message", text=f"/start {code}")
    bot = _bot(world)
    tg.process_updates(ch, bot, on_ack=lambda *a: None)
    cond = alerts.Condition(
        "stale:vk_ads:acc-1", "stale", "2026-04-27", 40.0, "данные не обновлялись 40 ч", "no load for 40 h"
    )
    notices = alerts.reconcile(ch, T, "acme", [cond])
    out = dispatch.deliver_notices(ch, T, notices, bot=bot)
    assert out.ok and any(x.startswith("telegram:6001") for x in out.sent)
    msg = [m for m in _sent(world) if m.get("chat", {}).get("id") == 6001 and m.get("reply_markup")][-1]
    data = msg["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert len(data.encode()) <= 64
    # a stranger's chat pressing the same button acknowledges nothing
    _user(world, 7001, "press", message_id=msg["message_id"], data=data)
    _user(world, 6001, "press", message_id=msg["message_id"], data=data)

    def ack(tenant, client, key, by):
        alerts.acknowledge(ch, tenant, client, key, by=by)

    counts = tg.process_updates(ch, bot, on_ack=ack)
    assert counts["acked"] == 1 and counts["ignored"] == 1
    assert alerts.open_alerts(ch, T, "acme")[0]["acked_by"] == "telegram:6001"
    assert dispatch.deliver_notices(ch, T, notices, bot=bot).sent == []  # the same notice is not sent twice
