"""The official `google-analytics-data` client, REST transport, pointed at the sandbox's GA4 emulator by
`api_endpoint` and at its OAuth emulator by the credentials' token URI: the reports it reads (paged by offset/limit,
and in one batchRunReports) give the numbers the connector loaded into raw_ga4.traffic_daily, row by row and summed
per date and per campaign; its errors, metadata and token refresh work on the emulator's answers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from google.analytics.data_v1beta import BetaAnalyticsDataClient
from google.analytics.data_v1beta.types import (
    BatchRunReportsRequest,
    DateRange,
    Dimension,
    Filter,
    FilterExpression,
    FilterExpressionList,
    Metric,
    MetricAggregation,
    OrderBy,
    RunReportRequest,
    RunReportResponse,
)
from google.api_core import exceptions as gexc
from google.oauth2.credentials import Credentials

from ingestion.ga4 import Settings, load
from ingestion.sandbox.google_oauth import SANDBOX_GOOGLE
from ingestion.sandbox.server import SandboxServer
from ingestion.sandbox.testing import SANDBOX_TODAY, clean_faults, sandbox  # noqa: F401
from warehouse.loads import current_rows_sql

FROM, TO = date(2026, 1, 5), date(2026, 1, 19)  # 15daysAgo .. yesterday of the sandbox's today
DIMENSIONS = ["date", "sessionSource", "sessionMedium", "sessionCampaignName"]
METRICS = ["sessions", "totalUsers", "keyEvents", "totalRevenue"]
COLUMNS = (
    "session_source, session_medium, session_campaign_name, sessions, total_users, key_events, total_revenue"
)
TABLE = "raw_ga4.traffic_daily"
NUMERIC = OrderBy.DimensionOrderBy.OrderType.NUMERIC  # enums go on the wire as numbers
CASELESS = OrderBy.DimensionOrderBy.OrderType.CASE_INSENSITIVE_ALPHANUMERIC


@pytest.fixture()
def official(clean_faults: SandboxServer) -> Iterator[tuple[SandboxServer, BetaAnalyticsDataClient, dict]]:  # noqa: F811
    """The sandbox, the official client on its REST transport, and the GA4 properties by currency."""
    creds = Credentials(
        None,  # no access token yet: the first call refreshes it at the OAuth emulator
        refresh_token=SANDBOX_GOOGLE["refresh_token"],
        client_id=SANDBOX_GOOGLE["client_id"],
        client_secret=SANDBOX_GOOGLE["client_secret"],
        token_uri=f"{clean_faults.url('google_oauth')}/token",
    )
    client = BetaAnalyticsDataClient(
        credentials=creds,
        transport="rest",  # plain http: the endpoint's scheme is kept (https is only the default)
        client_options={"api_endpoint": clean_faults.url("ga4")},
    )
    props = {a.currency: a for a in clean_faults.world.accounts_for("ga4")}
    yield clean_faults, client, props
    client.transport.close()


def load_window(ch, server: SandboxServer, prop) -> None:
    load(
        ch,
        Settings.for_sandbox(server.url("ga4")),
        tenant_id=prop.tenant_id,
        account_id=prop.account_id,
        date_from=FROM,
        date_to=TO,
        today=SANDBOX_TODAY,
    )


def loaded(ch, prop, select: str, tail: str = "", **params: str) -> list[tuple]:
    """Rows of the connector's table for the property, as (key..., numbers...) tuples in the query's order."""
    sql = f"SELECT {select} FROM ({current_rows_sql(TABLE)}) WHERE account_id = {{a:String}} {tail}"
    return ch.query(sql, parameters={"a": prop.account_id, **params}).result_rows


def report(prop, dimensions: list[str], metrics: list[str], **extra) -> RunReportRequest:
    return RunReportRequest(
        property=f"properties/{prop.account_id}",
        dimensions=[Dimension(name=d) for d in dimensions],
        metrics=[Metric(name=m) for m in metrics],
        date_ranges=[DateRange(start_date=str(FROM), end_date=str(TO))],
        **extra,
    )


def numbers(answer: RunReportResponse) -> list[tuple]:
    """The answer's rows in its order as (dimension values..., Decimal metric values...), `date` as a date."""
    out = []
    for r in answer.rows:
        dims: list[object] = [v.value for v in r.dimension_values]
        if [h.name for h in answer.dimension_headers][:1] == ["date"]:
            dims[0] = date(int(dims[0][:4]), int(dims[0][4:6]), int(dims[0][6:]))
        out.append((*dims, *(Decimal(v.value) for v in r.metric_values)))
    return out


