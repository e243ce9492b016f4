"""Assistant conversations kept in the warehouse: threads per user, their turns, feedback on answers.

Every read and write is bound to the asker's tenant and login (server-side parameters), so one user never sees or
deletes another's thread. Deleting a thread removes its rows (and its feedback), not a flag.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

from mrm.i18n import refusal
from warehouse.rows import delete_rows, one_row

_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
AGENTS = ("analyst", "plan", "project")
# A thread's header: the columns of app.assistant_threads after its tenant and login.
_THREAD = ("thread_id", "agent", "client_id", "title", "created_at", "updated_at")


class ThreadError(LookupError):
    """A thread that does not exist for this user (or an id that cannot be one)."""


def _who(p: Any) -> dict[str, str]:
    return {"t": str(p.tenant_id), "u": str(p.login)}


def _one(ch: Any, sql: str, params: dict[str, Any], missing: ThreadError) -> tuple[Any, ...]:
    """The first row of this user's query, or `missing` raised when there is none."""
    return one_row(ch, sql, params, missing)


def _check_id(thread_id: str) -> str:
    if not isinstance(thread_id, str) or not _ID.match(thread_id):
        raise refusal(ThreadError, "asst_thread_bad_id", thread=repr(thread_id))
    return thread_id


def new_thread(ch: Any, p: Any, agent: str, client_id: str, title: str) -> str:
    if agent not in AGENTS:
        raise ValueError(f"agent must be one of {', '.join(AGENTS)}, got {agent!r}")
    tid = uuid.uuid4().hex
    _touch(ch, p, tid, agent, client_id, title[:120], created=dt.datetime.now(dt.UTC))
    return tid


def _touch(ch: Any, p: Any, tid: str, agent: str, client_id: str, title: str, created: dt.datetime) -> None:
    ch.insert(
        "app.assistant_threads",
        [[p.tenant_id, p.login, tid, agent, client_id, title, created, dt.datetime.now(dt.UTC)]],
        column_names=["tenant_id", "login", *_THREAD],
    )


def get_thread(ch: Any, p: Any, thread_id: str) -> dict[str, Any]:
    """The thread's header, or ThreadError when this user has no such thread."""
    row = _one(
        ch,
        f"SELECT {', '.join(_THREAD)} FROM app.assistant_threads FINAL "  # noqa: S608 - this module's column names
        "WHERE tenant_id = {t:String} AND login = {u:String} AND thread_id = {id:String}",
        _who(p) | {"id": _check_id(thread_id)},
        refusal(ThreadError, "asst_thread_not_found", thread=repr(thread_id)),
    )
    return dict(zip(_THREAD, row, strict=True))


def list_threads(ch: Any, p: Any, limit: int = 50) -> list[dict[str, Any]]:
    """This user's threads, newest first."""
    rows = ch.query(
        "SELECT thread_id, agent, client_id, title, updated_at FROM app.assistant_threads FINAL "
        "WHERE tenant_id = {t:String} AND login = {u:String} ORDER BY updated_at DESC, thread_id LIMIT {n:UInt32}",
        parameters=_who(p) | {"n": int(limit)},
    ).result_rows
    return [
        {"thread_id": r[0], "agent": r[1], "client_id": r[2], "title": r[3], "updated_at": r[4]} for r in rows
    ]


def turns(ch: Any, p: Any, thread_id: str) -> list[dict[str, Any]]:
    """The thread's turns in order (question, answer, slots, tool calls, numbers)."""
    rows = ch.query(
        "SELECT message_id, seq, agent, question, answer, slots_json, tool_calls_json, numbers_json, provider "
        "FROM app.assistant_messages WHERE tenant_id = {t:String} AND login = {u:String} "
        "AND thread_id = {id:String} ORDER BY seq",
        parameters=_who(p) | {"id": _check_id(thread_id)},
    ).result_rows
    return [
        {
            "message_id": r[0],
            "seq": r[1],
            "agent": r[2],
            "question": r[3],
            "answer": r[4],
            "slots": json.loads(r[5] or "{}"),
            "tool_calls": json.loads(r[6] or "[]"),
            "numbers": json.loads(r[7] or "[]"),
            "provider": r[8],
        }
        for r in rows
    ]


