import pytest

from assistants.llm import Gateway, LLMError, load_prompt, price_usd

SCHEMA = {
    "type": "object",
    "properties": {"summary": {"type": "string"}, "items": {"type": "array"}},
    "required": ["summary", "items"],
}
ANSWER_SCHEMA = {
    "type": "object",
    "properties": {"answer": {"type": "string"}},
    "required": ["answer", "citations"],
}


def _gw(srv, **kw):
    sleeps: list[float] = []
    gw = Gateway(api_key="sk-ant-test", base_url=srv.base_url, sleep=sleeps.append, **kw)
    return gw, sleeps


def _narrate(gw):
    return gw.structured(
        tenant_id="t1",
        purpose="insight_narrative",
        prompt=load_prompt("insight_narrative"),
        variables={
            "audience": "an account manager",
            "language_name": "English",
            "client_id": "c1",
            "as_of": "2026-11-20",
            "facts_json": "[]",
        },
        tool_name="submit_narrative",
        input_schema=SCHEMA,
        offline=lambda: {"summary": "x", "items": []},
    )


def test_tool_use_request_shape_and_usage(replay_server):
    with replay_server("narrative_tool_use") as srv:
        gw, _ = _gw(srv, model="claude-sonnet-4-5")
        res = _narrate(gw)
    req = srv.received[0]
    assert req["path"] == "/v1/messages"
    hdrs = req["headers"]
    # SDK 2.x authenticates with a bearer header; older ones used x-api-key — either carries our key.
    assert hdrs.get("x-api-key") == "sk-ant-test" or hdrs.get("authorization") == "Bearer sk-ant-test"
    assert "anthropic-version" in req["headers"]
    body = req["json"]
    assert body["model"] == "claude-sonnet-4-5"
    assert body["tool_choice"] == {"type": "tool", "name": "submit_narrative"}
    assert body["tools"][0]["input_schema"] == SCHEMA
    assert "English" in body["system"] and body["messages"][0]["role"] == "user"
    assert res.data["items"][0]["insight_id"] == "ins-1"
    assert (res.input_tokens, res.output_tokens) == (812, 164)
    assert res.cost_usd == pytest.approx((812 * 3 + 164 * 15) / 1e6)
    assert res.prompt_version == load_prompt("insight_narrative").version
    assert not res.offline and not res.cached


def test_identical_request_is_served_from_cache(replay_server):
    with replay_server("narrative_tool_use") as srv:
        gw, _ = _gw(srv)
        first = _narrate(gw)
        second = _narrate(gw)  # the recording holds one exchange: a second HTTP call would get 500
    assert len(srv.received) == 1
    assert second.cached and second.data == first.data and second.cost_usd == 0


def test_retries_529_and_429_with_backoff(replay_server):
    with replay_server("retry_overloaded_then_ok") as srv:
        gw, sleeps = _gw(srv)
        res = gw.structured(
            tenant_id="t1",
            purpose="rag_answer",
            prompt=load_prompt("rag_answer"),
            variables={"language_name": "English", "question": "q", "context": "c"},
            tool_name="submit_answer",
            input_schema=ANSWER_SCHEMA,
            offline=lambda: {},
        )
    assert len(srv.received) == 3 and res.attempts == 3
    assert res.data["citations"] == ["c1"]
    assert len(sleeps) == 2 and sleeps[1] == 1.0  # second wait honours retry-after


def test_client_error_is_not_retried(replay_server):
    with replay_server("error_invalid_request") as srv:
        gw, sleeps = _gw(srv)
        with pytest.raises(LLMError, match="max_tokens"):
            _narrate(gw)
    assert len(srv.received) == 1 and sleeps == []


def test_server_errors_exhaust_retries_loudly(replay_server):
    with replay_server("server_errors_exhaust") as srv:
        gw, sleeps = _gw(srv, max_retries=2)
        with pytest.raises(LLMError, match="Internal server error"):
            _narrate(gw)
    assert len(srv.received) == 3 and len(sleeps) == 2


def test_missing_tool_call_is_an_error(replay_server):
    with replay_server("no_tool_call") as srv:
        gw, _ = _gw(srv)
        with pytest.raises(LLMError, match="without calling submit_narrative"):
            _narrate(gw)


def test_streaming_text(replay_server):
    with replay_server("stream_text") as srv:
        gw, _ = _gw(srv)
        parts = list(
            gw.stream_text(
                tenant_id="t1",
                purpose="chat",
                prompt=load_prompt("rag_answer"),
                variables={"language_name": "Russian", "question": "q", "context": "c"},
                offline=lambda: "x",
            )
        )
    assert "".join(parts) == "Расход за неделю в пределах плана."
    assert srv.received[0]["json"]["stream"] is True


def test_offline_writer_is_labelled_and_needs_no_network(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    gw = Gateway.from_env()
    assert gw.offline
    res = _narrate(gw)
    assert res.offline and res.provider == "offline" and res.label.startswith("offline:")
    assert res.data == {"summary": "x", "items": []}


def test_offline_output_must_have_the_schema_fields(monkeypatch):
    gw = Gateway(api_key=None)
    with pytest.raises(LLMError, match="citations"):
        gw.structured(
            tenant_id="t",
            purpose="p",
            prompt=load_prompt("rag_answer"),
            variables={"language_name": "English", "question": "q", "context": "c"},
            tool_name="submit_answer",
            input_schema=ANSWER_SCHEMA,
            offline=lambda: {"answer": "a"},
        )


def test_model_from_env(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_MODEL", "claude-haiku-4-5")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
    gw = Gateway.from_env()
    assert gw.model == "claude-haiku-4-5" and not gw.offline
    assert price_usd("claude-haiku-4-5-20251001", 1_000_000, 0) == 1.0