def text_filter(value: str, match_type: int) -> Filter.StringFilter:
    """A string filter; match types by number (1 EXACT … 5 FULL_REGEXP), as the REST transport sends them."""
    return Filter.StringFilter(value=value, match_type=match_type)


def paged(client: BetaAnalyticsDataClient, prop, limit: int) -> tuple[list[tuple], list[RunReportResponse]]:
    """Every row of the connector's report, newest day first and the day's rows by sessions, descending (ties in
    dimension order), read by the official client `limit` rows a page."""
    answers: list[RunReportResponse] = []
    offset = 0
    while True:
        answer = client.run_report(
            report(
                prop,
                DIMENSIONS,
                METRICS,
                order_bys=[
                    OrderBy(
                        dimension=OrderBy.DimensionOrderBy(dimension_name="date", order_type=NUMERIC),
                        desc=True,
                    ),
                    OrderBy(metric=OrderBy.MetricOrderBy(metric_name="sessions"), desc=True),
                ],
                offset=offset,
                limit=limit,
            )
        )
        answers.append(answer)
        offset += len(answer.rows)
        if offset >= answer.row_count or not answer.rows:
            break
    return [row for a in answers for row in numbers(a)], answers


@pytest.mark.parametrize("currency", ["USD", "EUR"])  # EUR: the long-tail property with an "(other)" row
def test_paged_report_of_the_official_client_equals_the_loaded_rows(ch, official, currency: str) -> None:
    server, client, props = official
    prop = props[currency]
    load_window(ch, server, prop)
    rows, answers = paged(client, prop, limit=7)
    order = "ORDER BY date_day DESC, sessions DESC, session_source, session_medium, session_campaign_name"
    stored = loaded(ch, prop, f"date_day, {COLUMNS}", order)
    assert len(answers) > 3 and len(rows) == answers[0].row_count == len(stored) > 0
    assert rows == stored  # same rows, and the same order across the pages
    assert [h.name for h in answers[0].metric_headers] == METRICS
    assert answers[0].metric_headers[0].type_.name == "TYPE_INTEGER"
    assert answers[0].metadata.currency_code == currency
    other = [r for r in rows if r[1] == "(other)"]
    assert bool(other) == (currency == "EUR")
    assert all(a.metadata.data_loss_from_other_row == bool(other) for a in answers)


def test_batch_reports_sum_per_date_and_per_campaign_as_the_loaded_rows(ch, official) -> None:
    server, client, props = official
    prop = props["USD"]
    load_window(ch, server, prop)
    summed = ["sessions", "conversions", "totalRevenue"]  # conversions: the older name of key events
    totals = [MetricAggregation.TOTAL]  # sent as the enum number by the REST transport
    by_date = report(prop, ["date"], summed, metric_aggregations=totals)
    by_date.date_ranges = [DateRange(start_date="15daysAgo", end_date="yesterday")]  # = FROM..TO
    by_campaign = report(prop, ["sessionCampaignName"], summed, metric_aggregations=totals)
    top = report(
        prop,
        ["sessionCampaignName"],
        ["sessions"],
        order_bys=[
            OrderBy(metric=OrderBy.MetricOrderBy(metric_name="sessions"), desc=True),
            OrderBy(
                dimension=OrderBy.DimensionOrderBy(dimension_name="sessionCampaignName", order_type=CASELESS)
            ),
        ],
        limit=5,
    )
    (first,) = loaded(
        ch, prop, "min(session_campaign_name)", "AND startsWith(session_campaign_name, 'gads_')"
    )[0]
    # "CPC" matches "cpc": GA4 string filters ignore case unless asked not to.
    medium = Filter(field_name="sessionMedium", string_filter=text_filter("CPC", 1))
    not_first = Filter(field_name="sessionCampaignName", in_list_filter=Filter.InListFilter(values=[first]))
    paid_but_first = FilterExpression(
        and_group=FilterExpressionList(
            expressions=[
                FilterExpression(filter=medium),
                FilterExpression(not_expression=FilterExpression(filter=not_first)),
            ]
        )
    )
    paid = report(prop, ["sessionCampaignName"], summed, dimension_filter=paid_but_first)
    batch = client.batch_run_reports(
        BatchRunReportsRequest(
            property=f"properties/{prop.account_id}", requests=[by_date, by_campaign, top, paid]
        )
    )
    per_date, per_campaign, top5, per_paid = batch.reports
    sums = "sum(sessions), sum(key_events), sum(total_revenue)"
    assert sorted(numbers(per_date)) == loaded(ch, prop, f"date_day, {sums}", "GROUP BY 1 ORDER BY 1")
    campaigns = sorted(numbers(per_campaign))
    assert campaigns == loaded(ch, prop, f"session_campaign_name, {sums}", "GROUP BY 1 ORDER BY 1")
    top_sql = "GROUP BY 1 ORDER BY 2 DESC, lower(session_campaign_name) LIMIT 5"
    assert numbers(top5) == loaded(ch, prop, "session_campaign_name, sum(sessions)", top_sql)
    assert top5.row_count == len(campaigns) > 5
    paid_sql = "AND session_medium = 'cpc' AND session_campaign_name != {c:String} GROUP BY 1 ORDER BY 1"
    paid_rows = loaded(ch, prop, f"session_campaign_name, {sums}", paid_sql, c=first)
    assert sorted(numbers(per_paid)) == paid_rows and paid_rows
    # Paid rows carry the UTM campaign that links to Google Ads: every gads_ campaign but the excluded one.
    assert {r[0] for r in paid_rows} == {c[0] for c in campaigns if c[0].startswith("gads_")} - {first}
    whole = loaded(ch, prop, sums)
    for answer in (per_date, per_campaign):
        assert [v.value for v in answer.totals[0].dimension_values] == ["RESERVED_TOTAL"]
        assert [tuple(Decimal(v.value) for v in answer.totals[0].metric_values)] == whole


