"""Connections (admins): the selected client's ad accounts and their health (loads, OAuth token, newest sync run);
connecting an agency's Yandex Direct / Metrika / VK Ads access through OAuth and picking the advertiser accounts it
sees; a Garpun service-account key; "load now" and "backfill from <date>" as Dagster runs followed on the page;
registering an account by hand and setting a credential (never shown back)."""

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from dashboards import safe, ui
from dashboards import workspace_data as wd
from dashboards.i18n import TEXT, display_name, t
from mrm import clock
from workspace import credentials, discovery, oauth, sync

ctx = ui.context()
p = ctx.principal
st.title(t("page_connections"))
FIELDS = {
    "platform": t("cn_platform"),
    "account_id": t("account_id"),
    "account_ids": t("cn_found_accounts"),
    "kind": t("cn_kind"),
    "secret": t("cn_secret"),
    "date_from": t("cn_backfill_from"),
    "key file": t("cn_garpun_key"),
}
# What the OAuth, discovery and sync libraries raise for bad input (their messages never carry a secret).
REFUSALS = (
    ValueError,
    LookupError,
    PermissionError,
    credentials.SecretsError,
    oauth.OAuthError,
    discovery.DiscoveryError,
    sync.SyncError,
)
flash = st.session_state.pop("cn_flash", None)
if flash:
    safe.success(flash)


def done(msg: str) -> None:
    st.session_state["cn_flash"] = msg
    st.rerun()


def when(v: object) -> str:
    return "—" if v is None or pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d %H:%M UTC")


def platform_name(x: str) -> str:
    return display_name("platform", x, ctx.lang)


def refused(exc: Exception) -> None:
    """A library's refusal in the user's language (the catalogue's text), beside the field it names."""
    wd.form_error(exc, FIELDS)


# ---------------------------------------------------------------- the OAuth callback


def callback() -> None:
    """The platform sent the browser back here with `code` and `state` (or `error`): finish the connection once,
    take the parameters out of the URL, and open the grant's account list."""
    qp = st.query_params
    state = qp.get("state")
    if not state or not (qp.get("code") or qp.get("error")):
        return
    code, error, why = qp.get("code", ""), qp.get("error", ""), qp.get("error_description", "")
    for k in ("code", "state", "error", "error_description"):
        if k in qp:
            del qp[k]  # a rerun or a reload must not present the callback again
    try:
        grant = wd.connect_complete(p, state=state, code=code, error=error, error_description=why)
    except REFUSALS as exc:
        st.session_state["cn_callback_error"] = exc
        return
    st.session_state["cn_found_for"] = (grant.grant_id, grant.platform)
    st.session_state.pop("cn_found", None)
    st.session_state["cn_flash"] = t("cn_connected", platform=platform_name(grant.platform))
    try:
        moved = wd.relink_reconnected(p, grant)
    except REFUSALS as exc:
        st.session_state["cn_callback_error"] = exc
        moved = []
    if moved:
        st.session_state["cn_flash"] = t(
            "cn_reconnected", platform=platform_name(grant.platform), accounts=", ".join(moved)
        )
    if grant.client_id != ctx.client_id:
        qp["client"] = grant.client_id  # the sidebar takes the client from the URL on the next run
    st.rerun()


# ---------------------------------------------------------------- following sync runs


def follow_runs() -> None:
    """The runs started from this session, polled from a fragment (no sleeping in the page's own run): progress,
    then success with a link or failure with its error; a finished run reruns the page once to refresh health."""
    runs: dict[str, dict[str, Any]] = st.session_state.setdefault("cn_runs", {})
    mine = {rid: r for rid, r in runs.items() if r["client"] == ctx.client_id}
    if not mine:
        return
    st.subheader(t("cn_runs"))
    active = any(not r.get("done") for r in mine.values())

    @st.fragment(run_every=2 if active else None)
    def panel() -> None:
        finished_now = False
        for rid, r in mine.items():
            head = t("cn_run_head", platform=platform_name(r["platform"]), accounts=", ".join(r["accounts"]))
            days = t("cn_run_days", first=r["first"], last=r["last"])
            if not r.get("done"):
                try:
                    state = wd.sync_state(p, ctx.client_id, rid)
                except REFUSALS as exc:
                    refused(exc)
                    continue
                r.update(status=state.status, steps=(state.steps_done, state.steps_total), error=state.error)
                if state.done:
                    r["done"] = True
                    finished_now = True
            st.markdown(f"**{safe.md(head)}** · {days} · [{t('cn_run_open')}]({r['url']})")
            if r["status"] == "SUCCESS":
                st.success(t("cn_run_success", run=rid[:8]))
            elif r["status"] in ("FAILURE", "CANCELED"):
                st.error(t("cn_run_failed", run=rid[:8], status=r["status"]))
                if r.get("error"):
                    st.code(r["error"], language=None, wrap_lines=True)
            else:
                done_, total = r.get("steps", (0, 0))
                st.progress(
                    done_ / total if total else 0.0,
                    text=t("cn_run_progress", status=r.get("status", "QUEUED"), done=done_, total=total),
                )
        if finished_now:
            st.rerun(scope="app")  # the health table and the marts' numbers changed

    panel()


