"""Media plans are not partitioned: each file is a new version of a plan, imported when it lands in the inbox."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PLAN_SUFFIXES = (".xlsx", ".xls", ".csv")


def inbox_dir() -> Path:
    """<inbox>/<tenant_id>/<client_id>/<file>; MRM_MEDIA_PLAN_INBOX or <MRM_DATA_DIR>/inbox/media_plans (read when
    the sensor evaluates, never at import)."""
    explicit = os.environ.get("MRM_MEDIA_PLAN_INBOX")
    if explicit:
        return Path(explicit)
    from warehouse.settings import data_dir

    return data_dir() / "inbox" / "media_plans"


@dataclass(frozen=True)
class InboxFile:
    path: Path
    tenant_id: str
    client_id: str
    mtime_ns: int

    @property
    def key(self) -> str:
        """Run key: the same file content at the same time is imported once; a re-saved file again."""
        return f"{self.tenant_id}/{self.client_id}/{self.path.name}@{self.mtime_ns}"


def scan_inbox(root: Path) -> list[InboxFile]:
    """Plan files two folders deep (tenant/client), oldest first; temp files of office suites are ignored."""
    if not root.is_dir():
        return []
    found = []
    for f in root.glob("*/*/*"):
        if f.is_file() and f.suffix.lower() in PLAN_SUFFIXES and not f.name.startswith(("~$", ".")):
            tenant, client = f.parent.parent.name, f.parent.name
            found.append(InboxFile(f, tenant, client, f.stat().st_mtime_ns))
    return sorted(found, key=lambda x: (x.mtime_ns, str(x.path)))
