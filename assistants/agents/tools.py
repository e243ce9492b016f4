# ruff: noqa: S608 - only code constants and Scope.marts_db (validated identifier) are formatted; values are bound
"""The analyst's fixed tool catalogue: parameterised metric queries over the marts, reach calculators, the KB.

No free-form SQL. Each tool has a name, a JSON schema for its arguments (validated here, unknown arguments
rejected), and a query template whose values are bound server-side. tenant_id and client_id come from the
caller's `Scope`, never from the model or the question; the marts database name is an identifier we control.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from metrics.query import ratio_sql

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DATE = r"^\d{4}-\d{2}-\d{2}$"
MAX_RANGE_DAYS = 400


class ToolError(ValueError):
    """Bad tool arguments or a failed tool; the message names the tool and the argument (sent back to the model)."""


@dataclass(frozen=True)
class Scope:
    """Who is asking: bound into every query by the caller (server-side parameters), never by the model."""

    tenant_id: str
    client_id: str
    marts_db: str = "marts"

    def __post_init__(self) -> None:
        if not self.tenant_id or not self.client_id:
            raise ValueError("tenant_id and client_id are required / нужны tenant_id и client_id")
        if not _IDENT.match(self.marts_db):
            raise ValueError(f"marts_db must be an identifier, got {self.marts_db!r}")


@dataclass
class ToolCall:
    """One executed tool call: what was asked, what the query returned (the evidence numbers come from)."""

    id: str
    tool: str
    arguments: dict[str, Any]
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "tool": self.tool, "arguments": self.arguments, "result": self.result,
                "error": self.error}


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    schema: dict[str, Any]
    run: Callable[[Any, Scope, dict[str, Any]], dict[str, Any]]

    def anthropic_spec(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "input_schema": self.schema}


# ----------------------------------------------------------------------------------------- argument validation
def validate_args(tool: Tool, args: Any) -> dict[str, Any]:
    """Check arguments against the tool's schema (types, enums, patterns, ranges; no extra keys) and fill defaults."""
    if not isinstance(args, dict):
        raise ToolError(f"{tool.name}: arguments must be an object, got {type(args).__name__}")
    props: dict[str, Any] = tool.schema.get("properties", {})
    extra = sorted(set(args) - set(props))
    if extra:
        # tenant_id / client_id / sql land here: the model cannot widen its own scope
        raise ToolError(f"{tool.name}: unknown argument(s) {extra}; allowed: {sorted(props)}")
    out: dict[str, Any] = {}
    for name, spec in props.items():
        if name not in args or args[name] is None:
            if name in tool.schema.get("required", []):
                raise ToolError(f"{tool.name}: argument {name!r} is required")
            if "default" in spec:
                out[name] = spec["default"]
            continue
        v = args[name]
        t = spec.get("type")
        if t == "string":
            if not isinstance(v, str):
                raise ToolError(f"{tool.name}.{name}: expected a string, got {v!r}")
            if "pattern" in spec and not re.match(spec["pattern"], v):
                raise ToolError(f"{tool.name}.{name}: {v!r} does not match {spec['pattern']}")
            if len(v) > spec.get("maxLength", 500):
                raise ToolError(f"{tool.name}.{name}: longer than {spec.get('maxLength', 500)} characters")
        elif t in ("integer", "number"):
            if isinstance(v, bool) or not isinstance(v, int | float) or (t == "integer" and not float(v).is_integer()):
                raise ToolError(f"{tool.name}.{name}: expected {t}, got {v!r}")
            v = int(v) if t == "integer" else float(v)
            if "minimum" in spec and v < spec["minimum"] or "maximum" in spec and v > spec["maximum"]:
                raise ToolError(f"{tool.name}.{name}: {v} outside [{spec.get('minimum')}, {spec.get('maximum')}]")
        if "enum" in spec and v not in spec["enum"]:
            raise ToolError(f"{tool.name}.{name}: {v!r} is not one of {spec['enum']}")
        out[name] = v
    return out


