"""Shared page shell: sign-in (local and OIDC), the sidebar (language, client, period), URL state and errors.

Pages call `context()` for the signed-in principal, the chosen client and period, and run their body inside
`guard()`, which turns bad input and denied access into a visible error instead of data or a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboards import auth, balancer, data, safe, session_cookie
from dashboards.i18n import CURRENCY_SIGNS, LANGS, explain, fmt_range, t
from mrm import clock
from mrm import i18n as catalogue

SESSION_HOURS = float(os.environ.get("MRM_SESSION_HOURS", "12"))
DEFAULT_PRESET = "last_30"


@dataclass(frozen=True)
class Context:
    principal: auth.Principal
    client_id: str
    period: data.Period
    lang: str


# ---------------------------------------------------------------- sign-in


def oidc_configured() -> bool:
    try:
        section = st.secrets.get("auth", {})
    except Exception:  # noqa: BLE001 - no secrets.toml at all means no OIDC
        return False
    if section:
        try:  # placeholder secrets are refused at start-up, before anyone can sign in
            auth.check_oidc_secrets(section)
        except auth.AuthError as exc:
            safe.error(exc)
            st.stop()
    return bool(section and section.get("client_id"))


def current_principal() -> auth.Principal | None:
    """The signed-in user of this session, re-read from app.users on every run (deactivation and role changes
    apply at once), plus the local session age and the OIDC token expiry."""
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        try:
            p = auth.principal_from_oidc(data.client(), st.user.to_dict())
        except auth.AuthError as exc:
            safe.error(exc)  # may quote the token's e-mail
            if st.button(t("logout")):
                _reset_session()
                st.logout()
            st.stop()
            raise
        if st.session_state.get("oidc_signed_in_as") != (p.tenant_id, p.login):
            _reset_session(keep=("ui_lang", "entry_query"))  # a new identity in this tab starts from nothing
            st.session_state["oidc_signed_in_as"] = (p.tenant_id, p.login)
        return p
    stored: auth.Principal | None = st.session_state.get("principal")
    if stored is None:
        stored = _restore_from_cookie()
    if stored is None:
        return None
    _emit_cookie()
    if time.time() - st.session_state.get("login_at", 0) > SESSION_HOURS * 3600:
        sign_out()
        return None
    fresh = auth.refresh_principal(data.client(), stored)
    if fresh is None:
        sign_out()
        st.session_state["auth_notice"] = auth.SESSION_ENDED
        return None
    if fresh != stored:
        st.session_state["principal"] = fresh
    return fresh


def _reset_session(keep: tuple[str, ...] = ("ui_lang",)) -> None:
    """Drop every key of the session (chat, report files, plan fixes, pickers…) except the named harmless ones."""
    kept = {k: st.session_state[k] for k in keep if k in st.session_state}
    st.session_state.clear()
    for k, v in kept.items():
        st.session_state[k] = v


def start_session(p: auth.Principal, keep: tuple[str, ...] = ("ui_lang",)) -> None:
    """Sign `p` in to this tab: nothing from before survives but the `keep` keys; a signed cookie carries the
    session to reloads and new tabs."""
    _reset_session(keep=keep)
    st.session_state.update(principal=p, login_at=time.time())
    key = _cookie_key()
    if key is not None:
        st.session_state["cookie_token"] = session_cookie.issue(
            p, key, hours=SESSION_HOURS, now=st.session_state["login_at"]
        )


def _cookie_key() -> bytes | None:
    try:
        return session_cookie.signing_key()
    except ValueError as exc:  # a too-short secret is a configuration error, shown to whoever opens the app
        safe.error(exc)
        st.stop()
        raise


def _restore_from_cookie() -> auth.Principal | None:
    """A reload, a new tab or a shared link: the signed cookie (if genuine, unexpired, not signed out and the
    user still active) signs the session in; its issue time keeps the session's age."""
    token, key = st.context.cookies.get(session_cookie.COOKIE), _cookie_key()
    if not token or key is None:
        return None
    found = session_cookie.restore(data.client(), token, key)
    if found is None:
        st.session_state["cookie_clear"] = True  # a dead cookie is dropped, not offered again on every run
        return None
    p, issued_at = found
    st.session_state["principal"] = p
    st.session_state["login_at"] = issued_at
    return p


