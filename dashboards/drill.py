"""Drill-down state of the Campaigns page: client → platform → campaign → ad group → ad.

The path lives in the URL's query (`platform`, `account`, `campaign`, `group`), so a reload or a shared link opens
the same level; every value is checked as an id before it reaches a query (which scopes it to the client again).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from dashboards.auth import check_id
from mrm.i18n import refusal

# query parameter -> path field; the order is the hierarchy's
PARAMS = {"platform": "platform", "account": "account_id", "campaign": "campaign_id", "group": "ad_group_id"}
LEVELS = (
    "client",
    "platform",
    "campaign",
    "ad_group",
)  # the level a path stands on (what its table lists below)


@dataclass(frozen=True)
class Path:
    platform: str = ""
    account_id: str = ""
    campaign_id: str = ""
    ad_group_id: str | None = (
        None  # '' is a real group: the campaign-level rows (sessions) that have no group
    )

    @property
    def level(self) -> str:
        if self.ad_group_id is not None:
            return "ad_group"
        if self.campaign_id:
            return "campaign"
        return "platform" if self.platform else "client"

    def up_to(self, level: str) -> Path:
        """This path cut back to `level` (a breadcrumb's target)."""
        if level == "client":
            return Path()
        if level == "platform":
            return Path(self.platform)
        if level == "campaign":
            return replace(self, ad_group_id=None)
        return self

    def query(self) -> dict[str, str]:
        """The query parameters naming this path (empty ones left out)."""
        out = {"platform": self.platform, "account": self.account_id, "campaign": self.campaign_id}
        if self.ad_group_id is not None:
            out["group"] = self.ad_group_id or "-"  # '-' marks the group of campaign-level rows
        return {k: v for k, v in out.items() if v}


def from_query(qp: Any) -> Path:
    """The path a URL names; a malformed or incomplete one raises ValueError naming the parameter."""

    def get(name: str) -> str:
        v = qp.get(name)
        v = v[-1] if isinstance(v, list) else v
        return "" if v is None else str(v)

    platform, account, campaign, group = (get(k) for k in PARAMS)
    for name, v in (("platform", platform), ("account", account), ("campaign", campaign)):
        if v:
            check_id(name, v)
    if group and group != "-":
        check_id("group", group)
    if campaign and not (platform and account):
        raise refusal(ValueError, "dash_link_campaign_incomplete")
    if group and not campaign:
        raise refusal(ValueError, "dash_link_group_incomplete")
    return Path(
        platform,
        account if campaign else "",
        campaign,
        (None if not group else "" if group == "-" else group),
    )


def write_query(qp: Any, path: Path) -> None:
    """Put `path` into the URL (and drop the parameters of deeper levels)."""
    want = path.query()
    for k in PARAMS:
        if k in want:
            if qp.get(k) != want[k]:
                qp[k] = want[k]
        elif k in qp:
            del qp[k]
