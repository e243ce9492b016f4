"""Alert thresholds per client (app.alert_thresholds), with defaults: the pacing deviation in %, the day of the
flight from which pacing is judged, the hours after which data is stale, and how many days before a token
expires it is announced. Values arrive as text (CLI, app form) and are refused with the field's name."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from delivery.alerts import AlertRules
from mrm.i18n import refusal

# field -> (lowest, highest, integer?) accepted
BOUNDS: dict[str, tuple[float, float, bool]] = {
    "pacing_off_pct": (1.0, 500.0, False),
    "pacing_from_day": (1, 366, True),
    "stale_hours": (1.0, 720.0, False),
    "token_days": (0, 365, True),
}
FIELDS = tuple(BOUNDS)


class ThresholdError(ValueError):
    """A threshold that cannot be saved; the message starts with the field's name."""


_DEFAULT = AlertRules()


@dataclass(frozen=True)
class Thresholds:
    """What a client may set; the defaults are the alert rules' own."""

    pacing_off_pct: float = round(_DEFAULT.pacing_off * 100, 6)
    pacing_from_day: int = _DEFAULT.pacing_from_day
    stale_hours: float = _DEFAULT.stale_hours
    token_days: int = _DEFAULT.token_days

    def validate(self) -> Thresholds:
        for name, (lo, hi, whole) in BOUNDS.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or (whole and int(v) != v):
                key = "dlv_not_whole_number" if whole else "dlv_not_number"
                raise refusal(ThresholdError, key, field=name, value=repr(v))
            if not lo <= v <= hi:
                raise refusal(
                    ThresholdError, "dlv_out_of_range", field=name, value=f"{v:g}", lo=f"{lo:g}", hi=f"{hi:g}"
                )
        return self

    def rules(self, base: AlertRules | None = None) -> AlertRules:
        """The alert rules with these thresholds (everything else from `base`)."""
        return dataclasses.replace(
            base or AlertRules(),
            pacing_off=self.pacing_off_pct / 100,
            pacing_from_day=int(self.pacing_from_day),
            stale_hours=float(self.stale_hours),
            token_days=int(self.token_days),
        )


def parse(values: dict[str, str], base: Thresholds | None = None) -> Thresholds:
    """Thresholds from text values (only the given fields change); an unknown or unreadable field is named."""
    out: dict[str, Any] = {}
    for name, raw in values.items():
        if name not in BOUNDS:
            raise refusal(ThresholdError, "dlv_unknown_threshold", field=name, known=", ".join(FIELDS))
        text = str(raw).strip().replace(",", ".").rstrip("%").strip()
        try:
            num = float(text)
        except ValueError:
            raise refusal(ThresholdError, "dlv_not_number", field=name, value=repr(raw)) from None
        out[name] = int(num) if BOUNDS[name][2] and num.is_integer() else num
    return dataclasses.replace(base or Thresholds(), **out).validate()


def get(ch: Any, tenant_id: str, client_id: str) -> Thresholds:
    rows = ch.query(
        "SELECT " + ", ".join(FIELDS) + " FROM app.alert_thresholds FINAL "  # noqa: S608
        "WHERE tenant_id = {t:String} AND client_id = {c:String}",
        parameters={"t": tenant_id, "c": client_id},
    ).result_rows
    if not rows:
        return Thresholds()
    r = rows[0]
    return Thresholds(float(r[0]), int(r[1]), float(r[2]), int(r[3]))


def save(ch: Any, tenant_id: str, client_id: str, th: Thresholds, *, by: str) -> Thresholds:
    th.validate()
    known = ch.query(
        "SELECT count() FROM app.clients FINAL WHERE tenant_id = {t:String} AND client_id = {c:String}",
        parameters={"t": tenant_id, "c": client_id},
    ).result_rows[0][0]
    if not known:
        raise refusal(ThresholdError, "dlv_no_client", field="client_id", client=repr(client_id))
    ch.insert(
        "app.alert_thresholds",
        [[tenant_id, client_id, *(getattr(th, f) for f in FIELDS), by]],
        column_names=["tenant_id", "client_id", *FIELDS, "updated_by"],
    )
    return th


def rules_for(ch: Any, tenant_id: str, client_id: str, base: AlertRules | None = None) -> AlertRules:
    """The rules a client's alerts are judged by: its stored thresholds over the defaults."""
    return get(ch, tenant_id, client_id).rules(base)
