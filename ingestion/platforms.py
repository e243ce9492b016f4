"""Registry of connectors: CLI short name → package, platform name and sandbox prefix."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class PlatformInfo:
    short: str
    platform: str  # name in app.accounts / app.load_log
    module: str
    sandbox_api: str

    def load_module(self) -> ModuleType | None:
        """The connector package, or None when it is not built (VK/Garpun land separately)."""
        try:
            module = importlib.import_module(self.module)
        except ModuleNotFoundError as exc:
            if exc.name and (exc.name == self.module or self.module.startswith(exc.name + ".")):
                return None
            raise
        return module if hasattr(module, "load") and hasattr(module, "Settings") else None


PLATFORMS: dict[str, PlatformInfo] = {
    "direct": PlatformInfo("direct", "yandex_direct", "ingestion.yandex_direct", "direct"),
    "metrika": PlatformInfo("metrika", "yandex_metrika", "ingestion.yandex_metrika", "metrika"),
    "vk": PlatformInfo("vk", "vk_ads", "ingestion.vk_ads", "vk"),
    "garpun": PlatformInfo("garpun", "garpun", "ingestion.garpun", "garpun"),
}
BY_PLATFORM = {p.platform: p for p in PLATFORMS.values()}
