"""Clients of an agency (app.clients): validated master data, add / edit / list / archive, each checked and audited.

Archiving keeps every loaded row and report (history) and switches the client's ad accounts off, so scheduled
and manual loads skip them (loaders read only active accounts).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from dashboards.auth import Principal, audit, check_id
from mrm.i18n import carry, refusal
from workspace.access import allowed_clients, require

VAT_MODES = ("included", "excluded", "exempt")
LANGUAGES = ("ru", "en")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
_EMAIL_RE = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")
_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


class ClientError(ValueError):
    """Invalid client data or an impossible change; the message names the field and is safe to show."""


@dataclass(frozen=True)
class Client:
    client_id: str
    name: str
    legal_name: str = ""
    inn: str = ""
    currency: str = "RUB"
    vat_mode: str = "included"
    commission_pct: Decimal = Decimal(0)  # agency commission, percent of net spend
    language: str = "ru"
    timezone: str = "Europe/Moscow"
    report_recipients: tuple[str, ...] = field(default_factory=tuple)
    is_active: bool = True


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def valid_inn(inn: str) -> bool:
    """Russian taxpayer number: 10 digits (organisation) or 12 (individual) with their check digits."""
    if not inn.isascii() or not inn.isdigit() or len(inn) not in (10, 12):
        return False
    d = [int(c) for c in inn]
    if len(d) == 10:
        return _check_digit(d, _INN10) == d[9]
    return _check_digit(d, _INN11) == d[10] and _check_digit(d, _INN12) == d[11]


def validate(c: Client) -> Client:
    """The client with normalised fields, or ClientError naming the first bad field (a catalogue text)."""

    def bad(name: str, value: Any, key: str, **values: Any) -> ClientError:
        return refusal(ClientError, key, field=name, value=repr(value), **values)

    try:
        check_id("client", c.client_id)
    except ValueError as exc:
        raise carry(exc, ClientError(f"client_id: {exc}")) from None
    name = c.name.strip()
    if not name or len(name) > 200:
        raise bad("name", c.name, "ws_client_name")
    if len(c.legal_name) > 300:
        raise bad("legal_name", c.legal_name[:40], "ws_client_legal_name")
    inn = c.inn.strip()
    if inn and not valid_inn(inn):
        raise bad("inn", c.inn, "ws_client_inn")
    currency = c.currency.strip().upper()
    if not _CURRENCY_RE.match(currency):
        raise bad("currency", c.currency, "ws_client_currency")
    if c.vat_mode not in VAT_MODES:
        raise bad("vat_mode", c.vat_mode, "ws_client_vat", allowed=", ".join(VAT_MODES))
    try:
        pct = Decimal(str(c.commission_pct))
    except InvalidOperation:
        raise bad("commission_pct", c.commission_pct, "ws_client_number") from None
    if not pct.is_finite() or not Decimal(0) <= pct <= Decimal(100):
        raise bad("commission_pct", c.commission_pct, "ws_client_pct")
    if c.language not in LANGUAGES:
        raise bad("language", c.language, "ws_client_lang")
    try:
        zoneinfo.ZoneInfo(c.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise bad("timezone", c.timezone, "ws_client_tz") from None
    recipients = tuple(r.strip() for r in c.report_recipients if r.strip())
    for r in recipients:
        if not _EMAIL_RE.match(r) or len(r) > 254:
            raise bad("report_recipients", r, "ws_client_email")
    return replace(c, name=name, inn=inn, currency=currency, commission_pct=pct, report_recipients=recipients)


_COLUMNS = (
    "tenant_id",
    "client_id",
    "name",
    "legal_name",
    "inn",
    "currency",
    "vat_mode",
    "agency_commission",
    "report_language",
    "timezone",
    "report_recipients",
    "is_active",
    "updated_by",
    "updated_at",
)


def _write(ch: Any, actor: Principal, c: Client) -> None:
    ch.insert(
        "app.clients",
        [
            [
                actor.tenant_id,
                c.client_id,
                c.name,
                c.legal_name,
                c.inn,
                c.currency,
                c.vat_mode,
                c.commission_pct / 100,
                c.language,
                c.timezone,
                list(c.report_recipients),
                int(c.is_active),
                actor.login,
                dt.datetime.now(dt.UTC),
            ]
        ],
        column_names=list(_COLUMNS),
    )


_SELECT = (
    "SELECT client_id, name, legal_name, inn, currency, vat_mode, agency_commission, report_language, "
    "timezone, report_recipients, is_active FROM app.clients FINAL WHERE tenant_id = {t:String} "
)


def _from_row(r: tuple[Any, ...]) -> Client:
    return Client(
        r[0], r[1], r[2], r[3], r[4], r[5], Decimal(r[6]) * 100, r[7], r[8], tuple(r[9]), bool(r[10])
    )


def get_client(ch: Any, tenant_id: str, client_id: str) -> Client | None:
    rows = ch.query(
        _SELECT + "AND client_id = {c:String}", parameters={"t": tenant_id, "c": client_id}
    ).result_rows
    return _from_row(rows[0]) if rows else None


def add_client(ch: Any, actor: Principal, c: Client) -> Client:
    """Create a client; an id that already exists in the tenant (archived or not) is refused."""
    require(ch, actor, "manage_clients", target=c.client_id)
    c = validate(replace(c, is_active=True))
    if get_client(ch, actor.tenant_id, c.client_id) is not None:
        raise refusal(
            ClientError,
            "ws_client_exists",
            field="client_id",
            client=repr(c.client_id),
            tenant=repr(actor.tenant_id),
        )
    _write(ch, actor, c)
    audit(ch, actor.tenant_id, actor.login, "client_add", "ok", target=c.client_id)
    return c


def edit_client(ch: Any, actor: Principal, client_id: str, **changes: Any) -> Client:
    """Change some fields of an existing client (the id is fixed); validation covers the whole record."""
    require(ch, actor, "manage_clients", target=client_id)
    current = get_client(ch, actor.tenant_id, check_id("client", client_id))
    if current is None:
        raise refusal(ClientError, "ws_client_missing", field="client_id", client=repr(client_id))
    unknown = set(changes) - (set(asdict(current)) - {"client_id", "is_active"})
    if unknown:
        raise refusal(ClientError, "ws_client_cannot_edit", fields=", ".join(sorted(unknown)))
    if "report_recipients" in changes:
        changes["report_recipients"] = tuple(changes["report_recipients"])
    updated = validate(replace(current, **changes))
    _write(ch, actor, updated)
    audit(
        ch,
        actor.tenant_id,
        actor.login,
        "client_edit",
        "ok",
        target=client_id,
        detail=",".join(sorted(changes)),
    )
    return updated


def archive_client(ch: Any, actor: Principal, client_id: str) -> int:
    """Archive a client and switch off its ad accounts (loads stop; loaded history stays). Returns accounts stopped."""
    require(ch, actor, "manage_clients", target=client_id)
    current = get_client(ch, actor.tenant_id, check_id("client", client_id))
    if current is None:
        raise refusal(ClientError, "ws_client_missing", field="client_id", client=repr(client_id))
    params = {"t": actor.tenant_id, "c": client_id}
    active = ch.query(
        "SELECT count() FROM app.accounts FINAL WHERE tenant_id = {t:String} AND client_id = {c:String} "
        "AND is_active = 1",
        parameters=params,
    ).result_rows[0][0]
    # Accounts first: if this step fails the client is still active and the archive can simply be retried.
    # The filter sits in a subquery: in ClickHouse the outer `0 AS is_active` alias would shadow it in WHERE.
    ch.command(
        "INSERT INTO app.accounts SELECT * REPLACE (0 AS is_active, now64(3) AS updated_at) "
        "FROM (SELECT * FROM app.accounts FINAL WHERE tenant_id = {t:String} AND client_id = {c:String} "
        "AND is_active = 1)",
        parameters=params,
    )
    _write(ch, actor, replace(current, is_active=False))
    audit(
        ch,
        actor.tenant_id,
        actor.login,
        "client_archive",
        "ok",
        target=client_id,
        detail=f"accounts={active}",
    )
    return int(active)


def list_clients(ch: Any, actor: Principal, *, include_archived: bool = False) -> list[Client]:
    """Clients of the actor's tenant that the actor may see (assignment scope applies)."""
    require(ch, actor, "read")
    rows = ch.query(
        _SELECT + "AND (is_active = 1 OR {all:UInt8} = 1) ORDER BY client_id",
        parameters={"t": actor.tenant_id, "all": int(include_archived)},
    ).result_rows
    scope = allowed_clients(ch, actor)
    return [_from_row(r) for r in rows if scope is None or r[0] in scope]
