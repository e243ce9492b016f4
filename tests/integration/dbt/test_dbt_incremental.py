"""The daily path rebuilds no history, and what it leaves equals a full build (content hash of every relation):
after new days arrive (a Dagster one-day run, then a run with the default look-back) and after plan versions
are approved in the app and rebuilt by the app's targeted build (dashboards/plan_refresh.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboards.plan_refresh import PLAN_MODELS
from dbt_project import run as dbt_run
from tests.integration.dbt import handbuilt
from tests.integration.dbt.test_dbt_build import _checksums, hand_built_warehouse
from warehouse.loads import replace_window

pytestmark = pytest.mark.slow

J08 = dt.date(2026, 1, 8)  # the week after the hand-built days
F02 = dt.date(2026, 2, 2)  # the month after
VISIT_TYPES = {
    "date_day": handbuilt.pa.date32(),
    "visit_id": handbuilt.pa.uint64(),
    "client_id": handbuilt.pa.uint64(),
    "visit_datetime": handbuilt.pa.timestamp("s"),
    "traffic_source": handbuilt.pa.string(),
    "utm_source": handbuilt.pa.string(),
    "utm_campaign": handbuilt.pa.string(),
    "direct_click_order": handbuilt.pa.uint64(),
}


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    with hand_built_warehouse(tmp_path_factory.mktemp("dbt-incremental-warehouse")) as client:
        yield client


@pytest.fixture(scope="module")
def target(tmp_path_factory):
    return tmp_path_factory.mktemp("dbt-incremental-target")


def _load_day(ch, day: dt.date, first_visit_id: int, visitors: list[int]) -> None:
    """One more day of Direct stats for campaign 101 and Metrika visits from its clicks (a visitor listed twice
    visits twice)."""
    replace_window(
        ch,
        "raw_yandex_direct.ad_stats_daily",
        handbuilt._table(
            [handbuilt._direct_row(day, 101, "Search RU", 11, 1, "SEARCH", 1000 + day.day, 40, 122, 2, 900)],
            handbuilt.DIRECT_STATS_TYPES,
        ),
        tenant_id="t1",
        account_id="c1-direct",
        days=[day],
    )
    rows = [
        {
            "date_day": day,
            "visit_id": first_visit_id + i,
            "client_id": user,
            "visit_datetime": dt.datetime.combine(day, dt.time(9 + i)),
            "traffic_source": "ad",
            "utm_source": "yandex",
            "utm_campaign": "ya_101",
            "direct_click_order": 101,
        }
        for i, user in enumerate(visitors)
    ]
    replace_window(
        ch,
        "raw_yandex_metrika.visits",
        handbuilt._table(rows, VISIT_TYPES),
        tenant_id="t1",
        account_id="777",
        days=[day],
    )


def _flight(ch) -> tuple:
    return ch.query(
        "SELECT window_end, reach, contacts, reach_1plus, reach_2plus, reach_3plus, reach_4plus, reach_5plus "
        "FROM marts.fct_campaign_reach WHERE tenant_id = 't1' AND window_grain = 'flight' "
        "AND campaign_id = '101'"
    ).result_rows[0]


def _counted(ch, where: str) -> tuple:
    """Reach 1+ … 5+ of tenant t1's visitor-days matching `where`, counted from the visits themselves."""
    return ch.query(
        "SELECT countIf(n >= 1), countIf(n >= 2), countIf(n >= 3), countIf(n >= 4), countIf(n >= 5) FROM ("
        f"SELECT user_id, sum(visits) AS n FROM intermediate.int_metrika_visitor_days WHERE tenant_id = 't1' "
        f"AND {where} GROUP BY user_id)"
    ).result_rows[0]


def _full_build_checksums(ch, target) -> dict[str, tuple[int, int]]:
    """Every model rebuilt from scratch (--full-refresh), then the same checksums."""
    assert dbt_run.run(full_refresh=True, target_path=target).success
    return _checksums(ch)