# ----------------------------------------------------------------------------------------- helpers
def _clean(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, float):
        return round(v, 6)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _rows(res: Any) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in zip(res.column_names, r, strict=True)} for r in res.result_rows]


def last_data_day(ch: Any, scope: Scope) -> dt.date | None:
    """The newest day with data for the client (the anchor of 'last N days')."""
    rows = ch.query(
        f"SELECT max(date_day), count() FROM {scope.marts_db}.fct_ad_performance_daily "
        "WHERE tenant_id = {tenant:String} AND client_id = {client:String}",
        parameters={"tenant": scope.tenant_id, "client": scope.client_id},
    ).result_rows
    if not rows or not rows[0][1]:
        return None
    d = rows[0][0]
    return d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d))


def _period(ch: Any, scope: Scope, args: dict[str, Any]) -> tuple[dt.date, dt.date]:
    """Resolve date_from/date_to; missing ones default to the last 7 days with data."""
    end = dt.date.fromisoformat(args["date_to"]) if args.get("date_to") else None
    start = dt.date.fromisoformat(args["date_from"]) if args.get("date_from") else None
    if end is None:
        end = last_data_day(ch, scope)
        if end is None:
            raise ToolError(f"no data for client {scope.client_id!r} / нет данных по клиенту")
    if start is None:
        start = end - dt.timedelta(days=6)
    if start > end:
        raise ToolError(f"date_from {start} is after date_to {end}")
    if (end - start).days > MAX_RANGE_DAYS:
        raise ToolError(f"period longer than {MAX_RANGE_DAYS} days")
    return start, end


def _base(scope: Scope, start: dt.date, end: dt.date) -> dict[str, Any]:
    return {"tenant": scope.tenant_id, "client": scope.client_id, "date_from": start, "date_to": end}


_WHERE = "tenant_id = {tenant:String} AND client_id = {client:String} AND date_day BETWEEN {date_from:Date} AND {date_to:Date}"
_SUMS = ("sum(impressions) AS impressions, sum(clicks) AS clicks, round(toFloat64(sum(spend_gross)), 2) AS spend_gross, "
         "round(toFloat64(sum(spend_net)), 2) AS spend_net, round(toFloat64(sum(conversions)), 2) AS conversions, "
         "round(toFloat64(sum(conversions_value)), 2) AS conversions_value")
# Ratios of the sums above (they reference the summed aliases), from the metric layer's one definition of each;
# NULL on a zero denominator; money KPIs on net spend.
_KPIS = ", ".join(f"round({ratio_sql(k, aggregated=True)}, {6 if k in ('ctr', 'cr') else 2}) AS {k}"
                  for k in ("ctr", "cpc", "cpa", "cr"))
_DATE_ARGS = {
    "date_from": {"type": "string", "pattern": _DATE, "description": "First day, YYYY-MM-DD (default: 7 days before date_to)."},
    "date_to": {"type": "string", "pattern": _DATE, "description": "Last day, YYYY-MM-DD (default: newest day with data)."},
}
ORDER_BY = {"spend": "spend_net DESC", "clicks": "clicks DESC", "conversions": "conversions DESC",
            "impressions": "impressions DESC", "cpa": "cpa ASC NULLS LAST", "ctr": "ctr DESC NULLS LAST",
            "cpa_worst": "cpa DESC NULLS LAST", "ctr_worst": "ctr ASC NULLS LAST"}
SERIES = {"spend": "round(toFloat64(sum(spend_net)), 2)", "clicks": "sum(clicks)", "impressions": "sum(impressions)",
          "conversions": "round(toFloat64(sum(conversions)), 2)",
          **{k: f"round({ratio_sql(k)}, {6 if k == 'ctr' else 2})" for k in ("ctr", "cpc", "cpa")}}


