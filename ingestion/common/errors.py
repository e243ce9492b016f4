"""Typed ingestion errors. Every fatal error names the platform, the request id and the platform's own text."""

from __future__ import annotations

from typing import Self


class IngestionError(Exception):
    """Base class: something went wrong fetching or loading platform data."""

    retryable = False

    def __init__(self, message: str, *, platform: str = "", request_id: str | None = None) -> None:
        self.platform = platform
        self.request_id = request_id
        self.message = message
        prefix = f"[{platform}] " if platform else ""
        suffix = f" (request id {request_id})" if request_id else ""
        super().__init__(f"{prefix}{message}{suffix}")


class ConfigError(IngestionError):
    """Missing or invalid connector configuration (token, account, base URL...)."""


class ApiError(IngestionError):
    """The platform answered with an error we must not retry (or retries ran out).

    `status` is the HTTP status, `code` the platform's error code (Direct error_code, Metrika error_type,
    VK error code), `error_text` the platform's message verbatim.
    """

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        request_id: str | None = None,
        status: int | None = None,
        code: str | None = None,
        error_text: str = "",
    ) -> None:
        self.status = status
        self.code = code
        self.error_text = error_text
        super().__init__(message, platform=platform, request_id=request_id)

    @classmethod
    def citing(cls, message: str, cause: ApiError, *, platform: str | None = None) -> Self:
        """A `cls` error saying `message` that keeps what `cause` knew of the answer: its request id, HTTP
        status, platform code and platform text (and its platform unless one is named)."""
        return cls(
            message,
            platform=cause.platform if platform is None else platform,
            request_id=cause.request_id,
            status=cause.status,
            code=cause.code,
            error_text=cause.error_text,
        )


class AuthError(ApiError):
    """Authentication failed and a token refresh did not help (or no refresh is configured)."""


class RetryExhausted(ApiError):
    """A retryable condition (429, 5xx, timeout...) persisted through every allowed attempt.

    `retry_after` is the wait the last answer asked for (Retry-After), if any: a caller that retries on its own
    terms (one attempt at a time) honours it too.
    """

    retry_after: float | None = None


class PayloadError(IngestionError):
    """A response body is malformed, truncated or does not match its schema.

    Retryable by default: a truncated or garbled body is usually a transport problem, so the whole
    fetch+load is attempted again (see `run_load`); after the last attempt it is raised loudly.
    """

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        platform: str = "",
        request_id: str | None = None,
        row: int | None = None,
        field: str | None = None,
        retryable: bool = True,
    ) -> None:
        self.row = row
        self.field = field
        self.retryable = retryable
        where = []
        if row is not None:
            where.append(f"row {row}")
        if field:
            where.append(f"field {field!r}")
        if where:
            message = f"{message} at {', '.join(where)}"
        super().__init__(message, platform=platform, request_id=request_id)
