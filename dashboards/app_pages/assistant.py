"""Assistant: questions over the tenant's reports and documents; every answer lists the passages it cites."""

import streamlit as st

from dashboards import data, safe, ui
from dashboards.i18n import t

ctx = ui.context()
st.title(t("page_assistant"))
history = st.session_state.setdefault("chat_history", [])
for turn in history:
    with st.chat_message(turn["role"]):
        safe.text(turn["text"])  # questions, answers and passages are data: never Markdown
        for c in turn.get("citations", []):
            safe.caption(f"[{c['chunk_id']}] {c['source_path']} — {c['heading']} ({c['line_start']}–{c['line_end']})")
question = st.chat_input(t("ask_placeholder"), key="chat_q")
if question:
    with ui.guard():
        answer = data.ask(ctx.principal, question, ctx.lang)
        cites = [h.as_dict() for h in answer.citations]
        history.append({"role": "user", "text": question})
        history.append({"role": "assistant", "text": answer.answer, "citations": cites})
        with st.chat_message("user"):
            safe.text(question)
        with st.chat_message("assistant"):
            safe.text(answer.answer)
            st.caption(f"{t('sources')}: {len(cites)} · {answer.provider}")
            for c in cites:
                safe.caption(f"[{c['chunk_id']}] {c['source_path']} — {c['heading']} "
                           f"({c['line_start']}–{c['line_end']})")
