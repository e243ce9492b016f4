"""Channels: spend share and efficiency per ad network over the period, daily trend."""

import streamlit as st

from dashboards import charts, data, ui
from dashboards.i18n import t

ctx = ui.context()
st.title(t("page_channels"))
with ui.guard():
    daily = data.channels(ctx.principal, ctx.client_id, ctx.period)
    if daily.empty:
        st.info(t("no_data"))
        st.stop()
    sums = list(data.ADDITIVE)
    daily = ui.named(daily)  # channel names as people read them, in charts and table alike
    per_channel = data.add_ratios(daily.groupby("channel", as_index=False)[sums].sum())
    c1, c2 = st.columns(2)
    cur = ui.currency(ctx)
    labels = {  # money titled with its currency in axes and tooltips
        "date_day": t("date_day"),
        "spend_net": ui.money_label("spend_net", cur),
        "channel": t("channel"),
        "cpa": ui.money_label("cpa", cur),
    }
    with c1:
        charts.pie(
            per_channel, "channel", "spend_net", title=t("spend_net"), labels=labels, key="channel_share"
        )
    with c2:
        charts.bar(per_channel, "channel", "cpa", title=t("cpa"), labels=labels, key="channel_cpa")
    charts.line(daily, "date_day", "spend_net", color="channel", labels=labels, key="channel_trend")
    ui.metric_table(
        per_channel,
        ["channel", *sums[:5], "ctr", "cpc", "cpa", "romi"],
        cur,
        key="channel_table",
    )
