"""The app's one data-access module: parameterised, tenant-scoped, permission-checked queries on the marts.

Every public function takes the signed-in `Principal` first and checks it here (not only by hiding widgets).
Every cached function takes tenant_id and login as arguments, because st.cache_data is shared by all users of
the server process: a key without them would hand one user's result to another. Values are always bound
server-side ({name:Type}); the only formatted identifier is the marts database name, validated at start.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboards.auth import AccessDenied, Principal, audit, check_id
from metrics.ratios import ADDITIVE
from metrics.ratios import add_ratios as _catalogue_ratios
from mrm.i18n import carry, refusal
from workspace import access

CACHE_TTL_S = 300
_RUN_MEMO = "_data_run_memo"  # session-state key of the values read once per script run
MAX_PERIOD_DAYS = 731
_DB_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_POOL_IDLE_MAX = 16
_pool_lock = threading.Lock()
_leased: dict[threading.Thread, Any] = {}  # thread → its client while the thread lives
_idle: list[Any] = []


class DataError(ValueError):
    """Bad input to a data function (unknown id, malformed period…); the message is safe to show."""


def marts_db() -> str:
    """The dbt marts database (MRM_MARTS_DB, default `marts`); tests and the benchmark point it elsewhere."""
    name = os.environ.get("MRM_MARTS_DB", "marts")
    if not _DB_RE.match(name):
        raise DataError(f"MRM_MARTS_DB is not a plain database name: {name!r}")
    return name


def client() -> Any:
    """The warehouse client of the calling thread, from a small pool.

    A clickhouse-connect client's HTTP session must not carry two queries at once, so a thread keeps one client
    while it lives. Streamlit runs every script run in a fresh thread: a client whose thread has ended goes back to
    the pool instead of being dropped, so a rerun does not pay a new client's set-up (a settings round trip)."""
    me = threading.current_thread()
    with _pool_lock:
        c = _leased.get(me)
        if c is not None:
            return c
        for done in [t for t in _leased if not t.is_alive()]:
            _idle.append(_leased.pop(done))
        c = _idle.pop() if _idle else None
        while len(_idle) > _POOL_IDLE_MAX:  # after a burst of sessions
            _idle.pop(0).close()
    if c is None:
        import warehouse

        c = warehouse.connect(autogenerate_session_id=False)
    with _pool_lock:
        _leased[me] = c
    return c


def drop_clients() -> None:
    """Close every pooled client: the next query connects anew (to the warehouse configured now)."""
    with _pool_lock:
        for c in [*_leased.values(), *_idle]:
            c.close()
        _leased.clear()
        _idle.clear()


def _df(sql: str, params: dict[str, Any]) -> pd.DataFrame:
    # Arrow keeps the column names and types of an empty result (the Native row API does not).
    return client().query_arrow(sql, parameters=params).to_pandas()


# ---------------------------------------------------------------- scope and input checks


@dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_to: dt.date

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> Period:
        """The period of equal length just before this one (for period-over-period deltas)."""
        return Period(self.date_from - dt.timedelta(days=self.days), self.date_from - dt.timedelta(days=1))


def period(date_from: Any, date_to: Any) -> Period:
    """A validated period from dates or ISO strings (e.g. URL query parameters)."""
    try:
        a = date_from if isinstance(date_from, dt.date) else dt.date.fromisoformat(str(date_from))
        b = date_to if isinstance(date_to, dt.date) else dt.date.fromisoformat(str(date_to))
    except ValueError:
        raise refusal(DataError, "dash_bad_period", start=repr(date_from), end=repr(date_to)) from None
    if b < a:
        raise refusal(DataError, "dash_period_reversed", start=a, end=b)
    if (b - a).days + 1 > MAX_PERIOD_DAYS:
        raise refusal(DataError, "dash_period_too_long", days=MAX_PERIOD_DAYS)
    return Period(a, b)


PRESETS = ("yesterday", "last_7", "last_30", "this_month", "last_month", "custom")


def preset_period(name: str, yesterday: dt.date) -> Period:
    """A named period ending no later than `yesterday` (the last complete day: today's partial numbers would show
    as a fake drop against the previous period). 'this_month' is the month of `yesterday` up to it."""
    first = yesterday.replace(day=1)
    if name == "yesterday":
        return Period(yesterday, yesterday)
    if name in ("last_7", "last_30"):
        return Period(yesterday - dt.timedelta(days=int(name[5:]) - 1), yesterday)
    if name == "this_month":
        return Period(first, yesterday)
    if name == "last_month":
        end = first - dt.timedelta(days=1)
        return Period(end.replace(day=1), end)
    raise refusal(DataError, "dash_unknown_preset", name=repr(name))


