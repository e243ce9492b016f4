"""Channels: spend share and efficiency per ad network over the period, daily trend."""

import plotly.express as px
import streamlit as st

from dashboards import data, ui
from dashboards.i18n import t

ctx = ui.context()
st.title(t("page_channels"))
with ui.guard():
    daily = data.channels(ctx.principal, ctx.client_id, ctx.period)
    if daily.empty:
        st.info(t("no_data"))
        st.stop()
    sums = ["impressions", "clicks", "spend_gross", "spend_net", "conversions", "conversions_value", "sessions"]
    per_channel = data.add_ratios(daily.groupby("channel", as_index=False)[sums].sum())
    c1, c2 = st.columns(2)
    c1.plotly_chart(px.pie(per_channel, names="channel", values="spend_net", title=t("spend_net")),
                    key="channel_share")
    c2.plotly_chart(px.bar(per_channel, x="channel", y="cpa", title=t("cpa"), labels={"channel": t("channel")}),
                    key="channel_cpa")
    st.plotly_chart(px.line(daily, x="date_day", y="spend_net", color="channel",
                            labels={"date_day": t("date_day"), "spend_net": t("spend_net"), "channel": t("channel")}),
                    key="channel_trend")
    st.dataframe(ui.labelled(per_channel[["channel", *sums[:5], "ctr", "cpc", "cpa", "romi"]]), hide_index=True,
                 key="channel_table")
