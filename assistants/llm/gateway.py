"""LLM gateway: Claude through the anthropic SDK, or a labelled offline writer when no key is configured.

Every call is cached by request hash, retried on transient errors, and accounted in app.ai_usage.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the SDK import costs ~0.5 s; offline runs (mrm ask p95) never pay it
    import anthropic

from assistants.llm.prompts import Prompt

log = logging.getLogger(__name__)

DEFAULT_MODEL = "claude-sonnet-4-5"
OFFLINE_MODEL = "offline-template-v1"
# USD per million tokens (input, output), by model-id prefix; public list prices at the time of writing.
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "claude-opus-4-5": (5.0, 25.0),
    "claude-opus-4": (15.0, 75.0),
    "claude-sonnet-4": (3.0, 15.0),
    "claude-3-7-sonnet": (3.0, 15.0),
    "claude-haiku-4": (1.0, 5.0),
    "claude-3-5-haiku": (0.8, 4.0),
}
RETRYABLE_STATUS = {408, 409, 429, 500, 502, 503, 504, 529}


class LLMError(RuntimeError):
    """The model could not produce a usable answer (after retries) — callers fall back loudly."""


@dataclass
class LLMResult:
    data: dict[str, Any]
    model: str
    provider: str  # "anthropic" | "offline"
    prompt_name: str
    prompt_version: str
    request_hash: str
    call_id: str
    cached: bool = False
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    attempts: int = 1

    @property
    def offline(self) -> bool:
        return self.provider == "offline"

    @property
    def label(self) -> str:
        """Human-readable provenance stored next to every output."""
        return f"{self.provider}:{self.model}:{self.prompt_name}@{self.prompt_version}"


def price_usd(model: str, input_tokens: int, output_tokens: int) -> float:
    for prefix, (pin, pout) in sorted(PRICES_PER_MTOK.items(), key=lambda kv: -len(kv[0])):
        if model.startswith(prefix):
            return round((input_tokens * pin + output_tokens * pout) / 1_000_000, 8)
    env_in, env_out = (
        os.environ.get("MRM_LLM_PRICE_IN_PER_MTOK"),
        os.environ.get("MRM_LLM_PRICE_OUT_PER_MTOK"),
    )
    if env_in and env_out:
        return round((input_tokens * float(env_in) + output_tokens * float(env_out)) / 1_000_000, 8)
    log.warning("no price known for model %s; cost recorded as 0 (set MRM_LLM_PRICE_*_PER_MTOK)", model)
    return 0.0


@dataclass
class Gateway:
    """One gateway per process/tenant context; `ch` (clickhouse_connect client) enables usage rows and the shared cache."""

    ch: Any = None
    api_key: str | None = None
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    timeout_s: float = 60.0
    max_retries: int = 4
    backoff_base_s: float = 0.5
    backoff_max_s: float = 20.0
    max_tokens: int = 1024
    sleep: Callable[[float], None] = time.sleep
    _memo: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    _client: Any = field(default=None, repr=False)

    @classmethod
    def from_env(cls, ch: Any = None, **overrides: Any) -> Gateway:
        """Read ANTHROPIC_API_KEY / ANTHROPIC_MODEL / ANTHROPIC_BASE_URL at call time, never at import."""
        kw: dict[str, Any] = {
            "api_key": os.environ.get("ANTHROPIC_API_KEY") or None,
            "model": os.environ.get("ANTHROPIC_MODEL") or DEFAULT_MODEL,
            "base_url": os.environ.get("ANTHROPIC_BASE_URL") or None,
        }
        if os.environ.get("MRM_LLM_TIMEOUT_S"):
            kw["timeout_s"] = float(os.environ["MRM_LLM_TIMEOUT_S"])
        kw.update(overrides)
        return cls(ch=ch, **kw)

    @property
    def offline(self) -> bool:
        return not self.api_key

    @property
    def client(self) -> anthropic.Anthropic:
        if self._client is None:
            import anthropic

            # SDK retries are off: ours are explicit, counted and accounted.
            self._client = anthropic.Anthropic(
                api_key=self.api_key, base_url=self.base_url, timeout=self.timeout_s, max_retries=0
            )
        return self._client

    # ---------------------------------------------------------------- structured (tool use)
    def structured(
        self,
        *,
        tenant_id: str,
        purpose: str,
        prompt: Prompt,
        variables: dict[str, Any],
        tool_name: str,
        input_schema: dict[str, Any],
        offline: Callable[[], dict[str, Any]],
    ) -> LLMResult:
        """Ask for a tool call whose input is the structured output; offline → `offline()` gives the same shape."""
        if not tenant_id:
            raise ValueError("tenant_id is required for every LLM call (usage is billed per tenant)")
        system, user = prompt.render(**variables)
        model = OFFLINE_MODEL if self.offline else self.model
        body: dict[str, Any] = {
            "model": model,
            "max_tokens": self.max_tokens,
            "system": system,
            "messages": [{"role": "user", "content": user}],
            "tools": [
                {
                    "name": tool_name,
                    "description": f"Submit the {purpose} result.",
                    "input_schema": input_schema,
                }
            ],
            "tool_choice": {"type": "tool", "name": tool_name},
        }
        req_hash = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        call_id = uuid.uuid4().hex
        base: dict[str, Any] = dict(
            prompt_name=prompt.name, prompt_version=prompt.version, request_hash=req_hash, call_id=call_id
        )

        if self.offline:
            data = offline()
            _check_required(data, input_schema, tool_name)
            res = LLMResult(data=data, model=OFFLINE_MODEL, provider="offline", **base)
            self._record_usage(tenant_id, purpose, res, latency_ms=0, status="ok")
            return res

        cached = self._cache_get(tenant_id, req_hash)
        if cached is not None:
            res = LLMResult(data=cached, model=self.model, provider="anthropic", cached=True, **base)
            self._record_usage(tenant_id, purpose, res, latency_ms=0, status="ok")
            return res

        t0 = time.perf_counter()
        try:
            msg, attempts = self._with_retries(lambda: self.client.messages.create(**body))  # type: ignore[arg-type]
        except Exception as exc:
            fail = LLMResult(data={}, model=self.model, provider="anthropic", **base)
            self._record_usage(tenant_id, purpose, fail, latency_ms=_ms(t0), status="error", error=repr(exc))
            raise LLMError(f"{purpose}: Claude call failed: {exc}") from exc
        blocks = [b for b in msg.content if getattr(b, "type", "") == "tool_use" and b.name == tool_name]
        usage = msg.usage
        res = LLMResult(
            data=dict(blocks[0].input) if blocks else {},
            model=msg.model,
            provider="anthropic",
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            cost_usd=price_usd(msg.model, usage.input_tokens, usage.output_tokens),
            attempts=attempts,
            **base,
        )
        if not blocks:
            self._record_usage(
                tenant_id, purpose, res, latency_ms=_ms(t0), status="error", error="no tool_use block"
            )
            raise LLMError(
                f"{purpose}: model answered without calling {tool_name} (stop_reason={msg.stop_reason})"
            )
        try:
            _check_required(res.data, input_schema, tool_name)
        except LLMError as exc:
            self._record_usage(tenant_id, purpose, res, latency_ms=_ms(t0), status="error", error=str(exc))
            raise
        self._record_usage(tenant_id, purpose, res, latency_ms=_ms(t0), status="ok")
        self._cache_put(tenant_id, req_hash, res.data)
        return res

    # ---------------------------------------------------------------- streaming text
    def stream_text(
        self,
        *,
        tenant_id: str,
        purpose: str,
        prompt: Prompt,
        variables: dict[str, Any],
        offline: Callable[[], str],
    ) -> Iterator[str]:
        """Yield text deltas (for the UI); offline yields the template text in one piece."""
        if not tenant_id:
            raise ValueError("tenant_id is required for every LLM call")
        system, user = prompt.render(**variables)
        call_id = uuid.uuid4().hex
        base: dict[str, Any] = dict(
            prompt_name=prompt.name, prompt_version=prompt.version, request_hash="", call_id=call_id
        )
        if self.offline:
            self._record_usage(
                tenant_id,
                purpose,
                LLMResult(data={}, model=OFFLINE_MODEL, provider="offline", **base),
                0,
                "ok",
            )
            yield offline()
            return
        t0 = time.perf_counter()
        kwargs: dict[str, Any] = dict(
            model=self.model,
            max_tokens=self.max_tokens,
            system=system,
            messages=[{"role": "user", "content": user}],
        )
        try:
            with self.client.messages.stream(**kwargs) as stream:  # type: ignore[arg-type]
                yield from stream.text_stream
                final = stream.get_final_message()
        except Exception as exc:  # anthropic.APIError and transport errors alike
            fail = LLMResult(data={}, model=self.model, provider="anthropic", **base)
            self._record_usage(tenant_id, purpose, fail, _ms(t0), "error", error=repr(exc))
            raise LLMError(f"{purpose}: streaming failed: {exc}") from exc
        u = final.usage
        res = LLMResult(
            data={},
            model=final.model,
            provider="anthropic",
            input_tokens=u.input_tokens,
            output_tokens=u.output_tokens,
            cost_usd=price_usd(final.model, u.input_tokens, u.output_tokens),
            **base,
        )
        self._record_usage(tenant_id, purpose, res, _ms(t0), "ok")

    # ---------------------------------------------------------------- plumbing
    def _with_retries(self, fn: Callable[[], Any]) -> tuple[Any, int]:
        import anthropic

        attempt = 0
        while True:
            attempt += 1
            try:
                return fn(), attempt
            except (anthropic.APIConnectionError, anthropic.APIStatusError) as exc:
                status = getattr(exc, "status_code", None)
                retryable = (
                    status is None or status in RETRYABLE_STATUS or (status is not None and status >= 500)
                )
                if not retryable or attempt > self.max_retries:
                    raise
                delay = self._delay(attempt, exc)
                log.warning(
                    "Claude call attempt %d failed (%s); retrying in %.2fs", attempt, status or exc, delay
                )
                self.sleep(delay)

    def _delay(self, attempt: int, exc: Exception) -> float:
        resp = getattr(exc, "response", None)
        retry_after = resp.headers.get("retry-after") if resp is not None else None
        if retry_after:
            try:
                return min(float(retry_after), self.backoff_max_s)
            except ValueError:
                pass
        # Full jitter keeps many workers from retrying in lockstep after a shared 529.
        return min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1)) * (0.5 + random.random() / 2)

    def _cache_get(self, tenant_id: str, req_hash: str) -> dict[str, Any] | None:
        key = f"{tenant_id}:{req_hash}"
        if key in self._memo:
            return self._memo[key]
        if self.ch is None:
            return None
        rows = self.ch.query(
            "SELECT response_json FROM app.ai_cache FINAL WHERE tenant_id = {t:String} AND request_hash = {h:String}",
            parameters={"t": tenant_id, "h": req_hash},
        ).result_rows
        if not rows:
            return None
        data = json.loads(rows[0][0])
        self._memo[key] = data
        return data

    def _cache_put(self, tenant_id: str, req_hash: str, data: dict[str, Any]) -> None:
        self._memo[f"{tenant_id}:{req_hash}"] = data
        if self.ch is not None:
            _insert_json(
                self.ch,
                "app.ai_cache",
                {
                    "tenant_id": tenant_id,
                    "request_hash": req_hash,
                    "model": self.model,
                    "response_json": json.dumps(data, ensure_ascii=False),
                },
            )

    def _record_usage(
        self, tenant_id: str, purpose: str, r: LLMResult, latency_ms: int, status: str, error: str = ""
    ) -> None:
        if self.ch is None:
            return
        _insert_json(
            self.ch,
            "app.ai_usage",
            {
                "tenant_id": tenant_id,
                "call_id": r.call_id,
                "purpose": purpose,
                "provider": r.provider,
                "model": r.model,
                "prompt_name": r.prompt_name,
                "prompt_version": r.prompt_version,
                "request_hash": r.request_hash,
                "input_tokens": r.input_tokens,
                "output_tokens": r.output_tokens,
                "cache_read_tokens": 0,
                "cost_usd": r.cost_usd,
                "latency_ms": latency_ms,
                "attempts": r.attempts,
                "cached": int(r.cached),
                "status": status,
                "error": error[:2000],
            },
        )


def _insert_json(ch: Any, table: str, row: dict[str, Any]) -> None:
    # raw JSONEachRow insert: clickhouse-connect's row insert imports pandas (~2 s), which `mrm ask` cannot afford.
    ch.raw_insert(
        table, list(row), insert_block=json.dumps(row, ensure_ascii=False).encode(), fmt="JSONEachRow"
    )


def _ms(t0: float) -> int:
    return int((time.perf_counter() - t0) * 1000)


def _check_required(data: dict[str, Any], schema: dict[str, Any], tool: str) -> None:
    missing = [k for k in schema.get("required", []) if k not in data]
    if missing:
        raise LLMError(f"{tool}: structured output lacks required field(s) {missing}")
