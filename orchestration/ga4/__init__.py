"""Google Analytics 4: raw assets, partitions and quality rules."""
