"""The ClickHouse warehouse: settings, client factory, embedded server, migrations and load helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warehouse.settings import WarehouseSettings, redact

if TYPE_CHECKING:
    from clickhouse_connect.driver.client import Client


def connect(settings: WarehouseSettings | None = None, **client_kwargs: Any) -> Client:
    """A clickhouse-connect client for the configured warehouse, starting the embedded one if needed (and then
    authenticating with the install's secret from the data directory)."""
    import clickhouse_connect

    from warehouse import embedded

    s = settings or WarehouseSettings.from_env()
    host, port, username, password = s.host, s.port, s.username, s.password
    if s.embedded:
        info = embedded.start(s.data_dir, port=None if s.port == 8123 else s.port)
        host, port = "127.0.0.1", info.port
        username, password = info.credentials.user, info.credentials.password
    kwargs: dict[str, Any] = {"connect_timeout": 10, "send_receive_timeout": 600}
    if s.embedded:
        # On loopback, compressing the body costs more CPU than the bytes it saves (measured in BENCHMARKS.md).
        kwargs["compress"] = False
    kwargs.update(client_kwargs)
    return clickhouse_connect.get_client(
        host=host,
        port=port,
        username=username,
        password=password,
        secure=s.secure,
        database=s.database,
        **kwargs,
    )


def endpoint(settings: WarehouseSettings | None = None) -> str:
    """The HTTP URL clients use for the warehouse (starting the embedded server if needed). For the embedded
    server it carries the install's secret as user:password (for CLICKHOUSE_URL of a child process or dbt): show
    people `redact(endpoint())` instead."""
    from warehouse import embedded

    s = settings or WarehouseSettings.from_env()
    if s.embedded:
        return embedded.start(s.data_dir, port=None if s.port == 8123 else s.port).url
    return s.url


# Importing the submodule first and binding the function afterwards keeps `warehouse.migrate` the function even
# after other code imports `warehouse.migrate` (the submodule) explicitly.
from warehouse.migrate import migrate as _migrate_module_fn  # noqa: E402


def migrate(client: Any) -> list[str]:
    """Apply pending migrations (see warehouse/migrate.py)."""
    return _migrate_module_fn(client)


__all__ = ["WarehouseSettings", "connect", "endpoint", "migrate", "redact"]
