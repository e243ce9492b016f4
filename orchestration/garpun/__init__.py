"""Garpun DataHub: raw assets, partitions and quality rules."""
