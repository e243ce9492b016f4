"""Compile a metric query into parameterised ClickHouse SQL and run it in the caller's tenant and client scope.

The tenant and client are never taken from the query: they come from the signed-in principal (or API key) and
are bound server-side as parameters. Metric and dimension names are checked against the catalogue, so the only
text formatted into SQL is catalogue text; every user value is a bound parameter.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from metrics.catalogue import GRAIN_SQL, GRANULARITIES, MARTS, METRICS, RATIOS, Mart, Metric
from mrm.i18n import carry, refusal, t

MAX_DAYS = 731
MAX_LIMIT = 10_000
_DB_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_VALUE_RE = re.compile(r"^[\w .:@+\-/]{1,200}$", re.UNICODE)
Compare = Literal["previous_period", "last_year"]
METRIC_ALIAS = "m__"


class MetricError(ValueError):
    """A query the layer refuses; `field` names the part of the request at fault."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.detail = message

    @classmethod
    def said(cls, field_name: str, key: str, /, **values: Any) -> MetricError:
        """A refusal of `field_name` saying the catalogue's text `key` (English here, any language by `explain`)."""
        return carry(
            refusal(ValueError, key, field=field_name, **values), cls(field_name, t(key, "en", **values))
        )


@dataclass(frozen=True)
class MetricQuery:
    client_id: str
    date_from: dt.date
    date_to: dt.date
    metrics: tuple[str, ...]
    dimensions: tuple[str, ...] = ()
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    granularity: str = "none"
    compare: Compare | None = None
    vat: Literal["net", "gross"] = "net"
    limit: int = 1000
    offset: int = 0

    @classmethod
    def build(
        cls,
        *,
        client_id: str,
        date_from: Any,
        date_to: Any,
        metrics: list[str] | tuple[str, ...],
        dimensions: list[str] | tuple[str, ...] = (),
        filters: dict[str, list[str] | str] | None = None,
        granularity: str = "none",
        compare: str | None = None,
        vat: str = "net",
        limit: int = 1000,
        offset: int = 0,
    ) -> MetricQuery:
        """A validated query from loosely typed input (API bodies, MCP tool arguments, the app)."""
        a, b = _date("date_from", date_from), _date("date_to", date_to)
        if b < a:
            raise MetricError("date_to", f"{b} is before date_from {a}")
        if (b - a).days + 1 > MAX_DAYS:
            raise MetricError("date_to", f"the range is longer than {MAX_DAYS} days")
        if not metrics:
            raise MetricError("metrics", "ask for at least one metric")
        if granularity not in GRANULARITIES:
            raise MetricError("granularity", f"{granularity!r} is not one of {', '.join(GRANULARITIES)}")
        if compare not in (None, "previous_period", "last_year"):
            raise MetricError("compare", f"{compare!r} is not previous_period or last_year")
        if vat not in ("net", "gross"):
            raise MetricError("vat", f"{vat!r} is not net or gross")
        if not 1 <= int(limit) <= MAX_LIMIT:
            raise MetricError("limit", f"must be between 1 and {MAX_LIMIT}")
        if int(offset) < 0:
            raise MetricError("offset", "must not be negative")
        norm: list[tuple[str, tuple[str, ...]]] = []
        for key, values in sorted((filters or {}).items()):
            vals = (values,) if isinstance(values, str) else tuple(values)
            if not vals or len(vals) > 500:
                raise MetricError(f"filters.{key}", "give 1 to 500 values")
            for i, v in enumerate(vals):
                if not isinstance(v, str) or not _VALUE_RE.match(v):
                    raise MetricError(
                        f"filters.{key}[{i}]",
                        "a value may hold letters, digits, spaces and . : @ + - / _ (at most 200 characters)",
                    )
            norm.append((key, vals))
        q = cls(
            str(client_id),
            a,
            b,
            tuple(metrics),
            tuple(dimensions),
            tuple(norm),
            granularity,
            cast(Compare | None, compare),
            cast(Literal["net", "gross"], vat),
            int(limit),
            int(offset),
        )
        q.plan()  # refuse now, before anything runs
        return q

    def shifted(self, compare: Compare) -> MetricQuery:
        """The same query over the comparison window (the previous equal-length period, or a year before)."""
        if compare == "previous_period":
            days = (self.date_to - self.date_from).days + 1
            a, b = self.date_from - dt.timedelta(days=days), self.date_from - dt.timedelta(days=1)
        else:
            a, b = _year_before(self.date_from), _year_before(self.date_to)
        return MetricQuery(
            self.client_id,
            a,
            b,
            self.metrics,
            self.dimensions,
            self.filters,
            self.granularity,
            None,
            self.vat,
            self.limit,
            self.offset,
        )

    def plan(self) -> tuple[Mart, list[Metric]]:
        """The mart this query reads and its metrics, or MetricError naming what cannot be answered."""
        ms: list[Metric] = []
        for i, name in enumerate(self.metrics):
            if name.startswith(("sum(", "avg(")) and name.endswith(")") and name[4:-1] in METRICS:
                inner = METRICS[name[4:-1]]
                if inner.kind != "sum":
                    raise MetricError(
                        f"metrics[{i}]",
                        f"{inner.name} is not additive: adding it up across days, "
                        "campaigns or platforms counts a person once per row. Ask for "
                        f"{inner.name} at the grain you need; the layer deduplicates over it",
                    )
                raise MetricError(
                    f"metrics[{i}]", f"ask for {inner.name}: the layer already sums it over the grain"
                )
            if name not in METRICS:
                raise MetricError(f"metrics[{i}]", f"unknown metric {name!r}; see GET /v1/metrics")
            ms.append(METRICS[name])
        kinds = {m.mart for m in ms}
        if len(kinds) > 1:
            raise MetricError(
                "metrics",
                "these metrics come from different marts ("
                + ", ".join(sorted(kinds))
                + "); query each group separately",
            )
        home = kinds.pop()
        used = list(self.dimensions) + [k for k, _ in self.filters]
        if home == "performance":
            mart = MARTS["channel_daily" if "channel" in used else "campaign_daily"]
        else:
            mart = MARTS[home]
        for i, d in enumerate(self.dimensions):
            if d not in mart.dimensions:
                raise MetricError(
                    f"dimensions[{i}]",
                    f"{d!r} is not a dimension of {', '.join(self.metrics)}; "
                    f"allowed: {', '.join(sorted(mart.dimensions))}",
                )
        if len(set(self.dimensions)) != len(self.dimensions):
            raise MetricError("dimensions", "a dimension is listed twice")
        for key, _ in self.filters:
            if key not in mart.dimensions:
                raise MetricError(
                    f"filters.{key}",
                    f"not a dimension of this query; allowed: {', '.join(sorted(mart.dimensions))}",
                )
        if mart.name == "plan":
            # Each plan version restates the whole plan: adding versions (or plans) together doubles the budget.
            for key in ("plan_id", "plan_version"):
                single = dict(self.filters).get(key)
                if key not in self.dimensions and (single is None or len(single) != 1):
                    raise MetricError(
                        f"filters.{key}",
                        f"plan metrics need one {key} (a filter with one value) "
                        "or it as a dimension: versions of a plan must not be added up",
                    )
        for i, m in enumerate(ms):
            if m.kind == "line_constant":
                missing = [d for d in m.requires if d not in self.dimensions]
                if missing or self.granularity != "none":
                    raise MetricError(
                        f"metrics[{i}]",
                        f"{m.name} is a per-line number and cannot be added across "
                        f"lines or days: group by {', '.join(m.requires)} with granularity none",
                    )
        return mart, ms


