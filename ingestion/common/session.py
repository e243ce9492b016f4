"""`TokenSession`: one connector's API session whose requests carry tokens from a token source of its own."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Protocol, Self

import httpx

from ingestion.common.http import ApiClient, Classifier
from ingestion.common.settings import ConnectorSettings


class TokenSource(Protocol):
    """What signs a session's requests: a header before each attempt, a renewal after a 401, a close."""

    def auth_headers(self) -> dict[str, str]: ...

    def refresh(self) -> None: ...

    def close(self) -> None: ...


class TokenSession:
    """`api` (an `ApiClient` of the settings' platform, base URL, retry policy and timeout) signed by `tokens`.

    Closing the session (or leaving its `with` block) closes both.
    """

    def __init__(
        self,
        settings: ConnectorSettings,
        tokens: TokenSource,
        *,
        classify: Classifier,
        headers: Mapping[str, str],
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.tokens = tokens
        self.api = ApiClient(
            settings.platform,
            settings.base_url.rstrip("/"),
            classify=classify,
            auth_headers=tokens.auth_headers,
            refresh=tokens.refresh,
            policy=settings.retry_policy(),
            timeout=settings.timeout_s,
            sleep=sleep,
            transport=transport,
            headers=headers,
        )

    def close(self) -> None:
        self.api.close()
        self.tokens.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
