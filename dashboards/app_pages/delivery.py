"""Delivery (PM, AM, analyst): the selected client's report schedules (add, list, remove; e-mail, Telegram, Google
Sheets), its Telegram chats (a one-time `/start` code links a chat) and the state of its delivery channels."""

import datetime as dt

import pandas as pd
import streamlit as st

from dashboards import delivery_data as dd
from dashboards import safe, ui
from dashboards import workspace_data as wd
from dashboards.i18n import t
from delivery import schedules as sc

ctx = ui.context()
p = ctx.principal
st.title(t("page_delivery"))
# Labels of the schedule fields the form sets (the tenant is the signed-in one; the commission is not asked here).
FIELDS = {n: t(f"dl_{n}") for n in sc.SCHEDULE_FIELDS if n not in ("tenant_id", "show_commission")}
WEEKDAYS = range(1, 8)  # ISO: 1 Monday … 7 Sunday, named by the catalogue's dl_weekday_<n>
flash = st.session_state.pop("dl_flash", None)
if flash:
    safe.success(flash)


def weekday(d: int) -> str:
    return t(f"dl_weekday_{d}", ctx.lang)


def when(s: sc.Schedule) -> str:
    """The cadence in words: daily at 09:00, weekly on Monday at 09:00, monthly on day 1…"""
    extra = {"weekly": weekday(s.weekday), "monthly": t("dl_day_n", ctx.lang, n=s.month_day)}.get(
        s.report_type, ""
    )
    return " · ".join(x for x in (t(f"dl_type_{s.report_type}", ctx.lang), extra, s.local_time) if x)