def _cookie_js(value: str, max_age: int) -> None:
    # st.html runs in the page itself (not an iframe), so document.cookie sets the app's own cookie. The value is
    # base64url and a dot only, so it needs no quoting; Secure whenever the app is served over TLS.
    st.html(
        f"<script>document.cookie = '{session_cookie.COOKIE}={value}; Path=/; Max-Age={max_age}; "
        "SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');</script>",
        unsafe_allow_javascript=True,
        width=1,
    )


def _emit_cookie() -> None:
    """Right after a password sign-in, hand the browser the signed cookie (once per session)."""
    token = st.session_state.pop("cookie_token", None)
    if token:
        with st.sidebar:
            _cookie_js(token, int(SESSION_HOURS * 3600))


def _emit_cookie_clear() -> None:
    if st.session_state.pop("cookie_clear", False):
        _cookie_js("", 0)


def sign_out() -> None:
    """Forget everything the signed-in user left in this browser session: the next user of the tab sees none of it.

    The sign-out is recorded, so the persistent cookie stops working even where the browser keeps a copy."""
    p = st.session_state.get("principal")
    if p is not None:
        session_cookie.sign_out(data.client(), p)
    _reset_session()
    st.session_state["cookie_clear"] = True
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()


def _client_address() -> str:
    """The browser's address as the websocket saw it (not a spoofable header); '' for localhost and tests."""
    ip = st.context.ip_address
    if os.environ.get(balancer.BEHIND_ENV) == "1":
        # Behind `mrm dashboards --workers`: the websocket comes from the balancer on loopback, which sets this
        # header to the address it accepted the connection from (replacing any copy the client sent).
        ip = st.context.headers.get(balancer.CLIENT_HEADER) or ip
    return ip if isinstance(ip, str) else ""


def login_page() -> None:
    _emit_cookie_clear()
    language_switch()
    st.title(t("app_title"))
    st.subheader(t("login_title"))
    notice = st.session_state.pop("auth_notice", None)
    if notice:
        st.warning(t(notice))
    with st.form("login_form"):
        login = st.text_input(t("login"), key="login_name")
        password = st.text_input(t("password"), type="password", key="login_password")
        submitted = st.form_submit_button(t("sign_in"))
    if submitted:
        try:
            p = auth.authenticate(data.client(), login.strip(), password, address=_client_address())
        except auth.AuthError as exc:
            safe.error(exc)
        else:
            # Nothing from before the sign-in survives it (the link the visitor opened with does).
            start_session(p, keep=("ui_lang", "entry_query", "entry_page"))
            st.rerun()
    if oidc_configured() and st.button(t("sign_in_oidc")):
        st.login()


# ---------------------------------------------------------------- sidebar and URL state


def remember_entry_query() -> None:
    """Keep the query parameters the session was opened with: signing in switches pages, which clears the URL."""
    st.session_state.setdefault("entry_query", {k: st.query_params.get(k) for k in st.query_params})


def _qp(name: str) -> str | None:
    live = st.query_params.get(name)
    return live if live is not None else st.session_state.get("entry_query", {}).get(name)


def ensure_language() -> None:
    """Take the link's ?lang= before anything is labelled: the navigation's page titles are made before the
    sidebar draws the language switch. Without one the language stays open until the switch (Russian by default),
    so a link that names it later in the session still counts."""
    # The language sits in a plain session key: a widget's own state is dropped on runs that do not draw it
    # (the sign-in page → the first page), and the language must survive that.
    requested = _qp("lang")
    if "ui_lang" not in st.session_state and requested in LANGS:
        st.session_state["ui_lang"] = requested


def language_switch() -> None:
    ensure_language()
    st.session_state.setdefault("ui_lang", "ru")

    def changed() -> None:
        st.session_state["ui_lang"] = st.session_state["lang_radio"]

    st.sidebar.radio(
        t("language"),
        LANGS,
        index=LANGS.index(st.session_state["ui_lang"]),
        key="lang_radio",
        horizontal=True,
        on_change=changed,
        format_func=lambda x: {"ru": "Русский", "en": "English"}[x],
    )


def _stop_with(exc: Exception) -> None:
    key = "denied" if isinstance(exc, PermissionError) else "error"
    st.error(t(key, msg=safe.md(explain(exc))))  # messages quote URL parameters (a tampered ?client=)
    st.stop()


