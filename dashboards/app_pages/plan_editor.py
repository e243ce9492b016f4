"""Plan editor: edit a plan's lines in a grid with computed columns, save a new version, move it through approval,
compare versions, optimise the budget split, link lines to campaigns. Every step is checked in the data layer."""

import json

import pandas as pd
import streamlit as st

from dashboards import data, plan_pages, safe, ui
from dashboards.i18n import CURRENCY_SIGNS, display_name, t
from planning import editor, export, links, notify, optimizer
from planning.versions import diff_rows
from workspace import campaign_links, plan_versions

ctx = ui.context()
p, client_id = ctx.principal, ctx.client_id
ch = data.client()
st.title(t("page_plan_editor"))


def _label(status: str) -> str:
    return plan_versions.status_label(status, ctx.lang)


# After a save or a status step the page reruns on the saved version; the message survives the rerun.
for key, value in st.session_state.pop("pe_goto", {}).items():
    st.session_state[key] = value
if flash := st.session_state.pop("pe_flash", ""):
    st.success(flash)
if warn := st.session_state.pop("pe_warn", ""):
    safe.warning(warn)  # quotes the mail server's answer


def _rerun_on(plan: str, version: int, message: str) -> None:
    data.clear_caches()
    st.session_state["pe_goto"] = {"pe_plan": plan, f"pe_version_{plan}": version}
    st.session_state["pe_flash"] = message
    st.rerun()


# Computed plan columns in money (the client's currency) and as shares of the audience.
PLAN_MONEY = ("unit_price", "budget_net", "cpp")
PLAN_SHARES = ("reach_1plus", "reach_kplus", "curve_max_reach")
# Statuses whose lines are plan for Plan vs Fact: a step into or out of them, and a link decision on a plan that
# has such a version, rebuild the plan models at once (as an import does).
FEEDS_PLAN_FACT = {"approved", "active"}


def _feeding(versions: list[dict], moved: int = 0, to: str = "") -> int | None:
    """The version Plan vs Fact reads after a step (`moved` now in `to`): the highest approved or active one."""
    status = {
        int(v["plan_version"]): (to if int(v["plan_version"]) == moved else v["status"]) for v in versions
    }
    return max((n for n, s in status.items() if s in FEEDS_PLAN_FACT), default=None)


def _with_rebuild(message: str, plan: str, version: int | None, lines: int) -> str:
    if version is None:
        return message
    done = plan_pages.rebuild_version(p, client_id, plan, version, lines)
    if done is None:
        return message
    return f"{message}. {t('refresh_done', rows=done.plan_rows, seconds=f'{done.seconds:.0f}')}"


@st.cache_data(max_entries=32, show_spinner=False)
def _optimise(spec: str) -> dict:
    """The optimizer's answer (allocation, reach, frontier) for one input: reruns of an unchanged plan reuse it."""
    return optimizer.optimize(optimizer.parse_problem(json.loads(spec))).as_json()


