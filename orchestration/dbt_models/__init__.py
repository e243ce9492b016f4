"""dbt project (dbt_project/) as Dagster assets: staging → intermediate → marts, dbt tests as asset checks."""
