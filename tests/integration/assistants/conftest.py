import datetime as dt
import importlib.util
from pathlib import Path

import pytest

from benchmarks import ai_world
from benchmarks.ai_world import ReportClient

_REPLAY = Path(__file__).resolve().parents[2] / "fixtures" / "llm_recordings" / "replay.py"
_spec = importlib.util.spec_from_file_location("mrm_llm_replay_it", _REPLAY)
replay = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(replay)

TENANT = "it_ai"
OTHER_TENANT = "it_ai_other"
MARTS = (
    "marts_it_ai"  # our own database: the real dbt marts may live in `marts` of the same session warehouse
)
START = dt.date(2026, 9, 1)
DAYS = 70
END = START + dt.timedelta(days=DAYS - 1)


@pytest.fixture
def replay_server():
    return replay.ReplayServer


@pytest.fixture(scope="session")
def ai_marts(ch):
    """Synthetic marts with two clients; an injected spend spike on the last day for `romashka`."""
    from assistants.insights import synthetic
    from warehouse.migrate import migrate as run_migrations

    run_migrations(ch)
    inj = [synthetic.Injection("romashka", "romashka-c1", END, "spend_spike")]
    clients = [
        ReportClient(
            "romashka",
            "ООО «Ромашка»",
            "ru",
            commission=0.1,
            recipients=("ivan@romashka.example", "olga@romashka.example"),
        ),
        ReportClient("acme", "Acme Retail", "en", recipients=("cmo@acme.example",)),
    ]
    camps = ai_world.build(
        ch, MARTS, TENANT, clients, START, DAYS, seed=3, injections=inj, plan_overspend={"acme": 1.3}
    )
    synthetic.generate(ch, MARTS, OTHER_TENANT, ["romashka"], START, DAYS, seed=4)
    return {
        "db": MARTS,
        "tenant": TENANT,
        "other": OTHER_TENANT,
        "end": END,
        "start": START,
        "campaigns": camps,
    }


# The analyst's world: sample marts with every table the metric layer reads, app.clients rows, two tenants that
# reuse the client id `acme` (the other tenant's volumes are different, so a leak shows in any number).
AN_T1, AN_T2 = "it_analyst", "it_analyst_other"
AN_DB = "marts_it_analyst"
AN_END = dt.date(2026, 11, 11)  # a Wednesday: "last week" is the full week before, not the last 7 days
AN_DAYS = 70


@pytest.fixture(scope="session")
def analyst_marts(ch):
    from dashboards import sample_marts
    from warehouse.migrate import migrate as run_migrations

    run_migrations(ch)
    specs = [
        sample_marts.ClientSpec(AN_T1, "acme", "Acme", seed=21),
        sample_marts.ClientSpec(AN_T1, "romashka", "Ромашка", seed=22, campaigns=4),
        sample_marts.ClientSpec(AN_T2, "acme", "Acme of another agency", seed=23, campaigns=9),
    ]
    sample_marts.build(ch, AN_DB, specs, end=AN_END, days=AN_DAYS)
    return ch
