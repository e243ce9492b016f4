"""The metric catalogue: every metric and dimension the platform reports, stated once.

The app, reports, insights, assistants, the REST API and the MCP server read numbers through this layer, and
the dbt metric macros are checked against `RATIOS` by a test, so a formula changes in one place only.
A ratio is always a ratio of sums over the grain the caller asks for (never an average of per-row ratios),
and is NULL when its denominator sums to zero. Distinct counts (unique visitors, frequency) come only from the
stored mergeable states; nothing here ever adds them up across rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["sum", "ratio", "distinct", "line_constant"]
Unit = Literal["count", "money", "fraction", "multiple"]

# name: (numerator, denominator, multiplier) over additive columns; `{spend}` is spend_net or spend_gross by the
# query's VAT treatment. Fractions (CTR 0.0123 = 1.23 %); ROMI/ДРР as fractions too.
RATIOS: dict[str, tuple[str, str, int]] = {
    "ctr": ("clicks", "impressions", 1),
    "cpc": ("{spend}", "clicks", 1),
    "cpm": ("{spend}", "impressions", 1000),
    "cpa": ("{spend}", "conversions", 1),
    "cr": ("conversions", "clicks", 1),
    "romi": ("(conversions_value - {spend})", "{spend}", 1),
    "drr": ("{spend}", "conversions_value", 1),
}


@dataclass(frozen=True)
class Mart:
    """A dbt mart the layer reads: its table, its day column and the dimensions it can group by."""

    name: str
    table: str
    dimensions: dict[str, str]  # dimension name -> column expression
    label_columns: dict[str, str] = field(default_factory=dict)  # dimension -> its display-name expression


@dataclass(frozen=True)
class Metric:
    name: str
    label_en: str
    label_ru: str
    description: str
    kind: Kind
    unit: Unit
    mart: str  # "performance" (campaign or channel daily), "reach", or "plan"
    numerator: str  # an additive column expression, or the state column for `distinct`
    denominator: str = ""
    multiplier: int = 1
    vat_sensitive: bool = False  # money that follows the query's VAT treatment
    # for `line_constant` (a per-line value repeated on every day): the dimensions that must be grouped by
    requires: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        return self.label_ru if lang == "ru" else self.label_en


PERF_DIMS = {"platform": "platform", "account_id": "account_id", "campaign_id": "campaign_id"}
MARTS: dict[str, Mart] = {
    "campaign_daily": Mart(
        "campaign_daily", "fct_campaign_daily", PERF_DIMS, {"campaign_id": "anyLast(campaign_name)"}
    ),
    "channel_daily": Mart("channel_daily", "fct_channel_daily", {"channel": "channel"}),
    "reach": Mart("reach", "fct_campaign_reach_states_daily", PERF_DIMS),
    "plan": Mart(
        "plan",
        "fct_plan_vs_fact_daily",
        {
            "plan_id": "plan_id",
            "plan_version": "plan_version",
            "line_id": "line_id",
            "channel": "channel",
            "platform": "platform",
        },
    ),
}

_SPEND_HELP = "VAT treatment follows the query (net by default)."


def _ratio(name: str, en: str, ru: str, unit: Unit, description: str) -> Metric:
    num, den, mult = RATIOS[name]
    return Metric(
        name,
        en,
        ru,
        description,
        "ratio",
        unit,
        "performance",
        num,
        den,
        mult,
        vat_sensitive="{spend}" in num + den,
    )


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric(
            "impressions",
            "Impressions",
            "Показы",
            "Ad impressions.",
            "sum",
            "count",
            "performance",
            "impressions",
        ),
        Metric("clicks", "Clicks", "Клики", "Ad clicks.", "sum", "count", "performance", "clicks"),
        Metric(
            "spend",
            "Spend",
            "Расход",
            f"Ad spend in the client's currency. {_SPEND_HELP}",
            "sum",
            "money",
            "performance",
            "{spend}",
            vat_sensitive=True,
        ),
        Metric(
            "conversions",
            "Conversions",
            "Конверсии",
            "Goal completions attributed to the ads.",
            "sum",
            "count",
            "performance",
            "conversions",
        ),
        Metric(
            "revenue",
            "Revenue",
            "Доход",
            "Value of the conversions (e-commerce revenue or goal value).",
            "sum",
            "money",
            "performance",
            "conversions_value",
        ),
        Metric(
            "sessions",
            "Sessions",
            "Визиты",
            "Site sessions attributed to the ads (Metrika).",
            "sum",
            "count",
            "performance",
            "sessions",
        ),
        _ratio("ctr", "CTR", "CTR", "fraction", "Clicks per impression."),
        _ratio("cpc", "CPC", "CPC", "money", f"Spend per click. {_SPEND_HELP}"),
        _ratio("cpm", "CPM", "CPM", "money", f"Spend per thousand impressions. {_SPEND_HELP}"),
        _ratio("cpa", "CPA", "CPA", "money", f"Spend per conversion. {_SPEND_HELP}"),
        _ratio("cr", "Conversion rate", "Конверсия", "fraction", "Conversions per click."),
        _ratio(
            "romi", "ROMI", "ROMI", "fraction", "(Revenue − spend) / spend; not applicable without revenue."
        ),
        _ratio(
            "drr", "Cost/revenue (DRR)", "ДРР", "fraction", "Spend / revenue; not applicable without revenue."
        ),
        Metric(
            "unique_visitors",
            "Unique visitors",
            "Уникальные посетители",
            "People who visited the site from the ads, deduplicated over the whole grain asked for (merged "
            "sketches, never summed).",
            "distinct",
            "count",
            "reach",
            "users_state",
        ),
        Metric(
            "visits_per_visitor",
            "Frequency (visits per visitor)",
            "Частота (визитов на посетителя)",
            "Ad-attributed visits divided by unique visitors of the same grain.",
            "ratio",
            "multiple",
            "reach",
            "contacts",
            "users_state",
        ),
        Metric(
            "plan_spend",
            "Planned spend",
            "Плановый расход",
            f"Media-plan budget spread over the flight days. {_SPEND_HELP}",
            "sum",
            "money",
            "plan",
            "planned_spend_{vat}",
            vat_sensitive=True,
        ),
        Metric(
            "fact_spend",
            "Actual spend",
            "Фактический расход",
            f"Spend of the campaigns linked to the plan lines. {_SPEND_HELP}",
            "sum",
            "money",
            "plan",
            "ifNull(actual_spend_{vat}, 0)",
            vat_sensitive=True,
        ),
        Metric(
            "plan_impressions",
            "Planned impressions",
            "Плановые показы",
            "Impressions the plan buys.",
            "sum",
            "count",
            "plan",
            "planned_impressions",
        ),
        Metric(
            "fact_impressions",
            "Actual impressions",
            "Фактические показы",
            "Impressions delivered.",
            "sum",
            "count",
            "plan",
            "ifNull(actual_impressions, 0)",
        ),
        Metric(
            "plan_clicks",
            "Planned clicks",
            "Плановые клики",
            "Clicks the plan expects.",
            "sum",
            "count",
            "plan",
            "planned_clicks",
        ),
        Metric(
            "fact_clicks",
            "Actual clicks",
            "Фактические клики",
            "Clicks delivered.",
            "sum",
            "count",
            "plan",
            "ifNull(actual_clicks, 0)",
        ),
        Metric(
            "pacing",
            "Pacing",
            "Темп освоения",
            "Actual / planned spend over the days that have data (1.0 = on plan).",
            "ratio",
            "fraction",
            "plan",
            "if(has_data, ifNull(actual_spend_net, 0), 0)",
            "if(has_data, planned_spend_net, 0)",
        ),
        Metric(
            "planned_reach",
            "Planned reach",
            "Плановый охват",
            "People the plan line is planned to reach; a line's own number, never added across lines.",
            "line_constant",
            "count",
            "plan",
            "planned_reach_persons",
            requires=("plan_id", "plan_version", "line_id"),
        ),
    )
}

GRANULARITIES = ("none", "day", "week", "month")
GRAIN_SQL = {"day": "date_day", "week": "toMonday(date_day)", "month": "toStartOfMonth(date_day)"}


def catalogue(lang: str = "en") -> list[dict[str, object]]:
    """The catalogue as data (the API's GET /v1/metrics and the MCP resources)."""
    out: list[dict[str, object]] = []
    for m in METRICS.values():
        dims = (
            sorted(MARTS["plan"].dimensions)
            if m.mart == "plan"
            else (sorted(PERF_DIMS) if m.mart == "reach" else sorted([*PERF_DIMS, "channel"]))
        )
        formula = (
            m.numerator
            if m.kind == "sum"
            else (
                f"uniqCombinedMerge({m.numerator})"
                if m.kind == "distinct"
                else f"{m.numerator} per line"
                if m.kind == "line_constant"
                else f"sum({m.numerator}) * {m.multiplier} / sum({m.denominator})"
                if m.multiplier != 1
                else f"sum({m.numerator}) / sum({m.denominator})"
            )
        )
        out.append(
            {
                "name": m.name,
                "label": m.label(lang),
                "label_en": m.label_en,
                "label_ru": m.label_ru,
                "description": m.description,
                "kind": m.kind,
                "unit": m.unit,
                "additive": m.kind == "sum",
                "vat_sensitive": m.vat_sensitive,
                "formula": formula.replace("{spend}", "spend_<vat>").replace("{vat}", "<vat>"),
                "dimensions": dims,
                "requires_dimensions": list(m.requires),
                "granularities": ["none"] if m.kind == "line_constant" else list(GRANULARITIES),
            }
        )
    return out
