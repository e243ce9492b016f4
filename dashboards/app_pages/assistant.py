"""Assistant: one chat with the analyst (the client's data through the metric layer), the plan advisor and the
project assistant, in stored threads with follow-ups; by default the router picks the assistant from the question
and every answer says which one answered. Every answer lists its numbers with their source and takes thumbs
up/down with a comment. The knowledge base stays available as its own choice."""

import streamlit as st

from assistants.agents import chat, memory
from dashboards import data, safe, ui
from dashboards.i18n import t

AGENTS = ("auto", "analyst", "plan", "project", "kb")

ctx = ui.context()
ch = data.client()
st.title(t("page_assistant"))
# Options are the labels themselves (a format_func would be re-run outside the page's session by the test harness).
_AGENT_BY_LABEL = {t(f"agent_{a}"): a for a in AGENTS}
agent = _AGENT_BY_LABEL[
    st.radio(t("assistant_agent"), list(_AGENT_BY_LABEL), horizontal=True, key="asst_agent")
]


def _source(n: dict) -> str:
    src = n.get("source") or {}
    period = src.get("period") or {}
    where = ", ".join(
        f"{k}={'/'.join(v) if isinstance(v, list) else v}" for k, v in (src.get("filters") or {}).items()
    )
    extra = src.get("campaign") or src.get("line_id") or src.get("platform") or ""
    span = f"{period.get('date_from')} — {period.get('date_to')}" if period else ""
    return " · ".join(
        x
        for x in (
            f"{n.get('label') or n['metric']}: {n['text']}",
            src.get("tool", ""),
            span,
            where,
            str(extra),
        )
        if x
    )


def _feedback(message_id: str) -> None:
    done = st.session_state.setdefault("asst_feedback_done", set())
    if message_id in done:
        st.caption(t("feedback_thanks"))
        return
    comment = st.text_input(t("feedback_comment"), key=f"fb_c_{message_id}")
    up, down = st.columns(2)
    liked = up.button(t("feedback_up"), key=f"fb_up_{message_id}")  # both drawn on every run
    disliked = down.button(t("feedback_down"), key=f"fb_dn_{message_id}")
    rating = 1 if liked else -1 if disliked else 0
    if rating:
        with ui.guard():
            memory.record_feedback(ch, ctx.principal, message_id, rating, comment)
            done.add(message_id)
            st.caption(t("feedback_thanks"))


if agent == "kb":
    history = st.session_state.setdefault("chat_history", [])
    for turn in history:
        with st.chat_message(turn["role"]):
            safe.text(turn["text"])  # questions, answers and passages are data: never Markdown
            for c in turn.get("citations", []):
                safe.caption(
                    f"[{c['chunk_id']}] {c['title']} — {c['heading']} ({c['line_start']}–{c['line_end']})"
                )
    question = st.chat_input(t("ask_placeholder"), key="chat_q")
    if question:
        with ui.guard():
            answer = data.ask(ctx.principal, question, ctx.lang)
            # The document's title, never its path on the server.
            cites = [
                {
                    "chunk_id": h.chunk_id,
                    "title": h.title,
                    "heading": h.heading,
                    "line_start": h.line_start,
                    "line_end": h.line_end,
                }
                for h in answer.citations
            ]
            history.append({"role": "user", "text": question})
            history.append({"role": "assistant", "text": answer.answer, "citations": cites})
            st.rerun()
    st.stop()

# The plan the plan advisor works on: one of the client's plans (default: the newest).
plan_id = ""
if agent in ("auto", "plan") and ctx.client_id:
    plans = data.media_plans(ctx.principal, ctx.client_id)
    if not plans.empty:
        newest = (
            plans[plans["kind"] == "plan"]
            .sort_values("imported_at", ascending=False)
            .drop_duplicates("plan_id")
        )
        ids = [str(x) for x in newest["plan_id"]]
        plan_id = st.selectbox(t("assistant_plan"), ids, key="asst_plan", placeholder=t("pick_one"))

threads = [th for th in memory.list_threads(ch, ctx.principal) if agent in ("auto", th["agent"])]
# label -> thread id; titles are the users' questions, so they are escaped, and the id tail keeps labels unique
by_label = {t("thread_new"): ""} | {
    f"{safe.md(th['title'][:60])} · {th['thread_id'][:6]}": th["thread_id"] for th in threads
}
label_of = {v: k for k, v in by_label.items()}
key = f"asst_thread_{agent}"
pending = st.session_state.pop(f"asst_pending_{agent}", None)
if (
    pending in label_of
):  # the thread the last question went into (a widget's value may only be set before it is drawn)
    st.session_state[key] = label_of[pending]
if st.session_state.get(key) not in by_label:
    st.session_state[key] = t("thread_new")
with st.sidebar:
    st.subheader(t("threads"))
    thread_id = by_label[st.radio(t("threads"), list(by_label), key=key, label_visibility="collapsed")]
    if thread_id and st.button(t("thread_delete"), key="asst_delete"):
        with ui.guard():
            memory.delete_thread(ch, ctx.principal, thread_id)
            st.session_state.pop(key, None)
            st.session_state["asst_flash"] = t("thread_deleted")
            st.rerun()
if st.session_state.get("asst_flash"):
    st.info(st.session_state.pop("asst_flash"))

if thread_id:
    for turn in memory.turns(ch, ctx.principal, thread_id):
        with st.chat_message("user"):
            safe.text(turn["question"])
        with st.chat_message("assistant"):
            safe.text(turn["answer"])
            if turn["numbers"]:
                with st.expander(t("numbers_sources")):
                    for n in turn["numbers"]:
                        safe.caption(_source(n))
            safe.caption(f"{t('answered_by', who=t('agent_' + turn['agent']))} · {turn['provider']}")
            _feedback(turn["message_id"])

# One input for every agent: per-agent keys left the previous agent's input on the page after a switch.
question = st.chat_input(t("ask_agent_placeholder"), key="chat_agent")
if question:
    with ui.guard():
        res = chat.ask(
            ch,
            ctx.principal,
            question,
            agent=agent,
            client_id=ctx.client_id or None,
            thread_id=thread_id or None,
            lang=ctx.lang,
            plan_id=plan_id or None,
        )
        st.session_state[f"asst_pending_{agent}"] = res["thread_id"]
        st.rerun()
