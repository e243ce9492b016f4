"""VK Ads OAuth2: client credentials (own or agency client), refresh, a token cache, one refresh at a time.

VK changes the access token in place on refresh (the old one stops working) and allows only five live
tokens per client and user, so: tokens are reused (optionally cached on disk), a refresh happens only when
the token the failing request carried is still the current one, and never two refreshes at once.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from ingestion.common import ApiClient, ApiError, AuthError, RetryExhausted, Verdict
from ingestion.common.http import error_fields, parse_retry_after, request_id_of
from ingestion.common.session import BearerToken

PLATFORM = "vk_ads"
TOKEN_PATH = "/api/v2/oauth2/token.json"
DELETE_TOKENS_PATH = "/api/v2/oauth2/token/delete.json"


# Transport failures that happen before the request reached VK: they cannot have minted a token.
UNSENT_ERRORS = frozenset({"ConnectError", "ConnectTimeout"})
UNREADABLE_TOKEN = "unreadable_token_answer"
_WWW_AUTH_ERROR = re.compile(r'error="([^"]*)"(?:.*?error_description="([^"]*)")?')


def error_of(response: httpx.Response) -> tuple[str, str]:
    """(code, message) from any VK error body: ``{"error": {"code", "message"}}``, ``{"code", "message"}``,
    or OAuth's ``{"error": "..", "error_description": ".."}``; a 401 whose body is unreadable falls back to its
    ``WWW-Authenticate`` header (``error="expired_token"``), which truncation or garbling does not touch."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        header = _WWW_AUTH_ERROR.search(response.headers.get("WWW-Authenticate", ""))
        if header:
            return header.group(1), header.group(2) or ""
        return str(response.status_code), response.text[:500]
    fields = error_fields(body, response.status_code, description=("error_description", "message"))
    if fields is not None:
        return fields
    if isinstance(body, Mapping) and "code" in body:
        return str(body["code"]), str(body.get("message", ""))
    return str(response.status_code), response.text[:500]


