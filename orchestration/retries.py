"""Retry only what a retry can fix: rate limits, 5xx that outlived the client's own retries, dropped connections."""

from __future__ import annotations

from collections.abc import Iterator

import dagster as dg

# Step-level retries sit on top of the HTTP client's own backoff (ingestion.common.RetryPolicy), so they are few
# and slow: a quota window or a platform outage needs minutes, not seconds. Loads are idempotent window replaces,
# so re-running a step never duplicates rows.
TRANSIENT_RETRY = dg.RetryPolicy(
    max_retries=3, delay=60, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        yield cur
        cur = cur.__cause__ or cur.__context__


def is_transient(exc: BaseException) -> bool:
    """True when the same step may succeed later unchanged; configuration, auth and bad data are never transient."""
    import httpx
    from clickhouse_connect.driver.exceptions import OperationalError

    from ingestion.common.errors import ApiError, IngestionError, PayloadError, RetryExhausted

    for e in _chain(exc):
        if isinstance(e, RetryExhausted):  # a 429/5xx/timeout that outlived the client's backoff
            return True
        if isinstance(e, PayloadError):
            return bool(e.retryable)
        if isinstance(e, ApiError | IngestionError):  # ConfigError, AuthError, fatal API answers
            return False
        if isinstance(e, httpx.TransportError | OperationalError | ConnectionError | TimeoutError):
            return True
    return False


def fail_unless_transient(exc: BaseException, what: str) -> dg.Failure:
    """A Failure that RetryPolicy may retry only when `exc` is transient; its message names the cause."""
    transient = is_transient(exc)
    return dg.Failure(
        description=f"{what}: {type(exc).__name__}: {exc}",
        metadata={"transient": transient, "error_type": type(exc).__name__},
        allow_retries=transient,
    )