with ui.guard():
    rows = wd.schedules(p, ctx.client_id)
    st.subheader(t("dl_schedules"))
    if not rows:
        st.info(t("dl_none"))
    else:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "id": s.schedule_id,
                        t("dl_when"): when(s),
                        FIELDS["layout"]: t(f"dl_layout_{s.layout}"),
                        FIELDS["channels"]: ", ".join(t(f"dl_channel_{c}") for c in s.channels),
                        FIELDS["language"]: s.language,
                        FIELDS["vat"]: t(f"dl_vat_{s.vat}"),
                        FIELDS["recipients"]: ", ".join(s.recipients) or t("dl_client_recipients"),
                        FIELDS["spreadsheet_id"]: s.spreadsheet_id or "—",
                    }
                    for s in rows
                ]
            ),
            hide_index=True,
            key="dl_table",
        )

    st.subheader(t("dl_add"))
    with st.form("dl_add_form"):
        a, b, c = st.columns(3)
        report_type = a.selectbox(
            FIELDS["report_type"],
            sc.REPORT_TYPES,
            key="dl_type",
            format_func=lambda x: t(f"dl_type_{x}", ctx.lang),
            placeholder=t("pick_one"),
        )
        layout = b.selectbox(
            FIELDS["layout"],
            sc.LAYOUTS,
            key="dl_layout",
            format_func=lambda x: t(f"dl_layout_{x}", ctx.lang),
            placeholder=t("pick_one"),
        )
        at = c.time_input(
            FIELDS["local_time"], value=dt.time(9, 0), key="dl_time", help=t("dl_time_help"), step=900
        )
        wd_ = a.selectbox(
            FIELDS["weekday"],
            list(WEEKDAYS),
            key="dl_weekday",
            format_func=weekday,
            help=t("dl_weekday_help"),
            placeholder=t("pick_one"),
        )
        day = b.number_input(
            FIELDS["month_day"], min_value=1, max_value=31, value=1, key="dl_day", help=t("dl_day_help")
        )
        channels = c.multiselect(
            FIELDS["channels"],
            sc.CHANNELS,
            default=["email"],
            key="dl_channels",
            format_func=lambda x: t(f"dl_channel_{x}", ctx.lang),
            placeholder=t("pick_many"),
        )
        lang = a.selectbox(
            FIELDS["language"],
            ["ru", "en"],
            index=0 if ctx.lang == "ru" else 1,
            key="dl_lang",
            format_func=lambda x: {"ru": "Русский", "en": "English"}[x],
            placeholder=t("pick_one"),
        )
        vat = b.selectbox(
            FIELDS["vat"],
            ["net", "gross"],
            key="dl_vat",
            format_func=lambda x: t(f"dl_vat_{x}", ctx.lang),
            placeholder=t("pick_one"),
        )
        commission = c.checkbox(t("dl_commission"), key="dl_commission")
        to = st.text_input(FIELDS["recipients"], key="dl_to", help=t("dl_recipients_help"))
        sheet = st.text_input(
            FIELDS["spreadsheet_id"],
            key="dl_sheet",
            help=t("dl_spreadsheet_help", email=dd.sheets_account() or t("dl_sheets_account_unset")),
        )
        added = st.form_submit_button(t("dl_add_button"))
    if added:
        recipients = tuple(r.strip() for r in to.replace(";", ",").split(",") if r.strip())
        try:
            s = wd.add_schedule(
                p,
                sc.Schedule(
                    p.tenant_id,
                    "",
                    ctx.client_id,
                    report_type,
                    layout,
                    at.strftime("%H:%M"),
                    int(wd_),
                    int(day),
                    tuple(channels),
                    lang,
                    vat,
                    commission,
                    recipients,
                    sheet.strip(),
                ),
            )
        except (ValueError, PermissionError) as exc:
            wd.form_error(exc, FIELDS)
        else:
            st.session_state["dl_flash"] = t("dl_added", what=when(s))
            st.rerun()

    if rows:
        by_id = {s.schedule_id: s for s in rows}
        c1, c2 = st.columns([3, 1])
        gone = c1.selectbox(
            t("dl_pick"),
            list(by_id),
            key="dl_remove_pick",
            format_func=lambda i: f"{i} · {when(by_id[i])}",
            placeholder=t("pick_one"),
        )
        if c2.button(t("dl_remove"), key="dl_remove"):
            wd.remove_schedule(p, ctx.client_id, gone)
            st.session_state["dl_flash"] = t("dl_removed", id=gone)
            st.rerun()

    st.subheader(t("dl_telegram"))
    chats = wd.telegram_links(p, ctx.client_id)
    if any("telegram" in s.channels for s in rows) and not (chats["status"] == "linked").any():
        st.warning(t("dl_tg_missing"))  # the scheduled run would fail its Telegram part
    if chats.empty:
        st.info(t("dl_tg_none"))
    else:
        wd.show_table(
            chats.assign(status=chats["status"].map(lambda x: t(f"dl_tg_{x}"))),
            {
                "status": "dl_tg_status",
                "chat_id": "dl_tg_chat",
                "code_expires_at": "dl_tg_expires",
                "broken_reason": "dl_tg_reason",
            },
            "dl_tg_table",
        )
    if st.button(t("dl_tg_link"), key="dl_tg_link"):
        # Shown once, to the person who asked; the code is never stored in the audit log or shown again.
        st.session_state["dl_tg_code"] = (ctx.client_id, wd.telegram_code(p, ctx.client_id))
        st.rerun()  # the chats table above shows the new pending link
    code = st.session_state.get("dl_tg_code")
    if code and code[0] == ctx.client_id:
        st.caption(t("dl_tg_send"))
        st.code(f"/start {code[1]}", language=None)

st.subheader(t("dl_channels_state"))
with ui.guard():
    states = dd.channel_states(p, ctx.client_id)
    if states.empty:
        st.info(t("dl_channels_all_ok"))
    else:
        wd.show_table(
            states.assign(
                channel=states["channel"].map(lambda x: t(f"dl_channel_{x}")),
                status=states["status"].map(lambda x: t(f"dl_ch_{x}")),
            ),
            {
                "channel": "dl_ch_channel",
                "destination": "dl_ch_destination",
                "status": "dl_ch_status",
                "reason": "dl_ch_reason",
                "updated_at": "dl_ch_updated",
            },
            "dl_channels_table",
        )
