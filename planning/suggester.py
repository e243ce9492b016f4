"""The AI field suggester of the app's plan upload: columns the importer's rules could not place are offered to
Claude through the assistants' gateway (usage billed to the tenant). Without ANTHROPIC_API_KEY the gateway is
offline and suggests nothing: the rules alone decide, as before, and nothing leaves the machine."""

from __future__ import annotations

from typing import Any

from planning.mediaplan.detect import Suggester


def for_tenant(tenant_id: str, ch: Any = None) -> Suggester:
    """A suggester for the importer that bills `tenant_id` (AI usage recorded through `ch`)."""

    def suggest(request: dict[str, Any]) -> list[dict[str, Any]]:
        from assistants.mapping import suggest_plan_mapping

        return suggest_plan_mapping(request, tenant_id=tenant_id, ch=ch)

    return suggest
