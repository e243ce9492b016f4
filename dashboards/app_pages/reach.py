"""Reach & Frequency: deduplicated reach across platforms, frequency distribution, reach calculators (model named)."""

import pandas as pd
import streamlit as st

from dashboards import charts, data, ui
from dashboards.i18n import fmt_range, t
from planning import reach as rm

ctx = ui.context()
st.title(t("page_reach"))
with ui.guard():
    dedup = data.reach_dedup(ctx.principal, ctx.client_id, ctx.period)
    per_platform = dedup[dedup["platform"] != "all"]
    if per_platform.empty:
        st.info(t("no_data"))
    else:
        total = int(dedup.loc[dedup["platform"] == "all", "reach"].iloc[0])
        summed = int(per_platform["reach"].sum())
        c1, c2, c3 = st.columns(3)
        c1.metric(t("dedup_reach"), ui.fmt_num(total))
        c2.metric(t("sum_of_platforms"), ui.fmt_num(summed))
        c3.metric(t("overlap"), ui.fmt_num(summed - total))
        charts.bar(
            dedup,
            "platform",
            "reach",
            labels={"platform": t("platform"), "reach": t("reach")},
            key="reach_bars",
        )
    rows = data.reach_rows(ctx.principal, ctx.client_id, ctx.period)
    dist = rows[(rows["reach_source"] == "user_level") & rows["reach_1plus"].notna()]
    client_wide = dist[dist["platform"] == "all"].sort_values("window_start")
    if not client_wide.empty:
        # An exact client-wide distribution exists per calendar month only: the chart is titled with the selected
        # period and shows each month it touches side by side (never summed), naming those months.
        months = [
            fmt_range(pd.Timestamp(w.window_start).date(), pd.Timestamp(w.window_end).date(), ctx.lang)
            for w in client_wide.itertuples()
        ]
        freq = pd.DataFrame(
            [
                {"frequency": f"{i}+", "reach": getattr(w, f"reach_{i}plus"), "window": m}
                for w, m in zip(client_wide.itertuples(), months, strict=True)
                for i in range(1, 6)
            ]
        )
        charts.bar(
            freq,
            "frequency",
            "reach",
            color="window",
            grouped=True,
            labels={"frequency": t("frequency"), "reach": t("reach"), "window": t("measured_window")},
            title=f"{t('freq_dist')}: {fmt_range(ctx.period.date_from, ctx.period.date_to, ctx.lang)}",
            key="freq_bars",
        )
        first, last = client_wide.iloc[0], client_wide.iloc[-1]
        if (pd.Timestamp(first.window_start).date(), pd.Timestamp(last.window_end).date()) != (
            ctx.period.date_from,
            ctx.period.date_to,
        ):
            st.caption(t("freq_windows", windows="; ".join(months)))
    reported = rows[rows["reach_source"] == "platform_reported"]
    if not reported.empty:
        st.subheader(t("reported_reach"))
        st.caption(t("reported_reach_note"))
        st.dataframe(
            ui.labelled(  # platforms by their names, never the stored ids
                ui.named(
                    reported[
                        [
                            "measured_by",
                            "window_start",
                            "window_end",
                            "platform",
                            "campaign_id",
                            "ad_id",
                            "reach",
                            "contacts",
                            "avg_frequency",
                        ]
                    ]
                )
            ),
            hide_index=True,
            key="reported_reach",
        )

st.header(t("calculators"))
MODELS = {
    "negative_exponential": "Negative exponential R = Rmax·(1 − e^(−k·GRP))",
    "poisson": "Poisson R = 1 − e^(−GRP/100)",
}
with ui.guard():
    model = st.selectbox(
        t("model"), list(MODELS), format_func=MODELS.get, key="calc_model", placeholder=t("pick_one")
    )
    g = st.number_input(t("grp"), min_value=0.0, max_value=5000.0, value=200.0, step=10.0, key="calc_grp")
    if model == "negative_exponential":
        r_max = st.number_input(t("r_max"), min_value=0.01, max_value=1.0, value=0.85, key="calc_rmax")
        k = st.number_input(
            t("k_param"), min_value=0.0001, max_value=1.0, value=0.01, format="%.4f", key="calc_k"
        )
        r = float(rm.negative_exponential_reach(g, r_max, k))
        target = st.number_input(
            t("target_reach"), min_value=0.01, max_value=0.99, value=0.5, key="calc_target"
        )
        st.success(t("reach_result", model=MODELS[model], value=ui.fmt_pct(r)))
        if target < r_max:
            need = rm.grp_for_reach(target, "negative_exponential", r_max=r_max, k=k)
            st.info(t("grp_needed", model=MODELS[model], value=ui.fmt_num(need, 1)))
    else:
        r = float(rm.poisson_reach(g))
        st.success(t("reach_result", model=MODELS[model], value=ui.fmt_pct(r)))
    st.subheader("Sainsbury")
    raw = st.text_input(t("sainsbury_inputs"), value="0.4, 0.3, 0.2", key="calc_sainsbury")
    try:
        shares = [float(x) for x in raw.replace(";", ",").split(",") if x.strip()]
    except ValueError:
        raise ValueError(f"not a list of shares: {raw!r}") from None
    combined = rm.sainsbury_reach(shares)
    st.success(t("reach_result", model="Sainsbury R = 1 − Π(1 − Rᵢ)", value=ui.fmt_pct(combined)))