# ----------------------------------------------------------------------------------------- metric tools
def _totals(ch: Any, scope: Scope, a: dict[str, Any]) -> dict[str, Any]:
    start, end = _period(ch, scope, a)
    res = ch.query(f"SELECT {_SUMS}, {_KPIS}, uniqExact(campaign_id) AS campaigns "
                   f"FROM {scope.marts_db}.fct_ad_performance_daily WHERE {_WHERE}", parameters=_base(scope, start, end))
    rows = _rows(res)
    return {"date_from": start.isoformat(), "date_to": end.isoformat(), "currency": "RUB", "totals": rows[0] if rows else {}}


def _campaigns(ch: Any, scope: Scope, a: dict[str, Any]) -> dict[str, Any]:
    start, end = _period(ch, scope, a)
    p = _base(scope, start, end) | {"limit": a["limit"]}
    res = ch.query(
        f"SELECT campaign_id, any(campaign_name) AS campaign_name, any(platform) AS platform, {_SUMS}, {_KPIS} "
        f"FROM {scope.marts_db}.fct_ad_performance_daily WHERE {_WHERE} GROUP BY campaign_id "
        f"ORDER BY {ORDER_BY[a['order_by']]}, campaign_id LIMIT {{limit:UInt32}}", parameters=p)
    return {"date_from": start.isoformat(), "date_to": end.isoformat(), "order_by": a["order_by"], "campaigns": _rows(res)}


def _channels(ch: Any, scope: Scope, a: dict[str, Any]) -> dict[str, Any]:
    start, end = _period(ch, scope, a)
    res = ch.query(
        f"SELECT channel, {_SUMS}, {_KPIS} FROM {scope.marts_db}.fct_channel_daily WHERE {_WHERE} "
        "GROUP BY channel ORDER BY spend_net DESC, channel", parameters=_base(scope, start, end))
    return {"date_from": start.isoformat(), "date_to": end.isoformat(), "channels": _rows(res)}


def _daily(ch: Any, scope: Scope, a: dict[str, Any]) -> dict[str, Any]:
    start, end = _period(ch, scope, a)
    res = ch.query(
        f"SELECT date_day, {SERIES[a['metric']]} AS value FROM {scope.marts_db}.fct_ad_performance_daily "
        f"WHERE {_WHERE} GROUP BY date_day ORDER BY date_day", parameters=_base(scope, start, end))
    return {"date_from": start.isoformat(), "date_to": end.isoformat(), "metric": a["metric"], "series": _rows(res)}


def _period_kpis(ch: Any, scope: Scope, a: dict[str, Any]) -> dict[str, Any]:
    res = ch.query(
        "SELECT campaign_id, campaign_name, platform, impressions, clicks, toFloat64(spend_net) AS spend_net, "
        "toFloat64(conversions) AS conversions, ctr, cpc, cpa, cr, romi, drr "
        f"FROM {scope.marts_db}.fct_campaign_performance WHERE tenant_id = {{tenant:String}} "
        "AND client_id = {client:String} AND period_grain = {grain:String} AND period_start = {start:Date} "
        "ORDER BY spend_net DESC, campaign_id LIMIT 50",
        parameters={"tenant": scope.tenant_id, "client": scope.client_id, "grain": a["grain"],
                    "start": dt.date.fromisoformat(a["period_start"])})
    return {"grain": a["grain"], "period_start": a["period_start"], "campaigns": _rows(res)}