def sidebar(p: auth.Principal) -> None:
    """Client and period pickers, seeded from the URL (validated: a tampered URL gets an error, not data)."""
    language_switch()
    sb = st.sidebar
    sb.caption(t("signed_in_as", login=safe.md(p.display_name or p.login), role=p.role))
    qp = st.query_params
    try:
        options = list(data.clients(p)["client_id"])
    except Exception as exc:  # noqa: BLE001 - the warehouse being down must show, not crash the shell
        _stop_with(exc)
        return
    if not options:
        if p.can("manage_clients"):
            # An empty tenant's admin must still reach the Clients page to add the first client.
            st.warning(t("no_clients_admin"))
            if sb.button(t("logout"), key="logout_btn"):
                sign_out()
                st.rerun()
            return
        st.warning(t("no_clients"))
        st.stop()
    # The URL's client wins only when it differs from the one this session last wrote there (a link opened or
    # edited by hand). Comparing it with the selector instead would undo every pick: the URL still names the
    # previous client when the run after a pick starts.
    wanted = _qp("client")
    if wanted is not None and wanted != st.session_state.get("client_in_url"):
        try:
            data.scope(p, wanted)
        except (data.DataError, PermissionError) as exc:
            _stop_with(exc)
        st.session_state["client_sel"] = wanted
        st.session_state["client_in_url"] = wanted
    if st.session_state.get("client_sel") not in options:
        st.session_state["client_sel"] = options[0]
    names = dict(zip(data.clients(p)["client_id"], data.clients(p)["client_name"], strict=True))
    sb.selectbox(
        t("client"),
        options,
        key="client_sel",
        format_func=lambda c: f"{names.get(c, c)}",
        disabled=p.is_client,
        placeholder=t("pick_one"),
    )
    if "period_sel" not in st.session_state:
        if _qp("from") or _qp("to"):
            try:
                per = data.period(_qp("from"), _qp("to"))
            except data.DataError as exc:
                _stop_with(exc)
                return
        else:
            per = data.preset_period(DEFAULT_PRESET, clock.yesterday())
        st.session_state["period_sel"] = (per.date_from, per.date_to)
    period_pickers(sb)
    if sb.button(t("logout"), key="logout_btn"):
        sign_out()
        st.rerun()
    per = selected_period()
    # Keep the URL shareable; tenant and user never go into it (they come from the sign-in).
    qp["client"] = st.session_state["client_in_url"] = st.session_state["client_sel"]
    # The link the session was opened with has been applied: from now on the live URL speaks. Kept, it would
    # bring its client back whenever a page switch leaves the URL without parameters.
    st.session_state["entry_query"] = {}
    qp["from"], qp["to"] = per.date_from.isoformat(), per.date_to.isoformat()
    qp["lang"] = st.session_state["ui_lang"]


def period_pickers(sb: Any) -> None:
    """Presets (all ending yesterday), the date range for a custom period, and the comparison window stated."""
    yesterday = clock.yesterday()
    # Today is incomplete: no period may reach into it (the picker's own quick ranges end today otherwise).
    a, b = (selected_period().date_from, selected_period().date_to)
    if b > yesterday:
        st.session_state["period_sel"] = (min(a, yesterday), yesterday)

    def preset_chosen() -> None:
        name = st.session_state["period_preset"]
        st.session_state["period_custom"] = name == "custom"
        if name != "custom":
            per = data.preset_period(name, clock.yesterday())
            st.session_state["period_sel"] = (per.date_from, per.date_to)

    def range_typed() -> None:
        st.session_state["period_custom"] = False

    current, lang = selected_period(), st.session_state.get("ui_lang", "ru")
    st.session_state["period_preset"] = (
        "custom" if st.session_state.get("period_custom") else data.preset_of(current, yesterday)
    )
    sb.selectbox(
        t("preset"),
        data.PRESETS,
        key="period_preset",
        on_change=preset_chosen,
        format_func=lambda n: t(f"preset_{n}", lang),
        placeholder=t("pick_one"),
    )
    sb.date_input(
        t("period"),
        key="period_sel",
        format="DD.MM.YYYY" if st.session_state.get("ui_lang") == "ru" else "YYYY-MM-DD",
        max_value=yesterday,
        on_change=range_typed,
    )
    per = selected_period()
    prev = per.previous()
    sb.caption(
        t("period_is", range=fmt_range(per.date_from, per.date_to, lang))
        + "  \n"
        + t("compared_with", range=fmt_range(prev.date_from, prev.date_to, lang)),
        help=t("complete_days_only"),
    )


