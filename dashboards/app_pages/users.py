"""Users (admins): the tenant's users; invite by e-mail, add, suspend and reactivate, reset a password, assign
clients; the audit log."""

import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from dashboards import auth, data, safe, ui
from dashboards import workspace_data as wd
from dashboards.i18n import t
from mrm import clock
from workspace import invitations, permissions
from workspace.permissions import ROLES

p = wd.signed_in()
lang = st.session_state.get("ui_lang", "ru")
st.title(t("page_users"))
FIELDS = {"login": t("us_login"), "password": t("password"), "role": t("us_role"), "client": t("client")}
flash = st.session_state.pop("us_flash", None)
if flash:
    safe.success(flash)


def role_name(r: str) -> str:
    return permissions.role_name(r, lang)


def role_box(where: Any, key: str) -> str:
    """The role selector of the invite and add forms (analyst preselected, roles by name)."""
    return str(
        where.selectbox(
            FIELDS["role"], ROLES, index=ROLES.index("analyst"), key=key, format_func=role_name,
            placeholder=t("pick_one"),
        )
    )  # fmt: skip


def done(msg: str) -> None:
    st.session_state["us_flash"] = msg
    st.rerun()


with ui.guard():
    users = wd.users(p)
    clients = [c.client_id for c in wd.client_list(p) if c.is_active]
    shown = users.assign(
        role=users["role"].map(role_name),
        is_active=users["is_active"].map(lambda a: t("us_active") if a else t("us_suspended")),
    )
    wd.show_table(
        shown,
        {
            "login": "us_login",
            "display_name": "us_name",
            "role": "us_role",
            "client_id": "client",
            "auth_source": "us_source",
            "is_active": "us_status",
            "clients": "us_clients",
        },
        "us_table",
    )

    st.subheader(t("inv_section"))
    with st.form("inv_send_form"):
        a, b = st.columns(2)
        email = a.text_input(t("inv_email"), key="inv_email")
        inv_role = role_box(b, "inv_role")
        inv_clients = a.multiselect(
            FIELDS["client"],
            clients,
            key="inv_clients",
            help=t("inv_clients_help"),
            placeholder=t("pick_many"),
        )
        days = b.number_input(t("inv_days"), 1, 90, invitations.INVITE_DAYS, key="inv_days")
        send = st.form_submit_button(t("inv_send"))
    if send:
        try:
            invitations.invite(
                data.client(), p, email, inv_role, client_ids=tuple(inv_clients), days=int(days)
            )
        except (ValueError, LookupError, RuntimeError, auth.AuthError) as exc:
            wd.form_error(exc, {**FIELDS, "email": t("inv_email"), "days": t("inv_days")})
        else:
            done(t("inv_sent", email=email.strip()))
    sent = pd.DataFrame(invitations.list_invitations(data.client(), p))
    if not sent.empty:
        st.caption(t("inv_list"))
        wd.show_table(
            sent.assign(
                role=sent["role"].map(role_name), state=sent["state"].map(lambda s: t(f"inv_state_{s}"))
            ),
            {
                "email": "inv_email",
                "role": "us_role",
                "clients": "us_clients",
                "invited_by": "inv_by",
                "created_at": "inv_sent_at",
                "expires_on": "inv_until",
                "state": "inv_state",
                "accepted_login": "inv_login",
            },
            "inv_table",
        )
        pending = sorted(set(sent.loc[sent["state"] == "pending", "email"]))
        if pending:
            w1, w2 = st.columns([3, 1])
            gone = w1.selectbox(t("inv_pending"), pending, key="inv_pick", placeholder=t("pick_one"))
            if w2.button(t("inv_revoke"), key="inv_revoke"):
                invitations.revoke(data.client(), p, gone)
                done(t("inv_revoked", email=gone))

    st.subheader(t("us_add"))
    with st.form("us_add_form"):
        a, b = st.columns(2)
        login = a.text_input(FIELDS["login"], key="us_add_login", help=t("us_login_help"))
        name = b.text_input(t("us_name"), key="us_add_name")
        role = role_box(a, "us_add_role")
        client = b.selectbox(
            FIELDS["client"],
            ["", *clients],
            key="us_add_client",
            help=t("us_client_help"),
            placeholder=t("pick_one"),
        )
        password = st.text_input(
            FIELDS["password"], type="password", key="us_add_password", help=t("us_password_help")
        )
        submitted = st.form_submit_button(t("us_add_button"))
    if submitted:
        try:
            wd.add_user(
                p, login=login.strip(), role=role, password=password, display_name=name, client_id=client
            )
        except (ValueError, PermissionError, auth.AuthError) as exc:
            wd.form_error(exc, FIELDS)
        else:
            done(t("us_added", login=login.strip()))

    if not users.empty:
        st.subheader(t("us_manage"))
        row = users.set_index("login")
        who = st.selectbox(
            t("us_pick"),
            list(row.index),
            key="us_pick",
            format_func=lambda x: f"{row.at[x, 'display_name']} ({x})",
            placeholder=t("pick_one"),
        )
        c1, c2 = st.columns(2)
        active = bool(row.at[who, "is_active"])
        if c1.button(
            t("us_suspend") if active else t("us_reactivate"),
            key="us_toggle",
            disabled=active and who == p.login,
        ):
            try:
                wd.set_active(p, who, not active)
            except auth.AuthError as exc:
                wd.form_error(exc, FIELDS)
            else:
                done(t("us_suspended_done" if active else "us_reactivated_done", login=who))
        if row.at[who, "auth_source"] == "local":
            with c2.form("us_reset_form", clear_on_submit=True):
                new_pw = st.text_input(t("us_new_password"), type="password", key="us_reset_pw")
                reset = st.form_submit_button(t("us_reset"))
            if reset:
                try:
                    wd.reset_password(p, who, new_pw)
                except (ValueError, auth.AuthError) as exc:
                    wd.form_error(exc, FIELDS)
                else:
                    done(t("us_reset_done", login=who))
        if row.at[who, "role"] not in ("admin", "client"):
            current = row.at[who, "clients"]
            every = st.checkbox(t("us_all_clients"), value=current == "*", key=f"us_all_{who}")
            picked = st.multiselect(
                t("us_assigned"),
                clients,
                key=f"us_assigned_{who}",
                disabled=every,
                default=[] if current == "*" else [c for c in current.split(", ") if c in clients],
                placeholder=t("pick_many"),
            )
            if st.button(t("us_assign"), key="us_assign"):
                try:
                    wd.assign_clients(p, who, all_clients=every, client_ids=() if every else tuple(picked))
                except (ValueError, LookupError) as exc:
                    wd.form_error(exc, FIELDS)
                else:
                    done(t("us_assigned_done", login=who))

