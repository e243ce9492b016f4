"""Every connector package has the same shape, and each `schema.py` matches the warehouse table its migration
creates (same columns in the same order, compatible types), so a schema change cannot land on one side only."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pyarrow as pa
import pytest

from ingestion.platforms import BY_PLATFORM, PLATFORM_NAMES

SHAPE = ("settings.py", "client.py", "fetch.py", "parse.py", "schema.py", "load.py", "README.md")
LOAD_METADATA = ("_load_id", "_loaded_at")
ROOT = Path(__file__).resolve().parents[3]


def clickhouse_family(arrow: pa.DataType) -> str:
    """The ClickHouse type an Arrow column must land in, normalised as system.columns prints it."""
    if pa.types.is_string(arrow):
        return "String"
    if pa.types.is_boolean(arrow):
        return "UInt8"
    if pa.types.is_integer(arrow):
        return str(arrow).replace("uint", "UInt").replace("int", "Int")
    if pa.types.is_floating(arrow):
        return {16: "Float32", 32: "Float32", 64: "Float64"}[arrow.bit_width]
    if pa.types.is_decimal(arrow):
        return f"Decimal({arrow.precision}, {arrow.scale})"
    if pa.types.is_date(arrow):
        return "Date"
    if pa.types.is_timestamp(arrow):
        return "DateTime"
    if pa.types.is_map(arrow):
        return f"Map({clickhouse_family(arrow.key_type)}, {clickhouse_family(arrow.item_type)})"
    if pa.types.is_list(arrow):
        return f"Array({clickhouse_family(arrow.value_type)})"
    raise AssertionError(f"no ClickHouse mapping for Arrow type {arrow}")


def normalise(ch_type: str) -> str:
    """Drop wrappers that do not change what a value is (Nullable, LowCardinality, codecs, time zones, Date32)."""
    t = ch_type
    while True:
        m = re.fullmatch(r"(?:Nullable|LowCardinality)\((.*)\)", t)
        if not m:
            break
        t = m.group(1)
    t = re.sub(r"DateTime(?:64)?\([^)]*\)", "DateTime", t)
    t = re.sub(r"\bDate32\b", "Date", t)
    t = re.sub(r"LowCardinality\((\w+)\)", r"\1", t)
    return re.sub(r"Nullable\(([^()]*)\)", r"\1", t)


@pytest.mark.parametrize("platform", PLATFORM_NAMES)
def test_every_connector_package_has_the_same_shape(platform: str) -> None:
    folder = ROOT / "ingestion" / platform
    missing = [name for name in SHAPE if not (folder / name).is_file()]
    assert not missing, f"ingestion/{platform} lacks {missing}"


@pytest.mark.parametrize("platform", PLATFORM_NAMES)
def test_schema_py_matches_the_migrated_tables(ch, platform: str) -> None:
    info = BY_PLATFORM[platform]
    tables: dict[str, pa.Schema] = importlib.import_module(f"{info.module}.schema").TABLES
    migrated = {
        r[0]
        for r in ch.query(
            "SELECT name FROM system.tables WHERE database = {d:String}", parameters={"d": info.raw_database}
        ).result_rows
    }
    assert {t.split(".", 1)[1] for t in tables} == migrated, f"{platform}: schema.py tables vs the migration"
    for fq, arrow in tables.items():
        database, table = fq.split(".", 1)
        assert database == info.raw_database
        rows = ch.query(
            "SELECT name, type FROM system.columns WHERE database = {d:String} AND table = {t:String} "
            "ORDER BY position",
            parameters={"d": database, "t": table},
        ).result_rows
        columns = [(n, normalise(t)) for n, t in rows if n not in LOAD_METADATA]
        expected = [(f.name, clickhouse_family(f.type)) for f in arrow]
        assert columns == expected, f"{fq}: schema.py {expected} != warehouse {columns}"


def test_the_type_check_can_fail() -> None:
    assert normalise("LowCardinality(Nullable(String))") == "String"
    assert normalise("DateTime64(3, 'UTC')") == "DateTime"
    assert clickhouse_family(pa.decimal128(18, 6)) == "Decimal(18, 6)"
    assert clickhouse_family(pa.uint32()) != normalise("UInt64")
