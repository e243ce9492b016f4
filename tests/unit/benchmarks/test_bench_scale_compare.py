"""The scale generator's output shape at a tiny size, the growth table/plot, and the comparison harnesses end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import common, compare_reach, compare_warehouse, scale


@pytest.fixture(scope="module")
def private_ch(tmp_path_factory):
    """A private embedded warehouse: the generator writes 200 tenants, which must not leak into shared fixtures."""
    import clickhouse_connect

    from warehouse import embedded

    data = tmp_path_factory.mktemp("scale-wh")
    info = embedded.start(data, port=0)
    try:
        yield clickhouse_connect.get_client(dsn=info.url, compress=False)
    finally:
        embedded.stop(data)


def test_generator_shape_and_tenants(private_ch):
    ch = private_ch
    scale.generate(ch, rows=36_000, events=4_000, progress=False)
    q = lambda sql: ch.query(sql).result_rows[0]  # noqa: E731
    assert q(
        "SELECT count(), uniqExact(tenant_id), uniqExact(date_day) FROM raw_yandex_direct.ad_stats_daily"
    ) == (36_000, scale.TENANTS, scale.DAYS)
    assert q("SELECT count() FROM app.tenants")[0] == scale.TENANTS
    assert q("SELECT count(), uniqExact(tenant_id) FROM raw_yandex_metrika.visits") == (4_000, scale.TENANTS)
    # every ad row's account is a Direct account of the row's own tenant, and its window is registered
    assert (
        q(
            "SELECT countIf(a.account_id = '') FROM raw_yandex_direct.ad_stats_daily AS s LEFT JOIN "
            "(SELECT tenant_id, account_id FROM app.accounts WHERE platform = 'yandex_direct') AS a "
            "ON s.tenant_id = a.tenant_id AND s.account_id = a.account_id"
        )[0]
        == 0
    )
    assert (
        q(
            "SELECT count() FROM (SELECT DISTINCT tenant_id, account_id, date_day FROM "
            "raw_yandex_direct.ad_stats_daily) AS s LEFT ANTI JOIN (SELECT tenant_id, account_id, date_day FROM "
            "app.raw_window_versions WHERE table_name = 'raw_yandex_direct.ad_stats_daily') AS v "
            "USING (tenant_id, account_id, date_day)"
        )[0]
        == 0
    )
    # each tenant has its own campaigns, and visits point at them
    assert (
        q("SELECT uniqExact(tenant_id, campaign_id) FROM raw_yandex_direct.campaigns")[0]
        == scale.TENANTS * scale.CAMPAIGNS_PER_TENANT
    )
    assert (
        q(
            "SELECT countIf(c.campaign_id = 0) FROM raw_yandex_metrika.visits AS v LEFT JOIN "
            "raw_yandex_direct.campaigns AS c ON v.tenant_id = c.tenant_id AND v.direct_click_order = c.campaign_id"
        )[0]
        == 0
    )


def test_chunked_generation_writes_the_same_rows_as_one_insert(private_ch):
    ch = private_ch
    digest = (
        "SELECT count(), sum(cityHash64(tenant_id, account_id, date_day, campaign_id, ad_id, impressions, clicks)) "
        "FROM raw_yandex_direct.ad_stats_daily"
    )
    visits = "SELECT count(), sum(cityHash64(tenant_id, account_id, date_day, visit_id, client_id)) FROM raw_yandex_metrika.visits"
    results = []
    for chunk_rows in (1_000_000, 7_000):  # one statement, then 6 chunks with a short last one
        for table in (
            "raw_yandex_direct.ad_stats_daily",
            "raw_yandex_metrika.visits",
            "app.raw_window_versions",
            "app.tenants",
            "app.clients",
            "app.accounts",
            "raw_yandex_direct.campaigns",
        ):
            ch.command(f"TRUNCATE TABLE {table}")
        steps = scale.generate(ch, rows=40_000, events=9_000, progress=False, chunk_rows=chunk_rows)
        assert set(steps) == {"dimensions", "ad_stats", "events"}
        results.append((ch.query(digest).result_rows[0], ch.query(visits).result_rows[0]))
    assert results[0] == results[1]
    assert results[0][0][0] == 40_000 and results[0][1][0] == 9_000
    assert scale._chunks(10, 4) == ["0, 4", "4, 4", "8, 2"]


def test_table_and_plot(tmp_path: Path):
    measured = {
        "rows": 1_000_000,
        "events": 1_000_000,
        "generate_s": 1.0,
        "initial_build_s": 10.0,
        "incremental_project_s": 9.0,
        "incremental_fact_s": 2.0,
        "query_p95_ms": 40.0,
        "disk_mb_tables": 50.0,
        "disk_mb_data_dir": 60.0,
    }
    bigger = {
        **measured,
        "rows": 10_000_000,
        "events": 10_000_000,
        "incremental_project_s": 12.5,
        "peak_rss_mb": 4321.0,
        "load_average_start": "2.0 1.5 1.0",
        "load_average_end": "3.0 2.0 1.5",
        "queries": {"reach_flight": {"p50_ms": 3.0, "p95_ms": 4.5}},
        "equal_to_full_rebuild": True,
        "full_rebuild_s": 20.0,
    }
    skipped = {"rows": 100_000_000, "events": 100_000_000, "skipped": "predicted too long"}
    table = scale.markdown_table([measured, bigger, skipped])
    lines = table.strip().splitlines()
    assert len(lines) == 5 and "| 10 M |" in lines[3] and "12.5" in lines[3] and "skipped" in lines[4]
    assert (
        "| 4,321 | 2.0 1.5 1.0 → 3.0 2.0 1.5 | yes (full rebuild 20.0 s) |" in lines[3]
        and "| n/a |" in lines[2]
    )
    assert "| 40.0 | 4.5 | 50.0 |" in lines[3] and lines[2].endswith("| not checked |")
    differing = {**bigger, "equal_to_full_rebuild": False, "relations_differing": ["`marts`.`x`"]}
    assert scale.markdown_table([differing]).strip().endswith("| NO: `marts`.`x` |")
    png = scale.draw_plot([measured, bigger, skipped], tmp_path / "scale.png")
    from PIL import Image

    with Image.open(png) as img:
        assert img.format == "PNG" and img.size[0] > img.size[1] > 200
        assert len(set(img.getdata())) > 10  # lines and text were drawn, not a blank canvas
    with pytest.raises(ValueError):
        scale.draw_plot([skipped], tmp_path / "none.png")


def test_percentile_and_ratio():
    assert common.percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert common.percentile(list(map(float, range(1, 101))), 95) == 95.0
    assert common.ratio(10, 4) == 2.5 and common.ratio(1, 0) is None


def test_warehouse_comparison_end_to_end():
    res = compare_warehouse.run(rows=20_000, repeats=2)
    assert set(res["queries"]) == set(compare_warehouse.QUERIES)
    for q in res["queries"].values():
        for engine in ("embedded_server", "chdb_in_process", "duckdb"):
            assert q[engine]["p50_ms"] > 0
        assert q["ratio_server_vs_chdb_p50"] > 0 and q["ratio_duckdb_vs_server_p50"] > 0
        assert q["result_rows"] > 0


def test_answers_must_agree():
    assert compare_warehouse.same_answer([("a", 1.0)], [("a", 1.001)])
    assert not compare_warehouse.same_answer([("a", 1.0)], [("a", 1.5)])
    assert not compare_warehouse.same_answer([("a", 1.0)], [("b", 1.0)])


def test_reach_comparison_end_to_end():
    res = compare_reach.run(impressions=200_000, repeats=1)
    for q in res["questions"].values():
        assert q["states"]["p50_ms"] > 0 and q["uniq_exact"]["p50_ms"] > 0
        assert q["speedup_states_vs_exact_p50"] > 0
        assert (
            0 <= q["rel_error_mean_pct"] <= q["rel_error_max_pct"] < 5
        )  # uniqCombined's error is ~1 % or less
    with pytest.raises(RuntimeError):
        compare_reach.relative_errors([(1, 10)], [(2, 10)])


def test_dlt_side_tsv_reader():
    from benchmarks.compare_ingestion import _tsv_rows

    lines = [
        b'"report title"',
        b"Date\tCampaignId\tCampaignName\tCost\tConversions",
        b"2026-01-01\t7\tBrand\t1500000\t--",
        b"2026-01-02\t8\tSale\t0\t2.5",
        b"Total rows: 2",
    ]
    pages = list(_tsv_rows(iter(lines), page=1))
    assert pages == [
        [
            {
                "Date": "2026-01-01",
                "CampaignId": 7,
                "CampaignName": "Brand",
                "Cost": 1500000,
                "Conversions": None,
            }
        ],
        [{"Date": "2026-01-02", "CampaignId": 8, "CampaignName": "Sale", "Cost": 0, "Conversions": 2.5}],
    ]
