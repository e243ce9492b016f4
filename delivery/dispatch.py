"""Deliver what is due: a scheduled report to its channels, alert notices to the agency's people.

Every send is recorded in app.deliveries under the run key, channel and destination, so a rerun (after a crash
mid-delivery, or a retried Dagster run) sends only what was not delivered. A channel that cannot receive any
more (bot blocked, chat deleted, the SMTP server refusing the message, the Sheets quota exhausted for good or the
spreadsheet gone) is marked broken (app.channel_status), the account managers are told by another channel
(delivery/channels.py), and the rest of the delivery goes on; the run fails loudly at the end if anything failed.
"""

from __future__ import annotations

import os
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from functools import partial
from pathlib import Path
from typing import Any

from delivery import channels
from delivery import telegram as tg
from delivery.alerts import Notice
from delivery.schedules import Due
from delivery.sheets import SheetsClient, report_tables
from mrm.i18n import t

_DCOLS = ["tenant_id", "run_key", "channel", "destination", "status", "detail"]
STAFF_ROLES = ("admin", "pm", "account_manager")

Say = Callable[[str], str]  # a text in the language it is given (ru|en)


@dataclass
class Outcome:
    """What a delivery run did. `failed` and `broken` are `channel[:destination]: why` in English (logs, the
    Dagster run); `problems(lang)` gives the same in a reader's language."""

    run_key: str
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # delivered by an earlier run
    broken: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    # each English entry of failed/broken -> the same entry in any language (see problems())
    _said: dict[str, Say] = field(default_factory=dict, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.broken

    def note(self, where: str, say: Say, *, broken: bool = False) -> None:
        """Record a channel (`where`) that failed, or broke, for the reason `say` gives in each language."""
        entry = f"{where}: {say('en')}"
        (self.broken if broken else self.failed).append(entry)
        self._said[entry] = lambda lang: f"{where}: {say(lang)}"

    def fail(self, where: str, key: str, /, **values: Any) -> None:
        """Record a channel not delivered for the catalogue's reason `key`."""
        self.note(where, lambda lang: t(key, lang, **values))

    def fail_with(self, where: str, exc: BaseException, *, broken: bool = False) -> None:
        """Record a channel that failed (or broke) with `exc`."""
        self.note(where, partial(channels.reason_text, exc), broken=broken)

    def problems(self, lang: str) -> list[str]:
        """`failed + broken` in `lang` (ru|en): the catalogue's reasons and refusals translated, other errors (a
        mail server's or an API's answer) as they read."""
        return [self._said[x](lang) if x in self._said else x for x in (*self.failed, *self.broken)]


def delivered(ch: Any, tenant: str, run_key: str) -> set[tuple[str, str]]:
    rows = ch.query(
        "SELECT channel, destination FROM app.deliveries FINAL WHERE tenant_id = {t:String} AND "
        "run_key = {k:String} AND status = 'sent'",
        parameters={"t": tenant, "k": run_key},
    ).result_rows
    return {(r[0], r[1]) for r in rows}


def _record(
    ch: Any, tenant: str, run_key: str, channel: str, dest: str, status: str, detail: str = ""
) -> None:
    ch.insert("app.deliveries", [[tenant, run_key, channel, dest, status, detail[:500]]], column_names=_DCOLS)


def smtp_send(to: list[str], subject: str, text: str, attachments: tuple[Path, ...] = ()) -> None:
    """One e-mail through the SMTP settings the reports use (MRM_SMTP_*)."""
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"] = (
        subject,
        os.environ.get("MRM_SMTP_FROM", "reports@mrm.local"),
        ", ".join(to),
    )
    msg.set_content(text)
    for p in attachments:
        msg.add_attachment(p.read_bytes(), maintype="application", subtype="octet-stream", filename=p.name)
    with smtplib.SMTP(
        os.environ.get("MRM_SMTP_HOST", "127.0.0.1"), int(os.environ.get("MRM_SMTP_PORT", "25")), timeout=30
    ) as smtp:
        if os.environ.get("MRM_SMTP_STARTTLS", "0") == "1":
            smtp.starttls()
        if os.environ.get("MRM_SMTP_USER"):
            smtp.login(os.environ["MRM_SMTP_USER"], os.environ.get("MRM_SMTP_PASSWORD", ""))
        smtp.send_message(msg)


def staff_logins(ch: Any, tenant: str, client: str) -> list[str]:
    """Who hears about a problem: active admins, PMs and account managers of the tenant who may see the client."""
    rows = ch.query(
        "SELECT u.login FROM (SELECT * FROM app.users FINAL) AS u LEFT JOIN (SELECT * FROM app.user_client_scope "
        "FINAL) AS s ON s.tenant_id = u.tenant_id AND s.login = u.login WHERE u.tenant_id = {t:String} AND "
        "u.is_active = 1 AND u.role IN {roles:Array(String)} AND (s.login = '' OR s.all_clients = 1 OR "
        "has(s.client_ids, {c:String})) ORDER BY u.login",
        parameters={"t": tenant, "c": client, "roles": list(STAFF_ROLES)},
    ).result_rows
    return [r[0] for r in rows]


def staff_emails(ch: Any, tenant: str, client: str) -> list[str]:
    """The staff logins that are e-mail addresses."""
    return [x for x in staff_logins(ch, tenant, client) if "@" in x and "." in x.split("@")[-1]]


def _link_breaker(ch: Any, link: dict[str, Any]) -> Callable[[Exception], bool]:
    """Whether a Telegram failure is permanent (blocked, chat gone); such a chat's link is marked broken."""

    def permanent(exc: Exception) -> bool:
        if isinstance(exc, tg.ChannelBroken):
            tg.mark_broken(ch, link, str(exc))
            return True
        return False

    return permanent


