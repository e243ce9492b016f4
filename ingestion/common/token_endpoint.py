"""One OAuth token-endpoint request (form POST) with the retry rules every platform shares.

An answer lost on the way — timeout, reset, 420/429/5xx, a truncated or garbled body, a 200 without the expected
field — is asked again under the policy, honouring `Retry-After`; a refusal (4xx with an OAuth error) is final and
raised as AuthError carrying the endpoint's `error` code and description. A 200 body is never quoted in an error
(it may hold a live token), and neither is anything sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import httpx

from ingestion.common.errors import ApiError, AuthError, RetryExhausted
from ingestion.common.http import RetryPolicy, parse_retry_after, request_id_of, unreadable_json

_E = TypeVar("_E", bound=ApiError)


def oauth_error(payload: Mapping[str, Any] | None) -> tuple[str, str]:
    """(code, description) of an OAuth error body in any of the shapes the platforms use:
    `{"error", "error_description"}` (RFC 6749, Yandex), `{"code", "message"}` and `{"error": {"code", "message"}}`
    (VK Ads)."""
    if not payload:
        return "", ""
    error = payload.get("error")
    if isinstance(error, Mapping):
        return str(error.get("code") or ""), str(error.get("message") or "")[:300]
    if error:
        return str(error), str(payload.get("error_description") or "")[:300]
    return str(payload.get("code") or ""), str(
        payload.get("message") or payload.get("error_description") or ""
    )[:300]


def json_object(resp: httpx.Response) -> dict[str, Any] | None:
    try:
        payload = resp.json()
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def post_token_form(
    http: httpx.Client,
    url: str,
    form: Mapping[str, str],
    *,
    platform: str,
    what: str,
    policy: RetryPolicy,
    expect: str | None = "access_token",
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """POST `form` to `url` until a 2xx JSON object with the `expect` field comes back ('' = any JSON object,
    None = any 2xx, also an empty one).

    `what` names the request in errors ("token refresh", "code exchange"). Raises AuthError for a refusal (its
    `code` is the endpoint's OAuth error, e.g. `invalid_grant`) and RetryExhausted naming the request when the
    attempts or the wait budget run out.
    """
    waited = 0.0
    attempt = 0
    problem, code = "", ""
    status: int | None = None
    rid: str | None = None
    for attempt in range(1, policy.max_attempts + 1):
        status, rid = None, None
        hint: float | None = None
        try:
            resp = http.post(url, data=dict(form))
        except httpx.HTTPError as exc:  # timeouts, resets, protocol errors: transient by nature
            problem, code = f"{type(exc).__name__}: {exc}", type(exc).__name__
        else:
            status, rid = resp.status_code, request_id_of(resp)
            payload = json_object(resp)
            if expect is None:
                ok_body = payload is not None or not resp.content.strip()  # e.g. 204 to a deletion
            else:
                ok_body = payload is not None and (not expect or isinstance(payload.get(expect), str))
            if 200 <= status < 300 and ok_body:
                return payload or {}
            if status in (420, 429) or status >= 500:
                problem, code = f"HTTP {status}: {_error_text(resp, payload)}", str(status)
                hint = parse_retry_after(resp.headers.get("Retry-After"))
            elif 200 <= status < 300 or unreadable_json(resp):
                # Truncated or garbled in transit. Never quote a 2xx body: it may carry a live token.
                problem, code = (
                    f"HTTP {status}: truncated or garbled answer ({len(resp.content)} bytes)",
                    "unreadable_answer",
                )
            else:
                error, text = oauth_error(payload)
                text = text or _error_text(resp, payload)
                rejected = f"{what} rejected (HTTP {status}{' ' + error if error else ''}): {text}"
                raise _failure(AuthError, rejected, platform, rid, status, error, text)
        if attempt == policy.max_attempts:
            break
        delay = policy.wait_for(attempt, hint)
        if waited + delay > policy.max_total_wait:
            break
        sleep(delay)
        waited += delay
    gave_up = f"gave up after {attempt} attempts: POST {url} ({what}) failed: {problem}"
    raise _failure(RetryExhausted, gave_up, platform, rid, status, code, problem)


def _failure(
    kind: type[_E],
    message: str,
    platform: str,
    request_id: str | None,
    status: int | None,
    code: str,
    text: str,
) -> _E:
    return kind(message, platform=platform, request_id=request_id, status=status, code=code, error_text=text)


def _error_text(resp: httpx.Response, payload: dict[str, Any] | None) -> str:
    if 200 <= resp.status_code < 300:
        return "answer without access_token"
    if payload:
        code, text = oauth_error(payload)
        return text or code
    return resp.text[:300]