def _date(name: str, v: Any) -> dt.date:
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        raise MetricError(name, f"{v!r} is not a date (YYYY-MM-DD)") from None


def _year_before(d: dt.date) -> dt.date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def _expr(m: Metric, vat: str) -> str:
    spend = f"spend_{vat}"

    def col(x: str) -> str:
        return x.replace("{spend}", spend).replace("{vat}", vat)

    def agg(x: str) -> str:
        return f"uniqCombinedMerge({x})" if x.endswith("_state") else f"toFloat64(sum({col(x)}))"

    if m.kind == "sum":
        return agg(m.numerator)
    if m.kind == "distinct":
        return f"toFloat64({agg(m.numerator)})"
    if m.kind == "line_constant":
        return f"toFloat64(max({m.numerator}))"
    num, den = agg(m.numerator), agg(m.denominator)
    scaled = f"{num} * {m.multiplier}" if m.multiplier != 1 else num
    return f"if({den} = 0, NULL, {scaled} / {den})"


def ratio_sql(name: str, *, vat: str = "net", aggregated: bool = False) -> str:
    """The SQL of one catalogue ratio: over raw rows (sums taken here) or over columns that already hold sums."""
    num, den, mult = RATIOS[name]
    spend = f"spend_{vat}"
    n, d = num.replace("{spend}", spend), den.replace("{spend}", spend)
    if not aggregated:
        n, d = (
            f"toFloat64(sum({x}))"
            if not x.startswith("(")
            else "(" + " - ".join(f"toFloat64(sum({y}))" for y in x.strip("()").split(" - ")) + ")"
            for x in (n, d)
        )
    scaled = f"toFloat64({n}) * {mult}" if mult != 1 else f"toFloat64({n})"
    return f"if({d} = 0, NULL, {scaled} / {d})"


