"""Per-tenant ClickHouse access for a real server: readonly users, a role, grants, row policies, no table functions.

The embedded warehouse (chDB) has no users and no access control, so there the plan can only be printed. On a
real ClickHouse every tenant gets a role `mrm_tenant_<id>` and a user `mrm_<id>` (readonly = 1, fixed) that may
SELECT the marts and app tables carrying tenant_id, each behind a row policy `tenant_id = '<id>'`. Table functions
(file, url, remote, and the 2026 row-policy bypasses loop(), mergeTreeIndex(), mergeTreeProjection()) need
CREATE TEMPORARY TABLE and SOURCES, which the role never gets: both are revoked explicitly.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from mrm.i18n import refusal

# Tenant ids are plain (the app's check_id alphabet minus ':' '@' '+', which are awkward in user names).
TENANT_RE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")

# Databases whose tenant tables a tenant user may read; raw_* stay with the ETL user (policies still cover them).
READ_DATABASES = ("marts", "app")
# App tables that hold credentials or other users' activity: never granted, even with a policy.
DENY_TABLES = frozenset({"app.users", "app.audit_log", "app.llm_calls", "app.schema_migrations"})
SYSTEM_DATABASES = ("system", "INFORMATION_SCHEMA", "information_schema")
STAFF_ROLE = "mrm_staff"
# The user the app, Dagster and compose connect as on a real server (issue 21 finding 9): reads the marts and app,
# writes only the app database, sees every tenant's rows (the app binds tenant and client scope itself), and has
# no access management, no DDL, no SYSTEM and no outside-world functions — so a leaked app session or an injected
# statement can neither read files, call url(), nor grant itself more.
APP_ROLE = "mrm_app_role"
APP_USER = "mrm_app"


class ProvisionError(ValueError):
    """Bad input to provisioning (tenant id, database name) or a refused apply; the message is safe to show."""


@dataclass(frozen=True)
class TenantTable:
    database: str
    table: str

    @property
    def fqn(self) -> str:
        return f"{self.database}.{self.table}"

    @property
    def sql(self) -> str:
        return f"{quote_ident(self.database)}.{quote_ident(self.table)}"


@dataclass
class Plan:
    """The statements for every tenant, plus the generated passwords (kept apart: never part of the SQL)."""

    statements: list[str] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict, repr=False)  # user name -> password
    policy_tables: list[TenantTable] = field(default_factory=list)
    granted_tables: list[TenantTable] = field(default_factory=list)

    def sql(self) -> str:
        return "".join(s + ";\n" for s in self.statements)


def quote_ident(name: str) -> str:
    """A back-quoted identifier (back quotes and backslashes escaped)."""
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def quote_str(value: str) -> str:
    """A single-quoted string literal (quotes and backslashes escaped)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def check_tenant(tenant_id: str) -> str:
    if not isinstance(tenant_id, str) or not TENANT_RE.match(tenant_id):
        raise refusal(ProvisionError, "wh_bad_tenant_id", tenant=repr(tenant_id))
    return tenant_id


def role_name(tenant_id: str) -> str:
    return f"mrm_tenant_{check_tenant(tenant_id)}"


def user_name(tenant_id: str) -> str:
    return f"mrm_{check_tenant(tenant_id)}"


def tenant_tables(ch: Any, *, marts_db: str = "marts") -> list[TenantTable]:
    """Every table (not view) in the warehouse that has a tenant_id column, from the live catalogue."""
    if not IDENT_RE.match(marts_db):
        raise ProvisionError(f"marts database must be a plain name, got {marts_db!r}")
    rows = ch.query(
        "SELECT c.database, c.table FROM system.columns AS c "
        "INNER JOIN system.tables AS t ON t.database = c.database AND t.name = c.table "
        "WHERE c.name = 'tenant_id' AND c.database NOT IN {sys:Array(String)} AND NOT t.is_temporary "
        "AND t.engine NOT IN ('View', 'MaterializedView', 'LiveView', 'WindowView') "
        "ORDER BY c.database, c.table",
        parameters={"sys": list(SYSTEM_DATABASES)},
    ).result_rows
    return [TenantTable(str(db), str(t)) for db, t in rows]


def readable(tables: Iterable[TenantTable], *, marts_db: str = "marts") -> list[TenantTable]:
    """The tenant tables a tenant role may SELECT: the marts and app databases, minus the deny list."""
    dbs = {marts_db if d == "marts" else d for d in READ_DATABASES}
    return [t for t in tables if t.database in dbs and t.fqn not in DENY_TABLES]


def _sha256_hash(password: str) -> tuple[str, str]:
    salt = secrets.token_hex(16)
    return hashlib.sha256((password + salt).encode()).hexdigest().upper(), salt


def _user_statements(user: str, role: str, password: str, host_sql: str, settings: str) -> list[str]:
    """Create (or rotate) a user identified by a salted hash, holding exactly `role` as its default role."""
    digest, salt = _sha256_hash(password)
    ident = f"IDENTIFIED WITH sha256_hash BY {quote_str(digest)} SALT {quote_str(salt)} {host_sql}"
    return [
        f"CREATE USER IF NOT EXISTS {quote_ident(user)} {ident}{settings}",
        # Re-running rotates the password and re-asserts the settings of an existing user.
        f"ALTER USER {quote_ident(user)} {ident}{settings}",
        f"REVOKE ALL ON *.* FROM {quote_ident(user)}",
        f"GRANT {quote_ident(role)} TO {quote_ident(user)}",
        f"ALTER USER {quote_ident(user)} DEFAULT ROLE {quote_ident(role)}",
    ]


