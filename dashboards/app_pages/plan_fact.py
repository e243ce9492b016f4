"""Plan vs Fact: cumulative planned vs actual spend (pacing curves), forecast at end of flight, status per line."""

import streamlit as st

from dashboards import charts, data, ui
from dashboards.i18n import CURRENCY_SIGNS, t

ctx = ui.context()
st.title(t("page_plan_fact"))
STATUS_COLOURS = {
    "on_track": "#2e7d32",
    "under": "#f9a825",
    "over": "#c62828",
    "future": "#9e9e9e",
    "not_planned": "#9e9e9e",
    "not_linked": "#9e9e9e",
}
with ui.guard():
    plans = data.plans_with_facts(ctx.principal, ctx.client_id)
    if plans.empty:
        st.info(t("no_plans"))
        st.stop()
    by_label = {
        f"{r.plan_id} v{r.plan_version} ({r.flight_start} – {r.flight_end})": (r.plan_id, r.plan_version)
        for r in plans.itertuples()
    }
    plan_id, version = by_label[
        st.selectbox(t("plan"), list(by_label), key="pf_plan", placeholder=t("pick_one"))
    ]
    days = data.plan_days(ctx.principal, ctx.client_id, plan_id, int(version))
    total = days.groupby("date_day", as_index=False)[["cum_planned_spend_net", "cum_actual_spend_net"]].sum(
        min_count=1
    )
    status = data.line_status(days)
    # Pacing forecasts are the agency's working estimate, not a number to show the client.
    internal = not ctx.principal.is_client
    forecast = status["forecast_spend_net_end_of_flight"].sum(min_count=1) if internal else float("nan")
    charts.pacing(
        total,
        {"cum_planned_spend_net": t("planned"), "cum_actual_spend_net": t("actual")},
        forecast=(days["date_day"].max(), float(forecast), t("forecast")) if forecast == forecast else None,
        title=t("pacing"),
        x_title=t("date_day"),
        y_title=ui.money_label("spend_net", ui.currency(ctx)),
        key="pf_curve",
    )
    status["status_label"] = status["pacing_status"].map(
        lambda s: t(f"status_{s}") if s in STATUS_COLOURS else s
    )
    shown = [
        "line_id",
        "channel",
        "flight_start",
        "flight_end",
        "line_budget_net",
        "cum_actual_spend_net",
        "pacing_ratio",
        *(["forecast_spend_net_end_of_flight"] if internal else []),
        "status_label",
    ]
    # Platforms by name, money headers with the currency, cells that cannot be computed as '—' (never None).
    sign = CURRENCY_SIGNS.get(ui.currency(ctx), ui.currency(ctx))
    labels = {
        "line_budget_net": f"{t('plan')}, {sign}",
        "cum_actual_spend_net": f"{t('actual')}, {sign}",
        "pacing_ratio": t("pacing"),
        "forecast_spend_net_end_of_flight": f"{t('forecast')}, {sign}",
    }
    metrics = [c for c in shown if c in labels]
    screen, config = ui.on_screen(
        ui.labelled(ui.named(status[shown]).rename(columns={**labels, "status_label": t("status")})),
        metrics,
        ui.currency(ctx),
        labels,
    )
    st.dataframe(screen, hide_index=True, key="pf_lines", column_config=config)
