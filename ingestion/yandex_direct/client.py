"""Direct HTTP plumbing: error-code classification (retry vs loud failure) and the OAuth-aware ApiClient."""

from __future__ import annotations

import json

import httpx

from ingestion.common import ApiClient, Verdict
from ingestion.common.http import parse_retry_after
from ingestion.common.yandex_oauth import YandexOAuth, yandex_api_client
from ingestion.yandex_direct.settings import Settings

# error_code → (action, which wait). Everything not listed is a loud failure (54, 58, 513, 3000, 3001, 4000,
# 8000, 8800, ...): retrying a permissions or request error only hides it.
RETRY_CODES = {
    52: "short",
    1000: "short",
    1001: "short",
    1002: "short",
    56: "queue",
    506: "queue",
    9000: "queue",
    152: "units",
}
REFRESH_CODES = {53}


def parse_error(body: bytes | str) -> dict | None:
    """The `error` object of a Direct error body, or None when the body is not one."""
    try:
        payload = json.loads(body)
    except (ValueError, TypeError):
        return None
    err = payload.get("error") if isinstance(payload, dict) else None
    return err if isinstance(err, dict) else None


def make_classifier(settings: Settings):  # noqa: ANN201 - returns a Classifier
    waits = {"short": None, "queue": settings.queue_wait_s, "units": settings.units_wait_s}

    def classify(resp: httpx.Response) -> Verdict:
        rid = resp.headers.get("RequestId")
        status = resp.status_code
        ctype = resp.headers.get("content-type", "")
        err = parse_error(resp.content) if (status >= 300 or ctype.startswith("application/json")) else None
        if err is not None:
            code = int(err.get("error_code", 0) or 0)
            text = f"{code} {err.get('error_string', '')}: {err.get('error_detail', '')}".strip()
            rid = str(err.get("request_id") or rid or "") or None
            if status in (420, 429) or (status >= 500 and status != 502) or code in RETRY_CODES:
                hint = parse_retry_after(resp.headers.get("Retry-After"))
                if hint is None and code in RETRY_CODES:
                    hint = waits[RETRY_CODES[code]]
                return Verdict("retry", hint, text, str(code), rid)
            if code in REFRESH_CODES:
                return Verdict("refresh", None, text, str(code), rid)
            return Verdict("fatal", None, text, str(code), rid)
        if status in (200, 201, 202):
            return Verdict("ok", request_id=rid)
        text = resp.text[:500] if status >= 300 else ""
        if status in (420, 429) or (status >= 500 and status != 502):
            return Verdict(
                "retry", parse_retry_after(resp.headers.get("Retry-After")), text, str(status), rid
            )
        if status == 401:
            return Verdict("refresh", None, text, str(status), rid)
        # 502 = "processing time exceeded": retrying the same request cannot help; the fetch splits the period.
        return Verdict("fatal", None, text or f"HTTP {status}", str(status), rid)

    return classify


def make_client(
    settings: Settings, *, oauth: YandexOAuth | None = None, transport: httpx.BaseTransport | None = None
) -> ApiClient:
    return yandex_api_client(
        settings,
        make_classifier(settings),
        scheme="Bearer",
        oauth=oauth,
        transport=transport,
        headers={"Accept-Language": settings.language},
    )