@dataclass(frozen=True)
class Compiled:
    sql: str
    parameters: dict[str, Any]
    columns: list[str]
    label_columns: list[str] = field(default_factory=list)
    group: list[str] = field(default_factory=list)  # the GROUP BY (and ORDER BY) columns


def compile_query(q: MetricQuery, *, tenant_id: str, marts_db: str, prefix: str = "") -> Compiled:
    """Parameterised SQL for one period of `q` (the comparison period is a second compile of `q.shifted`, with a
    `prefix` on its parameter names so that both can be sent as one statement)."""
    if not _DB_RE.match(marts_db):
        raise MetricError("marts_db", f"{marts_db!r} is not a plain database name")
    mart, ms = q.plan()
    select: list[str] = []
    group: list[str] = []
    cols: list[str] = []
    if q.granularity != "none":
        select.append(f"{GRAIN_SQL[q.granularity]} AS period_start")
        group.append("period_start")
        cols.append("period_start")
    labels: list[str] = []
    for d in q.dimensions:
        select.append(f"{mart.dimensions[d]} AS {d}")
        group.append(d)
        cols.append(d)
        if d in mart.label_columns:
            select.append(f"{mart.label_columns[d]} AS {d}_name")
            labels.append(f"{d}_name")
    for m in ms:
        # A metric alias named like a column would shadow that column in the other metrics' sums.
        select.append(f"{_expr(m, q.vat)} AS {METRIC_ALIAS}{m.name}")
        cols.append(m.name)
    x = prefix
    where = [
        f"tenant_id = {{{x}tenant:String}}",
        f"client_id = {{{x}client:String}}",
        f"date_day BETWEEN {{{x}date_from:Date}} AND {{{x}date_to:Date}}",
    ]
    params: dict[str, Any] = {
        f"{x}tenant": tenant_id,
        f"{x}client": q.client_id,
        f"{x}date_from": q.date_from,
        f"{x}date_to": q.date_to,
    }
    for i, (key, values) in enumerate(q.filters):
        where.append(f"toString({mart.dimensions[key]}) IN {{{x}f{i}:Array(String)}}")
        params[f"{x}f{i}"] = list(values)
    sql = f"SELECT {', '.join(select)} FROM {marts_db}.{mart.table} WHERE {' AND '.join(where)}"  # noqa: S608 - catalogue identifiers only
    if group:
        sql += f" GROUP BY {', '.join(group)} ORDER BY {', '.join(group)}"
    sql += f" LIMIT {int(q.limit)} OFFSET {int(q.offset)}"
    return Compiled(sql, params, cols + labels, labels, group)
