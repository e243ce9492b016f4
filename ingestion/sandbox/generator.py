"""Deterministic sandbox data: tenants → clients → accounts → campaigns → ad groups → ads → daily stats.

Everything is a pure function of `seed` (and of `as_of` for restating values), computed lazily per
(account, day) with numpy, so a 5 M-row report never has to exist in memory at once. User ids come from
one universe per tenant shared by all platforms, so deduplicated reach is meaningful.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cache, cached_property, lru_cache
from typing import TypeVar

import numpy as np

from ingestion.common.vat import vat_rate
from mrm import clock

_P = TypeVar("_P")

# Share of final conversions already reported `age` days after the day (index = age; ≥ len → 1.0).
# Everything settles by age 6, inside the 7-day Direct/VK lookback.
CONVERSION_SETTLE = (0.0, 0.55, 0.75, 0.88, 0.95, 0.98)
# Metrika visits arrive up to 2 days late (lag 0/1/2 with these probabilities): final by age 3.
VISIT_LAG_P = (0.8, 0.15, 0.05)
ATTRIBUTION_FACTORS = {
    "LC": 1.0,
    "LSC": 0.93,
    "FC": 0.86,
    "LYDC": 0.96,
    "FCCD": 0.88,
    "LSCCD": 0.95,
    "LYDCCD": 0.97,
    "AUTO": 0.98,
}
USER_UNIVERSE = 2_000_000


def _h(*parts: object) -> int:
    """Stable 63-bit hash (Python's hash() is salted per process)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & 0x7FFF_FFFF_FFFF_FFFF


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    name: str
    timezone: str = "Europe/Moscow"
    currency: str = "RUB"


@dataclass(frozen=True)
class Client:
    tenant_id: str
    client_id: str
    name: str
    currency: str = "RUB"
    agency_commission: Decimal = Decimal("0.10")


@dataclass(frozen=True)
class Account:
    tenant_id: str
    client_id: str
    platform: str
    account_id: str
    name: str
    currency: str = "RUB"
    timezone: str = "Europe/Moscow"
    spend_includes_vat: bool = True
    via_garpun: bool = False
    goals: tuple[int, ...] = ()
    goal_values_rub: tuple[int, ...] = ()


@dataclass(frozen=True)
class Campaign:
    account_id: str
    campaign_id: int
    name: str
    type: str
    network: str  # SEARCH | AD_NETWORK
    start: date
    end: date | None
    paused_from: date | None
    daily_budget_micros: int | None
    source_platform: str = ""

    def active_on(self, day: date) -> bool:
        if day < self.start or (self.end is not None and day > self.end):
            return False
        return self.paused_from is None or day < self.paused_from

    def state(self, today: date) -> str:
        if self.end is not None and self.end < today:
            return "ENDED"
        if self.paused_from is not None and self.paused_from <= today:
            return "SUSPENDED"
        if self.start > today:
            return "OFF"
        return "ON"


@dataclass(frozen=True)
class AdGroup:
    account_id: str
    ad_group_id: int
    campaign_id: int
    name: str


@dataclass(frozen=True)
class Ad:
    account_id: str
    ad_id: int
    ad_group_id: int
    campaign_id: int
    name: str
    url: str


@dataclass
class DayStats:
    """Ad × day statistics for one account (numpy arrays of equal length, one element per active ad)."""

    day: date
    ad_id: np.ndarray
    ad_group_id: np.ndarray
    campaign_id: np.ndarray
    network: np.ndarray  # 0 = SEARCH, 1 = AD_NETWORK
    impressions: np.ndarray
    clicks: np.ndarray
    cost_net_micros: np.ndarray
    goal_conversions: dict[int, np.ndarray] = field(default_factory=dict)
    goal_revenue_micros: dict[int, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ad_id)

    NETWORKS = ("SEARCH", "AD_NETWORK")


def vat_percent(country: str, day: date) -> int:
    """Integer VAT percent on `day` from the platform's one rate table (20 → 22 on 2026-01-01)."""
    return int(vat_rate(country, day) * 100)


def gross_micros(net_micros: np.ndarray, day: date, country: str = "RU") -> np.ndarray:
    """Net → gross of VAT in integer micros, rounded half-up per row (what the Direct emulator reports)."""
    pct = vat_percent(country, day)
    return (net_micros.astype(np.int64) * (100 + pct) + 50) // 100


class _AccountModel:
    """Per-ad parameters of one account as aligned numpy arrays (built once, cheap to index per day)."""

    def __init__(self, world: World, account: Account) -> None:
        self.account = account
        camps = world.campaigns(account.account_id)
        ads = world.ads(account.account_id)
        cidx = {c.campaign_id: i for i, c in enumerate(camps)}
        self.campaigns = camps
        self.ad_id = np.array([a.ad_id for a in ads], dtype=np.uint64)
        self.ad_group_id = np.array([a.ad_group_id for a in ads], dtype=np.uint64)
        self.campaign_id = np.array([a.campaign_id for a in ads], dtype=np.uint64)
        self.camp_index = np.array([cidx[a.campaign_id] for a in ads], dtype=np.int64)
        display = np.array([c.network == "AD_NETWORK" for c in camps], dtype=bool)[self.camp_index]
        self.network = display.astype(np.int8)
        rng = np.random.default_rng(_h(world.seed, "ads", account.account_id))
        n = len(ads)
        self.base_imps = np.where(display, rng.lognormal(7.0, 0.6, n), rng.lognormal(5.0, 0.7, n))
        self.ctr = np.where(display, rng.uniform(0.002, 0.008, n), rng.uniform(0.03, 0.11, n))
        self.cpc_micros = rng.uniform(18, 75, n) * 1_000_000  # RUB 18–75 per click on search
        self.cpm_micros = rng.uniform(120, 380, n) * 1_000_000  # RUB 120–380 per mille on display
        self.cr = {g: rng.uniform(0.01, 0.06, n) / (k + 1) for k, g in enumerate(account.goals)}
        self.freq = np.where(display, rng.uniform(1.6, 2.6, len(camps))[self.camp_index], 1.15)
        self.camp_start = np.array([c.start.toordinal() for c in camps])[self.camp_index]
        self.camp_end = np.array([(c.end or date.max).toordinal() for c in camps])[self.camp_index]
        self.camp_pause = np.array([(c.paused_from or date.max).toordinal() for c in camps])[self.camp_index]


class World:
    """The sandbox universe. `today` is the sandbox's "now": stats exist for days before it."""

    def __init__(
        self, seed: int = 7, today: date | None = None, history_days: int = 400, *, bench_ads: int = 0
    ) -> None:
        self.seed = seed
        self.today = today or clock.today()
        # Entity dates are anchored on the creation-time today, so moving the clock keeps campaigns stable.
        self.anchor = self.today
        self.history_days = history_days
        self.bench_ads = bench_ads
        self.truth = GroundTruth(self)
        self._models: dict[str, _AccountModel] = {}

    def set_today(self, today: date) -> None:
        """Move the sandbox clock (restated conversions and late visits change with it)."""
        self.today = today

    # -- entities -----------------------------------------------------------------------------------
    @cached_property
    def tenants(self) -> list[Tenant]:
        out = [
            Tenant("demo-agency", "Демо Агентство"),
            Tenant("north-media", "Норд Медиа"),
        ]
        if self.bench_ads:
            out.append(Tenant("bench", "Benchmark"))
        return out

    @cached_property
    def clients(self) -> list[Client]:
        spec = [
            ("demo-agency", "shoes", "Обувь Плюс"),
            ("demo-agency", "auto", "АвтоМир"),
            ("demo-agency", "bank", "Финбанк"),
            ("north-media", "travel", "Тревел Норд"),
            ("north-media", "edu", "Школа Онлайн"),
        ]
        out = [
            Client(t, c, n, agency_commission=Decimal(str(0.05 + 0.025 * i)))
            for i, (t, c, n) in enumerate(spec)
        ]
        if self.bench_ads:
            out.append(Client("bench", "bench", "Benchmark client", agency_commission=Decimal(0)))
        return out

    @cached_property
    def accounts(self) -> list[Account]:
        out: list[Account] = []
        for i, cl in enumerate(c for c in self.clients if c.tenant_id != "bench"):
            goals = (20000 + 10 * i + 1, 20000 + 10 * i + 2)
            values = (1500 + 500 * i, 300 + 100 * i)
            if cl.client_id == "edu":
                # This client's ad platforms are connected through Garpun, Metrika directly.
                out.append(
                    Account(
                        cl.tenant_id,
                        cl.client_id,
                        "garpun",
                        f"gp-{cl.client_id}",
                        f"Garpun {cl.name}",
                        via_garpun=True,
                        goals=goals,
                        goal_values_rub=values,
                    )
                )
            else:
                out.append(
                    Account(
                        cl.tenant_id,
                        cl.client_id,
                        "yandex_direct",
                        f"{cl.client_id}-direct",
                        f"Директ {cl.name}",
                        goals=goals,
                        goal_values_rub=values,
                    )
                )
                # The VK emulator renders `spent` net of VAT (the cabinet's convention): registered as such.
                out.append(
                    Account(
                        cl.tenant_id,
                        cl.client_id,
                        "vk_ads",
                        str(7_100_000 + 17 * i),
                        f"VK {cl.name}",
                        spend_includes_vat=False,
                        goals=goals[:1],
                        goal_values_rub=values[:1],
                    )
                )
            out.append(
                Account(
                    cl.tenant_id,
                    cl.client_id,
                    "yandex_metrika",
                    str(51_000_000 + 1013 * i),
                    f"Метрика {cl.name}",
                    spend_includes_vat=False,
                    goals=goals,
                    goal_values_rub=values,
                )
            )
        # Google Ads customers (ten-digit ids) of one client per tenant, billing abroad: USD and EUR. Appended
        # last so every other account keeps its place and its numbers.
        for cid, currency, (tenant_id, client_id) in (
            ("4015550101", "USD", ("demo-agency", "shoes")),
            ("4015550202", "EUR", ("north-media", "travel")),
        ):
            out.append(
                Account(
                    tenant_id,
                    client_id,
                    "google_ads",
                    cid,
                    f"Google Ads {client_id} ({currency})",
                    currency=currency,
                    spend_includes_vat=False,
                    goals=(30001,),
                    goal_values_rub=(2000,),
                )
            )
        # The same clients' GA4 properties (revenue in the property currency).
        for pid, currency, (tenant_id, client_id) in (
            ("310000101", "USD", ("demo-agency", "shoes")),
            ("310000202", "EUR", ("north-media", "travel")),
        ):
            out.append(
                Account(
                    tenant_id,
                    client_id,
                    "ga4",
                    pid,
                    f"GA4 {client_id}",
                    currency=currency,
                    spend_includes_vat=False,
                )
            )
        if self.bench_ads:
            out.append(
                Account(
                    "bench",
                    "bench",
                    "yandex_direct",
                    "bench-direct",
                    "Bench Direct",
                    goals=(29001, 29002),
                    goal_values_rub=(1000, 250),
                )
            )
        return out

    def account(self, account_id: str) -> Account:
        for a in self.accounts:
            if a.account_id == account_id:
                return a
        raise KeyError(f"unknown sandbox account {account_id!r}")

    def accounts_for(self, platform: str, tenant_id: str | None = None) -> list[Account]:
        return [
            a
            for a in self.accounts
            if a.platform == platform and (tenant_id is None or a.tenant_id == tenant_id)
        ]

    def linked_account(self, account_id: str, platform: str) -> Account | None:
        """The same client's account on another platform (e.g. the Metrika counter of a Direct login)."""
        acc = self.account(account_id)
        for a in self.accounts:
            if a.client_id == acc.client_id and a.tenant_id == acc.tenant_id and a.platform == platform:
                return a
        return None

    @cache  # noqa: B019 - the world lives as long as the server
    def campaigns(self, account_id: str) -> list[Campaign]:
        acc = self.account(account_id)
        rng = np.random.default_rng(_h(self.seed, "campaigns", account_id))
        if account_id == "bench-direct":
            n = max(1, self.bench_ads // 110)
            start = self.anchor - timedelta(days=self.history_days)
            return [
                Campaign(
                    account_id,
                    90_000_000 + k,
                    f"Bench campaign {k}",
                    "TEXT_CAMPAIGN",
                    "SEARCH",
                    start,
                    None,
                    None,
                    None,
                )
                for k in range(n)
            ]
        n = int(rng.integers(8, 15))
        topics = [
            "Бренд",
            "Конкуренты",
            "Общие запросы",
            "Ретаргетинг",
            "Охват",
            "Акция",
            "Новинки",
            "Регионы",
            "Brand EN",
            "Мобильные",
            "Видео",
            "Смарт-баннеры",
            "Распродажа",
            "Сезон",
        ]
        base = {"yandex_direct": 70_000_000, "vk_ads": 3_000_000, "garpun": 80_000_000}.get(
            acc.platform, 1_000_000
        )
        out = []
        for k in range(n):
            display = k % 4 == 3
            if acc.platform == "yandex_direct":
                ctype = (
                    "CPM_BANNER_CAMPAIGN"
                    if display
                    else ("UNIFIED_CAMPAIGN" if k % 4 == 2 else "TEXT_CAMPAIGN")
                )
            else:
                ctype = "reach" if display else "traffic"
            age = int(rng.integers(20, self.history_days))
            start = self.anchor - timedelta(days=age)
            end = None
            paused = None
            roll = rng.random()
            if roll < 0.2:  # a finished flight
                end = start + timedelta(days=int(rng.integers(10, max(11, age - 5))))
            elif roll < 0.3:  # paused recently
                paused = self.anchor - timedelta(days=int(rng.integers(3, 15)))
            budget = int(rng.integers(3, 40)) * 1000 * 1_000_000 if rng.random() < 0.7 else None
            src = ("yandex_direct" if k % 2 == 0 else "vk_ads") if acc.platform == "garpun" else ""
            out.append(
                Campaign(
                    account_id,
                    base + _h(account_id, k) % 9_000_000 + k,
                    f"{topics[k % len(topics)]} / {'Сети' if display else 'Поиск'} #{k + 1}",
                    ctype,
                    "AD_NETWORK" if display else "SEARCH",
                    start,
                    end,
                    paused,
                    budget,
                    src,
                )
            )
        return out

    def _children(
        self, account_id: str, kind: str, parents: Iterable[_P], bench_per: int
    ) -> Iterator[tuple[_P, int]]:
        """(parent, j) for the j-th child of each parent: 2-4 children drawn per parent from the `kind` stream of
        the account, or `bench_per` each for the benchmark account."""
        rng = np.random.default_rng(_h(self.seed, kind, account_id))
        per = bench_per if account_id == "bench-direct" else None
        for parent in parents:
            n = per or int(rng.integers(2, 5))
            for j in range(n):
                yield parent, j

    @cache  # noqa: B019
    def ad_groups(self, account_id: str) -> list[AdGroup]:
        return [
            AdGroup(account_id, c.campaign_id * 100 + j + 1, c.campaign_id, f"Группа {j + 1}: {c.name}")
            for c, j in self._children(account_id, "groups", self.campaigns(account_id), bench_per=10)
        ]

    @cache  # noqa: B019
    def ads(self, account_id: str) -> list[Ad]:
        out = []
        for g, j in self._children(account_id, "ads-list", self.ad_groups(account_id), bench_per=11):
            ad_id = g.ad_group_id * 100 + j + 1
            out.append(
                Ad(
                    account_id,
                    ad_id,
                    g.ad_group_id,
                    g.campaign_id,
                    f"Объявление {j + 1}",
                    f"https://example.ru/{account_id}/{ad_id}",
                )
            )
        return out

    def _model(self, account_id: str) -> _AccountModel:
        model = self._models.get(account_id)
        if model is None:
            model = self._models[account_id] = _AccountModel(self, self.account(account_id))
        return model

    # -- statistics ---------------------------------------------------------------------------------
    def daily_stats(self, account_id: str, day: date, as_of: date | None = None) -> DayStats:
        """Ad × day stats of an ads account as reported on `as_of` (default: the sandbox's today)."""
        as_of = as_of or self.today
        m = self._model(account_id)
        if day >= self.today or day >= as_of or day < self.anchor - timedelta(days=self.history_days):
            return _empty_stats(day, m.account.goals)
        o = day.toordinal()
        active = (m.camp_start <= o) & (o <= m.camp_end) & (o < m.camp_pause)
        rng = np.random.default_rng(_h(self.seed, "day", account_id, o))
        n = len(m.ad_id)
        # Draw everything for all ads in a fixed order, then mask: values never depend on `as_of`.
        noise = rng.lognormal(0.0, 0.18, n)
        factor = _weekday_factor(day) * _season_factor(day)
        ramp = np.clip((o - m.camp_start + 1) / 7.0, 0.35, 1.0)
        lam = m.base_imps * factor * ramp * noise
        imps = rng.poisson(lam)
        clicks = rng.binomial(imps, m.ctr)
        price_noise = rng.uniform(0.85, 1.15, n)
        search_cost = clicks * m.cpc_micros * price_noise
        display_cost = imps * m.cpm_micros / 1000.0 * price_noise
        cost = np.where(m.network == 1, display_cost, search_cost)
        cost = (np.round(cost / 10_000) * 10_000).astype(np.int64)  # whole kopecks, in micros
        settle = _settle(day, as_of)
        conv: dict[int, np.ndarray] = {}
        rev: dict[int, np.ndarray] = {}
        for g, value in zip(m.account.goals, m.account.goal_values_rub, strict=True):
            final = rng.binomial(clicks, m.cr[g])
            # Each conversion gets a fixed arrival draw; it is reported once the day's settle share passes it,
            # so the reported count only grows with `as_of` and reaches the final count.
            arrival = np.random.default_rng(_h(self.seed, "conv-arrival", account_id, o, g)).random(
                int(final.sum())
            )
            owner = np.repeat(np.arange(n), final)
            now = np.bincount(owner[arrival < settle], minlength=n).astype(np.int64)
            conv[g] = now[active]
            rev[g] = now[active] * value * 1_000_000
        return DayStats(
            day,
            m.ad_id[active],
            m.ad_group_id[active],
            m.campaign_id[active],
            m.network[active],
            imps[active].astype(np.int64),
            clicks[active].astype(np.int64),
            cost[active],
            conv,
            rev,
        )

    def users_reached(self, account_id: str, campaign_id: int, day: date) -> np.ndarray:
        """Distinct user ids reached by a campaign on a day (drawn from the tenant's shared universe)."""
        m = self._model(account_id)
        stats = self.daily_stats(account_id, day, as_of=self.today)
        mask = stats.campaign_id == np.uint64(campaign_id)
        if not mask.any():
            return np.empty(0, dtype=np.uint64)
        freq = float(m.freq[np.flatnonzero(m.campaign_id == np.uint64(campaign_id))[0]])
        size = max(1, int(math.ceil(int(stats.impressions[mask].sum()) / freq)))
        rng = np.random.default_rng(_h(self.seed, "reach", account_id, campaign_id, day.toordinal()))
        return np.unique(self.user_ids(m.account.tenant_id, _skewed_indices(rng, size)))

    def user_ids(self, tenant_id: str, indices: np.ndarray) -> np.ndarray:
        """Map universe indices to stable 64-bit user ids (Metrika clientID-like)."""
        salt = np.uint64(_h(self.seed, "users", tenant_id) | 1)
        x = indices.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ salt
        x ^= x >> np.uint64(29)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(32)
        return (x >> np.uint64(4)) + np.uint64(10**15)  # < 2^63: safe as signed too

    def visits(self, counter_id: str, day: date, as_of: date | None = None) -> dict[str, np.ndarray]:
        """Metrika visits of a counter on a day as visible on `as_of` (late visits appear later)."""
        as_of = as_of or self.today
        if day >= self.today or day >= as_of:
            return _empty_visits()
        full = self._visits_final(counter_id, day)
        if not len(full["visit_id"]):
            return full
        age = (as_of - day).days
        visible = full["lag"] < age  # lag 0 visible from day+1, lag 2 from day+3
        return {k: v[visible] for k, v in full.items()}

    @lru_cache(maxsize=512)  # noqa: B019
    def _visits_final(self, counter_id: str, day: date) -> dict[str, np.ndarray]:
        acc = self.account(counter_id)
        if day < self.anchor - timedelta(days=self.history_days):
            return _empty_visits()
        rng = np.random.default_rng(_h(self.seed, "visits", counter_id, day.toordinal()))
        parts: list[dict[str, np.ndarray]] = []
        for platform, utm_source, prefix in (("yandex_direct", "yandex", "ya"), ("vk_ads", "vk", "vk")):
            ads = self.linked_account(counter_id, platform)
            if ads is None:
                continue
            stats = self.daily_stats(ads.account_id, day, as_of=self.today)
            for cid in np.unique(stats.campaign_id):
                clicks = int(stats.clicks[stats.campaign_id == cid].sum())
                n = int(rng.binomial(clicks, 0.88))  # some clicks never become visits
                users = self.users_reached(ads.account_id, int(cid), day)
                if n == 0 or not len(users):
                    continue
                parts.append(
                    {
                        "client_id": users[rng.integers(0, len(users), n)],
                        "traffic_source": np.full(n, "ad", dtype=object),
                        "utm_source": np.full(n, utm_source, dtype=object),
                        "utm_medium": np.full(n, "cpc", dtype=object),
                        "utm_campaign": np.full(n, f"{prefix}_{int(cid)}", dtype=object),
                        "direct_click_order": np.full(
                            n, int(cid) if platform == "yandex_direct" else 0, dtype=np.uint64
                        ),
                    }
                )
        n_other = int(rng.poisson(400 * _weekday_factor(day) * _season_factor(day)))
        sources = np.array(["organic", "direct", "referral", "social", "internal"], dtype=object)
        src = sources[rng.choice(5, n_other, p=[0.55, 0.25, 0.1, 0.07, 0.03])]
        utm = np.where(src == "social", "telegram", "")
        parts.append(
            {
                "client_id": self.user_ids(acc.tenant_id, _skewed_indices(rng, n_other)),
                "traffic_source": src,
                "utm_source": utm.astype(object),
                "utm_medium": np.where(src == "social", "social", "").astype(object),
                "utm_campaign": np.full(n_other, "", dtype=object),
                "direct_click_order": np.zeros(n_other, dtype=np.uint64),
            }
        )
        cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        n = len(cols["client_id"])
        cols["visit_id"] = np.array([_h(counter_id, day.toordinal(), i) for i in range(n)], dtype=np.uint64)
        midnight_utc = (day.toordinal() - date(1970, 1, 1).toordinal()) * 86400 - 3 * 3600  # Moscow = UTC+3
        cols["ts_utc"] = midnight_utc + np.sort(rng.integers(0, 86400, n))
        cols["is_new_user"] = (rng.random(n) < 0.38).astype(np.uint8)
        cols["page_views"] = (1 + rng.geometric(0.45, n) - 1).astype(np.uint32)
        cols["visit_duration"] = np.where(
            cols["page_views"] == 1, rng.integers(0, 40, n), rng.integers(20, 900, n)
        ).astype(np.uint32)
        cols["bounce"] = ((cols["page_views"] == 1) & (cols["visit_duration"] < 15)).astype(np.uint8)
        cols["device_category"] = np.array(["desktop", "mobile", "tablet"], dtype=object)[
            rng.choice(3, n, p=[0.42, 0.52, 0.06])
        ]
        cols["region_city"] = np.array(
            ["Москва", "Санкт-Петербург", "Казань", "Новосибирск", "Екатеринбург"], dtype=object
        )[rng.choice(5, n, p=[0.45, 0.2, 0.12, 0.12, 0.11])]
        goals = acc.goals
        g1 = rng.random(n) < np.where(cols["traffic_source"] == "ad", 0.06, 0.03)
        g2 = rng.random(n) < 0.05
        cols["goals"] = np.array(
            [[g for g, hit in zip(goals, (a, b), strict=True) if hit] for a, b in zip(g1, g2, strict=True)]
            if goals
            else [[] for _ in range(n)],
            dtype=object,
        )
        cols["purchase_revenue_micros"] = np.where(g1, rng.integers(500, 15000, n) * 1_000_000, 0).astype(
            np.int64
        )
        cols["start_url"] = np.array(
            [
                f"https://example.ru/{acc.client_id}/" + ("" if s != "ad" else "landing")
                for s in cols["traffic_source"]
            ],
            dtype=object,
        )
        cols["lag"] = rng.choice(3, n, p=VISIT_LAG_P)
        order = np.argsort(cols["ts_utc"], kind="stable")
        return {k: v[order] for k, v in cols.items()}


def _empty_stats(day: date, goals: Sequence[int]) -> DayStats:
    e = np.empty(0, dtype=np.int64)
    u = np.empty(0, dtype=np.uint64)
    return DayStats(
        day, u, u, u, np.empty(0, dtype=np.int8), e, e, e, {g: e for g in goals}, {g: e for g in goals}
    )


def _empty_visits() -> dict[str, np.ndarray]:
    keys = (
        "client_id",
        "traffic_source",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "direct_click_order",
        "visit_id",
        "ts_utc",
        "is_new_user",
        "page_views",
        "visit_duration",
        "bounce",
        "device_category",
        "region_city",
        "goals",
        "purchase_revenue_micros",
        "start_url",
        "lag",
    )
    return {k: np.empty(0, dtype=object) for k in keys}


def _skewed_indices(rng: np.random.Generator, size: int) -> np.ndarray:
    """Universe indices skewed to popular users, so audiences overlap across platforms and days."""
    return np.floor(USER_UNIVERSE * rng.random(size) ** 1.7).astype(np.int64)


def _weekday_factor(day: date) -> float:
    return (1.05, 1.08, 1.06, 1.03, 0.97, 0.80, 0.76)[day.weekday()]


def _season_factor(day: date) -> float:
    doy = day.timetuple().tm_yday
    boost = 0.25 if (day.month == 12 and day.day >= 10) or (day.month == 11 and day.day >= 20) else 0.0
    return 1.0 + 0.18 * math.sin(2 * math.pi * (doy - 80) / 365.25) + boost


def _settle(day: date, as_of: date) -> float:
    age = (as_of - day).days
    if age <= 0:
        return 0.0
    return CONVERSION_SETTLE[age] if age < len(CONVERSION_SETTLE) else 1.0


class GroundTruth:
    """Totals computed straight from the generator (no wire format, no parser): what loads must equal."""

    def __init__(self, world: World) -> None:
        self.world = world

    def ads_totals(
        self,
        account_id: str,
        date_from: date,
        date_to: date,
        *,
        as_of: date | None = None,
        by: str | None = None,
        include_vat: bool = False,
    ) -> dict:
        """Σ impressions/clicks/cost/conversions; `by` = None | "day" | "campaign" | "ad". Cost in Decimal RUB."""
        out: dict = {}
        for day in _days(date_from, date_to):
            s = self.world.daily_stats(account_id, day, as_of)
            cost = gross_micros(s.cost_net_micros, day) if include_vat else s.cost_net_micros
            conv = sum((c for c in s.goal_conversions.values()), np.zeros(len(s), dtype=np.int64))
            keys = {
                None: np.zeros(len(s), dtype=np.int64),
                "day": np.full(len(s), day.toordinal()),
                "campaign": s.campaign_id,
                "ad": s.ad_id,
            }[by]
            for key in np.unique(keys):
                m = keys == key
                k = date.fromordinal(int(key)) if by == "day" else (int(key) if by else None)
                t = out.setdefault(k, {"impressions": 0, "clicks": 0, "cost_micros": 0, "conversions": 0})
                t["impressions"] += int(s.impressions[m].sum())
                t["clicks"] += int(s.clicks[m].sum())
                t["cost_micros"] += int(cost[m].sum())
                t["conversions"] += int(conv[m].sum())
        for t in out.values():
            t["cost"] = Decimal(t.pop("cost_micros")) / Decimal(1_000_000)
        return (
            out
            if by
            else out.get(None, {"impressions": 0, "clicks": 0, "cost": Decimal(0), "conversions": 0})
        )

    def distinct_users(
        self, accounts_campaigns: Iterable[tuple[str, int | None]], date_from: date, date_to: date
    ) -> int:
        """Deduplicated users over (account, campaign or None = all) pairs and the days of the window."""
        ids = []
        for account_id, campaign_id in accounts_campaigns:
            camps = (
                [campaign_id]
                if campaign_id is not None
                else [c.campaign_id for c in self.world.campaigns(account_id)]
            )
            for day in _days(date_from, date_to):
                for cid in camps:
                    ids.append(self.world.users_reached(account_id, cid, day))
        return int(len(np.unique(np.concatenate(ids)))) if ids else 0

    def metrika_totals(
        self, counter_id: str, date_from: date, date_to: date, *, as_of: date | None = None
    ) -> dict:
        visits = users = pageviews = bounces = 0
        revenue = 0
        clients = []
        for day in _days(date_from, date_to):
            v = self.world.visits(counter_id, day, as_of)
            visits += len(v["visit_id"])
            pageviews += int(v["page_views"].sum()) if len(v["visit_id"]) else 0
            bounces += int(v["bounce"].sum()) if len(v["visit_id"]) else 0
            revenue += int(v["purchase_revenue_micros"].sum()) if len(v["visit_id"]) else 0
            clients.append(v["client_id"].astype(np.uint64))
        users = int(len(np.unique(np.concatenate(clients)))) if clients else 0
        return {
            "visits": visits,
            "users": users,
            "pageviews": pageviews,
            "bounces": bounces,
            "revenue": Decimal(revenue) / Decimal(1_000_000),
        }


def _days(date_from: date, date_to: date) -> list[date]:
    return [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]