def selected_period() -> data.Period:
    sel: Any = st.session_state.get("period_sel") or ()
    if isinstance(sel, dt.date):
        sel = (sel, sel)
    if len(sel) == 1:  # the user has picked only the start so far
        sel = (sel[0], sel[0])
    try:
        return data.period(sel[0], sel[1])
    except data.DataError as exc:
        _stop_with(exc)
        raise


def context() -> Context:
    p = st.session_state.get("principal_active")
    if p is None or "client_sel" not in st.session_state:  # no client to show yet (the sidebar said why)
        st.stop()
    return Context(
        p, st.session_state["client_sel"], selected_period(), st.session_state.get("ui_lang", "ru")
    )


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """Show bad input and denied access as errors; everything else is a real bug and propagates."""
    try:
        yield
    except PermissionError as exc:
        st.error(t("denied", msg=safe.md(explain(exc))))
    except (data.DataError, ValueError, LookupError) as exc:
        st.error(t("error", msg=safe.md(explain(exc))))  # may quote user input or a file's cells


# ---------------------------------------------------------------- formatting helpers


def fmt_num(v: Any, digits: int = 0, lang: str | None = None) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "—"
    return catalogue.fmt_num(v, lang or st.session_state.get("ui_lang", "ru"), digits)


def fmt_pct(v: Any, digits: int = 2, lang: str | None = None) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "—"
    return fmt_num(float(v) * 100, digits, lang) + " %"


def delta_pct(cur: Any, prev: Any) -> str | None:
    try:
        c, p = float(cur), float(prev)
    except (TypeError, ValueError):
        return None
    if pd.isna(c) or pd.isna(p) or p == 0:
        return None
    return f"{(c - p) / abs(p) * 100:+.1f} %"


# Which metrics are money and which are shares: one list, so a tile, a table and a download agree on it.
MONEY = (
    "spend_net",
    "spend_gross",
    "conversions_value",
    "cpc",
    "cpm",
    "cpa",
    "line_budget_net",
    "cum_actual_spend_net",
    "forecast_spend_net_end_of_flight",
)
SHARES = ("ctr", "cr", "romi", "drr", "pacing_ratio")


def currency(ctx: Context) -> str:
    """The currency code of the selected client (its marts are in that currency)."""
    rows = data.clients(ctx.principal)
    match = rows.loc[rows["client_id"] == ctx.client_id, "currency"]
    return str(match.iloc[0]) if not match.empty and match.iloc[0] else "RUB"


def fmt_money(v: Any, cur: str, digits: int = 2, lang: str | None = None) -> str:
    """Money with locale grouping and the currency sign after the number ('1 234,50 ₽', '1,234.50 ₽')."""
    s = fmt_num(v, digits, lang)
    return s if s == "—" else f"{s}\u00a0{CURRENCY_SIGNS.get(cur, cur)}"


def fmt_metric(m: str, v: Any, cur: str, lang: str | None = None) -> str:
    """A metric's value as shown on tiles: shares in percent, money with its sign, counts grouped."""
    if m in SHARES:
        return fmt_pct(v, lang=lang)
    if m in MONEY:
        return fmt_money(v, cur, lang=lang)
    return fmt_num(v, 0, lang)


def cell_text(c: str, v: Any, cur: str, lang: str | None = None) -> str:
    """A table cell of column `c` as shown: changes with their sign, shares in percent, money with two decimals and
    the currency sign, other numbers grouped (whole numbers without decimals); '—' when empty."""
    if is_change(c):
        return fmt_change(v, lang)
    if c in SHARES or c in MONEY:
        return fmt_metric(c, v, cur, lang)
    return fmt_cell(v, lang)


def is_change(c: str) -> bool:
    """A period-over-period change column (`d_<metric>`, data.with_change): a share, whatever its metric."""
    return c.startswith("d_")