def app_user_statements(marts_db: str, password: str, host_sql: str = "HOST ANY") -> list[str]:
    """The app's own user: SELECT on the marts and app databases, INSERT on app only, nothing else."""
    if not IDENT_RE.match(marts_db):
        raise ProvisionError(f"marts database must be a plain name, got {marts_db!r}")
    role = quote_ident(APP_ROLE)
    st = [
        f"CREATE ROLE IF NOT EXISTS {role}",
        f"REVOKE ALL ON *.* FROM {role}",
        f"GRANT SELECT ON {quote_ident(marts_db)}.* TO {role}",
        f"GRANT SELECT, INSERT ON `app`.* TO {role}",
        f"REVOKE CREATE TEMPORARY TABLE, SOURCES ON *.* FROM {role}",
        f"REVOKE ACCESS MANAGEMENT, SYSTEM, INTROSPECTION, dictGet, CREATE, DROP, ALTER, TRUNCATE, KILL QUERY "
        f"ON *.* FROM {role}",
        # Row policies exist on tenant tables (below): the app must keep seeing every tenant's rows.
        f"GRANT {quote_ident(STAFF_ROLE)} TO {role}",
    ]
    return st + _user_statements(APP_USER, APP_ROLE, password, host_sql, "")


def build_plan(
    tenants: Sequence[str],
    tables: Sequence[TenantTable],
    *,
    marts_db: str = "marts",
    host: str = "ANY",
    passwords: dict[str, str] | None = None,
    app_user: bool = True,
) -> Plan:
    """The SQL for the given tenants over the given tenant tables (from `tenant_tables`).

    Users are created `IDENTIFIED WITH sha256_hash BY '<hash>' SALT '<salt>'` (ClickHouse's sha256_password
    scheme, given as its hash) so the statements can be printed, logged or reviewed without the password.
    """
    if not tenants:
        raise refusal(ProvisionError, "wh_no_tenants")
    if host != "ANY" and not re.fullmatch(r"[A-Za-z0-9_.:/-]{1,255}", host):
        raise ProvisionError(f"invalid host restriction {host!r}")
    host_sql = "HOST ANY" if host == "ANY" else f"HOST IP {quote_str(host)}"
    grantable = readable(tables, marts_db=marts_db)
    plan = Plan(policy_tables=list(tables), granted_tables=grantable)
    given = dict(passwords or {})
    st = plan.statements
    # Staff/ETL keep seeing every row: once a table has row policies, a user without one would see nothing.
    st.append(f"CREATE ROLE IF NOT EXISTS {quote_ident(STAFF_ROLE)}")
    for t in tables:
        st.append(
            f"CREATE ROW POLICY OR REPLACE {quote_ident('mrm_staff_all')} ON {t.sql} "
            f"FOR SELECT USING 1 AS PERMISSIVE TO {quote_ident(STAFF_ROLE)}"
        )
    for tenant in sorted(set(tenants)):
        role = quote_ident(role_name(tenant))
        # The role carries the fixed readonly setting too, so a user granted the role elsewhere is still readonly.
        st.append(f"CREATE ROLE IF NOT EXISTS {role} SETTINGS readonly = 1 CONST")
        st.append(f"REVOKE ALL ON *.* FROM {role}")
        for t in grantable:
            st.append(f"GRANT SELECT ON {t.sql} TO {role}")
        # Table functions need CREATE TEMPORARY TABLE; file/url/remote/s3/… need SOURCES. Neither is ever
        # granted, and revoking them explicitly survives a later `GRANT ALL` mistake on a parent role.
        st.append(f"REVOKE CREATE TEMPORARY TABLE, SOURCES ON *.* FROM {role}")
        st.append(
            f"REVOKE dictGet, INTROSPECTION, ALTER, CREATE, DROP, INSERT, TRUNCATE, OPTIMIZE, SYSTEM, "
            f"KILL QUERY, ACCESS MANAGEMENT ON *.* FROM {role}"
        )
        policy = quote_ident(f"mrm_tenant_{tenant}")
        for t in tables:
            st.append(
                f"CREATE ROW POLICY OR REPLACE {policy} ON {t.sql} FOR SELECT "
                f"USING tenant_id = {quote_str(tenant)} AS PERMISSIVE TO {role}"
            )
        password = given.get(user_name(tenant)) or secrets.token_urlsafe(24)
        plan.passwords[user_name(tenant)] = password
        st.extend(
            _user_statements(
                user_name(tenant), role_name(tenant), password, host_sql, " SETTINGS readonly = 1 CONST"
            )
        )
    if app_user:
        password = given.get(APP_USER) or secrets.token_urlsafe(24)
        plan.passwords[APP_USER] = password
        st.extend(app_user_statements(marts_db, password, host_sql))
    return plan


def engine_is_embedded(settings: Any) -> bool:
    """True for the embedded chDB server — also when it is reached through CLICKHOUSE_URL (it names itself)."""
    if settings.embedded:
        return True
    import httpx

    try:
        r = httpx.get(
            f"{settings.url}/",
            params={"query": "SELECT 1"},
            timeout=10,
            auth=(settings.username, settings.password) if settings.password else None,
        )
    except httpx.HTTPError:
        return False
    return str(r.headers.get("X-ClickHouse-Server-Display-Name", "")) == "mrm-embedded"


def known_tenants(ch: Any) -> list[str]:
    return [
        str(r[0]) for r in ch.query("SELECT DISTINCT tenant_id FROM app.tenants FINAL ORDER BY 1").result_rows
    ]


def apply(ch: Any, plan: Plan, *, embedded: bool) -> int:
    """Run the statements one by one on a real ClickHouse; refused on the embedded engine (no access control)."""
    if embedded:
        raise refusal(ProvisionError, "wh_apply_embedded")
    for s in plan.statements:
        ch.command(s)
    return len(plan.statements)
