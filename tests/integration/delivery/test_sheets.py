"""Google Sheets delivery against the Sheets API v4 emulator over real HTTP: the service-account JWT is verified
by the emulator, tables land as typed values under headers in the report's language, a 429 RESOURCE_EXHAUSTED
is waited out with growing pauses, and one that persists, or a deleted spreadsheet, breaks the channel."""

from __future__ import annotations

import copy

import httpx
import pytest

from assistants.reports.render import labels
from delivery import sheets as sh
from delivery.telegram import ChannelBroken


@pytest.fixture(scope="module")
def sbx():
    from ingestion.sandbox.server import SandboxServer

    with SandboxServer(apis=["sheets"]) as server:
        yield server


@pytest.fixture
def key(sbx):
    sbx.faults.clear()
    return httpx.get(f"{sbx.url('sheets')}/_sandbox/service_account.json", timeout=10).json()


def _book(sbx, **body) -> str:
    return httpx.post(f"{sbx.url('sheets')}/_sandbox/spreadsheets", json=body, timeout=10).json()[
        "spreadsheetId"
    ]


def _cells(sbx, sid: str) -> dict:
    return httpx.get(f"{sbx.url('sheets')}/_sandbox/spreadsheets/{sid}", timeout=10).json()["sheets"]


def _client(sbx, key, waits: list[float] | None = None) -> sh.SheetsClient:
    return sh.SheetsClient(
        key, sbx.url("sheets"), sleep=(waits.append if waits is not None else lambda s: None)
    )


SNAP = {
    "client_name": "=HYPERLINK(1)",
    "period": {"from": "2026-04-20", "to": "2026-04-26"},
    "currency": "RUB",
    "totals": {"impressions": 1000, "clicks": 50, "spend": 1234.5, "ctr": 0.05, "cpa": None},
    "campaigns": [
        {
            "platform": "yandex_direct",
            "campaign_id": "c1",
            "campaign_name": "Весна",
            "impressions": 700,
            "clicks": 30,
            "spend": 1000.25,
            "ctr": 30 / 700,
        },
        {
            "platform": "vk_ads",
            "campaign_id": "c2",
            "campaign_name": "-minus",
            "impressions": 300,
            "clicks": 20,
            "spend": 234.25,
            "ctr": 20 / 300,
        },
    ],
    "channels": [],
    "plan_vs_fact": [],
}


def test_report_tables_are_typed_under_headers_in_the_report_language(sbx, key):
    sid = _book(sbx, title="Acme")
    client = _client(sbx, key)
    cells = client.write_tables(sid, sh.report_tables(SNAP, "ru"))
    sheets = _cells(sbx, sid)
    assert {"Сводка", "Кампании", "Каналы", "План-факт"} <= set(sheets)
    camp = sheets["Кампании"]
    ru = labels("ru")
    assert camp[0][:4] == [ru["platform"], ru["campaign_id"], ru["campaign"], ru["impressions"]]
    assert camp[0][0] != labels("en")["platform"]
    assert camp[1][3] == 700 and camp[1][5] == 1000.25 and isinstance(camp[2][5], float)
    assert camp[2][2] == "'-minus"  # formula-looking text is quoted, never evaluated
    assert sheets["Сводка"][0][1] == "'=HYPERLINK(1)"
    assert cells == sum(1 for t in sheets.values() for row in t for v in row if v is not None)
    # a refresh in English replaces the contents (no stale rows below a shorter table)
    short = copy.deepcopy(SNAP)
    short["campaigns"] = short["campaigns"][:1]
    client.write_tables(sid, sh.report_tables(short, "en"))
    after = _cells(sbx, sid)
    assert after["Campaigns"][0][2] == "Campaign" and len(after["Campaigns"]) == 2
    assert len(after["Кампании"]) == 3  # the Russian sheet of the earlier export is left as it was


def test_values_update_wire_shape_and_errors(sbx, key):
    sid = _book(sbx)
    client = _client(sbx, key)
    out = client.update(sid, "'Sheet1'!B2", [[1, "x"], [2.5, None, True]])
    assert out["updatedRange"] == "Sheet1!B2:D3" and out["updatedCells"] == 4
    assert _cells(sbx, sid)["Sheet1"][1][1:] == [1, "x", None]
    r = httpx.put(
        f"{sbx.url('sheets')}/v4/spreadsheets/{sid}/values/Sheet1!A1",
        json={"range": "Sheet1!A1", "values": [[1]]},
        headers={"Authorization": f"Bearer {client.token()}"},
    )
    assert r.status_code == 400 and r.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert "valueInputOption" in r.json()["error"]["message"]
    with pytest.raises(sh.DeliveryError, match="Unable to parse range"):
        client.update(sid, "Nope!A1", [[1]])


def test_a_signature_from_another_key_is_refused(sbx, key):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    forged = dict(key)
    forged["private_key"] = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    with pytest.raises(ChannelBroken, match="Invalid JWT Signature"):
        _client(sbx, forged).token()
    assert _client(sbx, key).token().startswith("ya29.")


def test_quota_is_waited_out_then_a_persistent_one_breaks(sbx, key):
    sid = _book(sbx)
    waits: list[float] = []
    sbx.faults.add("sheets", "http_429", count=2, path="values:batchUpdate")
    _client(sbx, key, waits).write_tables(sid, {"T": [["a"], [1]]})
    assert waits == [1.0, 2.0] and _cells(sbx, sid)["T"] == [["a"], [1]]
    waits.clear()
    sbx.faults.add("sheets", "http_429", count=None, path="values:batchUpdate")
    with pytest.raises(sh.QuotaExceeded, match="RESOURCE_EXHAUSTED"):
        _client(sbx, key, waits).write_tables(sid, {"T": [["a"]]})
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]


def test_a_deleted_or_unshared_spreadsheet_breaks_the_channel(sbx, key):
    sid = _book(sbx)
    httpx.delete(f"{sbx.url('sheets')}/_sandbox/spreadsheets/{sid}", timeout=10)
    with pytest.raises(ChannelBroken, match="NOT_FOUND"):
        _client(sbx, key).write_tables(sid, {"T": [[1]]})
    private = _book(sbx, share_with=["someone@example.com"])
    with pytest.raises(ChannelBroken, match="PERMISSION_DENIED"):
        _client(sbx, key).write_tables(private, {"T": [[1]]})
