"""Bank of Russia daily exchange rates (XML_daily.asp) → raw_cbr.fx_daily, and the conversion rule to roubles."""

from ingestion.cbr.load import load
from ingestion.cbr.settings import Settings

__all__ = ["Settings", "load"]
