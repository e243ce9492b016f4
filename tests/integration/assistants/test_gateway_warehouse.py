import pytest

from assistants.llm import Gateway, LLMError, load_prompt

SCHEMA = {"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary", "items"]}
VARS = {
    "audience": "an account manager",
    "language_name": "English",
    "client_id": "c1",
    "as_of": "2026-11-20",
    "facts_json": "[]",
}


def _call(gw, tenant):
    return gw.structured(
        tenant_id=tenant,
        purpose="insight_narrative",
        prompt=load_prompt("insight_narrative"),
        variables=VARS,
        tool_name="submit_narrative",
        input_schema=SCHEMA,
        offline=lambda: {"summary": "s", "items": []},
    )


def test_usage_and_cost_rows_and_shared_cache(ch, replay_server):
    from warehouse.migrate import migrate as run_migrations

    run_migrations(ch)
    with replay_server("narrative_tool_use") as srv:
        gw = Gateway(ch=ch, api_key="sk-ant-test", base_url=srv.base_url, sleep=lambda s: None)
        first = _call(gw, "gw_tenant")
        # A new gateway (another process) finds the answer in app.ai_cache: no second HTTP call.
        again = _call(Gateway(ch=ch, api_key="sk-ant-test", base_url=srv.base_url), "gw_tenant")
    assert len(srv.received) == 1 and again.cached and again.data == first.data
    rows = ch.query(
        "SELECT provider, input_tokens, output_tokens, cost_usd, cached, prompt_version, status FROM app.ai_usage "
        "WHERE tenant_id = {t:String} ORDER BY created_at",
        parameters={"t": "gw_tenant"},
    ).result_rows
    assert rows[0][:5] == ("anthropic", 812, 164, (812 * 3 + 164 * 15) / 1e6, 0)
    assert rows[0][5] == load_prompt("insight_narrative").version and rows[0][6] == "ok"
    assert rows[1][4] == 1 and rows[1][3] == 0


def test_cache_is_per_tenant(ch, replay_server):
    with replay_server("narrative_tool_use") as srv:
        gw = Gateway(ch=ch, api_key="sk-ant-test", base_url=srv.base_url, max_retries=0, sleep=lambda s: None)
        _call(gw, "gw_a")
        # Same request for another tenant must go to the API, not to tenant A's cache; the recording holds only
        # one answer, so the second call reaches the exhausted replay and fails loudly.
        with pytest.raises(LLMError):
            _call(gw, "gw_b")
    assert len(srv.received) == 2
