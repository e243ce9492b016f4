import importlib.util
from pathlib import Path

import pytest

_REPLAY = Path(__file__).resolve().parents[2] / "fixtures" / "llm_recordings" / "replay.py"
_spec = importlib.util.spec_from_file_location("mrm_llm_replay", _REPLAY)
replay = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(replay)


@pytest.fixture
def replay_server():
    """Factory: `with replay_server("name") as srv:` serves tests/fixtures/llm_recordings/name.json on loopback."""
    return replay.ReplayServer
