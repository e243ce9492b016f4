"""Pure parts of the Sheets channel, broken-channel detection and thresholds: the service-account JWT verifies with
the key's public half (and not once altered), A1 names are quoted, report rows keep numbers as numbers, a Sheets
schedule needs a well-formed spreadsheet id, SMTP refusals are told from passing faults, thresholds parse text."""

from __future__ import annotations

import base64
import json
import smtplib

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from delivery import channels, thresholds
from delivery import schedules as sc
from delivery import sheets as sh


@pytest.fixture(scope="module")
def key() -> dict:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return {
        "private_key": pem,
        "private_key_id": "kid-1",
        "client_email": "svc@project.iam.gserviceaccount.com",
        "token_uri": "https://oauth2.googleapis.com/token",
        "_public": private.public_key(),
    }


def _part(s: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))


def test_the_jwt_is_rs256_signed_and_verifies_only_unaltered(key):
    head, body, sig = sh.signed_jwt(key, now=1_800_000_000).split(".")
    assert _part(head) == {"alg": "RS256", "typ": "JWT", "kid": "kid-1"}
    claims = _part(body)
    assert claims["iss"] == key["client_email"] and claims["aud"] == key["token_uri"]
    assert claims["exp"] - claims["iat"] == 3600 and claims["scope"] == sh.SCOPE
    raw = base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))
    key["_public"].verify(raw, f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    forged = base64.urlsafe_b64encode(json.dumps({**claims, "scope": "all"}).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidSignature):
        key["_public"].verify(raw, f"{head}.{forged}".encode(), padding.PKCS1v15(), hashes.SHA256())


def test_a1_names_are_quoted():
    assert sh.a1("O'Brien", "A1") == "'O''Brien'!A1"
    assert sh.a1("Сводка") == "'Сводка'"


def test_report_rows_keep_numbers_and_quote_formulas():
    snap = {
        "client_name": "+7 Client",
        "period": {"from": "2026-01-01", "to": "2026-01-31"},
        "currency": "RUB",
        "totals": {"impressions": 10, "spend": 99.5, "cpa": None},
        "campaigns": [
            {"platform": "vk_ads", "campaign_name": "@home", "clicks": 3, "ctr": 0.25, "is_x": True}
        ],
        "channels": [],
        "plan_vs_fact": [],
    }
    ru, en = sh.report_tables(snap, "ru"), sh.report_tables(snap, "en")
    assert list(ru) != list(en) and len(ru) == len(en) == 4
    summary = next(iter(en.values()))
    assert summary[0][1] == "'+7 Client"
    values = {row[0]: row[1] for row in summary[4:]}
    assert 10 in values.values() and 99.5 in values.values() and "" in values.values()
    campaigns = list(en.values())[1]
    header, row = campaigns
    assert row[header.index("Campaign")] == "'@home" and row[header.index("CTR")] == 0.25
    assert isinstance(row[header.index("Clicks")], int)


@pytest.mark.parametrize(
    ("channels_", "sheet", "ok"),
    [
        (("sheets",), "1AbCdEfGhIjK_-9", True),
        (("email",), "", True),
        (("sheets",), "", False),  # the channel needs its target
        (("email",), "1AbCdEfGhIjK", False),  # a target without its channel is a mistake to show
        (("sheets",), "https://docs.google.com/x", False),
        (("sheets",), "short", False),
    ],
)
def test_a_sheets_schedule_needs_a_spreadsheet_id(channels_, sheet, ok):
    s = sc.Schedule("t", "s1", "c", "daily", channels=channels_, spreadsheet_id=sheet)
    if ok:
        assert s.validate() is s
    else:
        with pytest.raises(sc.ScheduleError, match=r"^spreadsheet_id: "):
            s.validate()


def _wrapped(exc: Exception) -> Exception:
    try:
        try:
            raise exc
        except Exception as inner:
            raise RuntimeError("sending report failed") from inner
    except RuntimeError as outer:
        return outer


@pytest.mark.parametrize(
    ("exc", "refused"),
    [
        (smtplib.SMTPDataError(554, b"5.7.1 rejected"), True),
        (smtplib.SMTPDataError(451, b"try later"), False),
        (smtplib.SMTPRecipientsRefused({"a@x.example": (550, b"no such user")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x.example": (550, b"no"), "b@x.example": (452, b"full")}), False),
        (smtplib.SMTPServerDisconnected("gone"), False),
        (ConnectionRefusedError(111, "refused"), False),
    ],
)
def test_smtp_refusals_are_told_from_passing_faults(exc, refused):
    assert channels.smtp_refused(_wrapped(exc)) is refused


def test_thresholds_read_text_as_people_type_it():
    th = thresholds.parse({"pacing_off_pct": "20,5 %", "token_days": " 10 "})
    assert (th.pacing_off_pct, th.token_days, th.stale_hours) == (
        20.5,
        10,
        thresholds.Thresholds().stale_hours,
    )
    assert th.rules().pacing_off == pytest.approx(0.205)