def preset_of(per: Period, yesterday: dt.date) -> str:
    """The preset a period equals, else 'custom' (so a link or a typed range shows what it is)."""
    return next((n for n in PRESETS[:-1] if preset_period(n, yesterday) == per), "custom")


def scope(p: Principal, client_id: str) -> str:
    """The client this principal may read: a `client` user only its own; staff any client of their tenant."""
    try:
        check_id("client", client_id)
    except ValueError as exc:
        audit(
            client(), p.tenant_id, p.login, "read", "rejected", target=str(client_id)[:200], detail=str(exc)
        )
        raise carry(exc, DataError(str(exc))) from None
    # A client user only its own client; staff limited by an admin only their assigned clients (audited denial).
    access.require_client_in(client(), p, client_id, allowed_clients(p))
    if client_id not in set(clients(p)["client_id"]):
        raise refusal(DataError, "dash_unknown_client", client=repr(client_id))
    return client_id


def _id(kind: str, value: Any) -> str:
    try:
        return check_id(kind, value)
    except ValueError as exc:
        raise carry(exc, DataError(str(exc))) from None


def require(p: Principal, permission: str) -> None:
    access.require(client(), p, permission)


# ---------------------------------------------------------------- cached queries (tenant and login in every key)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _clients(tenant_id: str, login: str, only_client: str) -> pd.DataFrame:
    return _df(
        "SELECT client_id, any(name) AS client_name, any(currency) AS currency FROM app.clients FINAL "
        "WHERE tenant_id = {tenant:String} AND is_active = 1 AND ({only:String} = '' OR client_id = {only:String}) "
        "GROUP BY client_id ORDER BY client_name",
        {"tenant": tenant_id, "only": only_client},
    )


def allowed_clients(p: Principal) -> frozenset[str] | None:
    """The clients p may read (None: all of the tenant), read from the warehouse once per script run: a page asks
    for every query it makes, and a revoked assignment applies from the next run (a rerun or a fragment's run)."""
    return _once_per_run(("allowed_clients", p), lambda: access.allowed_clients(client(), p))


def _once_per_run(key: Hashable, compute: Callable[[], Any]) -> Any:
    """`compute()` memoised for the current Streamlit script run; computed afresh outside a run. Each run (full
    or a fragment's) gets a new cursor map from Streamlit, and the memo is valid only while that map is current."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return compute()
    memo = st.session_state.get(_RUN_MEMO)
    if memo is None or memo[0] is not ctx.cursors:
        memo = (ctx.cursors, {})
        st.session_state[_RUN_MEMO] = memo
    values: dict[Hashable, Any] = memo[1]
    if key not in values:
        values[key] = compute()
    return values[key]


def clients(p: Principal) -> pd.DataFrame:
    """Clients this principal may choose from (assignments are not cached across runs: a revocation applies at
    the next run). One frame per script run, shared by its callers: read it, do not change it."""

    def read() -> pd.DataFrame:
        df = _clients(p.tenant_id, p.login, p.client_id if p.is_client else "")
        allowed = allowed_clients(p)
        return df if allowed is None else df[df["client_id"].isin(allowed)].reset_index(drop=True)

    return _once_per_run(("clients", p), read)


_SUMS = (
    "sum(impressions) AS impressions, sum(clicks) AS clicks, toFloat64(sum(spend_gross)) AS spend_gross, "
    "toFloat64(sum(spend_net)) AS spend_net, toFloat64(sum(conversions)) AS conversions, "
    "toFloat64(sum(conversions_value)) AS conversions_value, sum(sessions) AS sessions"
)
# {SUMS} adds up exactly the additive measures (metrics.ratios.ADDITIVE); ratios are recomputed from them.


def _sql(template: str) -> str:
    # The only formatted part is the validated marts database name (an identifier we control).
    return template.replace("{M}", marts_db()).replace("{SUMS}", _SUMS)


# Period queries of one client: each binds {tenant}, {client} and the period {a}..{b}; run by _period_frame.
# The Overview's KPIs (this period and the previous one) and its daily chart come from one scan of the
# campaign x day roll-up (~ads-per-campaign times fewer rows than the ad grain).
_DAILY_SPAN = (
    "SELECT date_day, platform, {SUMS}, max(is_provisional) AS is_provisional "
    "FROM {M}.fct_campaign_daily WHERE tenant_id = {tenant:String} AND client_id = {client:String} "
    "AND date_day BETWEEN {a:Date} AND {b:Date} GROUP BY date_day, platform ORDER BY date_day, platform"
)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _period_frame(
    tenant_id: str, login: str, template: str, client_id: str, a: dt.date, b: dt.date
) -> pd.DataFrame:
    """One of this module's period queries over [a, b] for a client (login keys the cache per user)."""
    return _df(_sql(template), {"tenant": tenant_id, "client": client_id, "a": a, "b": b})


