import pytest

from ingestion.common import ConfigError
from ingestion.yandex_direct import Settings as DirectSettings
from ingestion.yandex_metrika import Settings as MetrikaSettings


def test_settings_come_from_prefixed_env_vars_with_list_fields_parsed():
    s = DirectSettings.from_env(
        {
            "MRM_DIRECT_TOKEN": "x",
            "MRM_DIRECT_GOALS": "20001, 20002",
            "MRM_DIRECT_ATTRIBUTION_MODELS": '["LSC"]',
            "MRM_DIRECT_INCLUDE_VAT": "false",
        }
    )
    assert (s.goals, s.attribution_models, s.include_vat, s.lookback_days) == (
        ["20001", "20002"],
        ["LSC"],
        False,
        7,
    )
    assert MetrikaSettings.from_env({"MRM_METRIKA_TOKEN": "y"}).lookback_days == 3


def test_missing_credentials_name_the_variable_to_set():
    with pytest.raises(ConfigError, match="MRM_DIRECT_TOKEN"):
        DirectSettings.from_env({})


def test_unknown_fields_are_rejected():
    with pytest.raises(Exception, match="extra"):
        DirectSettings(token="x", tokne="typo")
