"""One chat over the three assistants (analyst, plan advisor, project assistant) with memory in the warehouse.

The app's Assistant page and `mrm ask --agent` both call `ask`: it checks the asker may read the client, opens or
continues the asker's thread, answers with the chosen assistant (a follow-up gets the previous turn's query), stores
the turn, and returns the answer with its numbers, each carrying its source.
"""

from __future__ import annotations

import re
import time
from typing import Any

from assistants.agents import memory
from assistants.agents.analyst import check_question
from assistants.agents.understand import Slots
from assistants.llm.numbers import fmt_num, fmt_pct
from metrics import service


def ask(
    ch: Any,
    principal: Any,
    question: str,
    *,
    agent: str = "analyst",
    client_id: str | None = None,
    thread_id: str | None = None,
    lang: str | None = None,
    gateway: Any = None,
    marts_db: str | None = None,
) -> dict[str, Any]:
    """Answer in the asker's thread (a new one without `thread_id`); raises ValueError / PermissionError /
    memory.ThreadError with a message that names what is wrong."""
    from assistants.kb.loaders import guess_language

    if agent not in memory.AGENTS:
        raise ValueError(f"agent must be one of {', '.join(memory.AGENTS)}, got {agent!r}")
    check_question(question)
    lang = lang or guess_language(question)
    previous: Slots | None = None
    if thread_id:
        head = memory.get_thread(ch, principal, thread_id)
        if client_id and head["client_id"] and client_id != head["client_id"]:
            raise ValueError(
                f"thread {thread_id} is about client {head['client_id']!r}, not {client_id!r} / "
                "диалог о другом клиенте"
            )
        client_id = client_id or head["client_id"] or None
        agent = head["agent"]
        past = [t for t in memory.turns(ch, principal, thread_id) if t["agent"] == "analyst" and t["slots"]]
        previous = Slots.from_dict(past[-1]["slots"]) if past else None
    if principal.role == "client":
        client_id = principal.client_id  # a client user asks about its own client only
    if agent in ("analyst", "plan"):
        if not client_id:
            raise ValueError(f"the {agent} assistant needs a client (--client) / укажите клиента")
        service.check_scope(
            ch, principal, client_id
        )  # PermissionError for a client outside the asker's scope
    t0 = time.perf_counter()
    if agent == "analyst":
        from assistants.agents import analyst

        res = analyst.ask(
            ch,
            principal,
            str(client_id),
            question,
            lang,
            gateway=gateway,
            marts_db=marts_db,
            previous=previous,
        )
        out: dict[str, Any] = {
            "answer": res.answer,
            "numbers": res.numbers,
            "citations": res.citations,
            "provider": res.provider,
            "tool_calls": [c.as_dict() for c in res.tool_calls],
            "slots": res.slots,
            "note": res.note,
        }
    elif agent == "plan":
        out = _plan(ch, principal, str(client_id), question, lang)
    else:
        if client_id:
            service.check_scope(ch, principal, client_id)
        out = _project(ch, principal, question, lang, gateway, client_id or "")
    latency = int((time.perf_counter() - t0) * 1000)
    if not thread_id:
        thread_id = memory.new_thread(ch, principal, agent, client_id or "", question.strip().splitlines()[0])
    mid = memory.add_turn(
        ch,
        principal,
        thread_id,
        agent=agent,
        client_id=client_id or "",
        question=question,
        answer=out["answer"],
        slots=out.get("slots") or {},
        tool_calls=out["tool_calls"],
        numbers=out["numbers"],
        provider=out["provider"],
        latency_ms=latency,
    )
    return {
        "agent": agent,
        "client_id": client_id or "",
        "thread_id": thread_id,
        "message_id": mid,
        "latency_ms": latency,
        "language": lang,
    } | out


def _plan(ch: Any, principal: Any, client_id: str, question: str, lang: str) -> dict[str, Any]:
    """The plan advisor on the client's newest stored plan: budget moves for more reach (target from the question)."""
    from assistants.agents import mediaplan

    rows = ch.query(
        "SELECT plan_id FROM app.media_plans WHERE tenant_id = {t:String} AND client_id = {c:String} "
        "ORDER BY imported_at DESC LIMIT 1",
        parameters={"t": principal.tenant_id, "c": client_id},
    ).result_rows
    named = re.search(r"\bplan[- ]?id[: ]+([\w.:@+-]{1,128})", question)
    if not rows and not named:
        msg = (
            "У клиента нет сохранённого медиаплана."
            if lang == "ru"
            else "The client has no stored media plan."
        )
        return {"answer": msg, "numbers": [], "citations": [], "provider": "offline", "tool_calls": []}
    plan_id = named.group(1) if named else rows[0][0]
    pct = re.search(r"(\d{1,2}(?:[.,]\d+)?)\s*%", question)
    target = float(pct.group(1).replace(",", ".")) / 100 if pct else None
    advice = mediaplan.suggest(ch, principal.tenant_id, plan_id, target_reach=target, client_id=client_id)
    src = {
        "tool": "plan_advisor",
        "plan_id": advice.plan_id,
        "plan_version": advice.plan_version,
        "model": advice.model,
    }
    numbers = [
        {
            "metric": k,
            "value": getattr(advice, k),
            "text": fmt_pct(getattr(advice, k), lang)
            if k.startswith("reach")
            else fmt_num(getattr(advice, k), lang),
            "source": src | {"metric": k},
        }
        for k in ("reach_before", "reach_after", "budget_before", "budget_after")
    ]
    call = {
        "id": "plan-1",
        "tool": "plan_advisor",
        "arguments": {"plan_id": plan_id, "target_reach": target},
        "result": advice.as_dict(),
        "error": "",
    }
    return {
        "answer": advice.text(lang),
        "numbers": numbers,
        "citations": [],
        "provider": "offline",
        "tool_calls": [call],
    }


def _project(ch: Any, principal: Any, brief: str, lang: str, gateway: Any, client_id: str) -> dict[str, Any]:
    """The project assistant: the brief as tasks with a RACI matrix over the team's roles, stored as a project of
    the client (editable on the Projects page)."""
    from assistants.agents import project, project_store

    draft = project.decompose(brief, tenant_id=principal.tenant_id, lang=lang, gateway=gateway, ch=ch)
    pid = project_store.create_from_draft(ch, principal, draft, client_id=client_id, brief=brief)
    saved = (
        f"Проект сохранён: {draft.title} (id {pid})."
        if lang == "ru"
        else f"Project saved: {draft.title} (id {pid})."
    )
    call = {
        "id": "project-1",
        "tool": "project_decompose",
        "arguments": {},
        "result": draft.as_dict() | {"project_id": pid},
        "error": "",
    }
    return {
        "answer": f"{saved}\n\n{draft.to_markdown()}",
        "numbers": [],
        "citations": [],
        "provider": draft.provider,
        "tool_calls": [call],
        "project_id": pid,
    }
