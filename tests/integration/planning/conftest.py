"""Fixtures for the planning integration tests: the generated media-plan corpus, the same as the unit tests'."""

from __future__ import annotations

from tests.unit.planning.conftest import corpus  # noqa: F401 - a fixture, shared by name
