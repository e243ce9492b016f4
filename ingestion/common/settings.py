"""Connector settings base (pydantic). Nothing reads the environment at import time."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field

from ingestion.common.errors import ConfigError
from ingestion.common.http import RetryPolicy

# Settings against the local sandbox: short timeouts and back-off, so tests of failures and retries run fast.
SANDBOX_TIMING: dict[str, float] = {
    "timeout_s": 5.0,
    "base_delay_s": 0.05,
    "max_delay_s": 0.5,
    "max_server_delay_s": 2.0,
}


class ConnectorSettings(BaseModel):
    """Fields every connector shares. Subclasses add credentials and report options.

    `from_env()` maps every field to `MRM_<ENV_PREFIX>_<FIELD>` (upper case), e.g. `MRM_DIRECT_TOKEN`.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    platform: ClassVar[str] = ""
    env_prefix: ClassVar[str] = ""

    base_url: str
    timeout_s: float = Field(60.0, gt=0)
    lookback_days: int = Field(ge=0, le=90)
    max_attempts: int = Field(6, ge=1, le=50)
    base_delay_s: float = Field(0.5, ge=0)
    max_delay_s: float = Field(30.0, ge=0)
    max_server_delay_s: float = Field(300.0, ge=0)
    # Whole fetch+load attempts when a body arrives truncated/garbled (PayloadError).
    payload_attempts: int = Field(3, ge=1, le=10)

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(
            max_attempts=self.max_attempts,
            base_delay=self.base_delay_s,
            max_delay=self.max_delay_s,
            max_server_delay=self.max_server_delay_s,
        )

    # What `for_sandbox` sets beside SANDBOX_TIMING: this connector's tuning for tests against the sandbox.
    sandbox_tuning: ClassVar[Mapping[str, Any]] = {}

    @classmethod
    def sandbox_values(cls, base_url: str) -> dict[str, Any]:
        """What `for_sandbox` sets for the sandbox API at `base_url`: `sandbox_tuning`, and in connectors that
        need them the credentials the sandbox accepts."""
        return dict(cls.sandbox_tuning)

    @classmethod
    def for_sandbox(cls, base_url: str, **overrides: Any) -> Self:
        """Settings against the local sandbox (`server.url(<api>)`), tuned for fast tests: `SANDBOX_TIMING`,
        then `sandbox_values`, then the caller's `overrides` (each wins over the ones before)."""
        return cls(**{"base_url": base_url, **SANDBOX_TIMING, **cls.sandbox_values(base_url), **overrides})

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> ConnectorSettings:
        """Build from `MRM_<PREFIX>_<FIELD>` variables; explicit overrides win. Raises ConfigError naming the variable."""
        env = os.environ if env is None else env
        prefix = f"MRM_{cls.env_prefix or cls.platform.upper()}_"
        values: dict[str, Any] = {}
        for name in cls.model_fields:
            key = prefix + name.upper()
            if key in env and env[key] != "":
                values[name] = _env_value(env[key], cls.model_fields[name].annotation)
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except Exception as exc:  # pydantic.ValidationError: re-raise naming the env variables
            missing = [
                prefix + n.upper() for n, f in cls.model_fields.items() if f.is_required() and n not in values
            ]
            hint = f"; set {', '.join(missing)}" if missing else ""
            raise ConfigError(f"invalid {cls.__name__}: {exc}{hint}", platform=cls.platform) from exc


def _env_value(raw: str, annotation: Any) -> Any:
    """List fields accept a JSON list or a comma-separated string (`MRM_DIRECT_GOALS=20001,20002`)."""
    if getattr(annotation, "__origin__", None) is list:
        raw = raw.strip()
        return json.loads(raw) if raw.startswith("[") else [x.strip() for x in raw.split(",") if x.strip()]
    return raw
