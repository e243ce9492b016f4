"""Garpun DataHub: NDJSON typed by X-Meta-Column-Types (every type, both date encodings), mapping, query
rendering, settings, and the service-account JWT assertion — on recorded payloads, no network."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ingestion.common import ConfigError, PayloadError
from ingestion.garpun import parse as ndjson
from ingestion.garpun.auth import ServiceAccountKey, make_assertion
from ingestion.garpun.client import render_query
from ingestion.garpun.fetch import campaign_rows, stats_rows
from ingestion.garpun.settings import Settings

PAYLOADS = Path(__file__).parents[2] / "fixtures" / "payloads" / "garpun"


def recorded(name: str, chunk: int = 7) -> list[dict]:
    """Replay a recorded body in small chunks (lines split across chunks, as on the wire)."""
    header = json.loads((PAYLOADS / f"{name}.headers.json").read_text("utf-8"))["X-Meta-Column-Types"]
    body = (PAYLOADS / f"{name}.ndjson").read_bytes()
    chunks = [body[i : i + chunk] for i in range(0, len(body), chunk)]
    types = ndjson.parse_column_types(header)
    return list(ndjson.iter_records(ndjson.iter_lines(chunks, require_final_newline=True), types))


def test_every_column_type_with_epoch_millisecond_dates() -> None:
    first, second = recorded("all_types_ms")
    assert first["date"] == date(2026, 1, 1)
    assert first["platform"] == "yandex_direct" and first["campaign_name"] == "Бренд / Поиск"
    assert first["campaign_id"] == 82105597 and first["ad_group_id"] == 8210559  # LONG and INT
    assert first["cost"] == Decimal("559.536") and first["conversions"] == Decimal(2)  # DECIMAL, no float
    assert first["ctr"] == Decimal("12.3457")  # PERCENT
    assert first["vat_included"] is True
    assert first["load_time"] == time(6, 0)  # TIME as ms since midnight
    assert first["updated_at"] == datetime(2026, 1, 2, 4, 0, tzinfo=UTC)
    assert first["extra"] == {"network": "SEARCH"}  # UNKNOWN passes through
    # second line: numbers as strings, nulls, ISO time/datetime, escaped quotes
    assert second["campaign_id"] == 3000001 and second["impressions"] == 0
    assert second["ad_group_id"] is None and second["conversions"] is None
    assert second["cost"] == Decimal("0.10") and second["vat_included"] is False
    assert second["load_time"] == time(6, 30) and second["updated_at"] == datetime(
        2026, 1, 3, 4, 0, tzinfo=UTC
    )
    assert second["campaign_name"] == 'Охват "Зима"'


def test_iso_dates_and_string_booleans() -> None:
    (row,) = recorded("all_types_iso")
    assert row["date"] == date(2026, 1, 1) and row["vat_included"] is True
    assert row["updated_at"] == datetime(2026, 1, 2, 4, 0, tzinfo=UTC)  # zone-less → UTC


def test_truncated_stream_fails_loudly() -> None:
    with pytest.raises(PayloadError, match="ends without a newline.*truncated"):
        recorded("truncated")


def test_garbled_stream_names_the_line() -> None:
    with pytest.raises(PayloadError, match="line 2 is not valid JSON"):
        recorded("garbled")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "no X-Meta-Column-Types"),
        ("{not json", "is not JSON"),
        ('{"MONEY": ["cost"]}', "unknown type 'MONEY'"),
        ('{"TEXT": ["a"], "LONG": ["a"]}', "typed twice"),
        ('{"TEXT": "a"}', "not a list of names"),
    ],
)
def test_bad_type_headers(header: str | None, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        ndjson.parse_column_types(header)


@pytest.mark.parametrize(
    ("types", "line", "message"),
    [
        ({"n": "LONG"}, b'{"n": "n/a"}', r"line 1, column 'n' \(LONG\): expected INT/LONG"),
        ({"n": "LONG"}, b'{"n": 1.5}', "expected INT/LONG"),
        ({"d": "DATE"}, b'{"d": "01.02.2026"}', "expected DATE"),
        ({"b": "BOOLEAN"}, b'{"b": "yes"}', "expected BOOLEAN"),
        ({"c": "DECIMAL"}, b'{"c": "1,5"}', "expected DECIMAL"),
        ({"t": "TIME"}, b'{"t": 90000000}', "TIME within one day"),
        (
            {"n": "LONG"},
            b'{"n": 1, "surprise": 2}',
            "column 'surprise' that X-Meta-Column-Types does not type",
        ),
        ({"n": "LONG"}, b"[1, 2]", "not a JSON object"),
    ],
)
def test_ill_typed_values_are_errors_naming_line_and_column(types: dict, line: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        list(ndjson.iter_records([line], types))


def _settings(**kw: object) -> Settings:
    return Settings(service_account_key_json="{}", **kw)  # type: ignore[arg-type]


def test_default_mapping_produces_raw_rows_with_ids_as_text_and_flags() -> None:
    records = [
        {
            "date": date(2026, 1, 1),
            "platform": "vk_ads",
            "campaign_id": 3000001,
            "campaign_name": "C",
            "ad_group_id": None,
            "ad_id": 77,
            "impressions": 10,
            "clicks": 2,
            "cost": Decimal("12.5"),
            "vat_included": False,
            "currency": None,
            "conversions": None,
        }
    ]
    (row,) = stats_rows(
        records,
        _settings(),
        tenant_id="t",
        account_id="gp",
        date_from=date(2026, 1, 1),
        date_to=date(2026, 1, 1),
        provisional=lambda d: True,
    )
    assert (row["campaign_id"], row["ad_group_id"], row["ad_id"]) == ("3000001", "", "77")
    assert row["cost"] == Decimal("12.500000") and row["cost_includes_vat"] == 0
    assert row["currency"] == "RUB" and row["conversions"] is None and row["is_provisional"] == 1


def test_custom_mapping_and_mapping_errors() -> None:
    s = _settings(
        stats_columns={
            "date_day": "day",
            "campaign_id": "cid",
            "impressions": "shows",
            "clicks": "clicks",
            "cost": "spend",
        },
        cost_includes_vat=True,
        currency="KZT",
    )
    (row,) = stats_rows(
        [{"day": date(2026, 1, 2), "cid": "x", "shows": 1, "clicks": 0, "spend": Decimal(3)}],
        s,
        tenant_id="t",
        account_id="gp",
        date_from=date(2026, 1, 1),
        date_to=date(2026, 1, 2),
        provisional=lambda d: False,
    )
    assert (row["cost_includes_vat"], row["currency"], row["source_platform"]) == (1, "KZT", "")
    with pytest.raises(PayloadError, match=r"row 1: raw column 'impressions' \(from 'shows'\) is missing"):
        list(
            stats_rows(
                [{"day": date(2026, 1, 2), "cid": "x", "clicks": 0, "spend": Decimal(3)}],
                s,
                tenant_id="t",
                account_id="gp",
                date_from=date(2026, 1, 1),
                date_to=date(2026, 1, 2),
                provisional=lambda d: False,
            )
        )
    with pytest.raises(PayloadError, match=r"raw column 'date_day' \(from 'day'\) is 2026-02-01, outside"):
        list(
            stats_rows(
                [{"day": date(2026, 2, 1), "cid": "x", "shows": 1, "clicks": 0, "spend": Decimal(3)}],
                s,
                tenant_id="t",
                account_id="gp",
                date_from=date(2026, 1, 1),
                date_to=date(2026, 1, 2),
                provisional=lambda d: False,
            )
        )
    with pytest.raises(PayloadError, match="expected a non-negative integer"):
        list(
            stats_rows(
                [{"day": date(2026, 1, 2), "cid": "x", "shows": -1, "clicks": 0, "spend": Decimal(3)}],
                s,
                tenant_id="t",
                account_id="gp",
                date_from=date(2026, 1, 1),
                date_to=date(2026, 1, 2),
                provisional=lambda d: False,
            )
        )
    with pytest.raises(PayloadError, match="repeats campaign"):
        list(
            campaign_rows(
                [{"platform": "vk_ads", "campaign_id": 1, "campaign_name": "c", "status": "ACTIVE"}] * 2,
                _settings(),
                tenant_id="t",
                account_id="gp",
            )
        )


def test_settings_validate_the_mapping_and_read_it_from_env_json() -> None:
    with pytest.raises(ValueError, match="no source column for required raw columns"):
        _settings(stats_columns={"date_day": "d"})
    with pytest.raises(ValueError, match="unknown raw columns"):
        _settings(
            stats_columns={
                "date_day": "d",
                "campaign_id": "c",
                "impressions": "i",
                "clicks": "k",
                "cost": "x",
                "spend_gross": "y",
            }
        )
    s = Settings.from_env(
        {
            "MRM_GARPUN_SERVICE_ACCOUNT_KEY_PATH": "/k.json",
            "MRM_GARPUN_STATS_COLUMNS": json.dumps(
                {"date_day": "d", "campaign_id": "c", "impressions": "i", "clicks": "k", "cost": "x"}
            ),
        }
    )
    assert s.stats_columns["cost"] == "x" and s.lookback_days == 7


def test_query_placeholders_become_quoted_literals() -> None:
    q = render_query(
        "SELECT a FROM t WHERE account_id = {account_id} AND date >= {date_from}",
        {"account_id": "x' OR '1'='1", "date_from": date(2026, 1, 1)},
    )
    assert q == "SELECT a FROM t WHERE account_id = 'x\\' OR \\'1\\'=\\'1' AND date >= '2026-01-01'"
    with pytest.raises(ConfigError, match=r"unknown placeholder \{client\}"):
        render_query("SELECT a FROM t WHERE c = {client}", {"account_id": "x"})


def test_assertion_is_rs256_signed_for_the_token_uri_and_verifiable_with_the_public_key() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    key = ServiceAccountKey.from_mapping(
        {
            "client_email": "sa@p.iam",
            "private_key": pem,
            "private_key_id": "k1",
            "token_uri": "https://auth.example/token",
        }
    )
    token = make_assertion(key, "datahub", now=1_767_225_600)
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": "k1", "typ": "JWT"}
    claims = jwt.decode(
        token,
        private.public_key(),
        algorithms=["RS256"],
        audience="https://auth.example/token",
        options={"verify_exp": False},
    )
    assert (claims["iss"], claims["sub"], claims["scope"]) == ("sa@p.iam", "sa@p.iam", "datahub")
    assert claims["exp"] - claims["iat"] == 3600
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            token,
            other.public_key(),
            algorithms=["RS256"],
            audience="https://auth.example/token",
            options={"verify_exp": False},
        )


def test_key_file_problems_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="lacks private_key, token_uri"):
        ServiceAccountKey.from_mapping({"client_email": "a", "private_key_id": "k"})
    with pytest.raises(ConfigError, match="cannot read key file"):
        ServiceAccountKey.load(path=str(tmp_path / "missing.json"))
    (tmp_path / "bad.json").write_text("{oops")
    with pytest.raises(ConfigError, match="is not JSON"):
        ServiceAccountKey.load(path=str(tmp_path / "bad.json"))
    with pytest.raises(ConfigError, match="MRM_GARPUN_SERVICE_ACCOUNT_KEY_PATH"):
        ServiceAccountKey.load()
