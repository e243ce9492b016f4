"""The Campaigns table ends with a totals row: sums of the campaigns, ratios from those sums, equal to the
warehouse's sums for the period; the CSV and XLSX downloads carry the same totals (read back)."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.integration.dashboards.conftest import MARTS, logged_in_app

pytestmark = pytest.mark.usefixtures("dash")


def _warehouse_sums(ch, date_from: str, date_to: str) -> dict[str, float]:
    row = ch.query(
        f"SELECT sum(impressions), sum(clicks), toFloat64(sum(spend_net)) FROM {MARTS}.fct_campaign_daily "  # noqa: S608 - our own test database name
        "WHERE tenant_id = 'dash_t1' AND client_id = 'acme' AND date_day BETWEEN {a:Date} AND {b:Date}",
        parameters={"a": date_from, "b": date_to},
    ).result_rows[0]
    return {"impressions": float(row[0]), "clicks": float(row[1]), "spend": float(row[2])}


def _check_totals(table: pd.DataFrame, want: dict[str, float], spend_col: str) -> None:
    body, total = table.iloc[:-1], table.iloc[-1]
    assert total["Platform"] == "Total"
    ids = [c for c in table.columns if c in ("Account", "Campaign ID", "Campaign name")]
    assert len(ids) == 3 and all(total[c] == "" for c in ids), total[ids].tolist()  # empty, never None
    assert float(total["Impressions"]) == pytest.approx(want["impressions"])
    assert float(total["Impressions"]) == pytest.approx(body["Impressions"].sum())
    assert float(total["Clicks"]) == pytest.approx(want["clicks"])
    assert float(total[spend_col]) == pytest.approx(want["spend"], rel=1e-9)
    # CTR of the totals comes from the summed clicks and impressions, not from averaging the rows' CTRs.
    assert float(total["CTR"]) == pytest.approx(want["clicks"] / want["impressions"])


def test_campaigns_totals_row_and_downloads_agree_with_the_warehouse(ch):
    from dashboards import ui

    at = logged_in_app("it-analyst@t1", page="app_pages/campaigns.py", query={"client": "acme"})
    want = _warehouse_sums(ch, str(at.query_params["from"]), str(at.query_params["to"]))
    assert want["impressions"] > 0
    table = at.dataframe[0].value
    spend_col = next(c for c in table.columns if c.startswith("Spend"))
    _check_totals(table, want, spend_col)
    assert "None" not in table.astype(str).iloc[-1].tolist()
    # The downloads are built from the table as shown (ui.csv_bytes / ui.xlsx_bytes of the same frame): read back.
    csv = pd.read_csv(io.BytesIO(ui.csv_bytes(table)))
    _check_totals(csv.fillna(""), want, spend_col)
    xlsx = pd.read_excel(io.BytesIO(ui.xlsx_bytes(table)))
    _check_totals(xlsx.fillna(""), want, spend_col)