def _period(template: str, p: Principal, client_id: str, a: dt.date, b: dt.date) -> pd.DataFrame:
    return _period_frame(p.tenant_id, p.login, template, scope(p, client_id), a, b)


def add_ratios(df: pd.DataFrame) -> pd.DataFrame:
    """CTR, CPC, CPM, CPA, CR, ROMI, ДРР from the sums of the rows' grain (never averaged); NaN on zero.
    The formulas are the metric layer's (metrics/catalogue.py), on net spend like the rest of the app."""
    return _catalogue_ratios(df, vat="net")


# Ratios that mean nothing when what they divide by is not measured at all: ROMI would read −100 % and CPA
# would be empty whenever revenue or goals are not set up, which looks like a disaster instead of a gap.
NOT_TRACKED = {
    "conversions_value": ("no_revenue", ("conversions_value", "romi", "drr")),
    "conversions": ("no_goals", ("conversions", "cpa", "cr", "romi", "drr")),
}


def not_applicable(sums: pd.DataFrame | dict[str, Any]) -> dict[str, str]:
    """{metric: reason key} for the metrics that cannot be computed because revenue or goals are not tracked
    in these rows at all (their total is zero)."""
    out: dict[str, str] = {}
    for base, (reason, metrics) in NOT_TRACKED.items():
        total = sums[base].sum() if isinstance(sums, pd.DataFrame) else sums.get(base)
        if total is None or pd.isna(total) or float(total) == 0:
            out.update({m: reason for m in metrics if m not in out})
    return out


def with_totals(df: pd.DataFrame, label_col: str, label: str) -> pd.DataFrame:
    """The rows plus a last totals row: additive columns summed, ratios from those sums (never averaged), the
    label in `label_col`, other text columns empty (not None); provisional if any row is."""
    total = add_ratios(pd.DataFrame([{c: df[c].sum() for c in ADDITIVE if c in df.columns}]))
    row: dict[str, Any] = {c: total[c].iloc[0] if c in total.columns else "" for c in df.columns}
    row[label_col] = label
    if "is_provisional" in df.columns:
        row["is_provisional"] = df["is_provisional"].max()
    return pd.concat([df, pd.DataFrame([row], columns=df.columns)], ignore_index=True)


def with_change(
    cur: pd.DataFrame,
    prev: pd.DataFrame,
    keys: Sequence[str],
    metrics: Sequence[str],
    *,
    totals: bool = False,
) -> pd.DataFrame:
    """`cur` plus `d_<metric>` for each metric: its relative change against the row of the same keys in `prev`
    (the previous period), NaN where that row is missing or its value is 0. With `totals`, the last row of `cur`
    (with_totals' row) compares with the totals of `prev`: ratios of sums, never averaged."""
    metrics = [m for m in metrics if m in cur.columns and m in prev.columns]
    before = prev[[*keys, *metrics]].rename(columns={m: f"prev_{m}" for m in metrics})
    out = cur.merge(before.drop_duplicates(list(keys)), on=list(keys), how="left")
    if totals and len(out):
        sums = add_ratios(pd.DataFrame([{c: prev[c].sum() for c in ADDITIVE if c in prev.columns}]))
        for m in metrics:
            out.loc[out.index[-1], f"prev_{m}"] = sums[m].iloc[0] if m in sums.columns else float("nan")
    for m in metrics:
        base = pd.to_numeric(out[f"prev_{m}"], errors="coerce")
        out[f"d_{m}"] = (pd.to_numeric(out[m], errors="coerce") - base) / base.abs().where(base != 0)
    return out.drop(columns=[f"prev_{m}" for m in metrics])


def _this_and_previous(p: Principal, client_id: str, per: Period) -> tuple[pd.DataFrame, pd.Series]:
    """The day x platform sums of the period and the one before it (one cached scan), and which rows are `per`'s."""
    days = _period(_DAILY_SPAN, p, client_id, per.previous().date_from, per.date_to)
    return days, pd.to_datetime(days["date_day"]).dt.date >= per.date_from


def kpis(p: Principal, client_id: str, per: Period) -> dict[str, dict[str, Any]]:
    """{'current': {...}, 'previous': {...}} sums and ratios for the period and the one before it."""
    days, current = _this_and_previous(p, client_id, per)
    out: dict[str, dict[str, Any]] = {}
    for key, rows in (("current", days[current]), ("previous", days[~current])):
        sums = {c: rows[c].sum() for c in ADDITIVE}
        sums["provisional_days"] = rows.loc[rows["is_provisional"] == 1, "date_day"].nunique()
        out[key] = add_ratios(pd.DataFrame([sums])).iloc[0].to_dict()
    return out


