"""The state of each delivery channel of a client (app.channel_status) and how staff hear that one broke.

A channel is broken when it refuses for good: the SMTP server refuses the message (a 5xx answer), the Sheets
quota stays exhausted or the spreadsheet is gone or unshared, the Telegram chat blocked the bot or was deleted.
The account managers are then told by another channel: e-mail for Telegram and Sheets, their own linked
Telegram chats for e-mail (and when e-mail fails too). A later successful send marks the channel ok again.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from typing import Any

from delivery import telegram as tg
from mrm.i18n import bilingual, explain, t

_COLS = ["tenant_id", "client_id", "channel", "destination", "status", "reason"]
NAMES = {"email": "E-mail", "telegram": "Telegram", "sheets": "Google Sheets"}


def states(ch: Any, tenant: str, client: str = "") -> list[dict[str, Any]]:
    res = ch.query(
        "SELECT " + ", ".join(_COLS) + ", updated_at FROM app.channel_status FINAL "  # noqa: S608
        "WHERE tenant_id = {t:String} AND ({c:String} = '' OR client_id = {c:String}) "
        "ORDER BY client_id, channel, destination",
        parameters={"t": tenant, "c": client},
    )
    return [dict(zip([*_COLS, "updated_at"], r, strict=True)) for r in res.result_rows]


def mark(ch: Any, tenant: str, client: str, channel: str, dest: str, status: str, reason: str = "") -> None:
    """Record a channel's state; an unchanged ok is not written again."""
    if status == "ok" and not any(
        s["channel"] == channel and s["destination"] == dest and s["status"] != "ok"
        for s in states(ch, tenant, client)
    ):
        return
    ch.insert(
        "app.channel_status", [[tenant, client, channel, dest, status, reason[:300]]], column_names=_COLS
    )


def smtp_refused(exc: BaseException) -> bool:
    """Whether an e-mail failure is the server refusing the message for good (5xx), not a passing fault."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, smtplib.SMTPRecipientsRefused):
            return all(int(code) >= 500 for code, _ in seen.recipients.values())
        if isinstance(seen, smtplib.SMTPResponseException):
            return int(seen.smtp_code) >= 500
        seen = seen.__cause__ or seen.__context__
    return False


def reason_text(reason: str | BaseException, lang: str) -> str:
    """Why a send failed, in `lang`: an error as its `str()` in English (logs have it so) and as `explain` in
    another language (a refusal of the catalogue translated, a server's answer as it reads); a text as is."""
    if isinstance(reason, BaseException):
        return str(reason) if lang == "en" else explain(reason, lang)
    return reason


def staff_chats(ch: Any, tenant: str, client: str) -> list[int]:
    """The linked Telegram chats of the staff who hear about the client's problems."""
    from delivery.dispatch import staff_logins

    staff = set(staff_logins(ch, tenant, client))
    return [
        int(x["chat_id"])
        for x in tg.links(ch, tenant, "user")
        if x["status"] == "linked" and x["target_id"] in staff
    ]


def tell_staff(
    ch: Any,
    tenant: str,
    client: str,
    channel: str,
    reason: str | BaseException,
    *,
    email: Callable[..., None],
    bot: tg.TelegramBot | None,
) -> list[str]:
    """Tell the client's account managers that `channel` broke, by another channel; returns where it went.

    `reason` is the error (its Russian half says a catalogue refusal in Russian) or a text said as is."""
    from delivery.dispatch import staff_emails

    name = NAMES.get(channel, channel)
    subject = "MRM: " + bilingual("dlv_broken_subject", name=name, client=client)
    text = "\n".join(
        t("dlv_broken_text", lang, name=name, client=client, reason=reason_text(reason, lang))
        for lang in ("ru", "en")
    )
    told: list[str] = []
    to = staff_emails(ch, tenant, client)
    if channel != "email" and to:
        try:
            email(to, subject, text)
            told.append("email:" + ",".join(to))
        except (OSError, smtplib.SMTPException):
            pass  # e-mail is down too: Telegram below
    if not told and bot is not None:
        for chat in staff_chats(ch, tenant, client):
            try:
                bot.send_message(chat, f"{subject}\n\n{text}")
                told.append(f"telegram:{chat}")
            except tg.DeliveryError:
                continue
    return told
