"""Telegram Bot API emulator (`/telegram/bot<token>/<method>`), for report and alert delivery.

Methods: getMe, getUpdates (offset confirms), sendMessage (with inline keyboards), sendDocument (multipart),
answerCallbackQuery, setWebhook / deleteWebhook / getWebhookInfo (updates POSTed to the webhook instead).
Answers are the Bot API's `{"ok": true, "result": ...}` / `{"ok": false, "error_code", "description",
"parameters": {"retry_after"}}`. As in Telegram, a bot can write only to a chat whose user has started it;
a blocked bot gets 403 and an unknown chat 400.

Test-only paths (no real counterpart) let a test play the user: `POST /_user/<chat_id>/message {"text"}`,
`POST /_user/<chat_id>/press {"message_id", "data"}`, `POST /_user/<chat_id>/block`, `GET /_sent`.
Faults: the sandbox's `http_429` (answered with `retry_after`), `timeout`, and `telegram_blocked` /
`telegram_chat_not_found` for the next send.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import re
import threading
from typing import Any

import httpx

from ingestion.sandbox.server import EmulatorApi, Request, Response, Route

BOT_TOKEN = "7000000001:sandbox-telegram-token"
BOT = {"id": 7000000001, "is_bot": True, "first_name": "MRM Reports", "username": "mrm_reports_bot"}


class TelegramApi(EmulatorApi):
    name = "telegram"

    def __init__(self, ctx: Any) -> None:
        super().__init__(ctx)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def s(self) -> dict[str, Any]:
        with self.ctx.lock:
            return self.ctx.state.setdefault(
                "telegram",
                {"updates": [], "update_id": 100, "sent": [], "chats": {}, "blocked": set(), "webhook": ""},
            )

    def routes(self) -> list[Route]:
        return [Route(m, r"/bot(?P<token>[^/]+)/(?P<method>\w+)", self.method) for m in ("GET", "POST")] + [
            Route("POST", r"/_user/(?P<chat>-?\d+)/(?P<action>message|press|block)", self.user),
            Route("GET", r"/_sent", lambda req, m: Response.json(self.s["sent"])),
        ]

    def error_response(
        self, status: int, kind: str, message: str, *, retry_after: float | None = None
    ) -> Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": message}
        if status == 429:
            ra = int(retry_after if retry_after is not None else 1)
            body["description"] = f"Too Many Requests: retry after {ra}"
            body["parameters"] = {"retry_after": ra}
        return Response.json(body, status)

    # ------------------------------------------------------------------------------------------ bot methods
    def _args(self, req: Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
        ctype = req.header("content-type") or ""
        args: dict[str, Any] = {k: v[0] for k, v in req.query.items()}
        files: dict[str, tuple[str, bytes]] = {}
        if "application/json" in ctype:
            args.update(req.json() or {})
        elif "multipart/form-data" in ctype:
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + req.body
            )
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                fname = part.get_filename()
                raw = part.get_payload(decode=True)
                payload = raw if isinstance(raw, bytes) else b""
                if fname:
                    files[str(name)] = (fname, payload)
                else:
                    args[str(name)] = payload.decode("utf-8")
        elif req.body:
            args.update(req.form())
        return args, files

    def method(self, req: Request, m: re.Match[str]) -> Response:
        if m["token"] != BOT_TOKEN:
            return self.error_response(401, "unauthorized", "Unauthorized")
        args, files = self._args(req)
        handler = getattr(self, "m_" + m["method"], None)
        if handler is None:
            return self.error_response(404, "not_found", "Not Found: method not found")
        return handler(args, files)  # type: ignore[no-any-return]

    def m_getMe(self, args: dict[str, Any], files: Any) -> Response:
        return Response.json({"ok": True, "result": BOT})

    def m_getUpdates(self, args: dict[str, Any], files: Any) -> Response:
        s = self.s
        if s["webhook"]:
            return self.error_response(
                409,
                "conflict",
                "Conflict: can't use getUpdates method while webhook is "
                "active; use deleteWebhook to delete the webhook first",
            )
        offset = int(args.get("offset") or 0)
        with self._lock:
            if offset:
                s["updates"] = [u for u in s["updates"] if u["update_id"] >= offset]
            limit = int(args.get("limit") or 100)
            return Response.json({"ok": True, "result": s["updates"][:limit]})

    def _check_chat(self, chat_id: Any) -> Response | None:
        s = self.s
        try:
            cid = int(chat_id)
        except (TypeError, ValueError):
            return self.error_response(400, "bad_request", "Bad Request: chat not found")
        if self.ctx.faults.take(self.name, "/send", ("telegram_blocked",)) or cid in s["blocked"]:
            return self.error_response(403, "forbidden", "Forbidden: bot was blocked by the user")
        if self.ctx.faults.take(self.name, "/send", ("telegram_chat_not_found",)) or cid not in s["chats"]:
            return self.error_response(400, "bad_request", "Bad Request: chat not found")
        return None

    def _sent(self, kind: str, chat_id: int, **fields: Any) -> Response:
        msg = {
            "message_id": next(self._ids),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT,
            **fields,
        }
        with self._lock:
            self.s["sent"].append({"kind": kind, **msg})
        return Response.json({"ok": True, "result": msg})

    def m_sendMessage(self, args: dict[str, Any], files: Any) -> Response:
        bad = self._check_chat(args.get("chat_id"))
        if bad:
            return bad
        text = str(args.get("text") or "")
        if not text.strip():
            return self.error_response(400, "bad_request", "Bad Request: message text is empty")
        if len(text) > 4096:
            return self.error_response(400, "bad_request", "Bad Request: message is too long")
        markup = args.get("reply_markup")
        markup = json.loads(markup) if isinstance(markup, str) else markup
        return self._sent(
            "message",
            int(args["chat_id"]),
            text=text,
            reply_markup=markup or None,
            parse_mode=args.get("parse_mode"),
        )

    def m_sendDocument(self, args: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> Response:
        bad = self._check_chat(args.get("chat_id"))
        if bad:
            return bad
        if "document" not in files:
            return self.error_response(400, "bad_request", "Bad Request: there is no document in the request")
        name, data = files["document"]
        if len(data) > 50 * 2**20:
            return self.error_response(413, "too_large", "Request Entity Too Large")
        return self._sent(
            "document",
            int(args["chat_id"]),
            caption=args.get("caption", ""),
            document={"file_name": name, "file_size": len(data)},
            content=data[:8].hex(),
        )

    def m_answerCallbackQuery(self, args: dict[str, Any], files: Any) -> Response:
        with self._lock:
            self.s["sent"].append(
                {
                    "kind": "callback_answer",
                    "callback_query_id": args.get("callback_query_id"),
                    "text": args.get("text", ""),
                }
            )
        return Response.json({"ok": True, "result": True})

    def m_setWebhook(self, args: dict[str, Any], files: Any) -> Response:
        url = str(args.get("url") or "")
        if url and not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            return self.error_response(
                400, "bad_request", "Bad Request: bad webhook: HTTPS url must be provided"
            )
        self.s["webhook"] = url
        return Response.json({"ok": True, "result": True, "description": "Webhook was set"})

    def m_deleteWebhook(self, args: dict[str, Any], files: Any) -> Response:
        self.s["webhook"] = ""
        return Response.json({"ok": True, "result": True, "description": "Webhook was deleted"})

    def m_getWebhookInfo(self, args: dict[str, Any], files: Any) -> Response:
        return Response.json(
            {"ok": True, "result": {"url": self.s["webhook"], "pending_update_count": len(self.s["updates"])}}
        )

    # ----------------------------------------------------------------------------------- the user's side
    def user(self, req: Request, m: re.Match[str]) -> Response:
        chat = int(m["chat"])
        body = req.json() or {}
        s = self.s
        person = {"id": chat, "is_bot": False, "first_name": body.get("name", "Test user")}
        with self._lock:
            s["update_id"] += 1
            uid = s["update_id"]
            if m["action"] == "block":
                s["blocked"].add(chat)
                return Response.json({"ok": True})
            s["chats"][chat] = person
            s["blocked"].discard(chat)
            if m["action"] == "message":
                update = {
                    "update_id": uid,
                    "message": {
                        "message_id": next(self._ids),
                        "from": person,
                        "chat": {"id": chat, "type": "private"},
                        "text": str(body.get("text", "")),
                    },
                }
            else:
                update = {
                    "update_id": uid,
                    "callback_query": {
                        "id": f"cb{uid}",
                        "from": person,
                        "data": str(body.get("data", "")),
                        "message": {
                            "message_id": int(body.get("message_id") or 0),
                            "chat": {"id": chat, "type": "private"},
                        },
                    },
                }
            hook = s["webhook"]
            if not hook:
                s["updates"].append(update)
        if hook:  # delivered like Telegram does: a POST of the update to the webhook
            httpx.post(hook, json=update, timeout=10)
        return Response.json({"ok": True, "update_id": uid})


def make_api(ctx: Any) -> TelegramApi:
    return TelegramApi(ctx)