def test_official_client_errors_refresh_and_metadata(official) -> None:
    server, client, props = official
    prop = props["USD"]
    sessions = report(prop, ["date"], ["sessions"])
    clean = numbers(client.run_report(sessions))
    assert clean
    server.faults.add("ga4", "expired_token", count=1)  # the client's session refreshes the token and retries
    assert numbers(client.run_report(sessions)) == clean
    server.faults.add("ga4", "ga4_quota", count=1)
    with pytest.raises(gexc.TooManyRequests, match="quota") as quota:  # REST: the class follows the HTTP code
        client.run_report(sessions)
    assert quota.value.response.json()["error"]["status"] == "RESOURCE_EXHAUSTED"  # google.rpc.Status
    server.faults.add("ga4", "http_5xx", count=1)
    with pytest.raises(gexc.ServiceUnavailable):
        client.run_report(sessions)
    assert server.faults.list() == []
    foreign = report(prop, ["date"], ["sessions"])
    foreign.property = "properties/999"
    with pytest.raises(gexc.Forbidden, match="properties/999"):
        client.run_report(foreign)
    with pytest.raises(gexc.BadRequest, match="bounceRate"):
        client.run_report(report(prop, ["date"], ["bounceRate"]))
    many = FilterExpression(
        filter=Filter(
            field_name="sessions", numeric_filter=Filter.NumericFilter(operation=4, value={"int64_value": 9})
        )
    )
    with pytest.raises(gexc.BadRequest, match="metricFilter"):  # refused, not answered unfiltered
        client.run_report(report(prop, ["date"], ["sessions"], metric_filter=many))
    bad = FilterExpression(filter=Filter(field_name="sessionSource", string_filter=text_filter("(", 5)))
    with pytest.raises(
        gexc.BadRequest, match=r"dimensionFilter.filter.stringFilter.value: '\(' is not a regular"
    ):
        client.run_report(report(prop, ["date"], ["sessions"], dimension_filter=bad))
    by_users = [OrderBy(metric=OrderBy.MetricOrderBy(metric_name="totalUsers"))]
    with pytest.raises(gexc.BadRequest, match=r"orderBys\[0\]: metric 'totalUsers'"):
        client.run_report(report(prop, ["date"], ["sessions"], order_bys=by_users))
    with pytest.raises(gexc.BadRequest, match="1 to 5 reports, not 6"):
        client.batch_run_reports(BatchRunReportsRequest(property=sessions.property, requests=[sessions] * 6))
    server.faults.add("ga4", "ga4_sampled", count=1, share=0.25)
    server.faults.add("ga4", "ga4_thresholded", count=1)
    meta = client.run_report(sessions).metadata
    (sampling,) = meta.sampling_metadatas
    assert sampling.samples_read_count / sampling.sampling_space_size == 0.25
    assert meta.subject_to_thresholding and meta.time_zone and meta.currency_code == "USD"
