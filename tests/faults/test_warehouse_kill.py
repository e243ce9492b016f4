"""Scenario 2: SIGKILL of the embedded warehouse server during a large insert and during a dbt build.

The server is restarted with `embedded.start` on the same data directory and port; the interrupted work is rerun.
The warehouse must come back without help, hold no duplicates or orphans after the rerun, and equal a clean run.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from tests.faults.faultkit import SIZE, assert_same_as_clean, fingerprint, marts_fingerprint

BULK_TABLE = "raw_yandex_metrika.traffic_daily"
BULK_TENANT, BULK_ACCOUNT = "fault-bulk", "90000001"
BULK_DAYS = [dt.date(2025, 12, 1) + dt.timedelta(days=i) for i in range(SIZE.bulk_days)]


def bulk_rows(n: int, seed: int = 11) -> pa.Table:
    """A deterministic large window in the traffic table's column order (numpy, no Python loop per row)."""
    from ingestion.common.money import micros_array_to_money

    rng = np.random.default_rng(seed)
    idx = np.arange(n)
    days = np.array(BULK_DAYS, dtype="datetime64[D]")[idx % len(BULK_DAYS)]
    campaign = (idx // len(BULK_DAYS)) % 5000
    visits = rng.integers(1, 500, n, dtype=np.uint64)
    return pa.table(
        {
            "tenant_id": pa.repeat(pa.scalar(BULK_TENANT), n),
            "account_id": pa.repeat(pa.scalar(BULK_ACCOUNT), n),
            "date_day": pa.array(days, pa.date32()),
            "traffic_source": pa.array(np.where(idx % 3 == 0, "ad", "organic")),
            "utm_source": pa.repeat(pa.scalar("yandex"), n),
            "utm_medium": pa.repeat(pa.scalar("cpc"), n),
            "utm_campaign": pa.array(np.char.add("ya_", (idx // len(BULK_DAYS)).astype(str))),
            "direct_campaign_id": pa.array((campaign + 1_000_000).astype(np.uint64)),
            "direct_campaign_name": pa.array(np.char.add("bulk campaign ", campaign.astype(str))),
            "visits": pa.array(visits),
            "users": pa.array(visits // 2 + 1),
            "bounces": pa.array(visits // 5),
            "pageviews": pa.array(visits * 3),
            "goal_reaches": pa.array(visits // 10),
            "revenue": micros_array_to_money(pa.array(rng.integers(0, 10**9, n, dtype=np.int64))),
            "currency": pa.repeat(pa.scalar("RUB"), n),
            "sampled": pa.array(np.zeros(n, dtype=np.uint8)),
            "sample_share": pa.array(np.ones(n)),
            "timezone": pa.repeat(pa.scalar("Europe/Moscow"), n),
            "is_provisional": pa.array(np.zeros(n, dtype=np.uint8)),
        }
    )


def logged_replace(ch: Any, data: pa.Table, load_id: str | None = None) -> int:
    from warehouse.loads import load_logged, replace_window

    with load_logged(
        ch,
        tenant_id=BULK_TENANT,
        platform="yandex_metrika",
        report="traffic_daily",
        account_id=BULK_ACCOUNT,
        date_from=BULK_DAYS[0],
        date_to=BULK_DAYS[-1],
    ) as log:
        log.rows = replace_window(
            ch,
            BULK_TABLE,
            data,
            tenant_id=BULK_TENANT,
            account_id=BULK_ACCOUNT,
            days=BULK_DAYS,
            load_id=load_id,
        )
    return log.rows


def held_batches(
    data: pa.Table,
    after_rows: int,
    reached: threading.Event,
    release: threading.Event,
    limit_s: float = 300.0,
) -> Iterator[pa.RecordBatch]:
    """`data` as record batches that stop once `after_rows` rows are out: `reached` is set, then the stream waits
    for `release`. The insert is then in flight at a known point whatever the machine's speed."""
    out = 0
    for batch in data.to_batches(max_chunksize=50_000):
        yield batch
        out += batch.num_rows
        if out >= after_rows and not reached.is_set():
            reached.set()
            if not release.wait(limit_s):
                raise RuntimeError(f"the held insert was not released within {limit_s:.0f}s")


def bulk_fingerprint(ch: Any) -> dict[str, Any]:
    return fingerprint(ch, tables=[BULK_TABLE], tenants=[BULK_TENANT])


def _insert_in_flight(ch: Any, tmp_dir: Path, load_id: str) -> bool:
    """A part of the reload is committed and the next part's body is streaming into the server's tmp dir."""
    committed = ch.query(
        f"SELECT count() FROM {BULK_TABLE} WHERE _load_id = {{l:String}}",  # noqa: S608
        parameters={"l": load_id},
    ).result_rows[0][0]
    streaming = any(p.stat().st_size > 0 for p in tmp_dir.glob("*") if p.is_file())
    return committed > 0 and streaming


def test_kill_warehouse_during_large_insert_then_restart_and_rerun(fresh, wh_env) -> None:
    data = bulk_rows(SIZE.bulk_rows)
    assert logged_replace(fresh, data) == SIZE.bulk_rows
    clean = bulk_fingerprint(fresh)
    assert clean["raw"][BULK_TABLE]["rows"] == SIZE.bulk_rows

    from warehouse.loads import PART_ROWS

    assert SIZE.bulk_rows > PART_ROWS + 200_000, "the bulk load must span more than the held parts"
    load_id = "killed-reload-0001"
    outcome: dict[str, BaseException | int] = {}
    # Hold the stream inside the second part: the first part is committed, the second one's body is on its way.
    reached, release = threading.Event(), threading.Event()
    held = held_batches(data, PART_ROWS + 100_000, reached, release)

    def reload() -> None:
        loader = wh_env.client()
        try:
            outcome["rows"] = logged_replace(loader, held, load_id=load_id)
        except BaseException as exc:  # noqa: BLE001 - the kill must surface here as an error
            outcome["error"] = exc

    watcher = wh_env.client()
    thread = threading.Thread(target=reload, daemon=True)
    thread.start()
    assert reached.wait(300), f"the reload never reached the hold point: {outcome}"
    # The producer waits, so this state only grows: polling it races nothing; the limit bounds a broken server.
    deadline = time.monotonic() + 120
    while not _insert_in_flight(watcher, wh_env.data_dir / "tmp", load_id):
        assert time.monotonic() < deadline and thread.is_alive(), f"the insert is not in flight: {outcome}"
        time.sleep(0.05)
    killed = wh_env.kill()
    release.set()  # the stream goes on into a dead server: the loader must fail, not hang
    thread.join(60)
    assert not thread.is_alive(), "the loader hung after the server died"
    assert "error" in outcome, f"the reload reported success although the server was killed: {outcome}"

    wh_env.start()
    assert wh_env.pid != killed
    ch = wh_env.client()
    assert ch.query("SELECT 1").result_rows == [(1,)]
    # Before the rerun: the old window is still the current one (the switch never happened) and the killed load is
    # visibly unfinished in the load log.
    mid = bulk_fingerprint(ch)
    assert mid["raw"][BULK_TABLE]["current_rows"] == SIZE.bulk_rows
    assert {s for s, _ in mid["load_log"].values()} == {"running"}

    assert logged_replace(ch, data) == SIZE.bulk_rows
    assert_same_as_clean(bulk_fingerprint(ch), clean)
    ch.close()
    watcher.close()


@contextmanager
def dbt_held_after_first_model(
    reached: threading.Event, release: threading.Event, limit_s: float = 300.0
) -> Iterator[None]:
    """Inside the block, dbt runs of this process stop once a model has finished: `reached` is set and dbt's
    thread that reports the model waits for `release`. dbt itself announces the point (its NodeFinished event),
    so the kill lands mid-build on a fast or a busy machine alike."""
    import dbt.cli.main

    real_runner = dbt.cli.main.dbtRunner

    def on_event(event: Any) -> None:
        if event.info.name == "NodeFinished" and not reached.is_set():
            reached.set()
            if not release.wait(limit_s):
                raise RuntimeError(f"the held dbt build was not released within {limit_s:.0f}s")

    dbt.cli.main.dbtRunner = lambda: real_runner(callbacks=[on_event])  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        dbt.cli.main.dbtRunner = real_runner  # type: ignore[misc]


def test_kill_warehouse_during_dbt_build_then_restart_and_rebuild(clean_marts, wh_env, tmp_path) -> None:
    from dbt_project.run import build

    outcome: dict[str, Any] = {}
    reached, release = threading.Event(), threading.Event()

    def run_build() -> None:
        try:
            outcome["result"] = build(target_path=tmp_path / "killed", raise_on_failure=False)
        except BaseException as exc:  # noqa: BLE001 - a dbt crash is as good as a failed result here
            outcome["error"] = exc

    with dbt_held_after_first_model(reached, release):
        thread = threading.Thread(target=run_build, daemon=True)
        thread.start()
        assert reached.wait(600), f"dbt never finished a first model: {outcome}"
        assert thread.is_alive(), "dbt finished before the kill point"
        wh_env.kill()
        release.set()
        thread.join(300)
    assert not thread.is_alive(), "dbt hung after the warehouse died"
    assert "error" in outcome or not outcome["result"].success, (
        "dbt reported success although the server died"
    )

    wh_env.start()
    ch = wh_env.client()
    rebuilt = build(target_path=tmp_path / "rebuilt")
    assert rebuilt.success
    got = marts_fingerprint(ch)
    assert got == clean_marts["marts"], {
        t: (got.get(t), clean_marts["marts"].get(t))
        for t in set(got) | set(clean_marts["marts"])
        if got.get(t) != clean_marts["marts"].get(t)
    }
    # The raw layer the build read is untouched by the kill: same rows, same load log.
    assert_same_as_clean(fingerprint(ch), clean_marts["raw"])
    wh_env.cache["clean_marts"] = clean_marts  # the warehouse holds exactly the clean marts again
    ch.close()
