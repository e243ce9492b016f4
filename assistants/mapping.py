"""LLM field-mapping suggester for the media-plan importer (planning.cli's DEFAULT_SUGGESTER).

`suggest_plan_mapping(request)` receives the importer's request (sheet, unmapped columns with samples, already
mapped fields, target field descriptions) and returns [{"column", "field", "confidence"}] through the gateway.
Offline (no ANTHROPIC_API_KEY) it returns [] — the importer's rules alone decide.
"""

from __future__ import annotations

from typing import Any

from mrm.i18n import refusal

MAPPING_SCHEMA = {
    "type": "object",
    "properties": {
        "suggestions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "column": {"type": "string", "description": "column letter from the request"},
                    "field": {
                        "type": ["string", "null"],
                        "description": "target field, or null when none fits",
                    },
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                },
                "required": ["column", "field", "confidence"],
            },
        },
    },
    "required": ["suggestions"],
}


def _clean(items: Any, request: dict[str, Any]) -> list[dict[str, Any]]:
    """Keep only suggestions for requested columns and offered fields, one column per field, best confidence first."""
    columns = {str(c.get("column", "")).upper() for c in request.get("columns", [])}
    fields = set(request.get("fields", {}))
    out: dict[str, dict[str, Any]] = {}
    for it in items if isinstance(items, list) else []:
        if not isinstance(it, dict):
            continue
        col = str(it.get("column", "")).upper()
        fld = it.get("field")
        try:
            conf = max(0.0, min(1.0, float(it.get("confidence", 0) or 0)))
        except (TypeError, ValueError):
            continue
        if col not in columns or not fld or fld not in fields:
            continue
        if fld not in out or conf > out[fld]["confidence"]:
            out[fld] = {"column": col, "field": str(fld), "confidence": conf}
    used: set[str] = set()
    result = []
    for s in sorted(out.values(), key=lambda s: -s["confidence"]):
        if s["column"] not in used:
            used.add(s["column"])
            result.append(s)
    return result


def suggest_plan_mapping(
    request: dict[str, Any], *, tenant_id: str | None = None, gateway: Any = None, ch: Any = None
) -> list[dict[str, Any]]:
    """[{column, field, confidence}] for the importer's unmapped columns; [] offline (rules only)."""
    from assistants.llm import Gateway, load_prompt

    for key in ("sheet", "columns", "mapped", "fields"):
        if key not in request:
            raise refusal(ValueError, "asst_mapping_request_lacks", key=repr(key))
    gw = gateway or Gateway.from_env(ch)
    if gw.offline:
        return []
    from planning.mediaplan import suggestion_prompt  # the importer's own prompt text, so both stay in step

    # The importer's callback passes only the request: usage is billed to request["tenant_id"] when the importer
    # adds it, otherwise recorded as "unattributed" (visible in app.ai_usage, never silently dropped).
    tenant = tenant_id or str(request.get("tenant_id") or "") or "unattributed"
    res = gw.structured(
        tenant_id=tenant,
        purpose="plan_mapping",
        prompt=load_prompt("plan_mapping"),
        variables={"request_prompt": suggestion_prompt(request)},
        tool_name="submit_mapping",
        input_schema=MAPPING_SCHEMA,
        offline=lambda: {"suggestions": []},
    )
    return _clean(res.data.get("suggestions"), request)
