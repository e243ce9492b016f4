"""Google Ads: raw assets, partitions and quality rules."""
