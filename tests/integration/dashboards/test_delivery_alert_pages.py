"""The Delivery and Alerts pages' second part (AppTest, signed in through the real form): a Google Sheets schedule
needs its spreadsheet id, a broken channel is listed with its reason, and the client's alert thresholds are set
in the Alerts page with a refused value named by its field."""

from __future__ import annotations

import pytest

from tests.integration.dashboards.conftest import logged_in_app

pytestmark = pytest.mark.usefixtures("dash")
T, CLIENT = "dash_t1", "acme"


def _submit(at, label: str) -> None:
    next(b for b in at.button if b.label == label).click()
    at.run()


def test_alerts_page_sets_the_clients_thresholds(ch):
    from delivery import thresholds

    at = logged_in_app("it-pm@t1", page="app_pages/alerts.py", query={"client": CLIENT})
    assert not at.exception, at.exception
    assert at.text_input(key="al_th_pacing_off_pct").value == "15"
    at.text_input(key="al_th_stale_hours").input("soon")
    _submit(at, "Save thresholds")
    assert any("Data is stale after, hours" in e.value and "soon" in e.value for e in at.error), [
        e.value for e in at.error
    ]
    assert thresholds.get(ch, T, CLIENT) == thresholds.Thresholds()  # nothing half-saved
    at.text_input(key="al_th_stale_hours").input("12")
    at.text_input(key="al_th_token_days").input("14")
    _submit(at, "Save thresholds")
    assert not at.exception, at.exception
    try:
        assert thresholds.get(ch, T, CLIENT) == thresholds.Thresholds(stale_hours=12, token_days=14)
        assert any("Thresholds saved" in s.value for s in at.success)
        assert at.text_input(key="al_th_token_days").value == "14"
    finally:
        thresholds.save(ch, T, CLIENT, thresholds.Thresholds(), by="test")


def test_delivery_page_sheets_schedule_and_broken_channel(ch):
    from delivery import channels
    from delivery import schedules as sc

    at = logged_in_app("it-pm@t1", page="app_pages/delivery.py", query={"client": CLIENT})
    assert not at.exception, at.exception
    assert any("No delivery failures" in i.value for i in at.info)
    at.multiselect(key="dl_channels").select("sheets")
    _submit(at, "Add schedule")
    assert any("Google Sheets spreadsheet id" in e.value for e in at.error), [e.value for e in at.error]
    assert sc.load(ch, T, CLIENT) == []
    at.text_input(key="dl_sheet").input("1AbCdEfGhIjKlMnOpQrStUv")
    _submit(at, "Add schedule")
    assert not at.exception, at.exception
    [s] = sc.load(ch, T, CLIENT)
    try:
        assert (s.channels, s.spreadsheet_id) == (("email", "sheets"), "1AbCdEfGhIjKlMnOpQrStUv")
        table = next(d.value for d in at.dataframe if "Channels" in d.value.columns)
        assert list(table["Channels"]) == ["E-mail, Google Sheets"]
        assert list(table["Google Sheets spreadsheet id"]) == ["1AbCdEfGhIjKlMnOpQrStUv"]
        channels.mark(ch, T, CLIENT, "sheets", s.spreadsheet_id, "broken", "429 RESOURCE_EXHAUSTED: quota")
        at.run()
        state = next(d.value for d in at.dataframe if "Destination" in d.value.columns)
        assert list(state["State"]) == ["broken"] and "RESOURCE_EXHAUSTED" in state["Reason"].iloc[0]
    finally:
        sc.remove(ch, T, s.schedule_id, by="test")
        channels.mark(ch, T, CLIENT, "sheets", s.spreadsheet_id, "ok")
