"""`mrm reach` calculators and `mrm plan import --dry-run` through click, and the benchmark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from planning import bench
from planning.cli import plan, reach


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MRM_LANG", "en")  # the messages asserted below are the English ones


def _run(group: Any, args: list[str]) -> Any:
    return CliRunner().invoke(group, args, catch_exceptions=False)


def test_reach_curve_names_model_and_matches_e1() -> None:
    res = _run(reach, ["curve", "--grp", "300", "--r-max", "0.85", "--k", "0.005"])
    assert res.exit_code == 0
    assert "66.03%" in res.output and "negative exponential" in res.output


def test_reach_insertions_models() -> None:
    res = _run(reach, ["insertions", "--n", "5", "--model", "binary", "--r1", "0.2", "--r2", "0.3"])
    assert res.exit_code == 0 and "38.75%" in res.output and "binary audience model" in res.output
    res = _run(reach, ["insertions", "--n", "5", "--model", "binomial", "--r1", "0.2"])
    assert "67.23%" in res.output
    res = _run(reach, ["insertions", "--n", "5", "--model", "hofmans", "--r1", "0.06", "--r2", "0.103"])
    assert "18.07%" in res.output


def test_reach_invalid_parameter_is_a_clear_error() -> None:
    res = CliRunner().invoke(
        reach, ["insertions", "--n", "5", "--model", "beta_binomial", "--r1", "0.2", "--r2", "0.5"]
    )
    assert res.exit_code != 0
    assert "r2 must be in (0.2, 0.36)" in res.output


def test_reach_combine_risk_survey_budget_metrics() -> None:
    assert "66.40%" in _run(reach, ["combine", "--reach", "0.4", "--reach", "0.3", "--reach", "0.2"]).output
    assert (
        "40.82%" in _run(reach, ["combine", "--reach", "0.25", "--reach", "0.25", "--dup", "0,1,0.1"]).output
    )
    out = _run(reach, ["risk", "--p", "0.5", "--k", "3", "--eps", "0.1", "--n", "5"]).output
    assert "9 exact" in out and "50.00%" in out
    assert "sample size 3,458" in _run(reach, ["survey", "--r", "0.1", "--delta", "0.01"]).output
    assert "0.3827%" in _run(reach, ["survey", "--n", "1000"]).output
    assert (
        "GRP 204.0"
        in _run(reach, ["budget", "--target", "0.6", "--cpp", "10000", "--model", "hyperbolic"]).output
    )
    out = _run(reach, ["metrics", "--budget", "3000000", "--trp", "300", "--ta-size", "10000000"]).output
    assert "CPP 10,000.00" in out and "CPT 100.00" in out


def test_plan_import_dry_run_prints_mapping_and_report(corpus: tuple[Path, list[Any]]) -> None:
    directory, _ = corpus
    res = CliRunner().invoke(plan, ["import", str(directory / "ru_basic_mediaplan.xlsx"), "--tenant", "t", "--client",
                                    "c", "--dry-run", "--suggester", "none"])  # fmt: skip
    assert res.exit_code == 1  # nothing was imported
    assert "Бюджет без НДС, руб." in res.output and "budget_net" in res.output
    assert "0 error(s)" in res.output and "dry run: 4 lines valid" in res.output


def test_plan_import_reports_broken_and_invalid_files(corpus: tuple[Path, list[Any]]) -> None:
    directory, _ = corpus
    res = CliRunner().invoke(plan, ["import", str(directory / "broken_truncated.xlsx"), "--tenant", "t", "--client", "c",
                                    "--dry-run"])  # fmt: skip
    assert res.exit_code == 1 and "truncated" in res.output
    res = CliRunner().invoke(plan, ["import", str(directory / "ru_invalid_values.xlsx"), "--tenant", "t", "--client",
                                    "c", "--dry-run"])  # fmt: skip
    assert res.exit_code == 1 and "Медиаплан!C3" in res.output and "nothing imported" in res.output


def test_plan_import_mapping_file(corpus: tuple[Path, list[Any]], tmp_path: Path) -> None:
    directory, _ = corpus
    m = tmp_path / "m.json"
    m.write_text('{"columns": {"Eyeballs": "planned_impressions"}}', encoding="utf-8")
    res = CliRunner().invoke(plan, ["import", str(directory / "en_odd_headers.xlsx"), "--tenant", "t", "--client", "c",
                                    "--dry-run", "--mapping", str(m)])  # fmt: skip
    assert "planned_impressions" in res.output and "[manual, 1.00]" in res.output
    m.write_text('{"columns": {"Eyeballs": "eyeballs"}}', encoding="utf-8")
    res = CliRunner().invoke(plan, ["import", str(directory / "en_odd_headers.xlsx"), "--tenant", "t", "--client", "c",
                                    "--dry-run", "--mapping", str(m)])  # fmt: skip
    assert res.exit_code != 0 and "unknown field 'eyeballs'" in res.output


def test_benchmark_small_plan_validates() -> None:
    total, detect, n = bench.run(500)
    assert n == 500 and 0 < detect <= total