@dataclass
class _Run:
    """One delivery run of a report: what was delivered before, and how each send ends up recorded."""

    ch: Any
    tenant: str
    client: str
    out: Outcome
    done: set[tuple[str, str]]
    email: Callable[..., None]
    bot: tg.TelegramBot | None
    key: str = ""  # the run key sends are recorded under (default: the outcome's)

    def send(
        self, channel: str, dest: str, fn: Callable[[], object], *, permanent: Callable[[Exception], bool]
    ) -> None:
        """Send once per run key: skipped when delivered before; a permanent refusal breaks the channel and the
        account managers are told by another channel; any other failure is recorded for the rerun."""
        ch, key = self.ch, self.key or self.out.run_key
        if (channel, dest) in self.done:
            self.out.skipped.append(f"{channel}:{dest}")
            return
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - recorded and reported; the other channels go on
            status = "broken" if permanent(exc) else "failed"
            _record(ch, self.tenant, key, channel, dest, status, str(exc))
            self.out.fail_with(f"{channel}:{dest}", exc, broken=status == "broken")
            if status == "broken":
                channels.mark(ch, self.tenant, self.client, channel, dest, "broken", str(exc))
                channels.tell_staff(
                    ch, self.tenant, self.client, channel, exc, email=self.email, bot=self.bot
                )
            return
        _record(ch, self.tenant, key, channel, dest, "sent")
        channels.mark(ch, self.tenant, self.client, channel, dest, "ok")
        self.out.sent.append(f"{channel}:{dest}")


def deliver_report(
    ch: Any,
    due: Due,
    *,
    out_dir: Path,
    bot: tg.TelegramBot | None = None,
    email: Callable[..., None] = smtp_send,
    marts_db: str = "marts",
    sheets: SheetsClient | None = None,
) -> Outcome:
    """Build the scheduled report once and send it to every channel not yet delivered for this run key."""
    from assistants import reports

    s = due.schedule
    out = Outcome(due.run_key)
    run = _Run(ch, s.tenant_id, s.client_id, out, delivered(ch, s.tenant_id, due.run_key), email, bot)
    period = f"{due.period[0].isoformat()}:{due.period[1].isoformat()}"
    files = reports.build_report(
        ch,
        s.tenant_id,
        s.client_id,
        period,
        s.language,
        out_dir,
        include_vat=s.vat == "gross",
        include_commission=s.show_commission,
        marts_db=marts_db,
    )
    summary = files.snapshot.get("narrative", {}).get("text", "") or files.snapshot.get("client_name", "")
    if "email" in s.channels:
        to = list(s.recipients) or list(files.recipients)
        if not to:
            out.fail("email", "dispatch_no_recipients")
            _record(ch, s.tenant_id, due.run_key, "email", "", "failed", "no recipients")
        else:
            run.send(
                "email",
                ",".join(sorted(to)),
                lambda: reports.send_report(ch, files, recipients=to),
                permanent=channels.smtp_refused,
            )
    if "telegram" in s.channels:
        chats = [x for x in tg.links(ch, s.tenant_id, "client", s.client_id) if x["status"] == "linked"]
        if not chats:
            out.fail("telegram", "dispatch_no_linked_chat")
        for link in chats:
            dest = str(link["chat_id"])
            if bot is None:
                out.fail("telegram", "dlv_no_bot_token")
                continue
            sender: tg.TelegramBot = bot

            def to_chat(b: tg.TelegramBot = sender, chat: int = int(dest)) -> None:
                b.send_message(chat, summary[:4000] or files.period.label)
                b.send_document(chat, files.pdf.name, files.pdf.read_bytes(), caption=files.period.label)

            run.send("telegram", dest, to_chat, permanent=_link_breaker(ch, link))
    if "sheets" in s.channels:
        sid = s.spreadsheet_id
        if not sid:
            out.fail("sheets", "dispatch_no_spreadsheet")
        else:
            try:  # the scheduled run (Dagster) brings none: the deployment's service account
                sheets = sheets or SheetsClient.from_env()
            except tg.DeliveryError as exc:
                out.fail_with("sheets", exc)
                return out
            tables = report_tables(files.snapshot, s.language)
            client = sheets

            def to_sheet() -> None:
                client.write_tables(sid, tables)

            run.send("sheets", sid, to_sheet, permanent=lambda exc: isinstance(exc, tg.ChannelBroken))
    return out


def deliver_notices(
    ch: Any,
    tenant: str,
    notices: list[Notice],
    *,
    bot: tg.TelegramBot | None = None,
    email: Callable[..., None] = smtp_send,
    lang: str = "ru",
) -> Outcome:
    """Alert notices to the staff's linked Telegram chats (with an acknowledge button) and by e-mail."""
    out = Outcome(f"alerts:{tenant}")
    chats = [x for x in tg.links(ch, tenant, "user") if x["status"] == "linked"]
    for n in notices:
        key = f"alert:{tenant}:{n.client_id}:{n.condition.key}:{n.kind}:{n.condition.severity:.4g}"
        run = _Run(ch, tenant, n.client_id, out, delivered(ch, tenant, key), email, bot, key)
        text = n.text(lang)
        buttons = tg.ack_button(tenant, n.client_id, n.condition.key) if n.kind != "resolved" else None
        for link in chats if bot is not None else []:
            assert bot is not None
            say = partial(bot.send_message, int(link["chat_id"]), f"{n.client_id}: {text}", buttons)
            run.send("telegram", str(link["chat_id"]), say, permanent=_link_breaker(ch, link))
        to = staff_emails(ch, tenant, n.client_id)
        if to:
            mail = partial(email, to, f"MRM: {text[:120]}", text)
            run.send("email", ",".join(to), mail, permanent=channels.smtp_refused)
    return out
