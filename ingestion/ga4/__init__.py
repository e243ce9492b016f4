"""Google Analytics 4 Data API connector: runReport traffic by date, session source, medium and campaign."""

from ingestion.ga4.load import load
from ingestion.ga4.settings import Settings

__all__ = ["Settings", "load"]
