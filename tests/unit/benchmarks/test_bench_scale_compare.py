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
        "equal_to_initial_full_build": True,
        "checksum_s": 3.0,
        "equal_to_full_rebuild": True,
        "full_rebuild_s": 20.0,
    }
    skipped = {"rows": 100_000_000, "events": 100_000_000, "skipped": "predicted too long"}
    table = scale.markdown_table([measured, bigger, skipped])
    lines = table.strip().splitlines()
    assert len(lines) == 5 and "| 10 M |" in lines[3] and "12.5" in lines[3] and "skipped" in lines[4]
    assert (
        "| 4,321 | 2.0 1.5 1.0 → 3.0 2.0 1.5 | yes (= initial full build, hashed in 3.0 s; = full rebuild, 20.0 s) |"
        in lines[3]
        and "| n/a |" in lines[2]
    )
    assert "| 40.0 | 4.5 | 50.0 |" in lines[3] and lines[2].endswith("| not checked |")
    differing = {**bigger, "equal_to_full_rebuild": False, "relations_differing": ["`marts`.`x`"]}
    assert scale.markdown_table([differing]).strip().endswith("| NO: `marts`.`x` |")
    # at 100 M only the initial build is compared (no second full build): a difference is named the same way
    daily_only = {**measured, "equal_to_initial_full_build": False, "checksum_s": 9.0}
    daily_only["relations_differing_from_initial"] = ["`marts`.`y`"]
    assert scale.markdown_table([daily_only]).strip().endswith("| NO: `marts`.`y` |")
    agreed = {**measured, "equal_to_initial_full_build": True, "checksum_s": 9.0}
    assert scale.markdown_table([agreed]).strip().endswith("| yes (= initial full build, hashed in 9.0 s) |")
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
    res = compare_warehouse.run(rows=20_000, repeats=2, variants=["current", "recommended", "mart_codecs"])
    assert set(res["queries"]) == set(compare_warehouse.QUERIES)
    assert list(res["variants"]) == ["current", "recommended", "mart_codecs"]
    assert res["queries"] == res["variants"]["current"]["queries"]  # the shape benchmarks.compare reads
    for var in res["variants"].values():
        assert set(var["trivial"]) == set(compare_warehouse.TRIVIAL)
        for q in var["queries"].values():
            for engine in ("embedded_server", "chdb_in_process", "duckdb"):
                assert q[engine]["p50_ms"] > 0
            assert q["ratio_server_vs_chdb_p50"] > 0 and q["ratio_duckdb_vs_server_p50"] > 0
            assert q["ratio_server_vs_duckdb_p50"] > 0 and q["result_rows"] > 0
    assert "PROJECTION p_tenant_day " in res["variants"]["recommended"]["ddl"]
    table = compare_warehouse.markdown_table(res).splitlines()
    assert len(table) == 2 + 3 * len(compare_warehouse.QUERIES) and table[2].startswith("| current | ")


def test_answers_must_agree():
    assert compare_warehouse.same_answer([("a", 1.0)], [("a", 1.001)])
    assert not compare_warehouse.same_answer([("a", 1.0)], [("a", 1.5)])
    assert not compare_warehouse.same_answer([("a", 1.0)], [("b", 1.0)])


def test_warehouse_variants_render_ddl_and_sql():
    cw = compare_warehouse
    current = cw.VARIANTS["current"].ddl("cmp.t")
    assert "cost Decimal(18, 2)," in current and "CODEC" not in current and "PROJECTION" not in current
    assert current.endswith(f"ORDER BY ({cw.CURRENT_ORDER})")
    rec = cw.VARIANTS["recommended"]
    ddl = rec.ddl("cmp.t")
    assert "cost_kopecks Int64 CODEC(T64, LZ4)" in ddl and "date_day Date CODEC(LZ4)" in ddl
    assert "campaign_id LowCardinality(String) CODEC(LZ4)" in ddl and "sum(cost_kopecks) GROUP BY" in ddl
    assert ddl.count("PROJECTION ") == 3 and f"ORDER BY ({cw.DATE_ORDER})" in ddl
    assert "toInt64(cost * 100) AS cost_kopecks" in rec.select_from_source()
    names = [name for name, _ in cw.VARIANTS["current"].columns()]
    assert [name for name, _ in rec.columns()] == [*names[:9], "cost_kopecks", "conversions"]
    assert cw.VARIANTS["order_date_g1024"].ddl("x").endswith("SETTINGS index_granularity = 1024")
    assert "MergeTree PARTITION BY toMonday(date_day) ORDER BY (" in cw.VARIANTS["partition_week"].ddl("x")
    assert "PARTITION BY" not in current
    # The dbt mart's own design, and with codecs: T64 cannot encode Decimal(38, 6), so cost keeps LZ4.
    mart = cw.VARIANTS["mart"].ddl("x")
    assert "cost Decimal(38, 6)," in mart and "client_id String," in mart and "platform String," in mart
    assert "PARTITION BY toMonday(date_day)" in mart and "CODEC" not in mart
    codecs = cw.VARIANTS["mart_codecs"].ddl("x")
    assert "cost Decimal(38, 6) CODEC(LZ4)," in codecs and "impressions UInt64 CODEC(T64, LZ4)," in codecs
    assert "toDecimal128(cost, 6) AS cost" in cw.VARIANTS["mart"].select_from_source()
    daily = cw.QUERIES["daily_totals_tenant_month"][0]
    assert "sum(cost_kopecks) / 100 FROM cmp.t WHERE" in rec.sql(daily, "cmp.t")
    assert cw.VARIANTS["max_threads_1"].sql(daily, "cmp.t").endswith(" SETTINGS max_threads = 1")
    with pytest.raises(ValueError):
        cw.Variant("bad", "", money="rubles")
    with pytest.raises(ValueError):
        cw.Variant("bad", "", projections=("p_nope",))


def test_warehouse_variant_selection_and_ratios():
    cw = compare_warehouse
    assert [v.name for v in cw.select_variants(None)] == ["current"]
    assert [v.name for v in cw.select_variants(["all"])] == list(cw.VARIANTS)
    assert [v.name for v in cw.select_variants(["recommended", "current", "recommended"])] == [
        "recommended",
        "current",
    ]
    with pytest.raises(ValueError):
        cw.select_variants(["nope"])
    r = cw.query_ratios(
        {"embedded_server": {"p50_ms": 6.0}, "chdb_in_process": {"p50_ms": 4.0}, "duckdb": {"p50_ms": 3.0}}
    )
    assert r == {
        "ratio_server_vs_chdb_p50": 1.5,
        "ratio_duckdb_vs_server_p50": 0.5,
        "ratio_server_vs_duckdb_p50": 2.0,
        "ratio_chdb_vs_duckdb_p50": 1.33,
    }


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
