"""Multi-step Claude tool-use loop on top of the existing gateway (its SDK client, retries and usage rows).

The gateway's `structured()` is one forced tool call; an agent needs several turns: the model calls catalogue
tools, we run them and return tool_result blocks, until it calls the final tool (or the step/time budget ends).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistants.llm import LLMError, LLMResult, Prompt, price_usd


@dataclass
class LoopOutcome:
    final: dict[str, Any]
    steps: int
    model: str
    prompt_name: str
    prompt_version: str
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    transcript: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"anthropic:{self.model}:{self.prompt_name}@{self.prompt_version}"


def _block_dict(b: Any) -> dict[str, Any]:
    t = getattr(b, "type", "")
    if t == "tool_use":
        return {"type": "tool_use", "id": b.id, "name": b.name, "input": dict(b.input)}
    if t == "text":
        return {"type": "text", "text": b.text}
    return {"type": t}


def run_tool_loop(
    gw: Any,
    *,
    tenant_id: str,
    purpose: str,
    prompt: Prompt,
    variables: dict[str, Any],
    tools: list[dict[str, Any]],
    execute: Callable[[str, Any, str], tuple[str, bool]],
    final_tool: dict[str, Any],
    max_steps: int = 6,
    deadline_s: float = 120.0,
) -> LoopOutcome:
    """Run the loop; `execute(name, input, tool_use_id)` returns (content JSON, is_error). Raises LLMError on failure."""
    if not tenant_id:
        raise ValueError("tenant_id is required for every LLM call")
    if gw.offline:
        raise LLMError(f"{purpose}: the tool loop needs ANTHROPIC_API_KEY (offline callers use their router)")
    system, user = prompt.render(**variables)
    messages: list[dict[str, Any]] = [{"role": "user", "content": user}]
    all_tools = [*tools, final_tool]
    out = LoopOutcome(
        final={}, steps=0, model=gw.model, prompt_name=prompt.name, prompt_version=prompt.version
    )
    t_end = time.monotonic() + deadline_s
    for step in range(1, max_steps + 1):
        if time.monotonic() > t_end:
            raise LLMError(f"{purpose}: time budget of {deadline_s:.0f}s exhausted after {step - 1} step(s)")
        last = step == max_steps
        body: dict[str, Any] = {
            "model": gw.model,
            "max_tokens": gw.max_tokens,
            "system": system,
            "messages": messages,
            "tools": all_tools,
            # The last step may only finish: the model must answer from what the tools returned so far.
            "tool_choice": {"type": "tool", "name": final_tool["name"]} if last else {"type": "auto"},
        }
        req_hash = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        base: dict[str, Any] = dict(
            prompt_name=prompt.name,
            prompt_version=prompt.version,
            request_hash=req_hash,
            call_id=uuid.uuid4().hex,
        )
        t0 = time.perf_counter()
        try:
            msg, attempts = gw._with_retries(lambda body=body: gw.client.messages.create(**body))
        except Exception as exc:
            gw._record_usage(
                tenant_id,
                purpose,
                LLMResult(data={}, model=gw.model, provider="anthropic", **base),
                latency_ms=int((time.perf_counter() - t0) * 1000),
                status="error",
                error=repr(exc),
            )
            raise LLMError(f"{purpose}: Claude call failed at step {step}: {exc}") from exc
        u = msg.usage
        cost = price_usd(msg.model, u.input_tokens, u.output_tokens)
        res = LLMResult(
            data={},
            model=msg.model,
            provider="anthropic",
            input_tokens=u.input_tokens,
            output_tokens=u.output_tokens,
            cost_usd=cost,
            attempts=attempts,
            **base,
        )
        gw._record_usage(
            tenant_id, purpose, res, latency_ms=int((time.perf_counter() - t0) * 1000), status="ok"
        )
        out.steps, out.model = step, msg.model
        out.input_tokens += u.input_tokens
        out.output_tokens += u.output_tokens
        out.cost_usd += cost
        blocks = [_block_dict(b) for b in msg.content]
        out.transcript.append({"role": "assistant", "content": blocks, "stop_reason": msg.stop_reason})
        messages.append({"role": "assistant", "content": blocks})
        uses = [b for b in blocks if b["type"] == "tool_use"]
        final = [b for b in uses if b["name"] == final_tool["name"]]
        if final:
            out.final = final[0]["input"]
            return out
        if not uses:
            text = " ".join(b["text"] for b in blocks if b["type"] == "text").strip()
            if not text:
                raise LLMError(f"{purpose}: empty answer at step {step} (stop_reason={msg.stop_reason})")
            out.final = {"answer": text, "citations": []}
            return out
        results = []
        for b in uses:
            content, is_error = execute(b["name"], b["input"], b["id"])
            results.append(
                {"type": "tool_result", "tool_use_id": b["id"], "content": content, "is_error": is_error}
            )
        messages.append({"role": "user", "content": results})
        out.transcript.append({"role": "user", "content": results})
    raise LLMError(f"{purpose}: no final answer within {max_steps} steps")


def run_catalogue(
    gw: Any,
    ch: Any,
    scope: Any,
    calls: list[Any],
    *,
    purpose: str,
    prompt: Prompt,
    variables: dict[str, Any],
    catalogue: dict[str, Any],
    final_tool: dict[str, Any] | None = None,
    max_steps: int = 6,
    deadline_s: float = 120.0,
) -> LoopOutcome:
    """The loop over one tool catalogue (assistants.agents.tools.Tool by name) for the caller's scope: every call is
    validated and run by `run_tool` and appended to `calls` (kept even when the loop fails); the prompt gets the
    answer language from the scope. The final tool is the analyst's `submit_answer` unless given."""
    from assistants.agents.analyst import FINAL_TOOL
    from assistants.agents.tools import run_tool

    def execute(name: str, args: Any, call_id: str) -> tuple[str, bool]:
        call = run_tool(ch, scope, name, args, call_id, catalogue)
        calls.append(call)
        if call.error:
            return json.dumps({"error": call.error}, ensure_ascii=False), True
        return json.dumps(call.result, ensure_ascii=False, default=str), False

    return run_tool_loop(
        gw,
        tenant_id=scope.tenant_id,
        purpose=purpose,
        prompt=prompt,
        variables=variables | {"language_name": "Russian" if scope.lang == "ru" else "English"},
        tools=[t.anthropic_spec() for t in catalogue.values()],
        execute=execute,
        final_tool=final_tool or FINAL_TOOL,
        max_steps=max_steps,
        deadline_s=deadline_s,
    )
