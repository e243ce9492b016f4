"""Garpun DataHub connector: service-account JWT auth, METAQL NDJSON streams into raw_garpun.*."""

from ingestion.garpun.load import load
from ingestion.garpun.settings import Settings

__all__ = ["Settings", "load"]
