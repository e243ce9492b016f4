"""Campaigns: drill-down client → platform → campaign → ad group → ad with breadcrumbs (the level in the URL),
names instead of ids, the change against the previous period on every row, a column picker, saved views, and
CSV/XLSX downloads of the table as shown (totals included)."""

from __future__ import annotations

import dataclasses
from typing import Any

import streamlit as st

from dashboards import charts, data, drill, safe, ui, views
from dashboards.i18n import display_name, explain, t
from metrics.catalogue import METRICS

PAGE = "campaigns"
ctx = ui.context()
st.title(t("page_campaigns"))

# The column picker offers the catalogue's performance metrics; a metric's column in the app's frames (net spend).
FRAME_COLUMN = {"spend": "spend_net", "revenue": "conversions_value"}
PICKABLE = [m for m, spec in METRICS.items() if spec.mart == "performance"]
DEFAULT_COLUMNS = ["impressions", "clicks", "spend", "conversions", "ctr", "cpc", "cpa", "romi"]
# Δ columns for the additive and headline metrics only would hide ratio changes: every picked metric gets one.


def _column(metric: str) -> str:
    return FRAME_COLUMN.get(metric, metric)


def _set_path(path: drill.Path) -> None:
    drill.write_query(st.query_params, path)
    st.session_state["drill_path"] = path


def _open(widget: str, make: Any) -> None:
    """A pick in an 'open …' selector: go one level down, and clear the selector for when the user comes back."""
    chosen = st.session_state.get(widget)
    if chosen is not None:
        _set_path(make(chosen))
    st.session_state[widget] = None


def _current_path() -> drill.Path:
    # A client switch starts at the top: a path belongs to one client.
    if st.session_state.get("drill_client") not in (None, ctx.client_id):
        _set_path(drill.Path())
    st.session_state["drill_client"] = ctx.client_id
    try:
        path = drill.from_query(st.query_params)
    except ValueError as exc:
        st.error(t("drill_bad_link", msg=safe.md(explain(exc))))
        path = drill.Path()
    drill.write_query(st.query_params, path)
    return path


def _ads_of(path: drill.Path, per: data.Period, grain: str) -> Any:
    """The opened campaign's ad groups (grain 'ad_group') or the opened group's ads (grain 'ad') over `per`."""
    group = path.ad_group_id if grain == "ad" else None
    return data.campaign_ads(
        ctx.principal,
        ctx.client_id,
        per,
        path.platform,
        path.account_id,
        path.campaign_id,
        group,
        grain=grain,
    )


def _campaign_label(row: Any) -> str:
    """A campaign as people tell campaigns apart: its name with platform and account (names repeat)."""
    return f"{row.campaign_name} · {display_name('platform', row.platform, ctx.lang)} / {row.account_id}"


def _name_or_id(name: Any, id_: str) -> str:
    return str(name) if isinstance(name, str) and name.strip() else t("unnamed", id=id_)


def _group_label(gid: str, name: Any) -> str:
    return t("campaign_level_rows") if gid == "" else _name_or_id(name, gid)


def _breadcrumbs(path: drill.Path, labels: dict[str, str]) -> None:
    """Client › platform › campaign › ad group: each crumb above the current level is a button back to it."""
    levels = drill.LEVELS[: drill.LEVELS.index(path.level) + 1]
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    row.caption(f"{t('drill_path')}:", width="content")
    for i, level in enumerate(levels):
        if i:
            row.markdown("›", width="content")
        if level == path.level:
            row.markdown(f"**{safe.md(labels[level])}**", width="content")
        else:
            row.button(
                labels[level],
                key=f"crumb_{level}",
                type="tertiary",
                on_click=_set_path,
                args=(path.up_to(level),),
            )


# ---------------------------------------------------------------- saved views


def _view_state(path: drill.Path) -> dict[str, Any]:
    per = ctx.period
    return {
        "client": ctx.client_id,
        "preset": st.session_state.get("period_preset", "custom"),
        "from": per.date_from.isoformat(),
        "to": per.date_to.isoformat(),
        "platforms": list(st.session_state.get("camp_platforms") or []),
        "search": st.session_state.get("camp_search") or "",
        "path": path.query(),
        "columns": list(st.session_state.get("camp_columns") or DEFAULT_COLUMNS),
        "compare": bool(st.session_state.get("camp_compare", True)),
    }


def _apply_view(found: dict[str, Any]) -> None:
    """Runs before the page (a button's callback), so the sidebar and the widgets start from the view."""
    from mrm import clock

    state = found["state"]
    if state.get("client"):
        st.session_state["client_sel"] = state["client"]
    preset = state.get("preset", "custom")
    if preset in data.PRESETS and preset != "custom":
        per = data.preset_period(preset, clock.yesterday())  # a preset moves with the days, as saved
    else:
        per = data.period(state.get("from"), state.get("to"))
    st.session_state["period_sel"] = (per.date_from, per.date_to)
    st.session_state["period_custom"] = preset == "custom"
    st.session_state["camp_platforms"] = [p for p in state.get("platforms", []) if isinstance(p, str)]
    st.session_state["camp_search"] = str(state.get("search", ""))[:200]
    st.session_state["camp_columns"] = [
        c for c in state.get("columns", []) if c in PICKABLE
    ] or DEFAULT_COLUMNS
    st.session_state["camp_compare"] = bool(state.get("compare", True))
    try:
        _set_path(drill.from_query(state.get("path", {})))
    except ValueError:
        _set_path(drill.Path())
    st.session_state["drill_client"] = state.get("client") or ctx.client_id
    st.session_state["view_notice"] = t("view_applied", name=found["name"])


