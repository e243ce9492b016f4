"""The metric layer's definitions and compiler: one formula source, precise refusals, no user text in SQL."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from metrics.catalogue import METRICS, RATIOS, catalogue
from metrics.query import MetricError, MetricQuery, compile_query
from metrics.ratios import add_ratios, ratio_of_sums

ROOT = Path(__file__).resolve().parents[3]
BASE = {"client_id": "acme", "date_from": "2026-03-01", "date_to": "2026-03-31"}


def _jinja(expr: str) -> str:
    """A catalogue operand as the dbt macro writes it (`spend` is a Jinja variable there)."""
    if expr == "{spend}":
        return "spend"
    if "{spend}" in expr:
        return "'" + expr.replace("{spend}", "' ~ spend ~ '") + "'"
    return f"'{expr}'"


def test_dbt_metric_macro_states_the_same_formulas_as_the_catalogue():
    text = (ROOT / "dbt_project" / "macros" / "metrics.sql").read_text(encoding="utf-8")
    stated = re.findall(r"^\s+'(\w+)': \(", text, flags=re.M)
    assert sorted(stated) == sorted(RATIOS)
    for name, (num, den, mult) in RATIOS.items():
        assert f"'{name}': ({_jinja(num)}, {_jinja(den)}, {mult})," in text, name


def test_ratio_helpers_follow_the_catalogue():
    sums = {
        "impressions": 2000,
        "clicks": 50,
        "spend_net": 1000.0,
        "conversions": 4,
        "conversions_value": 3000.0,
    }
    assert ratio_of_sums(sums, "ctr") == pytest.approx(0.025)
    assert ratio_of_sums(sums, "cpm") == pytest.approx(500.0)
    assert ratio_of_sums(sums, "romi") == pytest.approx(2.0)
    assert ratio_of_sums({**sums, "conversions": 0}, "cpa") is None
    import pandas as pd

    df = add_ratios(pd.DataFrame([sums, {**sums, "clicks": 0}]))
    assert df["cpc"].iloc[0] == pytest.approx(20.0) and pd.isna(df["cpc"].iloc[1])


def test_every_metric_is_in_the_catalogue_with_labels_in_both_languages():
    rows = {r["name"]: r for r in catalogue("ru")}
    assert set(rows) == set(METRICS)
    for m in METRICS.values():
        assert m.label_en and m.label_ru and m.description
    assert rows["unique_visitors"]["additive"] is False and rows["spend"]["vat_sensitive"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"metrics": ["spend", "nope"]}, "metrics[1]"),
        ({"metrics": ["sum(unique_visitors)"]}, "metrics[0]"),
        ({"metrics": ["spend", "plan_spend"]}, "metrics"),
        ({"metrics": ["plan_spend"]}, "filters.plan_id"),
        ({"metrics": ["plan_spend"], "filters": {"plan_id": ["p1"]}}, "filters.plan_version"),
        ({"metrics": ["planned_reach"], "filters": {"plan_id": ["p"], "plan_version": ["1"]}}, "metrics[0]"),
        ({"metrics": ["unique_visitors"], "dimensions": ["channel"]}, "dimensions[0]"),
        ({"metrics": ["spend"], "filters": {"campaign_id": ["x' OR '1'='1"]}}, "filters.campaign_id[0]"),
        ({"metrics": ["spend"], "filters": {"tenant_id": ["t2"]}}, "filters.tenant_id"),
        ({"metrics": ["spend"], "date_to": "2029-01-01"}, "date_to"),
        ({"metrics": ["spend"], "date_from": "yesterday"}, "date_from"),
        ({"metrics": ["spend"], "granularity": "hour"}, "granularity"),
        ({"metrics": ["spend"], "vat": "both"}, "vat"),
    ],
)
def test_refusals_name_the_field(change, field):
    with pytest.raises(MetricError) as err:
        MetricQuery.build(**{**BASE, **change})
    assert err.value.field == field


def test_unique_visitors_refusal_says_why():
    with pytest.raises(MetricError, match="not additive"):
        MetricQuery.build(**BASE, metrics=["sum(unique_visitors)"])


def test_compiled_sql_binds_tenant_client_and_filter_values():
    q = MetricQuery.build(
        **BASE,
        metrics=["spend", "ctr", "unique_visitors"][:2],
        dimensions=["platform"],
        filters={"campaign_id": ["c-1", "c 2"]},
        granularity="week",
    )
    c = compile_query(q, tenant_id="t-secret", marts_db="marts")
    assert "t-secret" not in c.sql and "acme" not in c.sql and "c-1" not in c.sql
    assert c.parameters["tenant"] == "t-secret" and c.parameters["client"] == "acme"
    assert c.parameters["f0"] == ["c-1", "c 2"]
    assert "toMonday(date_day)" in c.sql and "spend_net" in c.sql
    gross = compile_query(
        MetricQuery.build(**BASE, metrics=["spend"], vat="gross"), tenant_id="t", marts_db="m"
    )
    assert "spend_gross" in gross.sql and "spend_net" not in gross.sql
    with pytest.raises(MetricError):
        compile_query(q, tenant_id="t", marts_db="marts; DROP")
    # the comparison period's copy binds the same values under its own names, so both go in one statement
    prev = compile_query(q.shifted("previous_period"), tenant_id="t-secret", marts_db="marts", prefix="prev_")
    assert set(prev.parameters) == {f"prev_{k}" for k in c.parameters} and prev.group == c.group
    assert "{prev_f0:Array(String)}" in prev.sql and "{f0:" not in prev.sql
    assert prev.parameters["prev_date_to"] < q.date_from


def test_comparison_windows():
    q = MetricQuery.build(**BASE, metrics=["spend"])
    prev = q.shifted("previous_period")
    assert (prev.date_from, prev.date_to) == (dt.date(2026, 1, 29), dt.date(2026, 2, 28))
    leap = MetricQuery.build(client_id="a", date_from="2028-02-29", date_to="2028-02-29", metrics=["spend"])
    assert leap.shifted("last_year").date_from == dt.date(2027, 2, 28)
