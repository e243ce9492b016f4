"""One chat over the three assistants (analyst, plan advisor, project assistant) with memory in the warehouse.

The app's Assistant page and `mrm ask --agent` both call `ask`: it checks the asker may read the client, opens or
continues the asker's thread, answers with the chosen assistant (a follow-up gets the previous turn's query), stores
the turn, and returns the answer with its numbers, each carrying its source.
"""

from __future__ import annotations

import time
from typing import Any

from assistants.agents import memory
from assistants.agents.analyst import check_question
from assistants.agents.understand import Slots
from metrics import service
from mrm.i18n import refusal, t


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
    plan_id: str | None = None,
) -> dict[str, Any]:
    """Answer in the asker's thread (a new one without `thread_id`); raises ValueError / PermissionError /
    memory.ThreadError with a message that names what is wrong. `agent="auto"` lets the router pick the assistant
    from the question (in a thread, a question without plan or project words stays with the thread's assistant);
    `plan_id` is the plan the plan advisor works on (default: the client's newest)."""
    from assistants.agents import router
    from assistants.kb.loaders import guess_language
    from assistants.llm import Gateway

    if agent not in (*memory.AGENTS, "auto"):
        raise ValueError(f"agent must be auto or one of {', '.join(memory.AGENTS)}, got {agent!r}")
    check_question(question)
    lang = lang or guess_language(question)
    gateway = gateway if gateway is not None else Gateway.from_env(ch)
    previous: Slots | None = None
    head = memory.get_thread(ch, principal, thread_id) if thread_id else None
    route = router.Route(agent, "user", "", True)
    if agent == "auto":
        route = router.route(question, gateway=gateway, tenant_id=principal.tenant_id)
        if head is not None and not route.matched:
            route = router.Route(
                head["agent"], "thread", "a follow-up stays with the thread's assistant", False
            )
        agent = route.agent
    elif head is not None:
        agent = head["agent"]
        route = router.Route(agent, "thread", "the thread's assistant", True)
    if head is not None and thread_id:
        if client_id and head["client_id"] and client_id != head["client_id"]:
            raise refusal(
                ValueError, "asst_thread_other_client", thread=thread_id, client=repr(head["client_id"]),
                asked=repr(client_id),
            )  # fmt: skip
        client_id = client_id or head["client_id"] or None
        past = [t for t in memory.turns(ch, principal, thread_id) if t["agent"] == "analyst" and t["slots"]]
        previous = Slots.from_dict(past[-1]["slots"]) if past else None
    if principal.role == "client":
        client_id = principal.client_id  # a client user asks about its own client only
    if agent in ("analyst", "plan"):
        if not client_id:
            raise refusal(ValueError, "asst_needs_client", agent=agent)
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
        from assistants.agents import plan_advisor

        plan_id = plan_id or plan_advisor.newest_plan(ch, principal.tenant_id, str(client_id))
        if plan_id:
            scope = plan_advisor.PlanScope(principal, str(client_id), marts_db, lang, plan_id)
            out = plan_advisor.ask(ch, scope, question, gateway)
        else:
            out = {
                "answer": t("asst_ans_client_no_plan", lang),
                "numbers": [],
                "citations": [],
                "provider": "offline",
                "tool_calls": [],
            }
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
        "route": route.as_dict(),
        "client_id": client_id or "",
        "thread_id": thread_id,
        "message_id": mid,
        "latency_ms": latency,
        "language": lang,
    } | out


def _project(ch: Any, principal: Any, brief: str, lang: str, gateway: Any, client_id: str) -> dict[str, Any]:
    """The project assistant: the brief as tasks with a RACI matrix over the team's roles, stored as a project of
    the client (editable on the Projects page)."""
    from assistants.agents import project, project_store

    draft = project.decompose(brief, tenant_id=principal.tenant_id, lang=lang, gateway=gateway, ch=ch)
    pid = project_store.create_from_draft(ch, principal, draft, client_id=client_id, brief=brief)
    saved = t("asst_project_saved", lang, title=draft.title, id=pid)
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