def daily(p: Principal, client_id: str, per: Period) -> pd.DataFrame:
    """Daily sums per platform, with the provisional flag (days still inside a restatement window)."""
    days, current = _this_and_previous(p, client_id, per)
    return add_ratios(days[current].reset_index(drop=True))


GRAINS = ("day", "week", "month")


def by_grain(days: pd.DataFrame, grain: str) -> pd.DataFrame:
    """Daily rows per platform summed to weeks (from Monday) or months (from the 1st), `date_day` holding the
    bucket's first day; ratios computed again from the sums (never averaged); a bucket is provisional when any of
    its days is. Partial first and last buckets hold only the period's days."""
    if grain not in GRAINS:
        raise DataError(f"grain {grain!r}: expected one of {', '.join(GRAINS)}")
    if grain == "day" or days.empty:
        return days
    day = pd.to_datetime(days["date_day"])
    first = (
        (day - pd.to_timedelta(day.dt.weekday, unit="D"))
        if grain == "week"
        else day.dt.to_period("M").dt.start_time
    )
    sums = {c: "sum" for c in days.columns if c in ADDITIVE}
    if "is_provisional" in days.columns:
        sums["is_provisional"] = "max"
    out = days.assign(date_day=first.dt.date).groupby(["date_day", "platform"], as_index=False).agg(sums)
    return add_ratios(out)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _campaigns(
    tenant_id: str,
    login: str,
    client_id: str,
    a: dt.date,
    b: dt.date,
    platforms: tuple[str, ...],
    search: str,
) -> pd.DataFrame:
    return _df(
        _sql(
            "SELECT platform, account_id, campaign_id, anyLast(campaign_name) AS campaign_title, {SUMS}, "
            "max(is_provisional) AS is_provisional FROM {M}.fct_campaign_daily "
            "WHERE tenant_id = {tenant:String} AND client_id = {client:String} AND date_day BETWEEN {a:Date} AND {b:Date} "
            "AND (empty({platforms:Array(String)}) OR has({platforms:Array(String)}, platform)) "
            "AND ({q:String} = '' OR positionCaseInsensitiveUTF8(campaign_name, {q:String}) > 0 "
            "     OR campaign_id = {q:String}) "
            "GROUP BY platform, account_id, campaign_id ORDER BY spend_net DESC LIMIT 5000"
        ),
        {"tenant": tenant_id, "client": client_id, "a": a, "b": b, "platforms": list(platforms), "q": search},
    ).rename(
        columns={"campaign_title": "campaign_name"}
    )  # an alias named like the column would shadow it in WHERE


def campaigns(
    p: Principal, client_id: str, per: Period, platforms: Sequence[str] = (), search: str = ""
) -> pd.DataFrame:
    """One row per campaign over the period (filter by platforms and a name/id search), with ratios."""
    cid = scope(p, client_id)
    for x in platforms:
        _id("platform", x)
    if len(search) > 200:
        raise refusal(DataError, "dash_search_too_long", n=200)
    return add_ratios(
        _campaigns(
            p.tenant_id, p.login, cid, per.date_from, per.date_to, tuple(sorted(platforms)), search.strip()
        )
    )


# The ad grains of one campaign: rows per ad group, or per ad (of one group or all), each with the names people
# know them by from dim_ads ('' where the platform gives none: the page says so). Keys are fixed here, never input.
_GRAINS = {"ad_group": ("ad_group_id",), "ad": ("ad_group_id", "ad_id")}
_NAMES = {
    "ad_group": "anyIf(ad_group_name, ad_group_name != '') AS ad_group_name",
    "ad": "anyIf(ad_group_name, ad_group_name != '') AS ad_group_name, anyIf(ad_name, ad_name != '') AS ad_name",
}


