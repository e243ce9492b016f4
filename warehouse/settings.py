"""Warehouse settings: embedded chDB server by default, a real ClickHouse when configured."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse, urlsplit

DEFAULT_PORT = 8123


def data_dir() -> Path:
    """The platform's data directory (MRM_DATA_DIR, default ./.mrm)."""
    return Path(os.environ.get("MRM_DATA_DIR", ".mrm")).resolve()


def redact(url: str) -> str:
    """A warehouse URL without its user:password, for logs and status lines."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


@dataclass(frozen=True)
class WarehouseSettings:
    """Where the warehouse is. `embedded` is true when no ClickHouse is configured."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    username: str = "default"
    password: str = field(default="", repr=False)
    secure: bool = False
    database: str = "default"
    embedded: bool = True
    data_dir: Path = field(default_factory=data_dir)

    @property
    def url(self) -> str:
        scheme = "https" if self.secure else "http"
        return f"{scheme}://{self.host}:{self.port}"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> WarehouseSettings:
        """Read CLICKHOUSE_URL or CLICKHOUSE_HOST/PORT/USER/PASSWORD/SECURE/DATABASE; none of them means embedded."""
        env = dict(os.environ if env is None else env)
        ddir = Path(env.get("MRM_DATA_DIR", ".mrm")).resolve()
        url = env.get("CLICKHOUSE_URL", "").strip()
        if url:
            parsed = urlparse(url)
            if parsed.scheme not in ("http", "https") or not parsed.hostname:
                raise ValueError(f"CLICKHOUSE_URL must look like http(s)://host:port, got {url!r}")
            secure = parsed.scheme == "https"
            db = parsed.path.strip("/") or env.get("CLICKHOUSE_DATABASE", "default")
            return cls(
                host=parsed.hostname,
                port=parsed.port or (8443 if secure else DEFAULT_PORT),
                username=unquote(parsed.username or env.get("CLICKHOUSE_USER", "default")),
                password=unquote(parsed.password or env.get("CLICKHOUSE_PASSWORD", "")),
                secure=secure,
                database=db,
                embedded=False,
                data_dir=ddir,
            )
        host = env.get("CLICKHOUSE_HOST", "").strip()
        if host:
            secure = env.get("CLICKHOUSE_SECURE", "false").lower() in ("1", "true", "yes")
            return cls(
                host=host,
                port=int(env.get("CLICKHOUSE_PORT") or (8443 if secure else DEFAULT_PORT)),
                username=env.get("CLICKHOUSE_USER", "default"),
                password=env.get("CLICKHOUSE_PASSWORD", ""),
                secure=secure,
                database=env.get("CLICKHOUSE_DATABASE", "default"),
                embedded=False,
                data_dir=ddir,
            )
        return cls(port=int(env.get("MRM_WAREHOUSE_PORT") or DEFAULT_PORT), embedded=True, data_dir=ddir)
