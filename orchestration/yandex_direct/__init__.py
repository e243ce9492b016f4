"""Yandex Direct: raw assets, partitions and quality rules."""