def _save_view(path: drill.Path) -> None:
    name = st.session_state.get("view_name_in", "")
    try:
        views.save_view(data.client(), ctx.principal, PAGE, name, _view_state(path))
    except ValueError as exc:
        st.session_state["view_notice_error"] = explain(exc)
        return
    st.session_state["view_name_in"] = ""
    st.session_state["view_notice"] = t("view_saved", name=" ".join(str(name).split()))


def _delete_view(view_id: str) -> None:
    if views.delete_view(data.client(), ctx.principal, PAGE, view_id):
        st.session_state["view_sel"] = None
        st.session_state["view_notice"] = t("view_deleted")


def _views_panel(path: drill.Path) -> None:
    with st.expander(t("views_title"), expanded=False):
        mine = views.list_views(data.client(), ctx.principal, PAGE)
        by_id = {v["view_id"]: v for v in mine}
        c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
        chosen = c1.selectbox(
            t("view_pick"),
            list(by_id),
            index=None,
            key="view_sel",
            format_func=lambda v: by_id[v]["name"] if v in by_id else v,
            placeholder=t("views_none") if not mine else t("pick_one"),
        )
        if chosen in by_id:
            c2.button(t("view_apply"), key="view_apply", on_click=_apply_view, args=(by_id[chosen],))
            c3.button(t("view_delete"), key="view_delete", on_click=_delete_view, args=(chosen,))
        n1, n2 = st.columns([3, 2], vertical_alignment="bottom")
        n1.text_input(t("view_name"), key="view_name_in", max_chars=views.MAX_NAME)
        n2.button(t("view_save"), key="view_save", on_click=_save_view, args=(path,))
    notice = st.session_state.pop("view_notice", None)
    if notice:
        st.success(notice)
    problem = st.session_state.pop("view_notice_error", None)
    if problem:
        st.error(t("error", msg=safe.md(problem)))


# ---------------------------------------------------------------- the page


def _downloads(shown: Any, cols: list[str], level: str) -> None:
    d1, d2 = st.columns(2)
    stem = f"campaigns_{ctx.client_id}_{level}_{ctx.period.date_from}_{ctx.period.date_to}"
    cur = ui.currency(ctx)
    # The files are built when a button is clicked, not on every run of the page.
    d1.download_button(
        t("download_csv"),
        lambda: ui.csv_bytes(shown),
        f"{stem}.csv",
        "text/csv",
        key="dl_csv",
        on_click="ignore",
    )
    d2.download_button(
        t("download_xlsx"),
        lambda: ui.xlsx_bytes(shown, formats=ui.xlsx_formats(cols, cur)),
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="dl_xlsx",
        on_click="ignore",
    )


