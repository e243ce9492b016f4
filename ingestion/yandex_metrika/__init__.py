"""Yandex Metrika connector: Reporting API traffic table and Logs API visits (clientID kept)."""

from ingestion.yandex_metrika.load import load
from ingestion.yandex_metrika.settings import Settings

__all__ = ["Settings", "load"]
