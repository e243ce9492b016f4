"""The dbt project's own rules, checked without a warehouse: profile env parsing, grain-first descriptions, a grain
test on every model, tenant_id in every model, and the metric layer's formulas."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[3] / "dbt_project"


def _render_profile(env: dict[str, str]) -> dict:
    """Render profiles.yml the way dbt does: every value alone, env_var() with dbt's missing-variable error."""

    def env_var(name: str, default: str | None = None) -> str:
        if name in env:
            return env[name]
        if default is None:
            raise KeyError(f"Env var required but not provided: '{name}'")
        return default

    raw = yaml.safe_load((PROJECT / "profiles.yml").read_text())
    out = raw["mrm"]["outputs"]["warehouse"]
    j = jinja2.Environment()
    rendered = {}
    for key, value in out.items():
        rendered[key] = j.from_string(str(value)).render(env_var=env_var) if isinstance(value, str) else value
    return rendered


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, {"host": "127.0.0.1", "port": "8123", "user": "default", "password": "", "secure": "False"}),
        (
            {"CLICKHOUSE_URL": "http://127.0.0.1:18124"},
            {"host": "127.0.0.1", "port": "18124", "user": "default", "password": "", "secure": "False"},
        ),
        (
            {"CLICKHOUSE_URL": "https://analyst:s3cret@ch.example.com:9443/marts"},
            {
                "host": "ch.example.com",
                "port": "9443",
                "user": "analyst",
                "password": "s3cret",
                "secure": "True",
            },
        ),
        (
            {"CLICKHOUSE_URL": "https://ch.example.com"},
            {"host": "ch.example.com", "port": "8443", "user": "default", "password": "", "secure": "True"},
        ),
        (
            {
                "CLICKHOUSE_HOST": "10.0.0.5",
                "CLICKHOUSE_PORT": "8124",
                "CLICKHOUSE_USER": "dbt",
                "CLICKHOUSE_PASSWORD": "pw",
                "CLICKHOUSE_SECURE": "true",
            },
            {"host": "10.0.0.5", "port": "8124", "user": "dbt", "password": "pw", "secure": "True"},
        ),
    ],
)
def test_profile_reads_the_warehouse_environment(env, expected):
    p = _render_profile(env)
    assert {k: p[k] for k in expected} == expected
    assert p["driver"] == "http" and p["type"] == "clickhouse"


@pytest.fixture(scope="module")
def model_docs() -> dict[str, dict]:
    docs = {}
    for yml in (PROJECT / "models").rglob("*.yml"):
        for m in (yaml.safe_load(yml.read_text()) or {}).get("models", []):
            docs[m["name"]] = m
    return docs


def _model_files() -> dict[str, Path]:
    return {p.stem: p for p in (PROJECT / "models").rglob("*.sql")}


def test_every_model_is_documented_grain_first(model_docs):
    files = _model_files()
    assert set(files) == set(model_docs), set(files) ^ set(model_docs)
    for name, m in model_docs.items():
        desc = " ".join(m.get("description", "").split())
        if name.startswith(("stg_", "int_", "fct_", "dim_")):
            assert desc.startswith("One row per"), (
                f"{name}: description must start with its grain: {desc[:60]!r}"
            )


def test_every_model_has_a_grain_test(model_docs):
    for name, m in model_docs.items():
        tests = m.get("data_tests", [])
        assert any(isinstance(t, dict) and "unique_combination" in t for t in tests), (
            f"{name} has no grain test"
        )


def _macros_naming_tenant_id() -> set[str]:
    """The key macros (macros/keys.sql) whose column lists hold tenant_id, directly or through another such macro
    (campaign_key -> campaign_key_columns)."""
    text = (PROJECT / "macros" / "keys.sql").read_text()
    bodies = {
        m.group(1): m.group(2)
        for m in re.finditer(r"{%-?\s*macro\s+(\w+)\(.*?%}(.*?){%-?\s*endmacro", text, re.S)
    }
    carrying = {name for name, body in bodies.items() if "tenant_id" in body}
    while grown := {
        n for n, b in bodies.items() if n not in carrying and any(f"{c}(" in b for c in carrying)
    }:
        carrying |= grown
    return carrying


def test_every_model_carries_tenant_id():
    key_macros = _macros_naming_tenant_id()
    assert {"campaign_key", "plan_line_key", "campaign_key_columns"} <= key_macros
    for name, path in _model_files().items():
        # country reference data, the same for every tenant: VAT rates and the Bank of Russia exchange rates
        if name in ("stg_app__vat_rates", "stg_cbr__fx_daily", "int_fx_rates_daily"):
            continue
        text = path.read_text()
        assert "tenant_id" in text or any(re.search(rf"\b{m}\(", text) for m in key_macros), (
            f"{name} does not carry tenant_id (neither by name nor through a key macro)"
        )


def test_staging_only_renames_and_casts():
    for path in (PROJECT / "models" / "staging").rglob("*.sql"):
        sql = path.read_text().lower()
        assert " join " not in sql and "group by" not in sql, (
            f"{path.name}: staging must not join or aggregate"
        )


def test_metric_layer_formulas_are_ratios_of_sums():
    text = (PROJECT / "macros" / "metrics.sql").read_text()
    # ROMI keeps its parentheses: (value - spend) / spend, the mistake peers shipped
    assert "'romi': ('(conversions_value - ' ~ spend ~ ')', spend, 1)" in text
    assert re.search(r"if\(\(\{\{ denominator \}\}\) = 0, null", text), "zero denominators must give NULL"