_OF_CAMPAIGN = (
    "WHERE tenant_id = {tenant:String} AND client_id = {client:String} AND platform = {platform:String} "
    "AND account_id = {account:String} AND campaign_id = {campaign:String} "
    "AND ({any_group:UInt8} OR ad_group_id = {group:String}) "
)
_ADS_OF_CAMPAIGN = (
    "SELECT {KEYS}, {SUMS}, max(is_provisional) AS is_provisional FROM {M}.fct_ad_performance_daily {OF}"
    "AND date_day BETWEEN {a:Date} AND {b:Date} GROUP BY {KEYS}"
).replace("{OF}", _OF_CAMPAIGN)
_NAMES_OF_CAMPAIGN = "SELECT {KEYS}, {NAMES} FROM {M}.dim_ads {OF}GROUP BY {KEYS}".replace(
    "{OF}", _OF_CAMPAIGN
)


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _campaign_ads(
    tenant_id: str,
    login: str,
    client_id: str,
    a: dt.date,
    b: dt.date,
    campaign: tuple[str, str, str],
    ad_group_id: str | None,
    grain: str,
) -> pd.DataFrame:
    """`campaign` is its key: (platform, account_id, campaign_id), checked by `campaign_ads`."""
    # Only fixed texts of this module are put into the SQL (the grain's key columns); every value is bound.
    platform, account_id, campaign_id = campaign
    keys = ", ".join(_GRAINS[grain])
    params = {
        "tenant": tenant_id,
        "client": client_id,
        "a": a,
        "b": b,
        "platform": platform,
        "account": account_id,
        "campaign": campaign_id,
        "any_group": int(ad_group_id is None),
        "group": ad_group_id or "",
    }
    sums = _df(
        _sql(_ADS_OF_CAMPAIGN).replace("{KEYS}", keys),
        params,
    )
    names = _df(
        _sql(_NAMES_OF_CAMPAIGN).replace("{KEYS}", keys).replace("{NAMES}", _NAMES[grain]),
        params,
    )
    return sums.merge(names, on=list(_GRAINS[grain]), how="left")


def campaign_ads(
    p: Principal,
    client_id: str,
    per: Period,
    platform: str,
    account_id: str,
    campaign_id: str,
    ad_group_id: str | None = None,
    *,
    grain: str = "ad",
) -> pd.DataFrame:
    """Ad rows (or ad group rows, grain='ad_group') of one campaign, of one ad group when `ad_group_id` is given,
    with their names (the campaign must belong to the scoped client), biggest spend first."""
    cid = scope(p, client_id)
    if grain not in _GRAINS:
        raise refusal(DataError, "dash_unknown_grain", grain=repr(grain))
    for kind, v in (("platform", platform), ("account", account_id), ("campaign", campaign_id)):
        _id(kind, v)
    if ad_group_id:
        _id("ad group", ad_group_id)
    rows = _campaign_ads(
        p.tenant_id,
        p.login,
        cid,
        per.date_from,
        per.date_to,
        (platform, account_id, campaign_id),
        ad_group_id,
        grain,
    )
    for col in ("ad_group_name", "ad_name"):
        if col in rows.columns:
            rows[col] = rows[col].fillna("")
    return add_ratios(rows.sort_values("spend_net", ascending=False, ignore_index=True))


_CHANNELS = (
    "SELECT date_day, channel, {SUMS}, max(is_provisional) AS is_provisional "
    "FROM {M}.fct_channel_daily WHERE tenant_id = {tenant:String} AND client_id = {client:String} "
    "AND date_day BETWEEN {a:Date} AND {b:Date} GROUP BY date_day, channel ORDER BY date_day, channel"
)


def channels(p: Principal, client_id: str, per: Period) -> pd.DataFrame:
    return add_ratios(_period(_CHANNELS, p, client_id, per.date_from, per.date_to))


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _plans(tenant_id: str, login: str, client_id: str) -> pd.DataFrame:
    return _df(
        _sql(
            "SELECT plan_id, plan_version, min(flight_start) AS flight_start, max(flight_end) AS flight_end, "
            "uniqExact(line_id) AS lines FROM {M}.fct_plan_vs_fact_daily "
            "WHERE tenant_id = {tenant:String} AND client_id = {client:String} "
            "GROUP BY plan_id, plan_version ORDER BY plan_id, plan_version DESC"
        ),
        {"tenant": tenant_id, "client": client_id},
    )


def plans_with_facts(p: Principal, client_id: str) -> pd.DataFrame:
    return _plans(p.tenant_id, p.login, scope(p, client_id))


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _plan_days(tenant_id: str, login: str, client_id: str, plan_id: str, version: int) -> pd.DataFrame:
    return _df(
        _sql(
            "SELECT line_id, channel, platform, flight_start, flight_end, date_day, has_data, "
            "toFloat64(line_budget_net) AS line_budget_net, toFloat64(planned_spend_net) AS planned_spend_net, "
            "toFloat64(actual_spend_net) AS actual_spend_net, toFloat64(cum_planned_spend_net) AS cum_planned_spend_net, "
            "toFloat64(cum_actual_spend_net) AS cum_actual_spend_net, pacing_ratio, forecast_spend_net_end_of_flight, "
            "pacing_status, is_provisional FROM {M}.fct_plan_vs_fact_daily "
            "WHERE tenant_id = {tenant:String} AND client_id = {client:String} AND plan_id = {plan:String} "
            "AND plan_version = {version:UInt32} ORDER BY line_id, date_day"
        ),
        {"tenant": tenant_id, "client": client_id, "plan": plan_id, "version": version},
    )


