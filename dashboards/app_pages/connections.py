"""Connections (admins): the selected client's ad accounts, which credentials are stored (never their values) and
each account's load health from the load log; register an account, set, replace or delete a credential."""

import pandas as pd
import streamlit as st

from dashboards import safe, ui
from dashboards import workspace_data as wd
from dashboards.i18n import display_name, t
from workspace import credentials

ctx = ui.context()
p = ctx.principal
st.title(t("page_connections"))
FIELDS = {
    "platform": t("cn_platform"),
    "account_id": t("account_id"),
    "kind": t("cn_kind"),
    "secret": t("cn_secret"),
}
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


with ui.guard():
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
                t("cn_credentials"): [c or t("cn_fallback") for c in acc["credentials"]],
                t("cn_last_ok"): acc["last_ok"].map(when),
                t("rows"): acc["last_rows"].map(lambda r: "—" if r is None or pd.isna(r) else int(r)),
                t("cn_last_error"): [
                    f"{when(f)}: {(e or '').splitlines()[0][:200] if e else ''}"
                    if f is not None and not pd.isna(f)
                    else "—"
                    for f, e in zip(acc["last_failed"], acc["last_error"], strict=True)
                ],
            }
        )
        st.dataframe(health, hide_index=True, key="cn_table")  # error texts are shown as plain cells
        for _, r in acc[acc["error_now"]].iterrows():
            safe.warning(t("cn_failing", account=f"{platform_name(r['platform'])} {r['account_id']}"))
        never = acc[acc["last_ok"].isna()]
        if not never.empty:
            st.caption(t("cn_never_loaded", n=len(never)))

    st.subheader(t("cn_add"))
    with st.form("cn_add_form"):
        a, b = st.columns(2)
        platform = a.selectbox(
            FIELDS["platform"], credentials.PLATFORMS, key="cn_add_platform", format_func=platform_name
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
                format_func=lambda k: f"{platform_name(k.split('|')[0])} {k.split('|')[1]}",
            )
            b.selectbox(
                FIELDS["kind"],
                credentials.KINDS,
                key="cn_secret_kind",
                format_func=lambda k: t(f"cn_kind_{k}", ctx.lang),
            )
            st.text_area(FIELDS["secret"], key="cn_secret_value", help=t("cn_secret_value_help"))
            c1, c2 = st.columns(2)
            c1.form_submit_button(t("cn_save_secret"), on_click=apply, args=("save",))
            c2.form_submit_button(t("cn_delete_secret"), on_click=apply, args=("delete",))
        refused = st.session_state.pop("cn_secret_error", None)
        if refused is not None:
            wd.form_error(refused, FIELDS)
