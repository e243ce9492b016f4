"""Campaigns: filterable, sortable table over the period, drill-down to ad groups and ads, CSV/XLSX download."""

import streamlit as st

from dashboards import charts, data, safe, ui
from dashboards.i18n import display_name, t

ctx = ui.context()
st.title(t("page_campaigns"))
COLS = [
    "platform",
    "account_id",
    "campaign_id",
    "campaign_name",
    "impressions",
    "clicks",
    "spend_net",
    "conversions",
    "ctr",
    "cpc",
    "cpm",
    "cpa",
    "cr",
    "romi",
    "is_provisional",
]
with ui.guard():
    everything = data.campaigns(ctx.principal, ctx.client_id, ctx.period)
    c1, c2 = st.columns([1, 2])
    platforms = c1.multiselect(
        t("platforms"),
        sorted(everything["platform"].unique()),
        key="camp_platforms",
        format_func=lambda x, lang=ctx.lang: display_name("platform", x, lang),
    )
    search = c2.text_input(t("search"), key="camp_search", max_chars=200)
    # Unfiltered is the common case: reuse the first result instead of asking the warehouse twice.
    table = (
        data.campaigns(ctx.principal, ctx.client_id, ctx.period, platforms, search)
        if platforms or search.strip()
        else everything
    )
    if table.empty:
        st.info(t("no_data"))
        st.stop()
    # The totals row is part of the table, so the downloads below carry the same totals as the page.
    labelled = ui.metric_table(
        data.with_totals(table, "platform", t("total_row")), COLS, ui.currency(ctx), key="camp_table"
    )
    d1, d2 = st.columns(2)
    stem = f"campaigns_{ctx.client_id}_{ctx.period.date_from}_{ctx.period.date_to}"
    # The files are built when a button is clicked, not on every run of the page.
    d1.download_button(
        t("download_csv"),
        lambda: ui.csv_bytes(labelled),
        f"{stem}.csv",
        "text/csv",
        key="dl_csv",
        on_click="ignore",
    )
    d2.download_button(
        t("download_xlsx"),
        lambda: ui.xlsx_bytes(labelled, formats=ui.xlsx_formats(COLS, ui.currency(ctx))),
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="dl_xlsx",
        on_click="ignore",
    )

    # Options are the visible labels (unique: they carry platform, account and id) mapped back to the keys.
    by_label = {
        f"{r.campaign_name} ({display_name('platform', r.platform, ctx.lang)}/{r.account_id}, "
        f"{r.campaign_id})": (r.platform, r.account_id, r.campaign_id)
        for r in table.itertuples()
    }
    chosen = st.selectbox(t("open_campaign"), list(by_label), index=None, key="camp_open")
    if chosen:
        platform, account_id, campaign_id = by_label[chosen]
        ads = data.campaign_ads(ctx.principal, ctx.client_id, ctx.period, platform, account_id, campaign_id)
        st.subheader(t("ads_of", name=safe.md(chosen)))  # a campaign name from the ad platform
        ui.metric_table(
            ads,
            [
                "ad_group_id",
                "ad_id",
                "impressions",
                "clicks",
                "spend_net",
                "conversions",
                "ctr",
                "cpc",
                "cpa",
                "is_provisional",
            ],
            ui.currency(ctx),
            key="ads_table",
        )
        if not ads.empty:
            top = ads.head(20).assign(ad=lambda d: d["ad_group_id"] + " / " + d["ad_id"])
            charts.bar(
                top, "ad", "spend_net", labels={"spend_net": t("spend_net"), "ad": t("ad")}, key="ads_chart"
            )
