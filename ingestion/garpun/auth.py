"""Garpun service-account auth: an RS256 JWT assertion signed with the key file, exchanged at its token_uri."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt

from ingestion.common import ApiClient, ApiError, AuthError, ConfigError, RetryExhausted, RetryPolicy, Verdict
from ingestion.common.http import error_answer, error_fields, parse_retry_after, request_id_of
from ingestion.common.session import BearerToken

PLATFORM = "garpun"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_TTL_S = 3600
KEY_FIELDS = ("client_email", "private_key", "private_key_id", "token_uri")


@dataclass(frozen=True)
class ServiceAccountKey:
    client_email: str
    private_key: str
    private_key_id: str
    token_uri: str

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "key") -> ServiceAccountKey:
        missing = [f for f in KEY_FIELDS if not isinstance(data.get(f), str) or not data.get(f)]
        if missing:
            raise ConfigError(f"service-account {source} lacks {', '.join(missing)}", platform=PLATFORM)
        return cls(**{f: str(data[f]) for f in KEY_FIELDS})

    @classmethod
    def load(cls, *, path: str = "", json_text: str = "") -> ServiceAccountKey:
        """From the JSON text if given, else from the file; a missing or malformed key is a ConfigError."""
        if json_text:
            source, text = "key JSON", json_text
        elif path:
            source = f"key file {path}"
            try:
                text = Path(path).read_text("utf-8")
            except OSError as exc:
                raise ConfigError(f"cannot read {source}: {exc}", platform=PLATFORM) from exc
        else:
            raise ConfigError(
                "no service-account key: set MRM_GARPUN_SERVICE_ACCOUNT_KEY_PATH or "
                "MRM_GARPUN_SERVICE_ACCOUNT_KEY_JSON",
                platform=PLATFORM,
            )
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"{source} is not JSON: {exc}", platform=PLATFORM) from exc
        if not isinstance(data, Mapping):
            raise ConfigError(f"{source} is not a JSON object", platform=PLATFORM)
        return cls.from_mapping(data, source)


def make_assertion(key: ServiceAccountKey, scope: str, now: float | None = None) -> str:
    """The signed JWT the token endpoint verifies with the service account's public key."""
    issued = int(now if now is not None else time.time())
    claims = {
        "iss": key.client_email,
        "sub": key.client_email,
        "aud": key.token_uri,
        "scope": scope,
        "iat": issued,
        "exp": issued + ASSERTION_TTL_S,
        "jti": uuid.uuid4().hex,
    }
    try:
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.private_key_id})
    except (ValueError, TypeError, jwt.PyJWTError) as exc:
        # The library's reason names the key's form ("not PEM", "could not parse"), never its content.
        raise ConfigError(
            f"cannot sign with the service-account private_key: {exc}", platform=PLATFORM
        ) from exc


def error_of(response: httpx.Response) -> tuple[str, str]:
    """(code, message) from OAuth (``error``/``error_description``) or API (``{"error": {"code","message"}}``)."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    return error_fields(body, response.status_code) or (str(response.status_code), response.text[:500])


UNREADABLE_TOKEN = "unreadable_token_answer"


def token_fields(response: httpx.Response) -> tuple[str, float] | None:
    """(access_token, expires_in seconds) of a token answer; None when the body is unreadable or lacks them."""
    try:
        body = response.json()
        token = body["access_token"]
        expires_in = float(body.get("expires_in") or 3600)
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        return None
    return (token, expires_in) if isinstance(token, str) and token else None


def classify_answer(response: httpx.Response) -> Verdict:
    """Any Garpun answer: 2xx ok, 420/429/5xx retry (Retry-After honoured), other answers fatal with the error."""
    err = error_answer(response, error_of)
    if err is None:
        return Verdict("ok", request_id=request_id_of(response))
    if err.status in (420, 429) or err.status >= 500:
        return err.verdict("retry", parse_retry_after(response.headers.get("Retry-After")))
    return err.verdict("fatal")


def classify_token_response(response: httpx.Response) -> Verdict:
    """The token endpoint's answer: as `classify_answer`, and a 2xx without a readable access_token (truncated or
    garbled on the way) is retried like VK's. Asking again is harmless: each answer is a fresh, short-lived token."""
    verdict = classify_answer(response)
    if verdict.action != "ok" or token_fields(response) is not None:
        return verdict
    # Lost in transit, not refused. The body is never quoted: it may hold a live token.
    return Verdict(
        "retry",
        None,
        f"{UNREADABLE_TOKEN}: truncated or garbled token answer ({len(response.content)} bytes)",
        UNREADABLE_TOKEN,
        verdict.request_id,
    )


class ServiceAccountTokens(BearerToken):
    """Access tokens for one service account; refreshed before expiry or after a 401, one refresh at a time."""

    def __init__(
        self,
        key: ServiceAccountKey,
        *,
        scope: str,
        policy: RetryPolicy | None = None,
        timeout_s: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(clock)
        self.key = key
        self.scope = scope
        parts = urlsplit(key.token_uri)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(
                f"service-account token_uri is not an http(s) URL: {key.token_uri!r}", platform=PLATFORM
            )
        self.http = ApiClient(
            PLATFORM,
            f"{parts.scheme}://{parts.netloc}",
            classify=classify_token_response,
            policy=policy or RetryPolicy(),
            timeout=timeout_s,
            sleep=sleep,
            transport=transport,
        )
        self.issued = 0

    def _obtain(self) -> None:
        """Exchange a fresh signed assertion for an access token (renewal is the same exchange)."""
        form = {"grant_type": JWT_BEARER, "assertion": make_assertion(self.key, self.scope, self.clock())}
        try:
            response = self.http.request("POST", self.key.token_uri, data=form)
        except RetryExhausted:
            raise
        except ApiError as exc:
            raise AuthError.citing(
                f"Garpun token endpoint refused service account {self.key.client_email!r}: {exc.error_text}",
                exc,
                platform=PLATFORM,
            ) from exc
        fields = token_fields(response)
        if fields is None:  # only with an ApiClient whose classifier is not classify_token_response
            raise AuthError(
                f"token endpoint answered without a usable access_token ({len(response.content)} bytes)",
                platform=PLATFORM,
                status=response.status_code,
                code=UNREADABLE_TOKEN,
            )
        self.access_token, expires_in = fields
        self.expires_at = self.clock() + expires_in
        self.issued += 1

    def close(self) -> None:
        self.http.close()