if p.can("view_audit"):
    st.subheader(t("us_audit"))
    with ui.guard():
        actions, outcomes = wd.audit_choices(p)
        f1, f2, f3, f4 = st.columns(4)
        who_f = f1.text_input(t("us_login"), key="au_login")
        act_f = f2.selectbox(t("au_action"), ["", *actions], key="au_action", placeholder=t("pick_one"))
        out_f = f3.selectbox(t("au_outcome"), ["", *outcomes], key="au_outcome", placeholder=t("pick_one"))
        # audit events carry the real time even when "today" is pinned (MRM_TODAY): the window reaches the real date
        today = max(clock.today(), dt.datetime.now(dt.UTC).date())
        span = f4.date_input(t("period"), value=(today - dt.timedelta(days=30), today), key="au_period")
        a_from, a_to = (span[0], span[-1]) if isinstance(span, tuple) and span else (None, None)
        log = wd.audit_log(p, login=who_f, action=act_f, outcome=out_f, date_from=a_from, date_to=a_to)
        if log.empty:
            st.info(t("au_none"))
        else:
            st.caption(t("au_count", n=len(log), limit=wd.AUDIT_LIMIT))
            wd.show_table(
                log,
                {
                    "at": "au_at",
                    "login": "us_login",
                    "action": "au_action",
                    "target": "au_target",
                    "outcome": "au_outcome",
                    "detail": "au_detail",
                },
                "au_table",
            )
