"""AI field detection on the app's plan upload (the Media plans page's functions, real warehouse): columns the rules
cannot place go to Claude (a replayed Anthropic API over loopback), which places them; offline (no key) the rules
alone decide and nothing is sent."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import xlsxwriter

from tests.integration.dashboards.conftest import principal

_REPLAY = Path(__file__).resolve().parents[2] / "fixtures" / "llm_recordings" / "replay.py"
_spec = importlib.util.spec_from_file_location("mrm_llm_replay_plan_upload", _REPLAY)
replay = importlib.util.module_from_spec(_spec)
assert _spec.loader is not None
_spec.loader.exec_module(replay)


def _odd_plan() -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("Plan")
    ws.write_row(0, 0, ["Channel", "Site", "Budget", "Eyeballs", "Hits", "Start", "End"])
    ws.write_row(1, 0, ["Display", "VK Ads", 5000, 2500000, 1200, "2025-05-01", "2025-05-31"])
    ws.write_row(2, 0, ["Search", "Yandex Direct", 7000, 0, 9000, "2025-05-01", "2025-05-31"])
    wb.close()
    return buf.getvalue()


def _fields(mapping) -> dict[str, tuple[str, str]]:
    return {r["header"]: (r["field"], r["source"]) for r in mapping.describe()}


def test_upload_asks_the_suggester_about_unplaced_columns_and_falls_back_to_rules_offline(dash, monkeypatch):
    from dashboards import data

    pm = principal("it-pm@t1")
    raw = _odd_plan()
    _, offline, report, lines, _ = data.analyse_plan(pm, raw, "odd.xlsx")
    assert report.ok and len(lines) == 2
    assert _fields(offline)["Eyeballs"][0] == "" and _fields(offline)["Hits"][0] == ""  # rules only
    with replay.ReplayServer("app_plan_mapping") as srv:
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
        monkeypatch.setenv("ANTHROPIC_BASE_URL", srv.base_url)
        _, online, report, lines, _ = data.analyse_plan(pm, raw, "odd.xlsx")
    assert _fields(online)["Eyeballs"] == ("planned_impressions", "llm")
    assert _fields(online)["Hits"] == ("planned_clicks", "llm")
    assert report.ok and [ln["planned_impressions"] for ln in lines] == [2_500_000, 0]
    assert len(srv.received) == 1
    body = srv.received[0]["json"]
    assert body["tool_choice"] == {"type": "tool", "name": "submit_mapping"}
    assert "Eyeballs" in body["messages"][0]["content"]