def _pacing(ch: Any, scope: Scope, a: dict[str, Any]) -> dict[str, Any]:
    # Latest plan version per plan, newest day with data: where every line stands today.
    res = ch.query(
        "SELECT plan_id, plan_version, line_id, channel, toString(date_day) AS as_of, "
        "toFloat64(line_budget_net) AS line_budget_net, toFloat64(cum_planned_spend_net) AS planned_to_date, "
        "toFloat64(cum_actual_spend_net) AS actual_to_date, round(pacing_ratio, 4) AS pacing_ratio, "
        "round(forecast_spend_net_end_of_flight, 2) AS forecast_end_of_flight, pacing_status, "
        "toString(flight_end) AS flight_end "
        f"FROM {scope.marts_db}.fct_plan_vs_fact_daily AS f WHERE tenant_id = {{tenant:String}} "
        "AND client_id = {client:String} AND ({plan:String} = '' OR plan_id = {plan:String}) AND has_data = 1 "
        "AND (plan_id, plan_version, date_day) IN (SELECT plan_id, max(plan_version), max(date_day) "
        f"  FROM {scope.marts_db}.fct_plan_vs_fact_daily WHERE tenant_id = {{tenant:String}} "
        "  AND client_id = {client:String} AND has_data = 1 GROUP BY plan_id) "
        "ORDER BY plan_id, line_id",
        parameters={"tenant": scope.tenant_id, "client": scope.client_id, "plan": a["plan_id"]})
    return {"lines": _rows(res)}


def _reach(ch: Any, scope: Scope, a: dict[str, Any]) -> dict[str, Any]:
    res = ch.query(
        "SELECT reach_source, window_grain, toString(window_start) AS window_start, toString(window_end) AS window_end, "
        "platform, campaign_id, reach, contacts, if(reach = 0, NULL, round(contacts / reach, 2)) AS avg_frequency "
        f"FROM {scope.marts_db}.fct_campaign_reach WHERE tenant_id = {{tenant:String}} AND client_id = {{client:String}} "
        "AND ({campaign:String} = '' OR campaign_id = {campaign:String}) "
        "ORDER BY window_end DESC, reach DESC LIMIT 20",
        parameters={"tenant": scope.tenant_id, "client": scope.client_id, "campaign": a["campaign_id"]})
    return {"note": "reach is non-additive: never sum rows / охват не суммируется", "reach": _rows(res)}


def _list_campaigns(ch: Any, scope: Scope, a: dict[str, Any]) -> dict[str, Any]:
    res = ch.query(
        "SELECT platform, campaign_id, campaign_name, campaign_status FROM "
        f"{scope.marts_db}.dim_campaigns WHERE tenant_id = {{tenant:String}} AND client_id = {{client:String}} "
        "ORDER BY platform, campaign_id LIMIT 200", parameters={"tenant": scope.tenant_id, "client": scope.client_id})
    return {"campaigns": _rows(res)}


# ----------------------------------------------------------------------------------------- calculators, KB
def _curve(channel: str) -> tuple[str, dict[str, float]]:
    from planning import plan_math

    family = plan_math.channel_family(channel)
    return family, plan_math.DEFAULT_CURVES[family]


def _reach_forecast(ch: Any, scope: Scope, a: dict[str, Any]) -> dict[str, Any]:
    from planning import reach as R

    family, p = _curve(a["channel"])
    try:
        r = float(R.negative_exponential_reach(a["grp"], p["r_max"], p["k"]))
    except R.ParamError as exc:
        raise ToolError(f"reach_forecast: {exc}") from exc
    return {"channel": a["channel"], "family": family, "grp": a["grp"], "reach": round(r, 4),
            "model": f"negative exponential (R_max {p['r_max']}, k {p['k']})", "r_max": p["r_max"], "k": p["k"]}


def _grp_for_reach(ch: Any, scope: Scope, a: dict[str, Any]) -> dict[str, Any]:
    from planning import reach as R

    family, p = _curve(a["channel"])
    try:
        g = R.grp_for_reach(a["target_reach"], "negative_exponential", r_max=p["r_max"], k=p["k"])
    except R.ParamError as exc:
        raise ToolError(f"grp_for_reach: {exc}") from exc
    return {"channel": a["channel"], "family": family, "target_reach": a["target_reach"], "grp": round(g, 1),
            "model": f"negative exponential (R_max {p['r_max']}, k {p['k']})", "r_max": p["r_max"], "k": p["k"]}


