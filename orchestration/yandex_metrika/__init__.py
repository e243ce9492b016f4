"""Yandex Metrika: raw assets, partitions and quality rules."""