def plan_days(p: Principal, client_id: str, plan_id: str, version: int) -> pd.DataFrame:
    cid = scope(p, client_id)
    _id("plan", plan_id)
    try:
        version = int(version)
    except (ValueError, TypeError):
        raise DataError(f"plan version must be a number, got {version!r}") from None
    if version < 0:
        raise refusal(DataError, "dash_plan_version_negative")
    return _plan_days(p.tenant_id, p.login, cid, plan_id, version)


def line_status(days: pd.DataFrame) -> pd.DataFrame:
    """Per line: budget, spend to date, pacing, forecast and status as of the newest day with data."""
    if days.empty:
        return pd.DataFrame(
            columns=[
                "line_id",
                "channel",
                "line_budget_net",
                "cum_actual_spend_net",
                "pacing_ratio",
                "forecast_spend_net_end_of_flight",
                "pacing_status",
            ]
        )
    with_data = days[days["has_data"] == 1]
    last = with_data.sort_values("date_day").groupby("line_id").tail(1)
    base = days.groupby("line_id", as_index=False).agg(
        channel=("channel", "first"),
        line_budget_net=("line_budget_net", "first"),
        flight_start=("flight_start", "first"),
        flight_end=("flight_end", "first"),
    )
    cols = [
        "line_id",
        "cum_actual_spend_net",
        "pacing_ratio",
        "forecast_spend_net_end_of_flight",
        "pacing_status",
    ]
    out = base.merge(last[cols], on="line_id", how="left")
    out["pacing_status"] = out["pacing_status"].fillna("future")
    # Lines in the planner's order (L2 before L10), not as text sorts them.
    return out.sort_values("line_id", key=lambda ids: ids.map(natural_key), ignore_index=True)


def natural_key(value: Any) -> str:
    """A sort key that orders the numbers inside a text by value: 'L2' < 'L10'."""
    return re.sub(r"\d+", lambda m: m.group().zfill(12), str(value))


# Reach is not additive: the 'all platforms' row merges the sketches, it is not the sum of the platform rows.
_REACH_OF_PERIOD = (
    "uniqCombinedMerge(users_state) AS reach, sum(contacts) AS contacts FROM {M}.fct_campaign_reach_states_daily "
    "WHERE tenant_id = {tenant:String} AND client_id = {client:String} AND date_day BETWEEN {a:Date} AND {b:Date}"
)
_REACH_DEDUP = (
    "SELECT platform, " + _REACH_OF_PERIOD + " GROUP BY platform "
    "UNION ALL SELECT 'all' AS platform, " + _REACH_OF_PERIOD
)


def reach_dedup(p: Principal, client_id: str, per: Period) -> pd.DataFrame:
    """Distinct users per platform and across all platforms (merged sketches) for exactly this period."""
    return _period(_REACH_DEDUP, p, client_id, per.date_from, per.date_to)


_REACH_ROWS = (
    "SELECT reach_source, measured_by, window_grain, window_start, window_end, platform, account_id, "
    "campaign_id, ad_id, reach, contacts, avg_frequency, reach_1plus, reach_2plus, reach_3plus, reach_4plus, "
    "reach_5plus FROM {M}.fct_campaign_reach "
    "WHERE tenant_id = {tenant:String} AND client_id = {client:String} "
    "AND window_end >= {a:Date} AND window_start <= {b:Date} AND window_grain != 'day' "
    "ORDER BY reach_source, platform, window_start, campaign_id LIMIT 20000"
)


def reach_rows(p: Principal, client_id: str, per: Period) -> pd.DataFrame:
    """Reach as measured (platform-reported windows, user-level months and flights) overlapping the period."""
    return _period(_REACH_ROWS, p, client_id, per.date_from, per.date_to)


@st.cache_data(ttl=60, show_spinner=False)
def _freshness(tenant_id: str, login: str, client_id: str) -> pd.DataFrame:
    return _df(
        _sql(
            "SELECT platform, account_id, max(date_day) AS last_day, maxIf(date_day, is_provisional = 0) AS last_final_day, "
            "uniqExactIf(date_day, is_provisional = 1) AS provisional_days FROM {M}.fct_campaign_daily "
            "WHERE tenant_id = {tenant:String} AND client_id = {client:String} GROUP BY platform, account_id "
            "ORDER BY platform, account_id"
        ),
        {"tenant": tenant_id, "client": client_id},
    )


