"""Alerts (PM, AM, analyst): the selected client's open alerts or their history; acknowledge one; run the rules
now on yesterday's data (what changed is stored and delivered like a scheduled run); the client's rule thresholds."""

import pandas as pd
import streamlit as st

from dashboards import delivery_data as dd
from dashboards import safe, ui
from dashboards import workspace_data as wd
from dashboards.i18n import t
from delivery.alerts import RULES
from delivery.thresholds import FIELDS as TH_FIELDS

ctx = ui.context()
p = ctx.principal
st.title(t("page_alerts"))
flash = st.session_state.pop("al_flash", None)
for kind, msg in flash or ():
    getattr(safe, kind)(msg)


def when(v: object) -> str:
    return "" if v is None or pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d %H:%M UTC")


with ui.guard():
    show = st.radio(
        t("al_show"),
        ["open", "all"],
        horizontal=True,
        key="al_show",
        format_func=lambda x: t(f"al_show_{x}", ctx.lang),
    )
    rows = wd.alerts(p, ctx.client_id, include_resolved=show == "all")
    if rows.empty:
        st.info(t("al_none_open") if show == "open" else t("al_none"))
    else:
        text = rows["message_ru"] if ctx.lang == "ru" else rows["message_en"]
        st.dataframe(
            pd.DataFrame(
                {
                    t("al_message"): text,
                    t("al_rule"): rows["rule"].map(lambda r: t(f"al_rule_{r}") if r in RULES else r),
                    t("al_state"): rows["state"].map(lambda s: t(f"al_state_{s}")),
                    t("al_opened"): rows["opened_at"].map(when),
                    t("al_acked"): [
                        f"{b} · {when(a)}" if b else "—"
                        for b, a in zip(rows["acked_by"], rows["acked_at"], strict=True)
                    ],
                }
            ),
            hide_index=True,
            key="al_table",
        )  # messages quote campaign names: plain cells, never Markdown
        waiting = rows[(rows["state"] == "open") & (rows["acked_by"] == "")]
        if not waiting.empty:
            labels = dict(zip(waiting["alert_key"], text[waiting.index], strict=True))
            c1, c2 = st.columns([3, 1])
            key = c1.selectbox(
                t("al_pick"),
                list(labels),
                key="al_pick",
                format_func=lambda k: labels[k][:120],
                placeholder=t("pick_one"),
            )
            if c2.button(t("al_ack"), key="al_ack"):
                wd.acknowledge(p, ctx.client_id, key)
                st.session_state["al_flash"] = [("success", t("al_acked_done"))]
                st.rerun()
    st.divider()
    st.caption(t("al_run_help"))
    if st.button(t("al_run"), key="al_run"):
        with st.spinner(t("al_running")):
            notices, failed = wd.run_alerts(p, ctx.client_id, ctx.lang)
        out = [("success", t("al_ran", n=len(notices)))]
        out += [("info", n.text(ctx.lang)) for n in notices]
        out += [("warning", t("al_not_delivered", what=f)) for f in failed]
        st.session_state["al_flash"] = out
        st.rerun()

    st.divider()
    st.subheader(t("al_my_chat"))
    status = wd.my_alert_chat(p)
    st.caption(t("al_my_chat_status", status=t(f"dl_tg_{status}")) if status else t("al_my_chat_none"))
    if st.button(t("al_my_chat_link"), key="al_my_chat_link"):
        st.session_state["al_my_code"] = (p.login, wd.my_alert_chat_code(p))
        st.rerun()
    code = st.session_state.get("al_my_code")
    if code and code[0] == p.login:
        st.caption(t("dl_tg_send"))
        st.code(f"/start {code[1]}", language=None)

st.divider()
st.subheader(t("al_thresholds"))
st.caption(t("al_thresholds_help"))
with ui.guard():
    current = dd.thresholds(p, ctx.client_id)
    th_labels = {f: t(f"al_th_{f}") for f in TH_FIELDS}
    with st.form("al_th_form"):
        cols = st.columns(len(TH_FIELDS))
        typed = {
            f: col.text_input(th_labels[f], value=f"{getattr(current, f):g}", key=f"al_th_{f}")
            for f, col in zip(TH_FIELDS, cols, strict=True)
        }
        save = st.form_submit_button(t("al_th_save"))
    if save:
        try:
            dd.set_thresholds(p, ctx.client_id, typed)
        except (ValueError, PermissionError) as exc:
            wd.form_error(exc, th_labels)
        else:
            st.session_state["al_flash"] = [("success", t("al_th_saved"))]
            st.rerun()
