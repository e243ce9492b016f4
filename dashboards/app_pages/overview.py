"""Overview: KPIs with period-over-period deltas, daily spend by platform (provisional days marked), top campaigns."""

import streamlit as st

from dashboards import charts, data, ui
from dashboards.i18n import fmt_range, t

ctx = ui.context()
st.title(t("page_overview"))
with ui.guard():
    k = data.kpis(ctx.principal, ctx.client_id, ctx.period)
    cur, prev = k["current"], k["previous"]
    if not cur["impressions"] and not cur["spend_net"] and not cur["sessions"]:
        st.info(t("no_data"))
    cols = st.columns(4)
    currency = ui.currency(ctx)
    na = data.not_applicable(cur)
    before = ctx.period.previous()
    versus = f"{t('vs_previous')}: {fmt_range(before.date_from, before.date_to, ctx.lang)}"
    for i, m in enumerate(("spend_net", "impressions", "clicks", "conversions", "ctr", "cpc", "cpa", "romi")):
        if m in na:  # say why instead of a −100 % ROMI or an empty CPA
            cols[i % 4].metric(t(m), t("not_applicable"), help=t(na[m]))
            continue
        # Lower is better for cost metrics: colour the delta accordingly.
        cols[i % 4].metric(
            t(m),
            ui.fmt_metric(m, cur[m], currency),
            ui.delta_pct(cur[m], prev[m]),
            delta_color="inverse" if m in ("cpc", "cpa") else "normal",
            help=versus,
        )
    if cur.get("provisional_days"):
        st.caption(":warning: " + t("provisional_note", n=int(cur["provisional_days"])))
    grain = st.segmented_control(
        t("grain"), data.GRAINS, default="day", key="overview_grain", format_func=lambda g: t(f"grain_{g}")
    )
    daily = data.by_grain(data.daily(ctx.principal, ctx.client_id, ctx.period), grain or "day")
    if not daily.empty:
        daily = ui.named(daily)
        daily["provisional"] = daily["is_provisional"].map({1: t("is_provisional"), 0: ""})
        charts.bar(
            daily,
            "date_day",
            "spend_net",
            color="platform",
            lighter="provisional",
            temporal_x=True,
            labels={
                "date_day": t({"week": "week_from", "month": "month_of"}.get(grain or "day", "date_day")),
                "spend_net": ui.money_label("spend_net", currency),
                "platform": t("platform"),
                "provisional": t("is_provisional"),
            },
            title=t({"week": "weekly_spend", "month": "monthly_spend"}.get(grain or "day", "daily_spend")),
            key="overview_daily",
        )
    top = data.campaigns(ctx.principal, ctx.client_id, ctx.period).head(10)
    if not top.empty:
        st.subheader(t("top_campaigns"))
        ui.metric_table(
            top,
            ["campaign_name", "platform", "spend_net", "clicks", "conversions", "cpa", "romi"],
            currency,
            key="overview_top",
        )