def _line_form(rows: list[dict], draft_key: str, rev_key: str, rev: int) -> None:
    """One line at a time in plain inputs (keyboard-friendly, and the same lines the grid shows): pick a line or
    a new one, change its fields, Apply."""
    st.subheader(t("pe_form"))
    ids = [str(r.get("line_id") or "") for r in rows]
    new_line = t("pe_form_new_line")
    pick = st.selectbox(
        t("pe_form_line"), [*ids, new_line], key=f"pe_form_pick_{draft_key}", placeholder=t("pick_one")
    )
    at = ids.index(pick) if pick in ids else len(rows)
    cur = (
        rows[at] if at < len(rows) else {"line_id": f"L{len(rows) + 1}", "pricing_model": "CPM", "extra": {}}
    )
    fk = f"{draft_key}_{rev}_{at}"
    sign = CURRENCY_SIGNS.get(ui.currency(ctx), ui.currency(ctx))  # money fields name the client's currency
    with st.form(key=f"pe_form_{fk}"):
        got: dict = {}
        cols = st.columns(3)
        for i, f in enumerate(editor.FORM_TEXT):
            got[f] = cols[i % 3].text_input(
                t(f"pe_f_{f}"), value=editor.cell_text(cur.get(f)), key=f"pe_f_{f}_{fk}"
            )
        model = editor.buying_model(cur.get("pricing_model")) or "CPM"
        got["pricing_model"] = cols[0].selectbox(
            t("pe_f_pricing_model"), editor.BUYING_MODELS, key=f"pe_f_pricing_model_{fk}",
            index=editor.BUYING_MODELS.index(model) if model in editor.BUYING_MODELS else 0,
            placeholder=t("pick_one"),
        )  # fmt: skip
        for i, (f, fmt, step) in enumerate(editor.FORM_NUMBERS, start=1):
            got[f] = cols[i % 3].number_input(
                t(f"pe_f_{f}", cur=sign), min_value=0 if fmt == "%d" else 0.0, step=step, format=fmt,
                value=editor.cell_number(cur.get(f), fmt), key=f"pe_f_{f}_{fk}",
            )  # fmt: skip
        applied = st.form_submit_button(t("pe_f_apply"), type="primary")
    if applied:
        try:
            line = editor.form_line(cur, got)
        except ValueError as exc:
            safe.error(exc)
            return
        kept = [{c: r.get(c) for c in (*editor.EDIT_COLUMNS, "extra")} for r in rows]
        kept[at : at + 1] = [line]
        st.session_state[draft_key] = kept
        st.session_state[rev_key] = rev + 1
        st.session_state["pe_goto"] = {f"pe_form_pick_{draft_key}": str(line.get("line_id") or "")}
        st.rerun()