with ui.guard():
    callback()
    failed_callback = st.session_state.pop("cn_callback_error", None)
    if failed_callback is not None:
        refused(failed_callback)

    acc = wd.accounts(p, ctx.client_id)
    if acc.empty:
        st.info(t("cn_none"))
    else:
        health = pd.DataFrame(
            {
                t("cn_platform"): acc["platform"].map(platform_name),
                t("account_id"): acc["account_id"],
                t("cn_name"): acc["account_name"],
                t("cn_status"): [t("cn_active") if a else t("cn_stopped") for a in acc["is_active"]],
                t("cn_credentials"): [
                    t("cn_via_grant", grant=g) if g else (c or t("cn_fallback"))
                    for c, g in zip(acc["credentials"], acc["grant_id"], strict=True)
                ],
                t("cn_token_status"): [
                    t(f"cn_grant_{s}") if s in oauth.STATUSES else "—" for s in acc["grant_status"]
                ],
                t("cn_token_expires"): acc["token_expires_at"].map(when),
                t("cn_last_refresh"): acc["last_refresh_at"].map(when),
                t("cn_last_ok"): acc["last_ok"].map(when),
                t("rows"): acc["last_rows"].map(lambda r: "—" if r is None or pd.isna(r) else int(r)),
                t("cn_last_error"): [
                    f"{when(f)}: {(e or '').splitlines()[0][:200] if e else ''}"
                    if f is not None and not pd.isna(f)
                    else (g[:200] or "—")
                    for f, e, g in zip(acc["last_failed"], acc["last_error"], acc["grant_error"], strict=True)
                ],
                t("cn_last_run"): [
                    (t(f"cn_rs_{s}") if f"cn_rs_{s}" in TEXT else s) if s else "—" for s in acc["run_status"]
                ],
            }
        )
        st.dataframe(health, hide_index=True, key="cn_table")  # error texts are shown as plain cells
        for _, r in acc[acc["error_now"]].iterrows():
            safe.warning(t("cn_failing", account=f"{platform_name(r['platform'])} {r['account_id']}"))
        never = acc[acc["last_ok"].isna()]
        if not never.empty:
            st.caption(t("cn_never_loaded", n=len(never)))
        # A revoked, refused or expired token: the agency connects again (the accounts keep their history).
        for plat in sorted(set(acc.loc[acc["needs_reconnect"], "platform"])):
            names = ", ".join(acc.loc[acc["needs_reconnect"] & (acc["platform"] == plat), "account_id"])
            st.warning(t("cn_reconnect_needed", platform=platform_name(plat), accounts=names))
            if st.button(t("cn_reconnect", platform=platform_name(plat)), key=f"cn_reconnect_{plat}"):
                try:
                    st.session_state["cn_auth"] = (
                        plat,
                        wd.connect_start(p, ctx.client_id, plat, lang=ctx.lang),
                    )
                except REFUSALS as exc:
                    refused(exc)

    # ---------------------------------------------------------------- connect through OAuth
    st.subheader(t("cn_connect_title"))
    st.caption(t("cn_connect_help"))
    hint = st.text_input(t("cn_login_hint"), key="cn_login_hint", help=t("cn_login_hint_help"))
    cols = st.columns(len(wd.OAUTH_PLATFORMS))
    for col, plat in zip(cols, wd.OAUTH_PLATFORMS, strict=True):
        if col.button(t("cn_connect", platform=platform_name(plat)), key=f"cn_connect_{plat}"):
            try:
                st.session_state["cn_auth"] = (
                    plat,
                    wd.connect_start(p, ctx.client_id, plat, login_hint=hint, lang=ctx.lang),
                )
            except REFUSALS as exc:
                refused(exc)
    pending = st.session_state.get("cn_auth")
    if pending:
        st.link_button(t("cn_continue", platform=platform_name(pending[0])), pending[1], type="primary")
        st.caption(t("cn_continue_help"))

    # ---------------------------------------------------------------- discovery: pick the advertiser accounts
    active = [g for g in wd.grants(p, ctx.client_id) if g.status == "active"]
    if active:
        st.subheader(t("cn_discover_title"))
        choices = [
            (g.grant_id, plat)
            for g in active
            for plat in wd.OAUTH_PLATFORMS
            if oauth.PROVIDER[plat] == g.provider
        ]
        chosen = st.session_state.get("cn_found_for")
        index = choices.index(chosen) if chosen in choices else 0
        by_grant = {g.grant_id: g for g in active}
        pick = st.selectbox(
            t("cn_grant"),
            choices,
            index=index,
            key="cn_grant_pick",
            placeholder=t("pick_one"),
            format_func=lambda c: t(
                "cn_grant_label",
                platform=platform_name(c[1]),
                grant=c[0],
                who=by_grant[c[0]].agency_login or by_grant[c[0]].connected_by,
                at=when(by_grant[c[0]].created_at),
            ),
        )
        if st.button(t("cn_find"), key="cn_find") or (chosen == pick and "cn_found" not in st.session_state):
            try:
                st.session_state["cn_found"] = (pick, wd.discover(p, ctx.client_id, pick[0], pick[1]))
                st.session_state["cn_found_for"] = pick
            except REFUSALS as exc:
                refused(exc)
        found = st.session_state.get("cn_found")
        if found and found[0] == pick:
            ads = found[1]
            if not ads:
                st.info(t("cn_found_none"))
            else:
                st.caption(t("cn_found_help", n=len(ads)))
                with st.form("cn_pick_form"):
                    for a in ads:
                        label = f"{a.account_id} — {a.name}" if a.name else a.account_id
                        if a.connected_to:
                            label += " · " + t("cn_already", client=a.connected_to)
                        st.checkbox(
                            label, key=f"cn_pick_{pick[1]}_{a.account_id}", disabled=bool(a.connected_to)
                        )
                    go = st.form_submit_button(t("cn_connect_selected"), type="primary")
                if go:
                    ids = [
                        a.account_id for a in ads if st.session_state.get(f"cn_pick_{pick[1]}_{a.account_id}")
                    ]
                    try:
                        wd.connect_accounts(p, ctx.client_id, pick[0], pick[1], ids)
                    except REFUSALS as exc:
                        refused(exc)
                    else:
                        st.session_state.pop("cn_found", None)
                        st.session_state.pop("cn_auth", None)
                        done(t("cn_connected_accounts", n=len(ids), accounts=", ".join(ids)))

    # ---------------------------------------------------------------- load now / backfill
    if not acc.empty:
        st.subheader(t("cn_sync_title"))
        st.caption(t("cn_sync_help"))
        live = acc[acc["is_active"]]
        keys = [f"{r.platform}|{r.account_id}" for r in live.itertuples()]
        with st.form("cn_sync_form"):
            picked = st.multiselect(
                t("cn_sync_accounts"),
                keys,
                default=keys,
                key="cn_sync_accounts",
                placeholder=t("pick_many"),
                format_func=lambda k: f"{platform_name(k.split('|')[0])} {k.split('|')[1]}",
            )
            yesterday = clock.yesterday()
            since = st.date_input(
                t("cn_backfill_from"),
                value=yesterday - dt.timedelta(days=29),
                max_value=yesterday,
                key="cn_backfill_from",
                format="DD.MM.YYYY" if ctx.lang == "ru" else "YYYY-MM-DD",
            )
            c1, c2 = st.columns(2)
            now_clicked = c1.form_submit_button(t("cn_load_now"))
            back_clicked = c2.form_submit_button(t("cn_backfill"), type="primary")
        if now_clicked or back_clicked:
            kind = "load_now" if now_clicked else "backfill"
            per_platform: dict[str, list[str]] = {}
            for k in picked:
                plat, acc_id = k.split("|", 1)
                per_platform.setdefault(plat, []).append(acc_id)
            if not per_platform:
                st.error(t("cn_sync_pick"))
            for plat, ids in per_platform.items():
                try:
                    run = wd.sync_start(
                        p, ctx.client_id, plat, ids, kind, since if isinstance(since, dt.date) else None
                    )
                except REFUSALS as exc:
                    refused(exc)
                    continue
                st.session_state.setdefault("cn_runs", {})[run.run_id] = {
                    "client": ctx.client_id,
                    "platform": plat,
                    "accounts": list(run.account_ids),
                    "first": run.window.first.isoformat(),
                    "last": run.window.last.isoformat(),
                    "url": run.url,
                    "status": "QUEUED",
                }
    follow_runs()

    # ---------------------------------------------------------------- Garpun service-account key
    st.subheader(t("cn_garpun_title"))
    with st.form("cn_garpun_form", clear_on_submit=True):
        a, b = st.columns(2)
        gp_account = a.text_input(t("cn_garpun_account"), key="cn_garpun_account")
        gp_name = b.text_input(t("cn_name"), key="cn_garpun_name")
        key_file = st.file_uploader(t("cn_garpun_key"), type=["json"], key="cn_garpun_file")
        upload = st.form_submit_button(t("cn_garpun_upload"))
    if upload:
        if key_file is None:
            st.error(t("cn_garpun_no_file"))
        else:
            try:
                public = wd.connect_garpun(p, ctx.client_id, gp_account, key_file.getvalue(), gp_name)
            except (discovery.KeyFileError, *REFUSALS) as exc:
                refused(exc)
            else:
                done(t("cn_garpun_done", account=gp_account.strip(), email=public["client_email"]))

    # ---------------------------------------------------------------- by hand: register an account, set a credential
    st.subheader(t("cn_add"))
    with st.form("cn_add_form"):
        a, b = st.columns(2)
        platform = a.selectbox(
            FIELDS["platform"],
            credentials.PLATFORMS,
            key="cn_add_platform",
            format_func=platform_name,
            placeholder=t("pick_one"),
        )
        account_id = b.text_input(FIELDS["account_id"], key="cn_add_account", help=t("cn_account_help"))
        name = a.text_input(t("cn_name"), key="cn_add_name")
        vat = b.checkbox(t("cn_includes_vat"), value=True, key="cn_add_vat", help=t("cn_includes_vat_help"))
        added = st.form_submit_button(t("cn_add_button"))
    if added:
        try:
            wd.add_account(
                p,
                ctx.client_id,
                platform=platform,
                account_id=account_id.strip(),
                account_name=name,
                spend_includes_vat=vat,
            )
        except (ValueError, PermissionError, credentials.SecretsError) as exc:
            wd.form_error(exc, FIELDS)
        else:
            done(t("cn_added", account=account_id.strip()))

    if not acc.empty:
        st.subheader(t("cn_secret_title"))
        st.caption(t("cn_secret_help"))
        keys = [f"{r.platform}|{r.account_id}" for r in acc.itertuples()]

        def apply(op: str) -> None:
            """Runs before the page (a form callback): the secret is used once and its field emptied, so a saved
            credential is never sent back to the browser, and a refused one must be typed again."""
            plat, acc_id = st.session_state["cn_secret_account"].split("|", 1)
            kind = st.session_state["cn_secret_kind"]
            secret = st.session_state.get("cn_secret_value", "")
            st.session_state["cn_secret_value"] = ""
            what = {"kind": t(f"cn_kind_{kind}", ctx.lang), "account": acc_id}
            try:
                if op == "save":
                    wd.save_credential(p, ctx.client_id, plat, acc_id, kind, secret)
                    st.session_state["cn_flash"] = t("cn_secret_saved", ctx.lang, **what)
                elif wd.delete_credential(p, ctx.client_id, plat, acc_id, kind):
                    st.session_state["cn_flash"] = t("cn_secret_deleted", ctx.lang, **what)
                else:
                    st.session_state["cn_flash"] = t("cn_secret_absent", ctx.lang, **what)
            except (ValueError, LookupError, PermissionError, credentials.SecretsError) as exc:
                st.session_state["cn_secret_error"] = exc  # SecretsError never carries the secret

        with st.form("cn_secret_form"):
            a, b = st.columns(2)
            a.selectbox(
                t("cn_account"),
                keys,
                key="cn_secret_account",
                placeholder=t("pick_one"),
                format_func=lambda k: f"{platform_name(k.split('|')[0])} {k.split('|')[1]}",
            )
            b.selectbox(
                FIELDS["kind"],
                credentials.KINDS,
                key="cn_secret_kind",
                placeholder=t("pick_one"),
                format_func=lambda k: t(f"cn_kind_{k}", ctx.lang),
            )
            st.text_area(FIELDS["secret"], key="cn_secret_value", help=t("cn_secret_value_help"))
            c1, c2 = st.columns(2)
            c1.form_submit_button(t("cn_save_secret"), on_click=apply, args=("save",))
            c2.form_submit_button(t("cn_delete_secret"), on_click=apply, args=("delete",))
        refused_secret = st.session_state.pop("cn_secret_error", None)
        if refused_secret is not None:
            wd.form_error(refused_secret, FIELDS)