def test_new_days_incremental_runs_equal_the_full_build(wh, target):
    assert dbt_run.run(target_path=target).success
    before = _flight(wh)
    # Visitor 1 had 3 visits: two more on Jan 8 make 5, the one on Feb 2 is past the counted five.
    _load_day(wh, J08, 100, [1, 1, 2, 7])
    assert dbt_run.run(vars={"start_date": str(J08), "end_date": str(J08)}, target_path=target).success
    # the run continued the counts from before its window (Monday Jan 5): the flight's, and January's of the
    # campaign and of the client (all campaigns), 1+ … 5+ equal the visitors' visits counted directly
    assert _flight(wh)[3:] == _counted(wh, "campaign_id = '101'")
    for reach_row, visits in (("campaign_id = '101'", "campaign_id = '101'"), ("platform = 'all'", "1 = 1")):
        assert wh.query(
            "SELECT reach_1plus, reach_2plus, reach_3plus, reach_4plus, reach_5plus FROM marts.fct_campaign_reach "
            "WHERE tenant_id = 't1' AND client_id = 'c1' AND window_grain = 'month' AND window_start = '2026-01-01' "
            f"AND {reach_row}"
        ).result_rows[0] == _counted(
            wh, f"client_id = 'c1' AND toStartOfMonth(date_day) = '2026-01-01' AND {visits}"
        )
    _load_day(wh, F02, 200, [1, 7, 8])
    assert dbt_run.run(target_path=target).success  # the default look-back from the newest day
    after = _flight(wh)
    incremental = _checksums(wh)
    full = _full_build_checksums(wh, target)
    assert incremental == full
    # the runs did reach the new days: the flight now ends on Feb 2 with the new visitors and visits counted
    assert after[0] == F02 and before[0] == handbuilt.J01
    assert after[2] == before[2] + 7
    assert after[3:] == _counted(wh, "campaign_id = '101'")
    # the daily rows for Jan 8 exist in every incremental mart
    for table, where in (
        ("fct_campaign_performance", "period_grain = 'day' AND period_start = '2026-01-08'"),
        ("fct_channel_daily", "date_day = '2026-01-08'"),
        ("fct_campaign_reach_flight_states", "date_day = '2026-01-08'"),
    ):
        assert wh.query(f"SELECT count() FROM marts.{table} WHERE tenant_id = 't1' AND {where}").result_rows[
            0
        ][0]


def _approve(ch, version: int, lines: list[list], at: dt.datetime) -> None:
    ch.insert(
        "app.media_plans",
        [["t1", "c1", "mp1", version, f"imp{version}", f"January plan v{version}", max(1, len(lines))]],
        column_names=["tenant_id", "client_id", "plan_id", "plan_version", "import_id", "name", "line_count"],
    )
    if lines:
        ch.insert(
            "app.media_plan_lines",
            lines,
            column_names=handbuilt.PLAN_LINE_COLUMNS[:15],
        )
    ch.insert(
        "app.plan_reviews",
        [
            ["t1", "c1", "mp1", version, "submitted", "planner@t1", at],
            ["t1", "c1", "mp1", version, "approved", "pm@t1", at + dt.timedelta(minutes=5)],
        ],
        column_names=["tenant_id", "client_id", "plan_id", "plan_version", "status", "login", "at"],
    )


def _plan_rows(ch) -> list[tuple]:
    return ch.query(
        "SELECT plan_version, line_id, min(date_day), max(date_day), sum(planned_spend_net) "
        "FROM marts.fct_plan_vs_fact_daily WHERE tenant_id = 't1' AND plan_id = 'mp1' "
        "GROUP BY plan_version, line_id ORDER BY plan_version, line_id"
    ).result_rows


def test_plan_versions_approved_in_the_app_show_at_once_and_equal_the_full_build(wh, target):
    if "`marts`.`fct_plan_vs_fact_daily`" not in _checksums(wh):
        assert dbt_run.run(target_path=target).success
    assert {r[0] for r in _plan_rows(wh)} == {1}
    # v2 (its lines were loaded with the hand-built plan, uncommitted) is committed and approved: same month
    _approve(wh, 2, [], dt.datetime(2026, 1, 9, 10))
    assert dbt_run.build(select=list(PLAN_MODELS), target_path=target).success
    assert [r[:2] for r in _plan_rows(wh)] == [(2, "L1")]
    assert _checksums(wh) == _full_build_checksums(wh, target)
    # v3 moves the plan to February: January's month of rows has no line left and must be emptied
    line = [
        "t1",
        "c1",
        "mp1",
        3,
        "imp3",
        "L1",
        1,
        "Search",
        "yandex_direct",
        "",
        "101",
        F02,
        dt.date(2026, 2, 5),
    ]
    _approve(wh, 3, [[*line, handbuilt._m(400), handbuilt._m(488)]], dt.datetime(2026, 1, 10, 10))
    assert dbt_run.build(select=list(PLAN_MODELS), target_path=target).success
    assert _plan_rows(wh) == [(3, "L1", F02, dt.date(2026, 2, 5), pytest.approx(400.0))]
    assert _checksums(wh) == _full_build_checksums(wh, target)