def token_fields(response: httpx.Response) -> tuple[str, float, str] | None:
    """(access_token, expires_in seconds, refresh_token) of a token answer; None when the body is unreadable."""
    try:
        body = response.json()
        token = body["access_token"]
        # expires_in is a string in the client-credentials example and an int elsewhere: accept both.
        expires_in = float(body.get("expires_in") or 86400)
        refresh = body.get("refresh_token") or ""
    except (ValueError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(token, str) or not token or not isinstance(refresh, str):
        return None
    return token, expires_in, refresh


def _asked_for_token(response: httpx.Response) -> bool:
    """Whether the answer is the token endpoint's (the same client also deletes tokens: 204, empty body)."""
    try:
        return response.request.url.path.endswith(TOKEN_PATH)
    except RuntimeError:  # a response built without a request (tests): judge it as a token answer
        return True


def classify_token_response(response: httpx.Response) -> Verdict:
    """Token endpoint: readable 2xx ok; 429/5xx and truncated/garbled 2xx retry; other answers (bad secret,
    unknown grant, five-token cap 403) are fatal."""
    rid = request_id_of(response)
    if 200 <= response.status_code < 300:
        if not _asked_for_token(response) or token_fields(response) is not None:
            return Verdict("ok", request_id=rid)
        # A transport problem, not a refusal. The body is never quoted: it may hold a live token.
        return Verdict(
            "retry",
            None,
            f"{UNREADABLE_TOKEN}: truncated or garbled token answer ({len(response.content)} bytes)",
            UNREADABLE_TOKEN,
            rid,
        )
    code, message = error_of(response)
    text = f"{code}: {message}"
    if response.status_code in (420, 429) or response.status_code >= 500:
        return Verdict("retry", parse_retry_after(response.headers.get("Retry-After")), text, code, rid)
    return Verdict("fatal", None, text, code, rid)


class TokenManager(BearerToken):
    """Issues, caches and refreshes the access token for one (client_id, agency client)."""

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        agency_client_name: str = "",
        agency_token: str = "",
        cache_path: str = "",
        revoke_on_cap: bool = False,
        http: ApiClient | None = None,
        clock: Callable[[], float] = time.time,
        timeout_s: float = 30.0,
        max_unconfirmed: int = 3,
    ) -> None:
        super().__init__(clock)
        self.client_id = client_id
        self.client_secret = client_secret
        self.agency_client_name = agency_client_name
        self.agency_token = agency_token
        self.cache_path = Path(cache_path) if cache_path else None
        self.revoke_on_cap = revoke_on_cap
        self.http = http or ApiClient(PLATFORM, base_url, classify=classify_token_response, timeout=timeout_s)
        self.refresh_token = ""
        self.issued = 0  # new tokens obtained (not refreshes): what the five-token cap counts
        self.refreshes = 0
        # Token requests whose answer was lost after VK may have minted a token (unreadable body, connection
        # dropped mid-answer): each such token is live and counts against the cap without us knowing it.
        self.unconfirmed = 0
        self.max_unconfirmed = max_unconfirmed
        self._load_cache()

    # -- what BearerToken calls: a new token when there is none, a refresh when it expires or is refused ----
    def _obtain(self) -> None:
        self._issue()

    def _renew(self) -> None:
        self._refresh_or_issue()

    # -- token endpoint ---------------------------------------------------------------------------------
    def _credentials(self) -> dict[str, str]:
        form = {"client_id": self.client_id, "client_secret": self.client_secret}
        if self.agency_client_name:
            form.update(grant_type="agency_client_credentials", agency_client_name=self.agency_client_name)
            if self.agency_token:
                # On behalf of the agency that granted access through OAuth (authorization code).
                form["access_token"] = self.agency_token
        else:
            form["grant_type"] = "client_credentials"
        return form

    def _post_token(self, form: dict[str, str]) -> None:
        """Ask the token endpoint and store the answer; transient failures are retried by the shared policy.

        A refresh changes the token in place, so repeating it is harmless. A credentials grant mints a new token
        on every answer VK sends, also the ones lost on the way, so it is sent one attempt at a time and lost
        answers are counted: once ``max_unconfirmed`` of them may be live the connector stops asking, loudly,
        rather than fill the five-token cap for every user of these credentials.
        """
        if form["grant_type"] == "refresh_token":
            response = self.http.request("POST", TOKEN_PATH, data=form)
        else:
            response = self._post_minting(form)
        fields = token_fields(response)
        if fields is None:  # only with an ApiClient whose classifier is not classify_token_response
            raise ApiError(
                f"POST {TOKEN_PATH}: {UNREADABLE_TOKEN} passed as a success",
                platform=PLATFORM,
                request_id=request_id_of(response),
                status=response.status_code,
                code=UNREADABLE_TOKEN,
            )
        token, expires_in, refresh = fields
        self.access_token = token
        self.refresh_token = refresh or self.refresh_token
        self.expires_at = self.clock() + expires_in
        self._save_cache()

    def _post_minting(self, form: dict[str, str]) -> httpx.Response:
        policy = self.http.policy
        once = dataclasses.replace(policy, max_attempts=1)
        what = f"POST {TOKEN_PATH} (grant_type={form['grant_type']})"
        waited = 0.0
        for attempt in range(1, policy.max_attempts + 1):
            try:
                return self.http.request("POST", TOKEN_PATH, data=form, policy=once)
            except RetryExhausted as exc:
                last = exc
            lost = last.code == UNREADABLE_TOKEN or (last.status is None and last.code not in UNSENT_ERRORS)
            if lost:
                self.unconfirmed += 1
                if self.unconfirmed >= self.max_unconfirmed:
                    raise RetryExhausted.citing(
                        f"{what}: {self.unconfirmed} token answers were lost in transit ({last.error_text}); each "
                        f"may be a live token counted against VK's five-token cap for client {self.client_id!r}, "
                        "so no more are requested. Unused tokens lapse; POST "
                        f"{DELETE_TOKENS_PATH} deletes all of this user's tokens at once",
                        last,
                        platform=PLATFORM,
                    ) from last
            if attempt == policy.max_attempts:
                break
            delay = policy.wait_for(attempt, last.retry_after)  # a 429's Retry-After, else backoff
            if waited + delay > policy.max_total_wait:
                break
            self.http.attempts_log.append(("retry", f"{what}: {last.error_text[:200]} (sleep {delay:.2f}s)"))
            self.http.sleep(delay)
            waited += delay
        raise RetryExhausted.citing(
            f"gave up after {attempt} attempts: {what}: {last.error_text}", last, platform=PLATFORM
        ) from last

    def _issue(self) -> None:
        try:
            self._post_token(self._credentials())
        except RetryExhausted:
            raise  # the endpoint never gave a usable answer: a transport problem, not bad credentials
        except ApiError as exc:
            if exc.status != 403:
                raise AuthError.citing(
                    f"VK Ads refused a token for client {self.client_id!r}: {exc.error_text}",
                    exc,
                    platform=PLATFORM,
                ) from exc
            if not self.revoke_on_cap:
                raise AuthError.citing(  # exc.status is 403 here
                    f"VK Ads five-token cap reached for client {self.client_id!r} ({exc.error_text}). Delete tokens "
                    f"with POST {DELETE_TOKENS_PATH}, set MRM_VK_ADS_REVOKE_TOKENS_ON_CAP=true, or set "
                    "MRM_VK_ADS_TOKEN_CACHE_PATH so runs reuse one token",
                    exc,
                    platform=PLATFORM,
                ) from exc
            self._delete_tokens()
            self.unconfirmed = 0  # the deletion took the tokens of lost answers with it
            self._post_token(self._credentials())
        self.issued += 1

    def _refresh_or_issue(self) -> None:
        if not self.refresh_token:
            self.access_token = ""
            self._issue()
            return
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self.refresh_token,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
        }
        try:
            self._post_token(form)
            self.refreshes += 1
        except RetryExhausted:
            # Never fall back to minting here: the refresh may well have worked server-side, and a new token
            # per lost answer is how the cap fills up. The next run refreshes again with the same refresh token.
            raise
        except ApiError as exc:
            if exc.status not in (400, 401):
                raise
            # The refresh token itself is dead (revoked, unused for a month): start over with credentials.
            self.access_token, self.refresh_token = "", ""
            self._issue()

    def _delete_tokens(self) -> None:
        form = {"client_id": self.client_id, "client_secret": self.client_secret}
        if self.agency_client_name:
            form["username"] = self.agency_client_name
        self.http.request("POST", DELETE_TOKENS_PATH, data=form)

    # -- optional on-disk cache ---------------------------------------------------------------------------
    def _cache_key(self) -> str:
        return f"{self.client_id}/{self.agency_client_name}"

    def _load_cache(self) -> None:
        if not self.cache_path or not self.cache_path.exists():
            return
        try:
            entry = json.loads(self.cache_path.read_text("utf-8")).get(self._cache_key())
        except (OSError, ValueError) as exc:
            raise AuthError(
                f"VK token cache {self.cache_path} is unreadable: {exc}", platform=PLATFORM
            ) from exc
        if entry:
            self.access_token = entry["access_token"]
            self.refresh_token = entry.get("refresh_token", "")
            self.expires_at = float(entry.get("expires_at", 0))

    def _save_cache(self) -> None:
        if not self.cache_path:
            return
        data: dict[str, Any] = {}
        if self.cache_path.exists():
            try:
                data = json.loads(self.cache_path.read_text("utf-8"))
            except ValueError:
                data = {}
        data[self._cache_key()] = {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
        }
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        # Write-then-rename with 0600: tokens are secrets and a crash must not leave a half-written file.
        fd, tmp = tempfile.mkstemp(dir=self.cache_path.parent, prefix=".vk-token-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
            os.replace(tmp, self.cache_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def close(self) -> None:
        self.http.close()