with ui.guard():
    plans = data.media_plans(p, client_id)
    plan_ids = sorted(set(plans["plan_id"])) if not plans.empty else []
    new_label = t("pe_new_plan")
    choice = st.selectbox(t("pe_plan"), [new_label, *plan_ids], key="pe_plan", placeholder=t("pick_one"))
    if choice == new_label:
        plan_id = st.text_input(t("pe_plan_id"), key="pe_new_id").strip()
        plan_name = st.text_input(t("pe_plan_name"), key="pe_new_name").strip()
        versions: list[dict] = []
        base_version = 0
        grid_rows = [editor.from_store({"line_id": "L1", "channel": "", "pricing_model": "CPM"})]
    else:
        plan_id = choice
        versions = plan_versions.list_versions(ch, p, client_id, plan_id)
        numbers = [int(v["plan_version"]) for v in versions]
        base_version = st.selectbox(
            t("pe_version"), numbers, key=f"pe_version_{plan_id}",
            format_func=lambda n: f"v{n} · {_label(next(v['status'] for v in versions if v['plan_version'] == n))}",
            placeholder=t("pick_one"),
        )  # fmt: skip
        header, stored = plan_versions.read_version(ch, p, client_id, plan_id, base_version)
        plan_name = str(header.get("name") or plan_id)
        grid_rows = [editor.from_store(ln) for ln in stored]

    universe = st.number_input(
        t("pe_universe"), min_value=1.0, value=1_000_000.0, step=100_000.0, key="pe_universe"
    )
    can_edit = p.can("import_plan")
    st.subheader(t("pe_lines"))
    # The working lines live in the session: the grid edits them, and so does the per-line form below it (a
    # form's Apply stores the lines and draws a fresh grid over them, hence the revision in the grid's key).
    draft_key, rev_key = f"pe_draft_{plan_id}_{base_version}", f"pe_rev_{plan_id}_{base_version}"
    st.session_state.setdefault(draft_key, grid_rows)
    rev = int(st.session_state.get(rev_key, 0))
    grid = pd.DataFrame(st.session_state[draft_key], columns=[*editor.EDIT_COLUMNS, "extra"])
    edited = st.data_editor(
        grid.drop(columns=["extra"]), num_rows="dynamic" if can_edit else "fixed", disabled=not can_edit,
        hide_index=True, key=f"pe_grid_{plan_id}_{base_version}" + (f"_r{rev}" if rev else ""),
        column_config={
            **{c: st.column_config.Column(label=ui.column_label(c)) for c in editor.EDIT_COLUMNS},
            "pricing_model": st.column_config.SelectboxColumn(
                label=ui.column_label("pricing_model"), options=list(editor.BUYING_MODELS)
            ),
        },
    )  # fmt: skip
    extras = list(grid["extra"]) + [{}] * max(0, len(edited) - len(grid))
    rows = [
        {**{k: (None if pd.isna(v) else v) for k, v in r.items()}, "extra": extras[i] or {}}
        for i, r in enumerate(edited.to_dict("records"))
    ]
    result = editor.compute(rows, universe=universe)

    # Computed columns, recomputed on every edit; bad cells marked.
    shown = pd.DataFrame(result.rows).drop(columns=["extra"], errors="ignore")
    bad = {(i.row, ui.column_label(i.field)) for i in result.issues}

    def _mark(df: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            [["background-color: #f8d7da" if (i, c) in bad else "" for c in df.columns] for i in range(len(df))],
            index=df.index, columns=df.columns,
        )  # fmt: skip

    # A cell the plan leaves empty is '—' (the grid would draw None); such a column is shown as text.
    for col in [c for c in shown.columns if shown[c].isna().any()]:
        shown[col] = [ui.fmt_cell(v) for v in shown[col]]
    # Numbers drawn in the UI language (money with its sign, reach in percent) over the numbers themselves.
    cur = ui.currency(ctx)
    formats = {
        ui.column_label(c): (
            (lambda v: ui.fmt_money(v, cur))
            if c in PLAN_MONEY
            else ui.fmt_pct
            if c in PLAN_SHARES
            else ui.fmt_cell
        )
        for c in shown.columns
        if pd.api.types.is_numeric_dtype(shown[c])
    }
    shown = ui.labelled(shown)
    st.dataframe(shown.style.apply(_mark, axis=None).format(formats), hide_index=True, key="pe_computed")
    for issue in result.issues:
        safe.error(issue.text(ctx.lang))
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("pe_total_budget"), ui.fmt_num(result.total_budget))
    c2.metric(t("pe_total_impressions"), ui.fmt_num(result.total_impressions))
    c3.metric(t("pe_total_grp"), ui.fmt_num(result.total_grp, 1))
    c4.metric(t("pe_combined_reach"), ui.fmt_pct(result.combined_reach), help=result.model)
    if can_edit:
        _line_form(rows, draft_key, rev_key, rev)

    if can_edit:
        note = st.text_input(t("pe_note"), key="pe_save_note")
        if st.button(
            t("pe_save"), key="pe_save", type="primary", disabled=bool(result.issues) or not plan_id
        ):
            saved = plan_versions.save_version(
                ch, p, client_id, plan_id, [editor.to_store(r) for r in rows], name=plan_name or plan_id,
                based_on=base_version, note=note,
            )  # fmt: skip
            _rerun_on(plan_id, saved, t("pe_saved", version=saved))

    if versions:
        st.subheader(t("pe_approval"))
        status = next(v["status"] for v in versions if v["plan_version"] == base_version)
        st.markdown(t("pe_status_is", status=_label(status)))
        comment = st.text_input(t("pe_comment"), key="pe_comment")
        steps = plan_versions.allowed_next(p, status)
        cols = st.columns(max(1, len(steps)))
        for col, to in zip(cols, steps, strict=False):
            if col.button(t(f"pe_to_{to}"), key=f"pe_to_{to}"):
                plan_versions.transition(ch, p, client_id, plan_id, base_version, to, note=comment)
                message = t("pe_status_is", status=_label(to))
                if to == "submitted":  # the approvers hear by e-mail, each in their own language
                    told = notify.notify_submitted(ch, p, client_id, plan_id, base_version, comment)
                    if told.sent:
                        message += ". " + t("pe_notified", who=safe.md(", ".join(told.sent)))
                    if told.failed:
                        st.session_state["pe_warn"] = t("pe_notify_failed", who="; ".join(
                            f"{who} ({why})" for who, why in told.failed.items()))  # fmt: skip
                if {status, to} & FEEDS_PLAN_FACT:  # what Plan vs Fact counts as plan has changed
                    message = _with_rebuild(
                        message, plan_id, _feeding(versions, base_version, to) or base_version, len(rows)
                    )
                _rerun_on(plan_id, base_version, message)
        # The version as the planner's Excel (totals are SUM formulas), built once per version and language.
        xlsx_key = ("pe_xlsx", plan_id, base_version, ctx.lang, universe)
        if st.session_state.get("pe_xlsx_for") != xlsx_key:
            st.session_state["pe_xlsx"] = export.plan_xlsx_bytes(
                {**header, "plan_version": base_version}, stored, language=ctx.lang, ta_size=universe
            )
            st.session_state["pe_xlsx_for"] = xlsx_key
        st.download_button(
            t("download_xlsx"), st.session_state["pe_xlsx"], file_name=f"{plan_id}_v{base_version}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="pe_xlsx_download",
        )  # fmt: skip
        hist = plan_versions.history(ch, p, client_id, plan_id)
        if hist:
            hist_df = pd.DataFrame(hist)
            hist_df["status"] = hist_df["status"].map(_label)
            st.dataframe(ui.labelled(hist_df.astype(str)), hide_index=True, key="pe_history")

        if len(versions) > 1:
            st.subheader(t("pe_diff"))
            nums = [int(v["plan_version"]) for v in versions]
            d1, d2 = st.columns(2)
            old = d1.selectbox(t("pe_diff_old"), nums, index=1, key="pe_diff_old", placeholder=t("pick_one"))
            new = d2.selectbox(t("pe_diff_new"), nums, index=0, key="pe_diff_new", placeholder=t("pick_one"))
            changes = diff_rows(plan_versions.diff_versions(ch, p, client_id, plan_id, old, new))
            if changes:
                st.dataframe(
                    ui.labelled(pd.DataFrame(changes).astype(str)), hide_index=True, key="pe_diff_table"
                )
            else:
                st.caption(t("pe_no_changes"))

    # Optimizer: lines bought by CPM or CPV (cost per view x 1000 as CPM) with a curve.
    st.subheader(t("pe_optimizer"))
    buyable = [
        r for r in result.rows if r.get("impressions") and r.get("unit_price") and r.get("grp") is not None
    ]
    if not buyable:
        st.caption(t("pe_opt_none"))
    else:
        budget = st.number_input(
            t("pe_opt_budget"), min_value=0.0, value=float(result.total_budget), key="pe_opt_b"
        )
        # Effective frequency 1 is reach 1+; above it the optimizer maximises reach k+ (same curves as contacts).
        freq = int(st.number_input(t("pe_opt_k"), min_value=1, max_value=50, value=1, step=1, key="pe_opt_k"))
        spec = {
            "budget": budget, "universe": universe, "combine": "sainsbury",
            "objective": "reach_1plus" if freq == 1 else "reach_kplus", **({"k": freq} if freq > 1 else {}),
            "lines": [
                {"id": str(r["line_id"]), "cpm": float(r["budget_net"]) / float(r["impressions"]) * 1000.0,
                 "curve": {"model": "negexp", "max_reach": editor.curve_of(r)[0], "k": editor.curve_of(r)[1]}}
                for r in buyable
            ],
        }  # fmt: skip
        problem = optimizer.parse_problem(spec)
        best = _optimise(json.dumps(spec, sort_keys=True))
        current = {str(r["line_id"]): float(r["budget_net"]) for r in buyable}
        reach_label = t("pe_opt_reach_k", k=freq)
        st.markdown(
            t(
                "pe_opt_result",
                k=freq,
                best=ui.fmt_pct(best["reach"]),
                now=ui.fmt_pct(optimizer.evaluate(problem, current)),
            )
        )
        split = pd.DataFrame(
            [{t("col_line_id"): k, t("pe_opt_current"): current[k], t("pe_opt_recommended"): v}
             for k, v in best["allocation"].items()]
        )  # fmt: skip
        money = {c: (lambda v: ui.fmt_money(v, cur)) for c in (t("pe_opt_current"), t("pe_opt_recommended"))}
        st.dataframe(split.style.format(money), hide_index=True, key="pe_opt_split")
        front = pd.DataFrame(best["frontier"], columns=[t("pe_opt_budget"), reach_label])
        st.line_chart(front, x=t("pe_opt_budget"), y=reach_label)
        if (
            can_edit
            and plan_id
            and st.button(t("pe_opt_apply"), key="pe_opt_apply", disabled=bool(result.issues))
        ):
            alloc = best["allocation"]
            applied = [{**r, "budget_net": alloc.get(str(r["line_id"]), r.get("budget_net"))} for r in rows]
            saved = plan_versions.save_version(
                ch, p, client_id, plan_id, [editor.to_store(r) for r in applied], name=plan_name or plan_id,
                based_on=base_version, note=t("pe_opt_note"),
            )  # fmt: skip
            _rerun_on(plan_id, saved, t("pe_saved", version=saved))

    # Links: what is decided, suggestions from the client's campaigns, link / unlink.
    if versions:
        st.subheader(t("pe_links"))
        decided = campaign_links.decisions(ch, p, client_id, plan_id)
        campaigns = campaign_links.client_campaigns(ch, p, client_id, data.marts_db())
        names = {f"{c['platform']}:{c['campaign_id']}": str(c["campaign_name"] or "") for c in campaigns}

        def _campaign(key: str) -> str:
            """A campaign as people know it: platform, name and the platform's id (the key is platform:id)."""
            platform, _, cid = key.partition(":")
            name = names.get(key)
            return f"{display_name('platform', platform)} · " + (f"{name} ({cid})" if name else cid)

        by_line: dict[str, list[str]] = {}
        for d in decided:
            shown_as = (
                t("pe_not_linked")
                if d["match_method"] == "unlinked"
                else _campaign(f"{d['platform']}:{d['campaign_id']}")
            )
            by_line.setdefault(str(d["line_id"]), []).append(shown_as)
        sugg = links.suggest(rows, campaigns)
        table = [
            {t("col_line_id"): str(r["line_id"]), t("pe_linked_to"): ", ".join(by_line.get(str(r["line_id"]), []))
             or t("pe_not_linked"),
             t("pe_suggested"): ", ".join(f"{_campaign(f'{s.platform}:{s.campaign_id}')} "
                                          f"({ui.fmt_pct(s.confidence, 0)})"
                                          for s in sugg.get(str(r["line_id"]), []))}
            for r in rows
        ]  # fmt: skip
        st.dataframe(pd.DataFrame(table), hide_index=True, key="pe_links_table")
        if can_edit:
            line_ids = [str(r["line_id"]) for r in rows]
            line = st.selectbox(t("pe_link_line"), line_ids, key="pe_link_line", placeholder=t("pick_one"))
            options = [f"{c['platform']}:{c['campaign_id']}" for c in campaigns]
            ranked = [f"{s.platform}:{s.campaign_id}" for s in sugg.get(line, [])]
            options = ranked + [o for o in options if o not in ranked]
            shown = {o: _campaign(o) for o in options}  # named in this run's language
            target = (
                st.selectbox(
                    t("pe_link_campaign"),
                    options,
                    key="pe_link_campaign",
                    placeholder=t("pick_one"),
                    format_func=lambda o: shown.get(o, o),
                )  # fmt: skip
                if options
                else None
            )
            l1, l2 = st.columns(2)
            if target and l1.button(t("pe_link"), key="pe_link"):
                platform, _, cid = target.partition(":")
                hit = next(
                    (s for s in sugg.get(line, []) if (s.platform, s.campaign_id) == (platform, cid)), None
                )
                name = next(
                    (
                        c["campaign_name"]
                        for c in campaigns
                        if (c["platform"], c["campaign_id"]) == (platform, cid)
                    ),
                    "",
                )
                campaign_links.link(
                    ch, p, client_id, plan_id, line, {"platform": platform, "campaign_id": cid, "campaign_name": name},
                    method=hit.method if hit else "manual", confidence=hit.confidence if hit else 1.0, replace=True,
                )  # fmt: skip
                done = t("pe_linked", line=safe.md(line), campaign=safe.md(_campaign(target)))
                _rerun_on(plan_id, base_version, _with_rebuild(done, plan_id, _feeding(versions), len(rows)))
            if l2.button(t("pe_unlink"), key="pe_unlink"):
                campaign_links.unlink(ch, p, client_id, plan_id, line)
                done = t("pe_unlinked", line=safe.md(line))
                _rerun_on(plan_id, base_version, _with_rebuild(done, plan_id, _feeding(versions), len(rows)))
