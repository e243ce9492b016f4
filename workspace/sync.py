"""Sync control: an ad account's "load now" and "backfill from <date>" as Dagster runs, started and followed
through the Dagster webserver's GraphQL API (`dagster_graphql.DagsterGraphQLClient`), never a CLI subprocess.

A run is the platform's sync job (`orchestration/account_sync.py`): the platform's raw loads narrowed by run config
to the one account, the exchange rates, then the dbt build of the window, so the client's marts (and the Overview
page) hold the loaded days when the run succeeds. The window is a single-run partition range (the run tags the
Dagster backfill daemon would set), so a 30-day backfill is one run.

Where Dagster is: `MRM_DAGSTER_URL` (e.g. `http://127.0.0.1:3000`), else 127.0.0.1 and `MRM_DAGSTER_PORT` (3000),
the address `mrm dagster` serves. Runs go through the instance's run coordinator and launcher (the webserver's
defaults; `mrm dagster` runs the daemon that dequeues them). Every start is recorded in app.sync_runs and the
audit log; the run's state is Dagster's, the table keeps the last state the app saw.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from dashboards.auth import Principal, audit, check_id
from mrm import clock
from mrm.i18n import refusal
from warehouse.rows import insert_dicts
from workspace.access import require, require_client

URL_ENV = "MRM_DAGSTER_URL"
PORT_ENV = "MRM_DAGSTER_PORT"
MOSCOW = (
    "Europe/Moscow"  # the partitions' day (orchestration.partitions.MOSCOW; not imported: no Dagster here)
)
FIRST_DAY = dt.date(2025, 1, 1)  # orchestration.partitions.PARTITIONS_START (a unit test keeps them equal)
KINDS = ("load_now", "backfill")
# Dagster's run states: a run in one of DONE no longer changes.
DONE = ("SUCCESS", "FAILURE", "CANCELED")
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
_ERROR_CHARS = 2000


class SyncError(RuntimeError):
    """A run cannot be started or read; the message names what and why (never a credential)."""


def job_name(platform: str) -> str:
    """The Dagster job that syncs one account of `platform` (defined in orchestration/account_sync.py)."""
    return f"sync_{platform}_job"


def raw_op(platform: str) -> str:
    """The platform's raw multi-asset step (orchestration.raw.build_raw_assets names it so)."""
    return f"{platform}_raw"


def dagster_url(env: dict[str, str] | None = None) -> str:
    """The Dagster webserver's base URL (no trailing slash)."""
    src = os.environ if env is None else env
    url = src.get(URL_ENV, "").strip().rstrip("/")
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise refusal(SyncError, "ws_sync_bad_url", var=URL_ENV, url=repr(url))
        return url
    return f"http://127.0.0.1:{src.get(PORT_ENV, '').strip() or '3000'}"


def run_link(run_id: str, base: str | None = None) -> str:
    """The run's page in the Dagster UI."""
    return f"{(base or dagster_url()).rstrip('/')}/runs/{run_id}"


@dataclass(frozen=True)
class Window:
    kind: str
    first: dt.date
    last: dt.date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def window(kind: str, date_from: dt.date | None = None, *, today: dt.date | None = None) -> Window:
    """The days a run loads: "load now" = the last complete Moscow day (the loader re-pulls the platform's
    restatement window before it); "backfill" = `date_from` through that day."""
    if kind not in KINDS:
        raise refusal(SyncError, "ws_not_one_of", field="kind", value=repr(kind), allowed=", ".join(KINDS))
    last = (today or clock.today(MOSCOW)) - dt.timedelta(days=1)
    if kind == "load_now":
        return Window(kind, last, last)
    if date_from is None:
        raise refusal(SyncError, "ws_sync_need_from", field="date_from")
    if date_from > last:
        raise refusal(SyncError, "ws_sync_after_last", field="date_from", day=date_from, last=last)
    if date_from < FIRST_DAY:
        raise refusal(SyncError, "ws_sync_before_first", field="date_from", day=date_from, first=FIRST_DAY)
    return Window(kind, date_from, last)