with ui.guard():
    path = _current_path()
    st.session_state.setdefault("camp_columns", DEFAULT_COLUMNS)
    st.session_state.setdefault("camp_compare", True)
    _views_panel(path)
    p1, p2 = st.columns([4, 1], vertical_alignment="bottom")
    picked = p1.multiselect(
        t("columns_pick"),
        PICKABLE,
        key="camp_columns",
        help=t("columns_help"),
        placeholder=t("pick_many"),
        format_func=lambda m: METRICS[m].label(ctx.lang),
    )
    compare = p2.toggle(t("compare_prev"), key="camp_compare")
    metrics = [_column(m) for m in (picked or DEFAULT_COLUMNS)]
    everything = data.campaigns(ctx.principal, ctx.client_id, ctx.period)
    client_name = dict(
        zip(data.clients(ctx.principal)["client_id"], data.clients(ctx.principal)["client_name"], strict=True)
    )
    labels = {"client": client_name.get(ctx.client_id, ctx.client_id)}
    if path.platform:
        labels["platform"] = display_name("platform", path.platform, ctx.lang)
    if path.campaign_id:
        same = everything[
            (everything["platform"] == path.platform)
            & (everything["account_id"] == path.account_id)
            & (everything["campaign_id"] == path.campaign_id)
        ]
        labels["campaign"] = (
            _campaign_label(next(same.itertuples()))
            if not same.empty
            else f"{path.campaign_id} / {path.account_id}"
        )
    groups = None
    if path.ad_group_id is not None:
        groups = _ads_of(path, ctx.period, "ad_group")
        name = groups.loc[groups["ad_group_id"] == path.ad_group_id, "ad_group_name"]
        labels["ad_group"] = _group_label(path.ad_group_id, name.iloc[0] if not name.empty else "")
    _breadcrumbs(path, labels)

    prev = ctx.period.previous()
    if path.level in ("client", "platform"):
        # Campaigns (of every platform, or of the one opened): filters, then the open-a-campaign selector.
        c1, c2 = st.columns([1, 2])
        if path.level == "client":
            platforms = c1.multiselect(
                t("platforms"),
                sorted(everything["platform"].unique()),
                key="camp_platforms",
                placeholder=t("pick_many"),
                format_func=lambda x, lang=ctx.lang: display_name("platform", x, lang),
            )
        else:
            platforms = [path.platform]
            st.subheader(t("campaigns_of_platform", name=labels["platform"]))
        search = c2.text_input(t("search"), key="camp_search", max_chars=200)
        # Unfiltered is the common case: reuse the first result instead of asking the warehouse twice.
        table = (
            data.campaigns(ctx.principal, ctx.client_id, ctx.period, platforms, search)
            if platforms or search.strip()
            else everything
        )
        keys = ["platform", "account_id", "campaign_id"]
        before = data.campaigns(ctx.principal, ctx.client_id, prev, platforms, search) if compare else None
        ids = ["platform", "account_id", "campaign_id", "campaign_name"]
    elif path.level == "campaign":
        st.subheader(t("ads_of", name=safe.md(labels["campaign"])))  # a campaign name from the ad platform
        st.caption(t("groups_caption"))
        table = _ads_of(path, ctx.period, "ad_group")
        table["ad_group_name"] = [
            _group_label(g, n) for g, n in zip(table["ad_group_id"], table["ad_group_name"], strict=True)
        ]
        keys = ["ad_group_id"]
        before = _ads_of(path, prev, "ad_group") if compare else None
        ids = ["ad_group_name", "ad_group_key"]
    else:
        st.subheader(t("ads_of_group", name=safe.md(labels["ad_group"])))
        table = _ads_of(path, ctx.period, "ad")
        if (table["ad_name"] == "").any():
            st.caption(t("unnamed_help"))
        table["ad_name"] = [_name_or_id(n, a) for n, a in zip(table["ad_name"], table["ad_id"], strict=True)]
        keys = ["ad_id"]
        before = _ads_of(path, prev, "ad") if compare else None
        ids = ["ad_name", "ad_id"]
    if table.empty:
        st.info(t("drill_nothing") if path.level != "client" else t("no_data"))
        st.stop()
    # The totals row is part of the table, so the downloads below carry the same totals as the page.
    table = data.with_totals(table, ids[0], t("total_row"))
    if before is not None:
        table = data.with_change(table, before, keys, metrics, totals=True)
    if "ad_group_id" in table.columns:
        table["ad_group_key"] = table["ad_group_id"]  # labelled apart from the group's name
    cols = [*ids, *metrics, *([f"d_{m}" for m in metrics] if compare else []), "is_provisional"]
    shown = ui.metric_table(
        table, cols, ui.currency(ctx), key=f"camp_table_{path.level}",
        pinned=tuple(c for c in ids if c.endswith("_name")),  # the names stay in view beside the Δ columns
    )  # fmt: skip
    _downloads(shown, cols, path.level)

    body = table.iloc[:-1]  # without the totals row
    if path.level in ("client", "platform"):
        by_label = {_campaign_label(r): (r.platform, r.account_id, r.campaign_id) for r in body.itertuples()}
        if path.level == "client":
            st.selectbox(
                t("open_platform"),
                sorted(body["platform"].unique()),
                index=None,
                key="drill_open_platform",
                placeholder=t("pick_one"),
                format_func=lambda x, lang=ctx.lang: display_name("platform", x, lang),
                on_change=_open,
                args=("drill_open_platform", lambda x: drill.Path(x)),
            )
        st.selectbox(
            t("open_campaign"),
            list(by_label),
            index=None,
            key="camp_open",
            placeholder=t("pick_one"),
            on_change=_open,
            args=("camp_open", lambda label, m=by_label: drill.Path(*m[label])),
        )
    elif path.level == "campaign":
        # campaign-level rows have no ads to open; a name two groups share gets their ids
        named_groups = [
            (n, g) for g, n in zip(body["ad_group_id"], body["ad_group_name"], strict=True) if g != ""
        ]
        repeated = {n for n, _g in named_groups if sum(1 for m, _h in named_groups if m == n) > 1}
        by_group = {(f"{n} · {g}" if n in repeated else n): g for n, g in named_groups}
        st.selectbox(
            t("open_ad_group"),
            list(by_group),
            index=None,
            key="drill_open_group",
            placeholder=t("pick_one"),
            on_change=_open,
            args=("drill_open_group", lambda n, m=by_group: dataclasses.replace(path, ad_group_id=m[n])),
        )
    else:
        st.caption(t("open_ad_hint"))
        top = body.head(20)
        charts.bar(
            top,
            "ad_name",
            "spend_net",
            labels={"spend_net": ui.money_label("spend_net", ui.currency(ctx)), "ad_name": t("ad")},
            key="ads_chart",
        )
