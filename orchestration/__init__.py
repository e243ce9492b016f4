"""Dagster definitions for the MRM AI Platform: the only package that imports dagster.

`orchestration.definitions:defs` is the code location; `build_definitions()` builds it for the sandbox or for
production credentials. Everything here is a thin wrapper over warehouse/, ingestion/, dbt_project/, planning/
and assistants/.
"""
