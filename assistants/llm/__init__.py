"""LLM gateway: Claude via the anthropic SDK with retries, cache, usage accounting; offline writer fallback."""

from assistants.llm.gateway import DEFAULT_MODEL, OFFLINE_MODEL, Gateway, LLMError, LLMResult, price_usd
from assistants.llm.prompts import Prompt, PromptError, load_prompt

__all__ = [
    "DEFAULT_MODEL",
    "OFFLINE_MODEL",
    "Gateway",
    "LLMError",
    "LLMResult",
    "Prompt",
    "PromptError",
    "load_prompt",
    "price_usd",
]
