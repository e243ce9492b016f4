"""Acceptance: sandbox data through the real connectors, then dbt; a campaign-month of the marts equals a hand
computation from the sandbox generator's ground truth (spend, clicks, impressions, conversions, and deduplicated
reach from the generator's user ids)."""

from __future__ import annotations

import datetime as dt
import os
import socket
from decimal import Decimal

import clickhouse_connect
import numpy as np
import pytest

from dbt_project import run as dbt_run
from warehouse import embedded

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def sandbox_marts(tmp_path_factory):
    from ingestion import demo
    from ingestion.sandbox.generator import World

    data_dir = tmp_path_factory.mktemp("dbt-sandbox-warehouse")
    info = embedded.start(data_dir, port=_free_port())
    saved = {k: os.environ.pop(k, None) for k in ("CLICKHOUSE_URL", "CLICKHOUSE_HOST")}
    os.environ["CLICKHOUSE_URL"] = info.url
    client = clickhouse_connect.get_client(dsn=info.url, send_receive_timeout=1200)
    try:
        # 60 days always contain the whole previous calendar month
        demo.load_demo(client, days=60, progress=False)
        _, today = demo.sandbox_urls()
        result = dbt_run.build(target_path=tmp_path_factory.mktemp("dbt-sandbox-target"))
        yield client, World(today=today), result
    finally:
        client.close()
        os.environ.pop("CLICKHOUSE_URL", None)
        for k, v in saved.items():
            if v is not None:
                os.environ[k] = v
        embedded.stop(data_dir)


def _previous_month(today: dt.date) -> tuple[dt.date, dt.date]:
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def test_build_on_sandbox_data_passes(sandbox_marts):
    _, _, result = sandbox_marts
    assert result.success and not result.failures


def test_direct_campaign_month_equals_ground_truth(sandbox_marts):
    ch, world, _ = sandbox_marts
    month_start, month_end = _previous_month(world.today)
    account = next(a for a in world.accounts_for("yandex_direct") if a.tenant_id != "bench")
    truth = world.truth.ads_totals(account.account_id, month_start, month_end, by="campaign")
    gross = world.truth.ads_totals(
        account.account_id, month_start, month_end, by="campaign", include_vat=True
    )
    campaign_id = max(truth, key=lambda c: truth[c]["clicks"])  # the busiest campaign of the month
    t = truth[campaign_id]
    row = ch.query(
        "SELECT impressions, clicks, spend_net, spend_gross, conversions FROM marts.fct_campaign_performance "
        "WHERE tenant_id = {t:String} AND platform = 'yandex_direct' AND account_id = {a:String} "
        "AND campaign_id = {c:String} AND period_grain = 'month' AND period_start = {m:Date}",
        parameters={"t": account.tenant_id, "a": account.account_id, "c": str(campaign_id), "m": month_start},
    ).result_rows
    assert len(row) == 1
    impressions, clicks, spend_net, spend_gross, conversions = row[0]
    assert (impressions, clicks) == (t["impressions"], t["clicks"])
    # the connector may round money to kopecks per row; allow one kopeck per ad-day of rounding
    assert abs(Decimal(spend_net) - t["cost"]) <= Decimal("0.01") * 31 * 50
    assert abs(Decimal(spend_gross) - gross[campaign_id]["cost"]) <= Decimal("0.01") * 31 * 50
    assert Decimal(conversions) == Decimal(t["conversions"])


def test_direct_campaign_month_reach_equals_distinct_visitors(sandbox_marts):
    ch, world, _ = sandbox_marts
    month_start, month_end = _previous_month(world.today)
    counter = next(a for a in world.accounts_for("yandex_metrika") if a.tenant_id != "bench")
    direct = world.linked_account(counter.account_id, "yandex_direct")
    assert direct is not None
    # hand computation: distinct clientIDs of visits that came from each Direct campaign's clicks
    per_campaign: dict[int, list[np.ndarray]] = {}
    for i in range((month_end - month_start).days + 1):
        v = world.visits(counter.account_id, month_start + dt.timedelta(days=i))
        for cid in np.unique(v["direct_click_order"]):
            if int(cid) == 0:
                continue
            per_campaign.setdefault(int(cid), []).append(v["client_id"][v["direct_click_order"] == cid])
    assert per_campaign, "the sandbox produced no Direct visits for the month"
    campaign_id, parts = max(per_campaign.items(), key=lambda kv: sum(len(p) for p in kv[1]))
    users = np.concatenate(parts)
    expected_reach = len(np.unique(users))
    counts = np.unique(users, return_counts=True)[1]
    row = ch.query(
        "SELECT reach, reach_1plus, reach_2plus, reach_3plus, contacts FROM marts.fct_campaign_reach "
        "WHERE tenant_id = {t:String} AND reach_source = 'user_level' AND window_grain = 'month' "
        "AND platform = 'yandex_direct' AND campaign_id = {c:String} AND window_start = {m:Date}",
        parameters={"t": counter.tenant_id, "c": str(campaign_id), "m": month_start},
    ).result_rows
    assert len(row) == 1
    reach, r1, r2, r3, contacts = row[0]
    assert r1 == expected_reach and contacts == len(users)
    assert (r2, r3) == (int((counts >= 2).sum()), int((counts >= 3).sum()))
    # the sketch: exact in its small-set phase, within 1 % beyond it (uniqCombined, docs/reach_models.md §7.2)
    assert abs(reach - expected_reach) <= max(0, 0.01 * expected_reach)
