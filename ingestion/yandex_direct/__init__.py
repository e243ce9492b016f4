"""Yandex Direct connector: Reports (ad × day, reach & frequency) and Campaigns.get."""

from ingestion.yandex_direct.load import load
from ingestion.yandex_direct.settings import Settings

__all__ = ["Settings", "load"]