@st.cache_data(ttl=60, show_spinner=False)
def _load_log(tenant_id: str, login: str, client_id: str) -> pd.DataFrame:
    # The load log has no client column: a client's loads are those of its accounts. A load writes a `running`
    # row when it starts and an `ok`/`failed` row when it ends (append-only): one load is one row here, its
    # newest version (the closed one wins over `running`, which stays only for a load still under way).
    return _df(
        "SELECT l.platform AS platform, l.report AS report, l.account_id AS account_id, "
        "argMax(l.date_from, v) AS date_from, argMax(l.date_to, v) AS date_to, argMax(l.status, v) AS status, "
        "argMax(l.rows, v) AS rows, l.started_at AS started_at, argMax(l.duration_s, v) AS duration_s, "
        "argMax(l.error, v) AS error "
        "FROM (SELECT *, (isNotNull(finished_at), coalesce(finished_at, started_at)) AS v FROM app.load_log "
        "      WHERE tenant_id = {tenant:String}) AS l "
        "WHERE (l.platform, l.account_id) IN ("
        "  SELECT platform, account_id FROM app.accounts FINAL "
        "  WHERE tenant_id = {tenant:String} AND client_id = {client:String}) "
        "GROUP BY l.run_id, l.platform, l.report, l.account_id, l.started_at "
        "ORDER BY started_at DESC LIMIT 200",
        {"tenant": tenant_id, "client": client_id},
    )


def data_health(p: Principal, client_id: str) -> dict[str, Any]:
    """Freshness per account, recent loads of the client's accounts, failed loads and failed dbt checks."""
    require(p, "data_health")
    cid = scope(p, client_id)
    loads = _load_log(p.tenant_id, p.login, cid)
    failed = loads[loads["status"] == "failed"] if not loads.empty else loads
    return {
        "freshness": _freshness(p.tenant_id, p.login, cid),
        "loads": loads,
        "failed_loads": failed,
        "failed_checks": failed_dbt_checks(),
    }


def failed_dbt_checks(path: Path | None = None) -> pd.DataFrame:
    """Failed/erroring nodes of the last dbt build (run_results.json; project-wide, carries no tenant rows)."""
    path = (
        path
        or Path(
            os.environ.get("MRM_DBT_TARGET", Path(__file__).resolve().parents[1] / "dbt_project" / "target")
        )
        / "run_results.json"
    )
    cols = ["node", "status", "message", "finished"]
    if not path.is_file():
        return pd.DataFrame(columns=cols)
    data = json.loads(path.read_text(encoding="utf-8"))
    finished = str(data.get("metadata", {}).get("generated_at", ""))
    rows = [
        [r.get("unique_id", ""), r.get("status", ""), str(r.get("message") or "")[:300], finished]
        for r in data.get("results", [])
        if r.get("status") in ("fail", "error", "warn", "runtime error")
    ]
    return pd.DataFrame(rows, columns=cols)


# ---------------------------------------------------------------- actions through the other libraries


def insights(p: Principal, client_id: str, as_of: dt.date) -> list[dict[str, Any]]:
    from assistants import insights as ins

    return ins.load(client(), p.tenant_id, scope(p, client_id), as_of)


def generate_insights(p: Principal, client_id: str, as_of: dt.date) -> int:
    from assistants import insights as ins

    require(p, "generate_insights")
    found = ins.generate(client(), p.tenant_id, scope(p, client_id), as_of, marts_db=marts_db())
    return len(found)


def build_report(p: Principal, client_id: str, per: Period, lang: str, include_vat: bool = False) -> Any:
    from assistants.reports import build_report as _build

    require(p, "build_report")
    cid = scope(p, client_id)
    if lang not in ("ru", "en"):
        raise DataError(f"report language must be ru or en, got {lang!r}")
    from mrm.private import default_reports_dir

    # Reports hold client data: a 0700 folder of this user, never a shared one under the system temp dir.
    out = default_reports_dir() / p.tenant_id / cid
    files = _build(
        client(),
        p.tenant_id,
        cid,
        f"{per.date_from}:{per.date_to}",
        lang,
        out,
        include_vat=include_vat,
        marts_db=marts_db(),
    )
    audit(
        client(),
        p.tenant_id,
        p.login,
        "build_report",
        "ok",
        target=f"{cid} {per.date_from}:{per.date_to} {lang}",
    )
    return files


