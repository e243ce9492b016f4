"""Google Ads connector: GAQL over googleAds:searchStream (ad × day × network stats, campaign snapshot)."""

from ingestion.google_ads.load import load
from ingestion.google_ads.settings import Settings

__all__ = ["Settings", "load"]
