"""OAuth grants renewed on a schedule, before their access tokens run out (workspace/oauth.py `refresh_due`).

Every hour `grant_renewal_schedule` asks for one `grant_renewal_job` run as of its tick: each active grant whose
access token expires within `within_hours` of that time is renewed at its platform with the deployment's OAuth
application (taken from the platform resources' connector settings, so sandbox runs renew at the emulators).
What each renewal said goes to the accounts loading with the grant in app.credential_status: renewed (a revoked
state cleared), or — the refresh token refused, the grant now `failed` in app.oauth_grants — a revoked
credential, which opens the `token` alert (delivery/tokens.py) until the account is reconnected. No token is
logged.
"""

# No `from __future__ import annotations`: Dagster reads the op's config annotations at definition.
import datetime as dt
from collections.abc import Sequence
from typing import Any

import dagster as dg

JOB_NAME = "grant_renewal_job"
# The platforms whose connector settings carry an OAuth application, per provider (first present wins).
_APP_PLATFORMS = {"yandex": ("yandex_direct", "yandex_metrika"), "vk_ads": ("vk_ads",)}


class RenewalConfig(dg.Config):
    as_of: str = ""  # ISO time the run renews as of (the schedule's tick); empty = now
    within_hours: float = 6.0
    tenant_id: str = ""  # one tenant's grants only; empty = every tenant


def renew_grants(
    ch: Any, settings: dict[str, Any], *, now: dt.datetime, within: dt.timedelta, tenant_id: str = ""
) -> dict[str, str]:
    """Renew the grants due by `now + within` with the OAuth apps the connector `settings` (platform -> settings)
    describe, and record the outcome for every account linked to each grant. Returns grant_id -> '' or the error."""
    from delivery import tokens
    from workspace import oauth

    def app_for(platform: str) -> oauth.OAuthApp:
        provider = oauth.PROVIDER[platform]
        for candidate in _APP_PLATFORMS[provider]:
            app = oauth.app_of_settings(provider, settings[candidate]) if candidate in settings else None
            if app is not None:
                return app
        raise oauth.OAuthError(f"platform: no {provider} OAuth application configured (client id and secret)")

    out = oauth.refresh_due(ch, app_for, within=within, tenant_id=tenant_id, now=now)
    for grant_id, error in out.items():
        grant = _grant_by_id(ch, grant_id)
        if grant is None or (error and grant.status != "failed"):
            continue  # not a refusal (endpoint unreachable, no app): the grant's health shows the error
        linked = ch.query(
            "SELECT platform, account_id FROM app.account_grants FINAL WHERE tenant_id = {t:String} "
            "AND grant_id = {g:String} AND is_deleted = 0 ORDER BY platform, account_id",
            parameters={"t": grant.tenant_id, "g": grant_id},
        ).result_rows
        for platform, account in linked:
            if error:
                why = f"grant {grant_id}: renewal refused ({grant.last_error})"
                tokens.record(ch, grant.tenant_id, platform, account, revoked=True, reason=why)
            else:
                # Renewed: no longer revoked. No expiry is recorded: the access token is renewed here before it
                # lapses (a VK token's day would otherwise keep the expiry alert open).
                tokens.record(ch, grant.tenant_id, platform, account)
    return out


def _grant_by_id(ch: Any, grant_id: str) -> Any:
    from workspace import oauth

    rows = ch.query(
        "SELECT tenant_id FROM app.oauth_grants FINAL WHERE grant_id = {g:String}", parameters={"g": grant_id}
    ).result_rows
    return oauth.get_grant(ch, rows[0][0], grant_id) if rows else None


def grant_renewal_job(platforms: Sequence[str]) -> dg.JobDefinition:
    """The renewal job with the OAuth platforms among `platforms` as resources (their settings hold the apps)."""
    present = tuple(p for ps in _APP_PLATFORMS.values() for p in ps if p in platforms)

    @dg.op(
        name="renew_oauth_grants",
        required_resource_keys={"warehouse", *present},
        description="Renew the OAuth grants whose access tokens run out soon; a refused renewal marks the grant "
        "failed and opens the token alert for its accounts.",
    )
    def _renew(context: dg.OpExecutionContext, config: RenewalConfig) -> int:
        from ingestion.common import ConfigError

        settings: dict[str, Any] = {}
        for platform in present:
            try:
                settings[platform] = getattr(context.resources, platform).connector_settings()
            except ConfigError as exc:
                context.log.warning(f"{platform}: no OAuth application, {exc}")
        now = dt.datetime.fromisoformat(config.as_of) if config.as_of else dt.datetime.now(dt.UTC)
        out = renew_grants(
            context.resources.warehouse.client(),
            settings,
            now=now.astimezone(dt.UTC),
            within=dt.timedelta(hours=config.within_hours),
            tenant_id=config.tenant_id,
        )
        failed = sorted(g for g, e in out.items() if e)
        context.log.info(f"{len(out)} grant(s) due, {len(failed)} not renewed {failed or ''}".rstrip())
        return len(out) - len(failed)

    @dg.job(name=JOB_NAME, description="OAuth grants renewed before their access tokens run out.")
    def _job() -> None:
        _renew()

    return _job


def grant_renewal_schedule(platforms: Sequence[str], *, running: bool) -> dg.ScheduleDefinition:
    """Hourly, as of the tick (a late run still renews what was due at its tick)."""

    @dg.schedule(
        name="grant_renewal_schedule",
        job=grant_renewal_job(platforms),
        cron_schedule="5 * * * *",
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED,
        description="OAuth grants renewed hourly before their access tokens run out.",
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        tick = context.scheduled_execution_time or dt.datetime.now(dt.UTC)
        config = {"as_of": tick.astimezone(dt.UTC).isoformat()}
        return dg.RunRequest(run_config={"ops": {"renew_oauth_grants": {"config": config}}})

    return _schedule