@dataclass(frozen=True)
class RunState:
    """What Dagster says about a run: status, steps finished of steps known, and the failure's error text."""

    run_id: str
    status: str
    steps_done: int = 0
    steps_total: int = 0
    error: str = ""

    @property
    def done(self) -> bool:
        return self.status in DONE

    @property
    def ok(self) -> bool:
        return self.status == "SUCCESS"


@dataclass(frozen=True)
class SyncRun:
    run_id: str
    url: str
    platform: str
    account_ids: tuple[str, ...]
    window: Window


_RUN_QUERY = """
query MrmRunState($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { status stepStats { stepKey status } }
    ... on RunNotFoundError { message }
    ... on PythonError { message }
  }
}
"""

_LOGS_QUERY = """
query MrmRunErrors($runId: ID!, $cursor: String) {
  logsForRun(runId: $runId, afterCursor: $cursor, limit: 2000) {
    __typename
    ... on EventConnection {
      cursor
      hasMore
      events {
        __typename
        ... on ExecutionStepFailureEvent { stepKey message error { message } }
        ... on RunFailureEvent { message error { message } }
        ... on EngineEvent { message error { message } }
      }
    }
    ... on PythonError { message }
  }
}
"""


def _reason(exc: BaseException) -> str:
    """What went wrong under the GraphQL client's error: the client wraps every failure (timeout, HTTP error,
    refused config) in one exception whose text is mostly the query; the cause, or its first line, says why."""
    if exc.__cause__ is not None:
        cause = exc.__cause__
        text = str(cause).strip()
        return f"{type(cause).__name__}: {text.splitlines()[0] if text else ''}"[:500]
    text = " ".join(str(a) for a in exc.args if a).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:500]


