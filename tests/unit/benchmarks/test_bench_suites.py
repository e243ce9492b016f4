"""Benchmarks live in benchmarks/, not in the library packages, and every suite `make bench` runs exists."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from benchmarks.run import SUITES

ROOT = Path(__file__).resolve().parents[3]


def test_every_suite_module_exists() -> None:
    for name, module, _target in SUITES:
        assert importlib.util.find_spec(module) is not None, f"suite {name}: {module} not found"


def test_library_packages_carry_no_benchmark_modules() -> None:
    for package in ("ingestion", "orchestration", "dashboards", "assistants", "warehouse"):
        assert not (ROOT / package / "bench.py").exists(), f"{package}/bench.py belongs in benchmarks/"
    assert all(m.startswith(("benchmarks.", "planning.", "dbt_project.")) for _, m, _ in SUITES)
