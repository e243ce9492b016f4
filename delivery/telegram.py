"""A Telegram bot over the Bot API (httpx): send reports and alerts, link chats with one-time codes, take alert
acknowledgements from inline buttons.

Errors are sorted the way delivery needs them: 429 waits the answer's `retry_after` and tries again; a blocked
bot (403) or a deleted chat (400 "chat not found") is `ChannelBroken` (the link is marked broken and another
channel is told); anything else after the retries is `DeliveryError`. The bot token is never put in an error
text (it is part of every URL, so errors name the method instead).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from mrm.i18n import bilingual, refusal

DEFAULT_BASE = "https://api.telegram.org"
LINK_CODE_TTL = dt.timedelta(hours=24)


class DeliveryError(RuntimeError):
    """A send that failed after its retries; safe to show (names the method, never the token)."""


class ChannelBroken(DeliveryError):
    """The destination cannot receive any more (bot blocked, chat deleted): fix the link, do not retry."""


@dataclass
class TelegramBot:
    token: str
    base_url: str = DEFAULT_BASE
    timeout: float = 20.0
    retries: int = 3
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def from_env(cls) -> TelegramBot:
        token = os.environ.get("MRM_TELEGRAM_BOT_TOKEN", "")
        if not token:
            raise refusal(DeliveryError, "dlv_no_bot_token")
        return cls(token, os.environ.get("MRM_TELEGRAM_API_URL", DEFAULT_BASE).rstrip("/"))

    def call(
        self,
        method: str,
        *,
        data: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> Any:
        url = f"{self.base_url}/bot{self.token}/{method}"
        last = ""
        for attempt in range(self.retries + 1):
            try:
                if files:
                    r = httpx.post(
                        url,
                        data={k: str(v) for k, v in (data or {}).items()},
                        files=files,
                        timeout=self.timeout,
                    )
                else:
                    r = httpx.post(url, json=data or {}, timeout=self.timeout)
            except httpx.HTTPError as exc:
                last = f"{type(exc).__name__}"
                self.sleep(min(2**attempt, 10))
                continue
            try:
                body = r.json()
            except ValueError:
                body = {"ok": False, "description": f"HTTP {r.status_code}, not JSON"}
            if body.get("ok"):
                return body.get("result")
            desc = str(body.get("description", ""))
            if r.status_code == 429:
                wait = float((body.get("parameters") or {}).get("retry_after") or 1)
                last = desc
                self.sleep(wait)
                continue
            if r.status_code == 403 or (r.status_code == 400 and "chat not found" in desc.lower()):
                raise ChannelBroken(f"telegram {method}: {desc}")
            if r.status_code >= 500:
                last = desc or f"HTTP {r.status_code}"
                self.sleep(min(2**attempt, 10))
                continue
            raise DeliveryError(f"telegram {method}: {desc or f'HTTP {r.status_code}'}")
        raise refusal(DeliveryError, "dispatch_tg_gave_up", method=method, n=self.retries + 1, detail=last)

    def send_message(self, chat_id: int, text: str, buttons: list[list[dict[str, str]]] | None = None) -> int:
        data: dict[str, Any] = {"chat_id": chat_id, "text": text[:4096]}
        if buttons:
            data["reply_markup"] = {"inline_keyboard": buttons}
        return int(self.call("sendMessage", data=data)["message_id"])

    def send_document(self, chat_id: int, filename: str, content: bytes, caption: str = "") -> int:
        result = self.call(
            "sendDocument",
            data={"chat_id": chat_id, "caption": caption[:1024]},
            files={"document": (filename, content, "application/octet-stream")},
        )
        return int(result["message_id"])

    def updates(self, offset: int | None = None) -> list[dict[str, Any]]:
        return list(self.call("getUpdates", data={"offset": offset or 0, "timeout": 0}) or [])

    def confirm(self, last_update_id: int) -> None:
        """Tell Telegram the updates up to `last_update_id` are handled (they are not sent again)."""
        self.call("getUpdates", data={"offset": last_update_id + 1, "limit": 1, "timeout": 0})

    def answer_callback(self, callback_id: str, text: str) -> None:
        self.call("answerCallbackQuery", data={"callback_query_id": callback_id, "text": text[:200]})


# ------------------------------------------------------------------------------------------- chat links

_LINK_COLS = [
    "tenant_id",
    "target_kind",
    "target_id",
    "chat_id",
    "link_code",
    "code_expires_at",
    "status",
    "broken_reason",
]


def start_link(ch: Any, tenant_id: str, target_kind: str, target_id: str) -> str:
    """A one-time code; the person sends `/start <code>` to the bot to link their chat."""
    if target_kind not in ("client", "user"):
        raise ValueError("target_kind: client or user")
    code = secrets.token_urlsafe(12)
    ch.insert(
        "app.telegram_links",
        [
            [
                tenant_id,
                target_kind,
                target_id,
                0,
                code,
                dt.datetime.now(dt.UTC) + LINK_CODE_TTL,
                "pending",
                "",
            ]
        ],
        column_names=_LINK_COLS,
    )
    return code


def links(ch: Any, tenant_id: str, target_kind: str = "", target_id: str = "") -> list[dict[str, Any]]:
    res = ch.query(
        "SELECT " + ", ".join(_LINK_COLS) + " FROM app.telegram_links FINAL "  # noqa: S608
        "WHERE tenant_id = {t:String} AND ({k:String} = '' OR target_kind = {k:String}) "
        "AND ({i:String} = '' OR target_id = {i:String})",
        parameters={"t": tenant_id, "k": target_kind, "i": target_id},
    )
    return [dict(zip(_LINK_COLS, r, strict=True)) for r in res.result_rows]


def mark_broken(ch: Any, link: dict[str, Any], reason: str) -> None:
    ch.insert(
        "app.telegram_links",
        [[*(link[c] for c in _LINK_COLS[:6]), "broken", reason[:300]]],
        column_names=_LINK_COLS,
    )


def process_updates(
    ch: Any, bot: TelegramBot, *, on_ack: Callable[[str, str, str, str], None]
) -> dict[str, int]:
    """Handle pending updates: `/start <code>` links a chat (codes are single-use and expire); an inline button
    `ack|<tenant>|<client>|<alert key>` acknowledges an alert through `on_ack(tenant, client, key, by)`."""
    counts = {"linked": 0, "acked": 0, "ignored": 0}
    ups = bot.updates()
    now = dt.datetime.now(dt.UTC)
    for u in ups:
        msg, cb = u.get("message"), u.get("callback_query")
        if msg and str(msg.get("text", "")).startswith("/start "):
            code = msg["text"].split(" ", 1)[1].strip()
            rows = ch.query(
                "SELECT " + ", ".join(_LINK_COLS) + " FROM app.telegram_links FINAL "  # noqa: S608
                "WHERE link_code = {c:String} AND status = 'pending'",
                parameters={"c": code},
            ).result_rows
            chat = int(msg["chat"]["id"])
            link = dict(zip(_LINK_COLS, rows[0], strict=True)) if rows else None
            expires = link["code_expires_at"] if link else None
            if expires is not None and expires.tzinfo is None:
                expires = expires.replace(tzinfo=dt.UTC)
            if link is None or expires is None or expires < now:
                bot.send_message(chat, bilingual("dlv_tg_code_wrong"))
                counts["ignored"] += 1
                continue
            ch.insert(
                "app.telegram_links",
                [[link["tenant_id"], link["target_kind"], link["target_id"], chat, "", None, "linked", ""]],
                column_names=_LINK_COLS,
            )
            bot.send_message(chat, bilingual("dlv_tg_linked"))
            counts["linked"] += 1
        elif cb and str(cb.get("data", "")).startswith("ack|"):
            chat = int(cb["message"]["chat"]["id"])
            found = ch.query(
                "SELECT tenant_id, client_id, alert_key FROM app.alerts FINAL WHERE lower(substring(hex(SHA256("
                "concat(tenant_id, '|', client_id, '|', alert_key))), 1, 24)) = {h:String} LIMIT 1",
                parameters={"h": cb["data"][4:]},
            ).result_rows
            tenant = found[0][0] if found else ""
            linked = (
                [x for x in links(ch, tenant) if x["chat_id"] == chat and x["status"] == "linked"]
                if found
                else []
            )
            if not linked:  # only a chat linked in the alert's tenant may acknowledge it
                bot.answer_callback(cb["id"], bilingual("dlv_tg_not_allowed"))
                counts["ignored"] += 1
                continue
            on_ack(found[0][0], found[0][1], found[0][2], f"telegram:{chat}")
            bot.answer_callback(cb["id"], bilingual("dlv_tg_acked"))
            counts["acked"] += 1
        else:
            counts["ignored"] += 1
    if ups:
        bot.confirm(max(int(u["update_id"]) for u in ups))
    return counts


def ack_button(tenant: str, client: str, alert_key: str) -> list[list[dict[str, str]]]:
    """An inline button acknowledging one alert; callback data holds a digest (Telegram allows 64 bytes)."""
    digest = hashlib.sha256(f"{tenant}|{client}|{alert_key}".encode()).hexdigest()[:24]
    return [[{"text": bilingual("dlv_tg_ack_button"), "callback_data": f"ack|{digest}"}]]