class Dagster:
    """The webserver's GraphQL API for starting and reading runs."""

    def __init__(self, base_url: str | None = None, *, timeout_s: int = 300) -> None:
        from dagster_graphql import DagsterGraphQLClient

        self.base_url = (base_url or dagster_url()).rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise refusal(SyncError, "ws_dagster_bad_url", url=repr(self.base_url))
        self._client = DagsterGraphQLClient(
            parts.hostname,
            port_number=parts.port,
            use_https=parts.scheme == "https",
            timeout=timeout_s,
            path_prefix=parts.path.rstrip("/"),
        )

    def _unreachable(self, exc: Exception) -> SyncError:
        return refusal(SyncError, "ws_dagster_unreachable", url=self.base_url, reason=_reason(exc))

    def submit(self, job: str, run_config: dict[str, Any], tags: dict[str, str]) -> str:
        from dagster_graphql import DagsterGraphQLClientError

        try:
            return str(self._client.submit_job_execution(job, run_config=run_config, tags=tags))
        except DagsterGraphQLClientError as exc:
            kind = exc.args[0] if exc.args else ""
            if kind in ("JobNotFoundError", "PipelineNotFoundError"):
                raise refusal(SyncError, "ws_dagster_no_job", url=self.base_url, job=repr(job)) from None
            if "connect" in str(exc).lower():
                raise self._unreachable(exc) from None
            raise refusal(SyncError, "ws_dagster_refused", job=job, reason=_reason(exc)) from None

    def _query(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        from dagster_graphql import DagsterGraphQLClientError

        try:
            return dict(self._client._execute(query, variables))
        except DagsterGraphQLClientError as exc:
            raise self._unreachable(exc) from None

    def state(self, run_id: str) -> RunState:
        """The run's status and step progress, with the failure's error when it failed."""
        res = self._query(_RUN_QUERY, {"runId": run_id})["runOrError"]
        if res["__typename"] != "Run":
            raise refusal(
                SyncError, "ws_sync_run_missing", run=run_id, message=res.get("message", res["__typename"])
            )
        steps = res.get("stepStats") or []
        finished = sum(1 for s in steps if s.get("status") in ("SUCCESS", "FAILURE", "SKIPPED"))
        status = str(res["status"])
        error = self.errors(run_id) if status == "FAILURE" else ""
        return RunState(run_id, status, finished, len(steps), error)

    def errors(self, run_id: str, *, max_pages: int = 20) -> str:
        """The failed steps' errors (each step once), else the run failure's message."""
        cursor: str | None = None
        steps: dict[str, str] = {}
        run_msgs: list[str] = []
        for _ in range(max_pages):
            res = self._query(_LOGS_QUERY, {"runId": run_id, "cursor": cursor})["logsForRun"]
            if res["__typename"] != "EventConnection":
                return str(res.get("message", res["__typename"]))[:_ERROR_CHARS]
            for ev in res["events"]:
                kind = ev.get("__typename")
                err = ((ev.get("error") or {}).get("message") or "").strip()
                if kind == "ExecutionStepFailureEvent":
                    steps.setdefault(str(ev.get("stepKey")), err or str(ev.get("message", "")))
                elif kind == "RunFailureEvent":
                    run_msgs.append(err or str(ev.get("message", "")))
                elif kind == "EngineEvent" and err:
                    run_msgs.append(err)  # a run worker that could not start (code location, config)
            cursor = res["cursor"]
            if not res["hasMore"]:
                break
        text = "\n".join(f"{k}: {v}" for k, v in steps.items()) or "\n".join(m for m in run_msgs if m)
        return text[:_ERROR_CHARS]


# ---------------------------------------------------------------- starting and following runs


def _accounts(ch: Any, p: Principal, client_id: str, platform: str, account_ids: Sequence[str]) -> list[str]:
    """The accounts are active accounts of `platform` of an active client of p's tenant that p may serve."""
    require_client(ch, p, client_id)
    wanted = list(dict.fromkeys(check_id("account", a) for a in account_ids))
    if not wanted:
        raise refusal(SyncError, "ws_pick_accounts", field="account_ids")
    rows = ch.query(
        "SELECT a.account_id, a.is_active, c.is_active FROM (SELECT * FROM app.accounts FINAL "
        "WHERE tenant_id = {t:String} AND client_id = {c:String} AND platform = {p:String} "
        "AND has({a:Array(String)}, account_id)) AS a "
        "LEFT JOIN (SELECT client_id, is_active FROM app.clients FINAL WHERE tenant_id = {t:String}) AS c "
        "ON c.client_id = a.client_id",
        parameters={"t": p.tenant_id, "c": client_id, "p": platform, "a": wanted},
    ).result_rows
    found = {str(r[0]): (bool(r[1]), bool(r[2])) for r in rows}
    missing = [a for a in wanted if a not in found]
    if missing:
        raise refusal(
            LookupError, "ws_sync_not_account", account=f"{platform}/{missing[0]}", client=repr(client_id)
        )
    if not all(c for _, c in found.values()):
        raise refusal(SyncError, "ws_sync_client_archived", client=repr(client_id))
    stopped = [a for a in wanted if not found[a][0]]
    if stopped:
        raise refusal(SyncError, "ws_sync_account_stopped", account=f"{platform}/{stopped[0]}")
    return wanted


def _record(ch: Any, rows: list[dict[str, Any]]) -> None:
    insert_dicts(ch, "app.sync_runs", rows)


def start(
    ch: Any,
    p: Principal,
    client_id: str,
    platform: str,
    account_ids: Sequence[str],
    kind: str,
    *,
    date_from: dt.date | None = None,
    today: dt.date | None = None,
    dagster: Dagster | None = None,
) -> SyncRun:
    """Start "load now" or "backfill from date_from" for accounts of one platform of a client, as one run;
    returns the run id and its UI link."""
    require(ch, p, "manage_connections", target=f"{platform}/{','.join(account_ids)}"[:500])
    accounts = _accounts(ch, p, client_id, platform, account_ids)
    win = window(kind, date_from, today=today)
    api = dagster or Dagster()
    run_config = {"ops": {raw_op(platform): {"config": {"tenants": [p.tenant_id], "accounts": accounts}}}}
    target = f"{platform}/{','.join(accounts)}"[:500]
    tags = {
        RANGE_START_TAG: win.first.isoformat(),
        RANGE_END_TAG: win.last.isoformat(),
        "mrm/flow": "account_sync",
        "mrm/sync_kind": kind,
        "mrm/tenant": p.tenant_id,
        "mrm/client": client_id,
        "mrm/accounts": target,
        "mrm/started_by": p.login,
    }
    try:
        run_id = api.submit(job_name(platform), run_config, tags)
    except SyncError as exc:
        audit(ch, p.tenant_id, p.login, "sync_start", "error", target=target, detail=str(exc))
        raise
    url = run_link(run_id, api.base_url)
    now = dt.datetime.now(dt.UTC)
    _record(
        ch,
        [
            {
                "tenant_id": p.tenant_id,
                "client_id": client_id,
                "platform": platform,
                "account_id": a,
                "run_id": run_id,
                "kind": kind,
                "date_from": win.first,
                "date_to": win.last,
                "run_url": url,
                "started_by": p.login,
                "started_at": now,
                "status": "QUEUED",
                "error": "",
                "updated_at": now,
            }
            for a in accounts
        ],
    )
    audit(
        ch,
        p.tenant_id,
        p.login,
        "sync_start",
        "ok",
        target=target,
        detail=f"{kind} {win.first}..{win.last} run={run_id}",
    )
    return SyncRun(run_id, url, platform, tuple(accounts), win)


def refresh(
    ch: Any, p: Principal, client_id: str, run_id: str, *, dagster: Dagster | None = None
) -> RunState:
    """The run's state now (from Dagster); a changed status is recorded in app.sync_runs."""
    require(ch, p, "manage_connections", target=run_id)
    require_client(ch, p, client_id)
    res = ch.query(
        "SELECT * FROM app.sync_runs FINAL WHERE tenant_id = {t:String} AND client_id = {c:String} "
        "AND run_id = {r:String}",
        parameters={"t": p.tenant_id, "c": client_id, "r": run_id},
    )
    rows = [dict(zip(res.column_names, r, strict=True)) for r in res.result_rows]
    if not rows:
        raise refusal(LookupError, "ws_sync_not_run", run=repr(run_id), client=repr(client_id))
    state = (dagster or Dagster()).state(run_id)
    if any(r["status"] != state.status for r in rows):
        now = dt.datetime.now(dt.UTC)
        _record(ch, [{**r, "status": state.status, "error": state.error, "updated_at": now} for r in rows])
    return state


def latest_runs(ch: Any, p: Principal, client_id: str) -> list[dict[str, Any]]:
    """The newest sync run of each of the client's accounts, as the app last saw it."""
    require(ch, p, "manage_connections", target=client_id)
    require_client(ch, p, client_id)
    res = ch.query(
        "SELECT platform, account_id, argMax(run_id, started_at) AS run_id, argMax(kind, started_at) AS kind, "
        "argMax(date_from, started_at) AS date_from, argMax(date_to, started_at) AS date_to, "
        "argMax(run_url, started_at) AS run_url, argMax(status, started_at) AS status, "
        "argMax(error, started_at) AS error, max(started_at) AS last_started_at "
        "FROM app.sync_runs FINAL WHERE tenant_id = {t:String} AND client_id = {c:String} "
        "GROUP BY platform, account_id ORDER BY platform, account_id",
        parameters={"t": p.tenant_id, "c": client_id},
    )
    return [dict(zip(res.column_names, r, strict=True)) for r in res.result_rows]


def wait(api: Dagster, run_id: str, *, timeout_s: float, poll_s: float = 2.0) -> RunState:
    """Poll until the run is done (for tests and scripts; the app polls from a fragment instead)."""
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        state = api.state(run_id)
        if state.done:
            return state
        if time.monotonic() > deadline:
            raise TimeoutError(f"run {run_id} still {state.status} after {timeout_s:.0f} s")
        time.sleep(poll_s)
