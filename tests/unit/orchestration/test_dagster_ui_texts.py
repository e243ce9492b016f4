"""What the Dagster UI shows: every asset and check described, check names short, no SQL dumped as a description."""

from __future__ import annotations

import pytest

MAX_CHECK_NAME = 60


@pytest.fixture(scope="module")
def graph():
    from orchestration.definitions import build_definitions

    return build_definitions(sandbox=True).resolve_asset_graph()


def test_every_asset_has_a_description_without_sql(graph):
    keys = list(graph.get_all_asset_keys())
    assert len(keys) > 30  # the real definitions, not an empty graph
    missing = [k.to_user_string() for k in keys if not (graph.get(k).description or "").strip()]
    assert not missing, f"assets without a description: {missing}"
    dumped = [
        k.to_user_string()
        for k in keys
        if "Raw SQL" in (graph.get(k).description or "") or "```sql" in (graph.get(k).description or "")
    ]
    assert not dumped, f"assets whose description is their SQL: {dumped}"


def test_every_check_has_a_short_name_and_a_description(graph):
    checks = list(graph.asset_check_keys)
    assert len(checks) > 50  # dbt tests are among them
    long = [c.name for c in checks if len(c.name) > MAX_CHECK_NAME]
    assert not long, f"check names over {MAX_CHECK_NAME} characters: {long}"
    undescribed = [c.name for c in checks if not (graph.get_check_spec(c).description or "").strip()]
    assert not undescribed, f"checks without a description: {undescribed}"


def test_generated_check_descriptions_name_the_test_and_its_arguments():
    from orchestration.dbt_models.translator import check_description

    test = {
        "name": "t",
        "column_name": "cost",
        "test_metadata": {"name": "expression_is_true", "kwargs": {"expression": "cost >= 0", "model": "x"}},
    }
    assert check_description(test) == "dbt test expression_is_true on column cost (expression: cost >= 0)"
    combo = {"name": "t", "test_metadata": {"name": "unique_combination", "kwargs": {"columns": ["a", "b"]}}}
    assert check_description(combo) == "dbt test unique_combination (columns: a, b)"
    assert (
        check_description({"name": "x", "description": " Reach never exceeds contacts. "})
        == "Reach never exceeds contacts."
    )