def latest_report(p: Principal, client_id: str, per: Period, lang: str) -> Any:
    """The newest built report for the period, read-only (what a `client` user may download)."""
    from assistants.reports import load_run

    cid = scope(p, client_id)
    try:
        files = load_run(client(), p.tenant_id, cid, f"{per.date_from}:{per.date_to}", lang)
    except LookupError:
        return None
    # load_run scoped by tenant and client already; this is a second guard against a stale object.
    if files.tenant_id != p.tenant_id or files.client_id != cid:
        raise AccessDenied("report belongs to another scope")
    return files


def send_report(p: Principal, files: Any) -> list[str]:
    from assistants.reports import send_report as _send

    require(p, "send_report")
    if files.tenant_id != p.tenant_id:
        raise refusal(AccessDenied, "dash_report_other_tenant")
    scope(p, files.client_id)
    try:
        sent = _send(client(), files)
    except Exception as exc:
        audit(client(), p.tenant_id, p.login, "send_report", "failed", target=files.run_id, detail=str(exc))
        raise
    audit(client(), p.tenant_id, p.login, "send_report", "ok", target=files.run_id, detail=", ".join(sent))
    return sent


def ask(p: Principal, question: str, lang: str) -> Any:
    from assistants import kb

    require(p, "ask")
    q = (question or "").strip()
    if not q:
        raise refusal(DataError, "dash_empty_question")
    if len(q) > 2000:
        raise refusal(DataError, "dash_question_too_long", n=2000)
    return kb.ask(client(), p.tenant_id, q, lang)


def analyse_plan(p: Principal, data: bytes, filename: str, manual: dict[str, Any] | None = None) -> Any:
    """Detection and validation only (nothing written): the upload → mapping → fix → report steps.

    Parsing an upload costs memory and CPU on the shared server, so it needs a permission (a `client` has none)."""
    from planning.mediaplan import analyse
    from planning.suggester import for_tenant

    require(p, "analyse_plan")
    return analyse(data, filename=filename, manual=manual, suggester=for_tenant(p.tenant_id, client()))


def import_plan(
    p: Principal,
    client_id: str,
    data: bytes,
    filename: str,
    manual: dict[str, Any] | None = None,
    name: str | None = None,
    kind: str = "plan",
) -> Any:
    from planning.mediaplan import import_plan as _import
    from planning.suggester import for_tenant

    require(p, "import_plan")
    cid = scope(p, client_id)
    res = _import(
        client(),
        data,
        tenant_id=p.tenant_id,
        client_id=cid,
        filename=filename,
        manual=manual,
        name=name,
        imported_by=p.login,
        kind=kind,
        suggester=for_tenant(p.tenant_id, client()),
    )
    audit(
        client(),
        p.tenant_id,
        p.login,
        "import_plan",
        "ok" if res.imported else "rejected",
        target=f"{cid}/{res.plan_id} v{res.plan_version or '-'}",
        detail=f"{len(res.report.errors)} errors",
    )
    _media_plans.clear()
    return res


def refresh_plan(p: Principal, client_id: str, res: Any, progress: Any = None) -> Any:
    """After an import: record it on Dagster's `app/media_plans` and rebuild the plan models now (not at the
    next daily run). None when the app does not read dbt's marts (MRM_MARTS_DB names another database, e.g.
    sample marts): rebuilding dbt's marts would change nothing the app shows."""
    from dashboards import plan_refresh

    require(p, "import_plan")
    cid = scope(p, client_id)
    if not res.imported:
        raise refusal(DataError, "dash_plan_not_imported")
    if marts_db() != "marts":
        return None
    out = plan_refresh.refresh_after_import(
        client(),
        p.tenant_id,
        cid,
        res.plan_id,
        int(res.plan_version),
        int(res.line_count),
        p.login,
        marts_db=marts_db(),
        progress=progress,
    )
    audit(
        client(),
        p.tenant_id,
        p.login,
        "refresh_plan",
        "ok",
        target=f"{cid}/{res.plan_id} v{res.plan_version}",
        detail=f"{out.models} models, {out.tests} tests, {out.seconds:.1f} s",
    )
    _plans.clear()
    _plan_days.clear()
    return out


@st.cache_data(ttl=CACHE_TTL_S, show_spinner=False)
def _media_plans(tenant_id: str, login: str, client_id: str) -> pd.DataFrame:
    from planning.mediaplan import list_plans

    return pd.DataFrame(list_plans(client(), tenant_id, client_id))


def media_plans(p: Principal, client_id: str) -> pd.DataFrame:
    """Imported plan versions of the client (newest first)."""
    return _media_plans(p.tenant_id, p.login, scope(p, client_id))


def clear_caches() -> None:
    st.cache_data.clear()
