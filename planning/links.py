"""Suggested links from media-plan lines to platform campaigns, each with a confidence and its reasons.

Evidence, strongest first: the campaign id written in the plan; the UTM campaign tag of the line (extra
`utm_campaign`, or a URL with utm_campaign=) equal to the campaign's id or name; the campaign name (exact after
normalising, else word overlap). Platform and dates adjust it: a line planned on one of our platforms never links
to another platform's campaign; a flight that overlaps the campaign's dates raises the confidence, one that does
not lowers it. A person accepts, overrides or unlinks (workspace.campaign_links); nothing links silently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlparse

# Platforms whose campaigns we load; a plan line on another platform ('tv', 'other', …) gives no platform hint.
OUR_PLATFORMS = ("yandex_direct", "vk_ads", "garpun")
MIN_CONFIDENCE = 0.3
_WORD = re.compile(r"[0-9a-zа-яё]+")


@dataclass(frozen=True)
class Suggestion:
    line_id: str
    platform: str
    account_id: str
    campaign_id: str
    campaign_name: str
    method: str  # 'id' | 'utm' | 'name'
    confidence: float
    reasons: tuple[str, ...] = field(default=())


def normalise(name: str) -> str:
    """Lower case, words only: 'Весна_2026 | OLV' and 'весна 2026 olv' compare equal."""
    return " ".join(_WORD.findall(str(name or "").lower().replace("ё", "е")))


def utm_campaign(line: Mapping[str, Any]) -> str:
    """The line's utm_campaign tag: extra['utm_campaign'], or the parameter of a URL among its extra values."""
    extra = line.get("extra") or {}
    for key, value in extra.items():
        if str(key).strip().lower() == "utm_campaign" and str(value).strip():
            return str(value).strip()
    for value in extra.values():
        text = str(value)
        if "utm_campaign=" in text:
            query = urlparse(text.strip()).query or text.split("?", 1)[-1]
            tags = parse_qs(query).get("utm_campaign")
            if tags and tags[0].strip():
                return tags[0].strip()
    return ""


def _date(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    return v if isinstance(v, dt.date) else None


def _overlap(line: Mapping[str, Any], campaign: Mapping[str, Any]) -> bool | None:
    """Whether the flight and the campaign's dates overlap; None when either side has no dates."""
    ls, le = _date(line.get("flight_start")), _date(line.get("flight_end"))
    cs, ce = _date(campaign.get("start_date")), _date(campaign.get("end_date"))
    if not ls or not le or not cs:
        return None
    return ls <= (ce or dt.date.max) and cs <= le


def _score(line: Mapping[str, Any], campaign: Mapping[str, Any]) -> tuple[str, float, list[str]] | None:
    cid = str(campaign.get("campaign_id") or "")
    cname = normalise(str(campaign.get("campaign_name") or ""))
    plan_id = str(line.get("platform_campaign_id") or "").strip()
    tag = utm_campaign(line)
    lname = normalise(str(line.get("campaign_name") or ""))
    if plan_id and plan_id == cid:
        method, conf, why = "id", 1.0, ["campaign id in the plan"]
    elif tag and (tag == cid or (normalise(tag) and normalise(tag) == cname)):
        method, conf, why = "utm", 0.9, [f"utm_campaign={tag}"]
    elif lname and lname == cname:
        method, conf, why = "name", 0.85, ["same name"]
    else:
        words_l, words_c = set(lname.split()), set(cname.split())
        if not words_l or not words_c:
            return None
        jaccard = len(words_l & words_c) / len(words_l | words_c)
        if jaccard < 0.5:
            return None
        method, conf, why = (
            "name",
            round(0.3 + 0.4 * jaccard, 4),
            [f"similar name ({jaccard:.0%})"],
        )
    platform = str(line.get("platform") or "")
    if platform in OUR_PLATFORMS:
        if platform != campaign.get("platform"):
            return None
        conf, why = conf + 0.05, [*why, "same platform"]
    overlap = _overlap(line, campaign)
    if overlap is True:
        conf, why = conf + 0.05, [*why, "dates overlap"]
    elif overlap is False:
        conf, why = conf - 0.2, [*why, "dates do not overlap"]
    return method, round(min(1.0, max(0.0, conf)), 4), why


def suggest(
    lines: Iterable[Mapping[str, Any]], campaigns: Iterable[Mapping[str, Any]], *, per_line: int = 3
) -> dict[str, list[Suggestion]]:
    """Up to `per_line` suggestions per line id, best first (ties by platform, account, campaign id)."""
    camps = list(campaigns)
    out: dict[str, list[Suggestion]] = {}
    for line in lines:
        lid = str(line["line_id"])
        found = []
        for c in camps:
            scored = _score(line, c)
            if scored is None or scored[1] < MIN_CONFIDENCE:
                continue
            method, conf, why = scored
            found.append(
                Suggestion(
                    lid, str(c.get("platform") or ""), str(c.get("account_id") or ""), str(c["campaign_id"]),
                    str(c.get("campaign_name") or ""), method, conf, tuple(why),
                )
            )  # fmt: skip
        found.sort(key=lambda s: (-s.confidence, s.platform, s.account_id, s.campaign_id))
        out[lid] = found[:per_line]
    return out
