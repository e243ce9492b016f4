"""The metric layer: one catalogue of metrics and dimensions, compiled to parameterised ClickHouse SQL."""
