"""Garpun DataHub HTTP plumbing: the common ApiClient with service-account tokens and a streaming METAQL call."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from typing import Any

import httpx

from ingestion.common import ConfigError, PayloadError, Verdict
from ingestion.common.http import request_id_of
from ingestion.common.session import TokenSession
from ingestion.garpun import parse as ndjson
from ingestion.garpun.auth import PLATFORM, ServiceAccountKey, ServiceAccountTokens, classify_answer
from ingestion.garpun.settings import Settings

METAQL_PATH = "/v1/metaql/query"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def quote_literal(value: str | date) -> str:
    """A METAQL string literal: single quotes, backslash and quote escaped."""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def render_query(template: str, values: Mapping[str, str | date]) -> str:
    """Replace ``{name}`` placeholders with quoted literals; an unknown placeholder is a configuration error."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise ConfigError(
                f"METAQL query template uses unknown placeholder {{{name}}}; known: {sorted(values)}",
                platform=PLATFORM,
            )
        return quote_literal(values[name])

    return _PLACEHOLDER.sub(sub, template)


def classify(response: httpx.Response) -> Verdict:
    """DataHub answers as its token endpoint does (2xx ok; 429/5xx retry; other 4xx fatal with the error), except
    that a 401 asks for a new service-account token."""
    verdict = classify_answer(response)
    if verdict.action == "fatal" and response.status_code == 401:
        return dataclasses.replace(verdict, action="refresh")
    return verdict


class GarpunClient(TokenSession):
    """A DataHub session for one service account."""

    tokens: ServiceAccountTokens

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        key = ServiceAccountKey.load(
            path=settings.service_account_key_path,
            json_text=settings.service_account_key_json.get_secret_value(),
        )
        tokens = ServiceAccountTokens(
            key,
            scope=settings.scope,
            policy=settings.retry_policy(),
            timeout_s=settings.timeout_s,
            sleep=sleep,
            transport=transport,
        )
        super().__init__(
            settings,
            tokens,
            classify=classify,
            headers={"Accept": "application/x-ndjson, application/json"},
            sleep=sleep,
            transport=transport,
        )

    def query(self, metaql: str, shard_key: str | None = None) -> Iterator[dict[str, Any]]:
        """Run a METAQL query and yield typed records as the stream arrives.

        A body cut or garbled in transit raises a retryable PayloadError naming the request, so the caller
        re-runs the whole query (a half-read stream cannot be resumed).
        """
        request = f"POST {METAQL_PATH} ({metaql[:80]}...)"
        with self.api.stream("POST", METAQL_PATH, json={"query": metaql, "shardKey": shard_key}) as response:
            rid = request_id_of(response)
            types = ndjson.parse_column_types(response.headers.get("X-Meta-Column-Types"), request)
            try:
                lines = ndjson.iter_lines(response.iter_bytes(), require_final_newline=True, request=request)
                yield from ndjson.iter_records(lines, types, request)
            except (httpx.TransportError, httpx.StreamError) as exc:
                raise PayloadError(
                    f"{request}: stream broke after the headers ({type(exc).__name__}: {exc})",
                    platform=PLATFORM,
                    request_id=rid,
                ) from None
            except PayloadError as exc:
                if exc.request_id is None and rid:
                    exc.request_id = rid
                raise