def add_turn(
    ch: Any,
    p: Any,
    thread_id: str,
    *,
    agent: str,
    client_id: str,
    question: str,
    answer: str,
    slots: dict[str, Any],
    tool_calls: list[dict[str, Any]],
    numbers: list[dict[str, Any]],
    provider: str,
    latency_ms: int,
) -> str:
    head = get_thread(ch, p, thread_id)
    seq = len(turns(ch, p, thread_id)) + 1
    mid = uuid.uuid4().hex
    ch.insert(
        "app.assistant_messages",
        [
            [
                p.tenant_id,
                p.login,
                thread_id,
                mid,
                seq,
                agent,
                client_id,
                question,
                answer,
                json.dumps(slots, ensure_ascii=False, default=str),
                json.dumps(tool_calls, ensure_ascii=False, default=str),
                json.dumps(numbers, ensure_ascii=False, default=str),
                provider,
                int(latency_ms),
            ]
        ],
        column_names=[
            "tenant_id",
            "login",
            "thread_id",
            "message_id",
            "seq",
            "agent",
            "client_id",
            "question",
            "answer",
            "slots_json",
            "tool_calls_json",
            "numbers_json",
            "provider",
            "latency_ms",
        ],
    )
    _touch(ch, p, thread_id, head["agent"], head["client_id"], head["title"], head["created_at"])
    return mid


def delete_thread(ch: Any, p: Any, thread_id: str) -> None:
    """Remove the thread, its turns and their feedback (rows deleted, synchronously)."""
    get_thread(ch, p, thread_id)
    params = _who(p) | {"id": thread_id}
    for table in ("assistant_feedback", "assistant_messages", "assistant_threads"):
        delete_rows(
            ch,
            f"app.{table}",
            "tenant_id = {t:String} AND login = {u:String} AND thread_id = {id:String}",
            params,
        )


def record_feedback(ch: Any, p: Any, message_id: str, rating: int, comment: str = "") -> None:
    """Thumbs up (1) or down (-1) and a comment on one of this user's answers, stored with what was asked."""
    if rating not in (1, -1):
        raise refusal(ValueError, "asst_rating_values")
    if len(comment) > 2000:
        raise refusal(ValueError, "asst_comment_too_long", limit=2000)
    r = _one(
        ch,
        "SELECT thread_id, agent, client_id, question, answer, tool_calls_json, numbers_json "
        "FROM app.assistant_messages WHERE tenant_id = {t:String} AND login = {u:String} AND message_id = {m:String}",
        _who(p) | {"m": _check_id(message_id)},
        refusal(ThreadError, "asst_answer_not_found", answer=repr(message_id)),
    )
    ch.insert(
        "app.assistant_feedback",
        [[p.tenant_id, p.login, message_id, r[0], r[1], r[2], rating, comment, r[3], r[4], r[5], r[6]]],
        column_names=[
            "tenant_id",
            "login",
            "message_id",
            "thread_id",
            "agent",
            "client_id",
            "rating",
            "comment",
            "question",
            "answer",
            "tool_calls_json",
            "numbers_json",
        ],
    )


def export_feedback(ch: Any, tenant_id: str) -> list[dict[str, Any]]:
    """The tenant's feedback as evaluation cases: question, answer, tool calls, numbers, rating, comment."""
    rows = ch.query(
        "SELECT login, message_id, thread_id, agent, client_id, rating, comment, question, answer, tool_calls_json, "
        "numbers_json, created_at FROM app.assistant_feedback FINAL WHERE tenant_id = {t:String} "
        "ORDER BY created_at, message_id",
        parameters={"t": tenant_id},
    ).result_rows
    return [
        {
            "login": r[0],
            "message_id": r[1],
            "thread_id": r[2],
            "agent": r[3],
            "client_id": r[4],
            "rating": r[5],
            "comment": r[6],
            "question": r[7],
            "answer": r[8],
            "tool_calls": json.loads(r[9] or "[]"),
            "numbers": json.loads(r[10] or "[]"),
            "created_at": r[11].isoformat() if hasattr(r[11], "isoformat") else str(r[11]),
        }
        for r in rows
    ]
