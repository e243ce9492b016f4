"""The great-expectations suites catch what they are for: duplicates, nulls, negatives, volume drops, stale loads."""

from __future__ import annotations

import pandas as pd
import pytest

from orchestration import quality

RULES = quality.TableRules(
    grain=("tenant_id", "account_id", "date_day", "ad_id"),
    not_null=("tenant_id", "account_id", "date_day", "ad_id", "currency"),
    non_negative=("impressions", "cost"),
    flags=("is_provisional",),
)


def frame(**overrides: list) -> pd.DataFrame:
    base = {
        "tenant_id": ["t1", "t1", "t2"],
        "account_id": ["a", "a", "a"],
        "date_day": pd.to_datetime(["2026-01-18", "2026-01-19", "2026-01-19"]),
        "ad_id": [1, 1, 1],
        "currency": ["RUB", "RUB", "RUB"],
        "impressions": [10.0, 0.0, 5.0],
        "cost": [1.5, 0.0, 2.0],
        "is_provisional": [0, 1, 1],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def outcomes(df: pd.DataFrame) -> dict[str, quality.Outcome]:
    return {o.name: o for o in quality.validate_rows(df, RULES, name="unit")}


def test_clean_rows_pass_every_check() -> None:
    assert all(o.passed for o in outcomes(frame()).values())


def test_duplicate_grain_key_fails_the_blocking_check() -> None:
    res = outcomes(frame(date_day=pd.to_datetime(["2026-01-19", "2026-01-19", "2026-01-19"])))
    assert not res["grain_unique"].passed and res["grain_unique"].blocking
    assert res["not_null"].passed and res["value_ranges"].passed


def test_null_key_and_negative_cost_are_named() -> None:
    res = outcomes(frame(currency=["RUB", None, "RUB"], cost=[1.5, -3.0, 2.0], is_provisional=[0, 2, 1]))
    assert not res["not_null"].passed
    assert any("currency" in k for k in res["not_null"].metadata)
    assert not res["value_ranges"].passed
    failed = " ".join(res["value_ranges"].metadata)
    assert "cost" in failed and "is_provisional" in failed and "impressions" not in failed


@pytest.mark.parametrize(("rows", "passed"), [(3, True), (0, False), (200, False)])
def test_volume_against_the_trailing_baseline(rows: int, passed: bool) -> None:
    df = pd.DataFrame({"x": range(rows)})
    out = quality.validate_volume(df, quality.volume_bounds(2.0, 2), name="unit", baseline=2.0)
    assert out.passed is passed and not out.blocking


def test_freshness_needs_every_window_and_young_loads() -> None:
    fresh = pd.DataFrame({"age_hours": [0.5, 2.0]})
    assert quality.validate_freshness(fresh, 2, name="unit").passed
    assert not quality.validate_freshness(fresh, 3, name="unit").passed  # a missing account-day window
    assert not quality.validate_freshness(pd.DataFrame({"age_hours": [0.5, 50.0]}), 2, name="unit").passed