def money_label(c: str, cur: str) -> str:
    from dashboards.i18n import TEXT

    if is_change(c):  # a relative change carries no currency
        return f"Δ {t(c[2:]) if c[2:] in TEXT else c[2:]}"
    label = t(c) if c in TEXT else c
    return f"{label}, {CURRENCY_SIGNS.get(cur, cur)}" if c in MONEY else label


def metric_table(
    df: pd.DataFrame, cols: list[str], cur: str, *, key: str, pinned: tuple[str, ...] = (), **kw: Any
) -> pd.DataFrame:
    """A metrics table: columns that cannot apply to these rows (no revenue, no goals tracked) are left out with
    the reason said under the table; labels in the UI language; the `pinned` columns (the rows' names) stay on
    the left while a wide table scrolls. Returns the frame as shown (for downloads)."""
    na = data.not_applicable(df)
    keep = [c for c in cols if c not in na and not (is_change(c) and c[2:] in na)]
    shown = named(df[keep]).rename(columns={c: money_label(c, cur) for c in keep})
    screen, config = on_screen(shown, keep, cur)
    for c in pinned:
        label = money_label(c, cur)
        if c in keep and label not in config:
            config[label] = st.column_config.Column(pinned=True)
    st.dataframe(screen, hide_index=True, key=key, column_config=config, **kw)
    for reason in dict.fromkeys(na[c] for c in cols if c in na):
        gone = ", ".join(t(c) for c in cols if na.get(c) == reason)
        st.caption(t("not_shown_because", metrics=gone, reason=t(reason)))
    return shown


def on_screen(
    shown: pd.DataFrame, cols: list[str], cur: str, labels: dict[str, str] | None = None
) -> tuple[Any, dict[str, Any]]:
    """The table as drawn and its column config (`labels`: a column's shown label, else `money_label`). Numbers
    are drawn in the UI language's format (`cell_text`, not the browser's) over the numbers themselves, so a column
    still sorts by value. The grid draws an empty number as `None`: a metric column with values that cannot be
    computed (a ratio over zero, a change with nothing before) is drawn as text, '—' in those cells (the downloads
    keep the numbers); empty text cells stay empty."""
    screen, config, formats = shown.copy(), {}, {}
    for c in cols:
        label = (labels or {}).get(c) or money_label(c, cur)
        col = screen[label]
        if pd.api.types.is_numeric_dtype(col) and col.isna().any():
            screen[label] = [cell_text(c, v, cur) for v in col]
            config[label] = st.column_config.TextColumn(help=t("dash_means"))
        elif pd.api.types.is_numeric_dtype(col):
            formats[label] = lambda v, c=c: cell_text(c, v, cur)
        else:
            screen[label] = col.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else v)
    return (screen.style.format(formats) if formats else screen), config


def fmt_cell(v: Any, lang: str | None = None) -> str:
    """Any table value as text for a column drawn as text: '—' when empty, numbers with locale grouping."""
    if v is None or (pd.api.types.is_scalar(v) and not isinstance(v, str) and pd.isna(v)):
        return "—"
    if isinstance(v, bool) or not isinstance(v, int | float):
        return str(v)
    return fmt_num(v, 0 if float(v).is_integer() else 2, lang)


def fmt_change(v: Any, lang: str | None = None) -> str:
    """A relative change with its sign: '+12,5 %'; '—' when there is nothing to compare with."""
    if v is None or pd.isna(v):
        return "—"
    s = fmt_num(abs(float(v)) * 100, 1, lang)
    return f"{'+' if v > 0 else '−' if v < 0 else ''}{s} %"


