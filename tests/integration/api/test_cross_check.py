"""One query, four readers: the metric layer (API/MCP), the app's data layer, the client report's snapshot and
the analyst agent's tool give the same spend, clicks and ratios for the same client and period."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.integration.dashboards.conftest import END, dash  # noqa: F401 - `dash` is a fixture

FROM = END - dt.timedelta(days=13)


def test_app_report_api_and_analyst_agree(ch, dash):  # noqa: F811
    from assistants.reports.snapshot import Period, build_snapshot
    from dashboards import data
    from dashboards.auth import Principal
    from metrics import service
    from metrics.query import MetricQuery

    p = Principal("dash_t1", "it-pm@t1", "pm")
    layer = service.run(
        ch,
        p,
        MetricQuery.build(
            client_id="acme",
            date_from=FROM,
            date_to=END,
            metrics=["spend", "clicks", "impressions", "ctr", "cpc", "cpa"],
        ),
    )
    lr = layer["rows"][0]
    app = data.kpis(p, "acme", data.period(FROM, END))["current"]
    snap = build_snapshot(
        ch,
        "dash_t1",
        "acme",
        Period("custom", FROM, END),
        include_vat=False,
        include_commission=False,
        marts_db=dash["db"],
    )["totals"]
    assert app["spend_net"] == pytest.approx(lr["spend"]) and snap["spend"] == pytest.approx(
        lr["spend"], abs=0.01
    )
    assert app["clicks"] == snap["clicks"] == lr["clicks"]
    assert app["impressions"] == snap["impressions"] == lr["impressions"]
    for k in ("ctr", "cpc", "cpa"):
        assert app[k] == pytest.approx(lr[k]), k
        assert snap[k] == pytest.approx(lr[k], rel=1e-4, abs=0.006), (
            k
        )  # the report rounds (CTR 6, money 2 places)
