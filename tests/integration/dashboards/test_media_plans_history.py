"""Past results on the Media plans page (AppTest, real warehouse): a statistics export imported as 'history' goes to
app.history_results, shows under "Past results", and is neither a plan version nor anything plan vs fact reads."""

from __future__ import annotations

import uuid

from tests.integration.dashboards.conftest import logged_in_app, principal

PAGE = "app_pages/media_plans.py"


def test_history_import_is_shown_as_past_results_never_as_plan(dash, ch):
    from dashboards import data

    tag = uuid.uuid4().hex[:6]
    export = "Дата;Кампания;ID кампании;Площадка;Показы;Клики;Расход, руб.\r\n" + "".join(
        f"0{d}.12.2024;hist_{tag};555000{d};Яндекс Директ;{1000 * d};{10 * d};{100 * d},50\r\n"
        for d in range(1, 4)
    )
    pm = principal("it-pm@t1")
    res = data.import_plan(pm, "acme", export.encode("cp1251"), f"stats_{tag}.csv", kind="history")
    assert res.imported and res.plan_version is None, res.report.as_text(10)
    assert ch.query(
        "SELECT count() FROM app.media_plans WHERE tenant_id = 'dash_t1' AND import_id = {i:String}",
        parameters={"i": res.import_id},
    ).result_rows == [(0,)]
    at = logged_in_app("it-pm@t1", page=PAGE, query={"client": "acme"})
    assert not at.exception, [e.value for e in at.exception]
    past = next(df.value for df in at.dataframe if "Spend (net), ₽" in getattr(df.value, "columns", []))
    row = past[past["File"] == f"stats_{tag}.csv"]
    assert len(row) == 1 and int(row["Lines"].iloc[0]) == 3
    assert float(row["Spend (net), ₽"].iloc[0]) == 100.5 + 200.5 + 300.5
    assert int(row["Impressions"].iloc[0]) == 6000
    # The plan versions list holds no such import.
    assert not any(
        f"stats_{tag}" in str(df.value.to_dict()) for df in at.dataframe if "Version" in df.value.columns
    )
    # The page offers the choice of what an uploaded file holds.
    assert [r.options for r in at.radio if r.label == "What the file holds"] == [
        ["A media plan", "Past results (a statistics export)"]
    ]
