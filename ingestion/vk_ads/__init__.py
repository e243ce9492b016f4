"""VK Ads connector: OAuth2, resource listings and day statistics into raw_vk_ads.*."""

from ingestion.vk_ads.load import load
from ingestion.vk_ads.settings import Settings

__all__ = ["Settings", "load"]
