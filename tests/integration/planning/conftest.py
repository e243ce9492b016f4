"""Fixtures for the planning unit tests: the generated media-plan corpus."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

_GEN = Path(__file__).resolve().parents[2] / "fixtures" / "mediaplans" / "generate.py"


def load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("mediaplan_corpus_generator", _GEN)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve string annotations through sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    gen = load_generator()
    directory = tmp_path_factory.mktemp("mediaplans")
    return directory, gen.build_corpus(directory)
