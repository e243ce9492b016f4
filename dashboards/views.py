"""Saved views per user (app.saved_views): a name for a page's settings (client, period preset or dates, filters,
drill level, columns), to save, apply and delete. Every query carries the owner's tenant and login: a person sees
and deletes only their own views, whatever id a request names."""

from __future__ import annotations

import json
import uuid
from typing import Any

from dashboards.auth import Principal, check_id
from mrm.i18n import refusal

MAX_NAME = 100
MAX_VIEWS = 200  # per person and page
MAX_STATE = 20_000  # characters of JSON


class ViewError(ValueError):
    """A view that cannot be saved or applied; the message is safe to show."""


def _name(name: str) -> str:
    clean = " ".join(str(name or "").split())
    if not clean:
        raise refusal(ViewError, "dash_view_no_name")
    if len(clean) > MAX_NAME:
        raise refusal(ViewError, "dash_view_name_too_long", n=MAX_NAME)
    return clean


def list_views(ch: Any, p: Principal, page: str) -> list[dict[str, Any]]:
    """The person's live views of `page`, by name: [{'view_id', 'name', 'state': {...}}]."""
    check_id("page", page)
    rows = ch.query(
        "SELECT view_id, argMax(name, updated_at), argMax(state, updated_at), argMax(is_deleted, updated_at) AS gone "
        "FROM app.saved_views WHERE tenant_id = {t:String} AND login = {l:String} AND page = {page:String} "
        "GROUP BY view_id HAVING gone = 0 ORDER BY lower(argMax(name, updated_at)) LIMIT {n:UInt32}",
        parameters={"t": p.tenant_id, "l": p.login, "page": page, "n": MAX_VIEWS},
    ).result_rows
    return [{"view_id": v, "name": n, "state": json.loads(s)} for v, n, s, _gone in rows]


def save_view(ch: Any, p: Principal, page: str, name: str, state: dict[str, Any]) -> str:
    """Save `state` under `name` for this person and page (a view of the same name is replaced); its id."""
    check_id("page", page)
    clean = _name(name)
    text = json.dumps(state, ensure_ascii=False, sort_keys=True, default=str)
    if len(text) > MAX_STATE:
        raise refusal(ViewError, "dash_view_too_large")
    mine = list_views(ch, p, page)
    same = next((v["view_id"] for v in mine if v["name"].casefold() == clean.casefold()), None)
    if same is None and len(mine) >= MAX_VIEWS:
        raise refusal(ViewError, "dash_view_too_many", n=MAX_VIEWS)
    view_id = same or uuid.uuid4().hex
    ch.insert(
        "app.saved_views",
        [[p.tenant_id, p.login, view_id, page, clean, text, 0]],
        column_names=["tenant_id", "login", "view_id", "page", "name", "state", "is_deleted"],
    )
    return view_id


def delete_view(ch: Any, p: Principal, page: str, view_id: str) -> bool:
    """Delete one of this person's views; False when they have no such view (another person's id included)."""
    check_id("view", view_id)
    found = next((v for v in list_views(ch, p, page) if v["view_id"] == view_id), None)
    if found is None:
        return False
    ch.insert(
        "app.saved_views",
        [[p.tenant_id, p.login, view_id, page, found["name"], "{}", 1]],
        column_names=["tenant_id", "login", "view_id", "page", "name", "state", "is_deleted"],
    )
    return True