def _kb(ch: Any, scope: Scope, a: dict[str, Any]) -> dict[str, Any]:
    from assistants import kb

    hits = kb.search(ch, scope.tenant_id, a["query"], k=a["k"])
    return {"hits": [{"chunk_id": h.chunk_id, "source_path": h.source_path, "heading": h.heading,
                      "line_start": h.line_start, "line_end": h.line_end, "text": h.text[:1200]} for h in hits]}


def _obj(props: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": list(required), "additionalProperties": False}


_CHANNEL = {"type": "string", "maxLength": 80, "description": "Channel, e.g. OLV, TV, search, social, display."}
TOOLS: dict[str, Tool] = {t.name: t for t in [
    Tool("performance_totals", "Client totals for a period: impressions, clicks, spend gross/net, conversions, "
         "CTR, CPC, CPA, CR (ratios of sums).", _obj(dict(_DATE_ARGS)), _totals),
    Tool("campaign_breakdown", "Per-campaign metrics for a period, ranked (best/worst by a metric).",
         _obj({**_DATE_ARGS, "order_by": {"type": "string", "enum": list(ORDER_BY), "default": "spend"},
               "limit": {"type": "integer", "minimum": 1, "maximum": 20, "default": 5}}), _campaigns),
    Tool("channel_breakdown", "Per-channel (ad network) metrics for a period.", _obj(dict(_DATE_ARGS)), _channels),
    Tool("daily_series", "One metric by day for a period (trend).",
         _obj({**_DATE_ARGS, "metric": {"type": "string", "enum": list(SERIES), "default": "spend"}}), _daily),
    Tool("period_kpis", "Campaign KPIs for one calendar period from the campaign mart (grain day/week/month).",
         _obj({"grain": {"type": "string", "enum": ["day", "week", "month"]},
               "period_start": {"type": "string", "pattern": _DATE}}, ("grain", "period_start")), _period_kpis),
    Tool("plan_pacing", "Media-plan pacing per line on the newest day with data: planned vs actual spend to date, "
         "pacing ratio, forecast end-of-flight spend, status.",
         _obj({"plan_id": {"type": "string", "maxLength": 200, "default": ""}}), _pacing),
    Tool("campaign_reach", "Measured reach and contacts per campaign and window (non-additive).",
         _obj({"campaign_id": {"type": "string", "maxLength": 200, "default": ""}}), _reach),
    Tool("list_campaigns", "The client's campaigns with platform and status.", _obj({}), _list_campaigns),
    Tool("reach_forecast", "Forecast reach (fraction) of a channel at a GRP/TRP level with the default channel curve.",
         _obj({"channel": _CHANNEL, "grp": {"type": "number", "minimum": 0, "maximum": 5000}}, ("channel", "grp")),
         _reach_forecast),
    Tool("grp_for_reach", "GRP/TRP a channel needs for a target reach (fraction 0-1) with the default channel curve.",
         _obj({"channel": _CHANNEL, "target_reach": {"type": "number", "minimum": 0, "maximum": 0.99}},
              ("channel", "target_reach")), _grp_for_reach),
    Tool("search_knowledge_base", "Search the agency's knowledge base (documents, generated reports) for passages.",
         _obj({"query": {"type": "string", "maxLength": 500},
               "k": {"type": "integer", "minimum": 1, "maximum": 8, "default": 4}}, ("query",)), _kb),
]}


def run_tool(ch: Any, scope: Scope, name: str, args: Any, call_id: str) -> ToolCall:
    """Validate and execute one catalogue tool for the caller's scope; errors are recorded, not raised."""
    call = ToolCall(id=call_id, tool=name, arguments=args if isinstance(args, dict) else {"_raw": args})
    tool = TOOLS.get(name)
    if tool is None:
        call.error = f"unknown tool {name!r}; available: {sorted(TOOLS)}"
        return call
    try:
        call.arguments = validate_args(tool, args)
        call.result = tool.run(ch, scope, call.arguments)
    except ToolError as exc:
        call.error = str(exc)
    return call
