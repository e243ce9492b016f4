"""`TokenSession`: one connector's API session whose requests carry tokens from a token source of its own."""

from __future__ import annotations

import threading
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


class BearerToken:
    """One access token shared by threads: obtained when there is none, renewed when it is about to expire or
    after a 401, one renewal at a time.

    After a 401 the token is renewed only when the failing request carried the current one: another thread may
    already have renewed it, and renewing twice would throw away a good token (VK changes it in place).
    Subclasses say how a token is obtained (`_obtain`) and, if differently, renewed (`_renew`).
    """

    expiry_margin_s = 60.0  # renew a little before the announced expiry, so a long fetch does not cross it

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._used = threading.local()  # the token this thread last sent
        self.access_token = ""
        self.expires_at = 0.0

    def _obtain(self) -> None:
        raise NotImplementedError

    def _renew(self) -> None:
        self._obtain()

    def auth_headers(self) -> dict[str, str]:
        """Bearer header with a live token, obtaining or renewing one first if needed."""
        with self._lock:
            if not self.access_token:
                self._obtain()
            elif self.clock() >= self.expires_at - self.expiry_margin_s:
                self._renew()
            token = self.access_token
        self._used.token = token
        return {"Authorization": f"Bearer {token}"}

    def refresh(self) -> None:
        """Called after a 401: renew unless another thread already replaced the token this one used."""
        with self._lock:
            if getattr(self._used, "token", None) == self.access_token:
                self._renew()


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