def named(df: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """Stored ids in the columns people read (platform, channel, load status) replaced by their display names."""
    from dashboards.i18n import display_name

    out = df.copy()
    for col, kind in (("platform", "platform"), ("channel", "platform"), ("status", "load")):
        if col in out.columns:
            out[col] = out[col].map(lambda v, k=kind: display_name(k, v, lang))
    return out


def column_label(c: str, lang: str | None = None) -> str:
    """A column's display name from the catalogue: its `col_<name>` entry, else the entry of the same name (metrics,
    platform, channel); a name the catalogue does not know is shown as is."""
    from dashboards.i18n import TEXT

    key = f"col_{c}" if f"col_{c}" in TEXT else c
    return t(key, lang) if key in TEXT else c


def labelled(df: pd.DataFrame) -> pd.DataFrame:
    """Columns renamed to the UI language (for tables and downloads)."""
    return df.rename(columns={c: column_label(c) for c in df.columns})


def role_label(role: str, lang: str | None = None) -> str:
    """A workspace role's display name in the UI language ('account_manager' → 'Аккаунт-менеджер')."""
    from workspace.permissions import role_name

    return role_name(role, lang or st.session_state.get("ui_lang", "ru"))


def dashes(df: pd.DataFrame) -> pd.DataFrame:
    """Empty cells as '—' (the grid draws a missing value as `None`): a column with gaps is drawn as text
    (`fmt_cell`), one without keeps its values."""
    out = df.astype(object)
    for c in out.columns:
        if out[c].isna().any():
            out[c] = [fmt_cell(v) for v in out[c]]
    return out


def text_table(
    df: pd.DataFrame,
    key: str,
    labels: dict[str, str] | None = None,
    money: tuple[str, ...] = (),
    cur: str = "RUB",
    **kw: Any,
) -> None:
    """A table of names, dates, statuses and counts (metrics go through `metric_table`): stored ids by their
    display names, headers in the UI language (`labels`: a header of the page's own), empty cells '—', numbers in
    the language's format over the numbers themselves (a column still sorts by value); `money` columns with two
    decimals and the currency sign, their headers naming the currency."""

    def text(c: str, v: Any) -> str:
        return fmt_money(v, cur) if c in money else fmt_cell(v)

    out = named(df)
    for c in money:  # amounts may come as Decimal (ClickHouse Decimal columns)
        out[c] = out[c].astype(float)
    numbers = [c for c in out.columns if pd.api.types.is_numeric_dtype(out[c]) and not out[c].isna().any()]
    for c in money:  # amounts with gaps: drawn as text ('dashes' draws the other columns with gaps)
        if c not in numbers:
            out[c] = [text(c, v) for v in out[c]]
    heads = {c: column_label(c) for c in out.columns}
    heads |= {c: f"{heads[c]}, {CURRENCY_SIGNS.get(cur, cur)}" for c in money if c in heads} | (labels or {})
    out = dashes(out).rename(columns=heads)
    formats = {heads[c]: (lambda v, c=c: text(c, v)) for c in numbers}
    st.dataframe(out.style.format(formats) if formats else out, hide_index=True, key=key, **kw)


def xlsx_formats(cols: list[str], cur: str) -> dict[str, str]:
    """Excel number formats of metric columns, keyed by their shown labels (as `metric_table` names them)."""
    sign = CURRENCY_SIGNS.get(cur, cur)
    return {
        money_label(c, cur): ("0.00%" if c in SHARES or is_change(c) else f'#,##0.00 "{sign}"')
        for c in cols
        if c in SHARES or c in MONEY or is_change(c)
    }


def xlsx_bytes(df: pd.DataFrame, sheet: str = "data", formats: dict[str, str] | None = None) -> bytes:
    """An XLSX of a table with a frozen header row and real number formats (`formats`: column label → Excel
    format); text cells that look like formulas are written as text (no formula injection)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(
        buf,
        engine="xlsxwriter",
        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}},
    ) as xw:
        df.to_excel(xw, sheet_name=sheet[:31], index=False)
        ws = xw.sheets[sheet[:31]]
        ws.freeze_panes(1, 0)
        for i, col in enumerate(df.columns):
            if formats and col in formats:
                ws.set_column(i, i, 16, xw.book.add_format({"num_format": formats[col]}))
    return buf.getvalue()


def csv_bytes(df: pd.DataFrame) -> bytes:
    # A leading =, +, - or @ would run as a formula when the CSV is opened in Excel, and a leading tab or CR is
    # dropped by Excel's import, exposing the formula behind it: prefix them all with a quote.
    safe = df.copy()
    for col in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[col]):  # object or pandas' string dtype
            # (an empty cell stays empty: "" is `in` every string)
            safe[col] = safe[col].map(
                lambda v: "'" + v if isinstance(v, str) and v and v[0] in "=+-@\t\r" else v
            )
    # CRLF rows (what Excel writes): a CR inside a cell is then quoted, so it cannot split a row either.
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
