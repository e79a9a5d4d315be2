"""Weak signals among confounders: a difficulty setting for the synthetic generator.

:func:`weaken` takes the tables and truth of
:func:`~ecograph.synth.generate_tables` and plants the same families of truth
more weakly, among realistic confounders, at a ``difficulty`` of
:data:`DIFFICULTIES`:

- **complements vs competitors** — four complementary pairs (different
  capabilities, few shared accounts, never co-sold) among *rival* pairs:
  partners of the same type and region with identical capabilities, many shared
  accounts and head-to-head deals (both register the same product at the same
  account; one wins, one loses), and rivals who co-sold anyway and lost every
  co-sold deal (what the deal history can teach a supervised ranker);
- **tier fit** — tiers follow revenue with noise near the cuts (a partner just
  over a cut is not mis-tiered), one partner planted over its tier and one under
  it with consistent evidence, and *justified* decoys: partners tiered above their
  revenue whose tier other evidence supports (alliances with co-sell influence and
  no resale revenue, certified capabilities);
- **brokers** — the broker co-sells with fewer partners per region, while other
  partners get one weak tie (a co-sell relationship, no deal, no shared account)
  across two regional clusters.

The truth gains ``weak`` (every planted fact and decoy, by id) and
``difficulty``; ``mis_tiered_partner`` becomes the planted over-tiered partner
and ``complementary_pairs`` the four weak pairs.

>>> tables, truth = generate_weak_tables(partners=60, customers=400, seed=1, difficulty="hard")
>>> len(truth["weak"]["complementary_pairs"]), len(truth["weak"]["rival_pairs"])
(4, 8)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from ..errors import ParameterError

__all__ = ["Level", "DIFFICULTIES", "weaken", "generate_weak_tables", "weak_markdown"]

_SELLERS = ("reseller", "msp", "system_integrator")
_ALLIANCES = ("technology", "isv", "referral")
_TIERS = ("registered", "silver", "gold", "platinum")
_CUTS = (0.4, 0.7, 0.9)  # share of partners at or below that earns silver, gold, platinum


@dataclass(frozen=True)
class Level:
    """How weak the planted truths are and how many confounders surround them.

    Attributes
    ----------
    complement_shared : int
        Shared customers of each planted complementary pair.
    rivals : int
        Rival (competitor) decoy pairs; fewer when too few partners qualify.
    rival_shared : int
        Shared customers of each rival pair.
    head_to_head : int
        Head-to-head deals per rival pair (same account and product, one won, one lost).
    tier_noise : float
        Standard deviation of the noise on the revenue share that sets tiers.
    tier_steps : int
        Steps the planted partners sit off the tier their evidence supports.
    justified : int
        Decoys tiered above their revenue with other evidence for the tier.
    broker_mates : int
        Co-sell partners of the broker per region.
    weak_ties : int
        Partners given one weak cross-cluster co-sell tie.

    Examples
    --------
    >>> DIFFICULTIES["hard"].complement_shared < DIFFICULTIES["hard"].rival_shared
    True
    """

    complement_shared: int
    rivals: int
    rival_shared: int
    head_to_head: int
    tier_noise: float
    tier_steps: int
    justified: int
    broker_mates: int
    weak_ties: int


#: The difficulty settings, easiest first.
DIFFICULTIES = {
    "easy": Level(10, 3, 8, 1, 0.02, 2, 3, 2, 2),
    "medium": Level(7, 6, 11, 2, 0.04, 1, 6, 2, 4),
    "hard": Level(5, 8, 13, 3, 0.06, 1, 10, 1, 6),
}


def generate_weak_tables(*, partners: int = 170, customers: int = 1200, seed: int = 0,
                         domain: str = "it", difficulty: str = "hard"
                         ) -> tuple[dict[str, pd.DataFrame], dict]:
    """:func:`~ecograph.synth.generate_tables`, then :func:`weaken` at ``difficulty``.

    Parameters
    ----------
    partners, customers, seed, domain
        As for :func:`~ecograph.synth.generate_tables`.
    difficulty : str, default "hard"
        A key of :data:`DIFFICULTIES`.

    Returns
    -------
    tables : dict of str to pandas.DataFrame
        Every bundle table by name.
    truth : dict
        The planted truth, with ``weak`` and ``difficulty``.

    Examples
    --------
    >>> tables, truth = generate_weak_tables(partners=60, customers=400, seed=0, difficulty="easy")
    >>> truth["difficulty"], len(truth["weak"]["justified_tiers"])
    ('easy', 3)
    """
    from . import generate_tables

    tables, truth = generate_tables(partners=partners, customers=customers, seed=seed, domain=domain)
    return weaken(tables, truth, difficulty=difficulty, seed=seed)


def weaken(tables: dict[str, pd.DataFrame], truth: dict, *, difficulty: str = "hard",
           seed: int = 0) -> tuple[dict[str, pd.DataFrame], dict]:
    """Plant weak truths among confounders in generated tables (see the module docstring).

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        Tables from :func:`~ecograph.synth.generate_tables` (copied, not changed).
    truth : dict
        Their truth.
    difficulty : str, default "hard"
        A key of :data:`DIFFICULTIES`.
    seed : int, default 0
        Seed of the random generator.

    Returns
    -------
    tables : dict of str to pandas.DataFrame
        The changed tables.
    truth : dict
        ``truth`` plus ``difficulty`` and ``weak``: ``complementary_pairs``,
        ``rival_pairs``, ``cosold_rival_pairs`` (rivals who co-sold anyway and lost
        every co-sold deal), ``mis_tiered`` (``id, tier, expected_tier, direction``),
        ``justified_tiers``, ``broker``, ``weak_tie_partners`` and the ``level``.

    Raises
    ------
    ParameterError
        When ``difficulty`` is unknown, or too few selling partners are left to
        plant a fourth complementary pair (about 20 partners).

    Examples
    --------
    >>> from ecograph.synth import generate_tables
    >>> tables, truth = weaken(*generate_tables(partners=60, customers=400, seed=2), difficulty="medium")
    >>> truth["weak"]["broker"] == truth["broker_partner"]["id"]
    True
    """
    if difficulty not in DIFFICULTIES:
        raise ParameterError(f"difficulty must be one of {', '.join(DIFFICULTIES)}; got {difficulty!r}")
    level = DIFFICULTIES[difficulty]
    rng = np.random.default_rng([seed, 20])
    t = {k: v.copy() for k, v in tables.items()}
    w = _Work(t, truth, rng)
    pairs = w.complements(level)
    rivals = w.rivals(level, [x for p in pairs for x in (p["a"], p["b"])])
    cosold_rivals = w.cosold_rivals(level)
    broker = truth["broker_partner"]["id"]
    weak_ties = w.broker(broker, level)
    mis, justified = w.tiers(level)
    t["relationships"] = w.rel.reset_index(drop=True)
    t["relationships"]["id"] = [f"R{i:08d}" for i in range(1, len(t["relationships"]) + 1)]
    t["deals"] = w.deals.reset_index(drop=True)
    t["deals"]["id"] = [f"D{i:08d}" for i in range(1, len(t["deals"]) + 1)]
    t["partners"], t["customers"] = w.P, w.C
    out = dict(truth)
    over = next(m for m in mis if m["direction"] == "over")
    out.update(difficulty=difficulty, complementary_pairs=pairs,
               mis_tiered_partner={k: over[k] for k in ("id", "tier", "expected_tier")}
               | {"won_amount": over["won_amount"]},
               weak={"complementary_pairs": pairs, "rival_pairs": rivals, "cosold_rival_pairs": cosold_rivals,
                     "mis_tiered": mis,
                     "justified_tiers": justified, "broker": broker, "weak_tie_partners": weak_ties,
                     "level": asdict(level)})
    return t, out


def weak_markdown(truth: dict) -> str:
    """The weak truths and their confounders, as a Markdown section for ``TRUTH.md``.

    Parameters
    ----------
    truth : dict
        A truth returned by :func:`weaken`.

    Returns
    -------
    str
        The section (empty when ``truth`` has no ``weak`` part).

    Examples
    --------
    >>> _, truth = generate_weak_tables(partners=60, customers=400, seed=1, difficulty="hard")
    >>> weak_markdown(truth).lstrip().splitlines()[0]
    '## Weak signals among confounders (difficulty hard)'
    """
    w = truth.get("weak")
    if not w:
        return ""
    rivals = "\n".join(f"| {x['a']} | {x['b']} | {x['partner_type']} | {x['region']} | "
                       f"{x['shared_customers']} | {x['head_to_head_deals']} |" for x in w["rival_pairs"])
    mis = "; ".join(f"**{m['id']}** is `{m['tier']}`, its evidence says `{m['expected_tier']}` "
                    f"({m['direction']})" for m in w["mis_tiered"])
    justified = ", ".join(f"{j['id']} (`{j['tier']}`, revenue says `{j['revenue_tier']}`)"
                          for j in w["justified_tiers"])
    return f"""
## Weak signals among confounders (difficulty {truth['difficulty']})

The complementary pairs above share only {w['level']['complement_shared']} customers each. Decoys
that an analysis must **not** flag:

**Rival pairs** (same type and region, identical capabilities, head-to-head deals; never co-sold):

| partner a | partner b | type | region | shared customers | head-to-head deals |
|---|---|---|---|---|---|
{rivals}

**Rivals who co-sold anyway** (a co-sell relationship, every co-sold deal lost):
{', '.join(f"{x['a']} and {x['b']}" for x in w.get('cosold_rival_pairs', [])) or '-'}.

**Mis-tiered, with consistent evidence**: {mis}.

**Tiered above their revenue, justified** by co-sell influence and certified capabilities (half
are alliances, which earn no resale revenue): {justified or '-'}. Tiers elsewhere follow revenue
with noise near the cuts (sd {w['level']['tier_noise']:g} of rank): a partner just over a cut is
not mis-tiered.

**Broker**: {w['broker']} keeps {w['level']['broker_mates']} co-sell partner(s) per region; weak
cross-cluster ties (one co-sell relationship, no deal, no shared account) were given to
{', '.join(w['weak_tie_partners']) or '-'}.
"""


class _Work:
    """The tables being changed, with the bookkeeping every planting step shares."""

    def __init__(self, t: dict[str, pd.DataFrame], truth: dict, rng: np.random.Generator) -> None:
        self.P, self.C = t["partners"].reset_index(drop=True), t["customers"].reset_index(drop=True)
        self.rel, self.deals, self.products = t["relationships"], t["deals"], t["products"]
        self.rng = rng
        self.home = self.P["regions"].map(lambda r: r[0])
        self.gap = truth["coverage_gap"]
        self.used = {truth["broker_partner"]["id"], truth["mis_tiered_partner"]["id"]}
        self.original_pairs = [(x["a"], x["b"]) for x in truth["complementary_pairs"]]
        self.caps = [c for c in t["capabilities"]["id"] if c != self.gap["capability"]]

    # -- helpers ---------------------------------------------------------------------------------
    def _pool(self, types, region=None) -> list[str]:
        ok = self.P["partner_type"].isin(types) & ~self.P["id"].isin(list(self.used))
        if region is not None:
            ok &= self.home == region
        return self.P.loc[ok, "id"].tolist()

    def _set(self, pid: str, **values) -> None:
        row = self.P.index[self.P["id"] == pid][0]
        for k, v in values.items():
            self.P.at[row, k] = v

    def _sell(self, partners, customers) -> None:
        """``sells_to`` ties from every partner to every customer (kept once)."""
        have = set(zip(self.rel["source"], self.rel["target"], strict=True))
        rows = [(p, c) for p in partners for c in customers if (p, c) not in have]
        if rows:
            src, dst = zip(*rows, strict=True)
            self.rel = pd.concat([self.rel, pd.DataFrame({
                "id": "", "source": src, "target": dst, "type": "sells_to", "sku": None,
                "volume": np.nan, "start": pd.Timestamp("2024-06-01"), "weight": np.nan,
                "end": pd.NaT})], ignore_index=True)

    def _never_cosold(self, a: str, b: str) -> None:
        r = self.rel
        self.rel = r[~((r["type"] == "co_sells_with") & (((r["source"] == a) & (r["target"] == b))
                                                          | ((r["source"] == b) & (r["target"] == a))))]
        d = self.deals
        hit = ((d["partner"] == a) & (d["cosell_partner"] == b)) | \
              ((d["partner"] == b) & (d["cosell_partner"] == a))
        self.deals.loc[hit, "cosell_partner"] = None

    def _customers(self, region: str, n: int) -> list[str]:
        ok = (self.C["region"] == region) & (self.C["status"] == "customer")
        if region == self.gap["region"]:
            ok &= self.C["segment"] != self.gap["segment"]
        pool = self.C.loc[ok, "id"].to_numpy()
        return list(self.rng.choice(pool, min(n, len(pool)), replace=False))

    # -- complements vs competitors --------------------------------------------------------------
    def complements(self, level: Level) -> list[dict]:
        """Weaken the generator's pairs to ``complement_shared`` shared customers and add a fourth."""
        out = []
        for a, b in self.original_pairs:
            self.used |= {a, b}
            r = self.rel
            sold = r["type"] == "sells_to"
            shared = sorted(set(r.loc[sold & (r["source"] == a), "target"])
                            & set(r.loc[sold & (r["source"] == b), "target"]))
            drop = shared[level.complement_shared:]
            self.rel = r[~(sold & (r["source"] == b) & r["target"].isin(drop))]
            d = self.deals
            self.deals = d[~((d["partner"] == b) & d["customer"].isin(drop))]
            out.append(self._pair_record(a, b, level.complement_shared))
        regions = [r for r in self.home.unique() if r != self.gap["region"]]
        for region in self.rng.permutation(regions):
            pool = self._pool(_SELLERS, region)
            if len(pool) >= 2:
                a, b = (str(x) for x in self.rng.choice(pool, 2, replace=False))
                break
        else:
            raise ParameterError("too few selling partners to plant a fourth complementary pair; "
                                 "generate more partners (30 or more)")
        self.used |= {a, b}
        picked = [str(c) for c in self.rng.choice(self.caps, 4, replace=False)]
        for pid, caps in ((a, tuple(sorted(picked[:2]))), (b, tuple(sorted(picked[2:])))):
            self._set(pid, regions=(str(region),), capabilities=caps, certifications=caps)
        buyers = self._customers(str(region), level.complement_shared)
        need = tuple(sorted({picked[0], picked[2]}))
        self.C.loc[self.C["id"].isin(buyers), "needs"] = pd.Series([need] * len(buyers),
                                                                   index=self.C.index[self.C["id"].isin(buyers)])
        self._sell([a, b], buyers)
        self._never_cosold(a, b)
        out.append(self._pair_record(a, b, len(buyers)))
        return out

    def _pair_record(self, a: str, b: str, shared: int) -> dict:
        caps = self.P.set_index("id")["capabilities"]
        return {"a": a, "b": b, "region": str(self.home[self.P["id"] == a].iat[0]),
                "shared_customers": shared, "capabilities_a": list(caps[a]),
                "capabilities_b": list(caps[b])}

    def rivals(self, level: Level, avoid: list[str]) -> list[dict]:
        """Same type, same region, identical capabilities, many shared accounts, head-to-head deals."""
        out = []
        by_cap = self.products.explode("capabilities")
        start = pd.Timestamp("2025-02-01")
        new_deals = []
        for _ in range(level.rivals):
            options = [(t, r) for t in _SELLERS for r in self.home.unique()
                       if len(self._pool([t], r)) >= 2]
            if not options:
                break
            kind, region = options[int(self.rng.integers(len(options)))]
            a, b = (str(x) for x in self.rng.choice(self._pool([kind], region), 2, replace=False))
            self.used |= {a, b}
            caps = tuple(self.P.set_index("id").at[a, "capabilities"])
            certified = tuple(self.P.set_index("id").at[a, "certifications"])
            self._set(b, capabilities=caps, certifications=certified)
            buyers = self._customers(str(region), level.rival_shared)
            self._sell([a, b], buyers)
            self._never_cosold(a, b)
            product = by_cap.loc[by_cap["capabilities"].isin(caps), "id"]
            product = str(product.iat[0]) if len(product) else str(self.products["id"].iat[0])
            for k, c in enumerate(buyers[: level.head_to_head]):
                day = start + pd.Timedelta(days=int(self.rng.integers(0, 240)))
                amount = float(self.rng.integers(20, 120)) * 1000.0
                winner = k % 2  # they take turns winning
                for side, pid in enumerate((a, b)):
                    new_deals.append({"id": "", "partner": pid, "customer": c, "product": product,
                                      "registered": day, "closed": day + pd.Timedelta(days=45),
                                      "status": "won" if side == winner else "lost",
                                      "amount": amount, "cosell_partner": None})
            out.append({"a": a, "b": b, "partner_type": kind, "region": str(region),
                        "shared_customers": len(buyers), "capabilities": list(caps),
                        "head_to_head_deals": min(level.head_to_head, len(buyers))})
        if new_deals:
            self.deals = pd.concat([self.deals, pd.DataFrame(new_deals)], ignore_index=True)
        return out

    def cosold_rivals(self, level: Level) -> list[dict]:
        """Rivals who tried co-selling anyway: alike as :meth:`rivals`, a co-sell relationship and
        co-sold deals through the year, every one lost (what the deal history can teach a ranker)."""
        out, new_deals = [], []
        by_cap = self.products.explode("capabilities")
        for _ in range(level.rivals // 2):
            options = [(t, r) for t in _SELLERS for r in self.home.unique() if len(self._pool([t], r)) >= 2]
            if not options:
                break
            kind, region = options[int(self.rng.integers(len(options)))]
            a, b = (str(x) for x in self.rng.choice(self._pool([kind], region), 2, replace=False))
            self.used |= {a, b}
            P = self.P.set_index("id")
            caps = tuple(P.at[a, "capabilities"])
            self._set(b, capabilities=caps, certifications=tuple(P.at[a, "certifications"]))
            buyers = self._customers(str(region), level.rival_shared)
            self._sell([a, b], buyers)
            self._never_cosold(a, b)  # only the co-sold deals planted here
            self.rel = pd.concat([self.rel, pd.DataFrame([{
                "id": "", "source": a, "target": b, "type": "co_sells_with", "sku": None, "volume": np.nan,
                "start": pd.Timestamp("2024-01-01"), "weight": np.nan, "end": pd.NaT}])], ignore_index=True)
            product = by_cap.loc[by_cap["capabilities"].isin(caps), "id"]
            product = str(product.iat[0]) if len(product) else str(self.products["id"].iat[0])
            for k, c in enumerate(buyers[:6]):
                day = pd.Timestamp("2025-01-10") + pd.Timedelta(days=55 * k + int(self.rng.integers(0, 20)))
                new_deals.append({"id": "", "partner": (a, b)[k % 2], "customer": c, "product": product,
                                  "registered": day, "closed": day + pd.Timedelta(days=40), "status": "lost",
                                  "amount": float(self.rng.integers(20, 120)) * 1000.0,
                                  "cosell_partner": (b, a)[k % 2]})
            out.append({"a": a, "b": b, "partner_type": kind, "region": str(region),
                        "shared_customers": len(buyers), "capabilities": list(caps),
                        "cosold_deals": min(6, len(buyers)), "cosold_won": 0})
        if new_deals:
            self.deals = pd.concat([self.deals, pd.DataFrame(new_deals)], ignore_index=True)
        return out

    # -- brokers ---------------------------------------------------------------------------------
    def broker(self, broker: str, level: Level) -> list[str]:
        """Keep ``broker_mates`` co-sell partners of the broker per region; add weak cross-cluster ties."""
        r = self.rel
        co = r["type"] == "co_sells_with"
        mine = co & ((r["source"] == broker) | (r["target"] == broker))
        mate = np.where(r.loc[mine, "source"] == broker, r.loc[mine, "target"], r.loc[mine, "source"])
        region = self.home.set_axis(self.P["id"]).reindex(mate).to_numpy()
        keep = pd.Series(mate).groupby(region).cumcount().to_numpy() < level.broker_mates
        gone = set(mate[~keep])
        self.rel = r.drop(r.index[mine][~keep])
        d = self.deals
        lost = ((d["partner"] == broker) & d["cosell_partner"].isin(gone)) | \
            (d["partner"].isin(gone) & (d["cosell_partner"] == broker))
        self.deals.loc[lost, "cosell_partner"] = None
        self.used.add(broker)
        regions = list(self.home.unique())
        picks, rows = [], []
        for k in range(level.weak_ties):
            r1, r2 = regions[k % len(regions)], regions[(k + 1 + k // len(regions)) % len(regions)]
            p1, p2 = self._pool(_SELLERS, r1), self._pool(_SELLERS, r2)
            if not p1 or not p2:
                continue
            x, y = str(self.rng.choice(p1)), str(self.rng.choice(p2))
            self.used.add(x)
            picks.append(x)
            rows.append({"id": "", "source": x, "target": y, "type": "co_sells_with", "sku": None,
                         "volume": np.nan, "start": pd.Timestamp("2024-01-01"), "weight": np.nan,
                         "end": pd.NaT})
        if rows:
            self.rel = pd.concat([self.rel, pd.DataFrame(rows)], ignore_index=True)
        return picks

    # -- tiers -----------------------------------------------------------------------------------
    def tiers(self, level: Level) -> tuple[list[dict], list[dict]]:
        """Noisy revenue tiers, one partner planted over and one under, and justified decoys."""
        d = self.deals
        won = d[d["status"] == "won"].groupby("partner")["amount"].sum()
        ids = self.P["id"]
        amount = won.reindex(ids).fillna(0.0).to_numpy()
        share = pd.Series(amount).rank(method="min", pct=True).to_numpy()
        noisy = share + self.rng.normal(0.0, level.tier_noise, len(share))
        earned = np.searchsorted(_CUTS, share, side="left")
        self.P["tier"] = np.array(_TIERS, dtype=object)[np.searchsorted(_CUTS, noisy, side="left")]
        mis = []
        for direction, lo, hi in (("over", 0.45, 0.6), ("under", 0.75, 0.88)):
            pool = [p for p in self._pool(_SELLERS) if lo < share[ids.tolist().index(p)] < hi]
            if not pool:  # a small ecosystem: the seller closest to the middle of the range
                sellers = self._pool(_SELLERS)
                pool = [min(sellers, key=lambda p: abs(share[ids.tolist().index(p)] - (lo + hi) / 2))]
            # consistent evidence: the over-tiered partner has the fewest accounts and won deals, the
            # under-tiered the most accounts and the best win rate
            reach = self.rel[self.rel["type"] == "sells_to"]["source"].value_counts().reindex(pool).fillna(0)
            closed = d[d["partner"].isin(pool) & d["status"].isin(["won", "lost"])]
            rate = (closed["status"] == "won").groupby(closed["partner"]).mean().reindex(pool).fillna(0)
            won_n = (closed["status"] == "won").groupby(closed["partner"]).sum().reindex(pool).fillna(0)
            pid = str((reach + won_n).idxmin() if direction == "over"
                      else (reach.rank() + rate.rank()).idxmax())
            self.used.add(pid)
            k = ids.tolist().index(pid)
            step = level.tier_steps if direction == "over" else -level.tier_steps
            tier = _TIERS[int(np.clip(earned[k] + step, 0, 3))]
            caps = tuple(self.P.at[k, "capabilities"])
            if direction == "over":  # nothing else speaks for the tier either
                self.P.at[k, "certifications"] = caps[:1]
                self.deals.loc[(self.deals["partner"] == pid) | (self.deals["cosell_partner"] == pid),
                               "cosell_partner"] = None
            else:  # everything speaks for a higher tier
                self.P.at[k, "certifications"] = caps
                self._influence(pid, 4)
            self.P.at[k, "tier"] = tier
            mis.append({"id": pid, "tier": tier, "expected_tier": _TIERS[earned[k]], "direction": direction,
                        "won_amount": float(amount[k])})
        justified = []
        for n in range(level.justified):
            alliance = n % 2 == 0
            pool = [p for p in self._pool(_ALLIANCES if alliance else _SELLERS)
                    if share[ids.tolist().index(p)] < (0.6 if alliance else 0.65)
                    and share[ids.tolist().index(p)] > (0.0 if alliance else 0.45)]
            if not pool:
                continue
            pid = str(self.rng.choice(pool))
            self.used.add(pid)
            k = ids.tolist().index(pid)
            tier = _TIERS[int(min(earned[k] + level.tier_steps, 3))]
            self.P.at[k, "tier"] = tier
            certified = tuple(sorted({*self.P.at[k, "capabilities"],
                                      *self.rng.choice(self.caps, 3, replace=False).tolist()}))
            self.P.at[k, "capabilities"] = self.P.at[k, "certifications"] = certified
            self._influence(pid, 8)
            justified.append({"id": pid, "tier": tier, "revenue_tier": _TIERS[earned[k]],
                              "partner_type": str(self.P.at[k, "partner_type"]),
                              "why": "co-sell influence and certified capabilities"
                                     + (" (an alliance: no resale revenue expected)" if alliance else "")})
        return mis, justified

    def _influence(self, pid: str, n: int) -> None:
        """Name ``pid`` the co-sell partner on ``n`` won deals of partners in its home region."""
        home = self.home[self.P["id"] == pid].iat[0]
        local = set(self.P.loc[self.home == home, "id"]) - {pid}
        d = self.deals
        local -= self.used  # planted partners keep their evidence as planted
        pool = d.index[(d["status"] == "won") & d["cosell_partner"].isna() & d["partner"].isin(local)]
        pick = self.rng.choice(pool, min(n, len(pool)), replace=False)
        self.deals.loc[pick, "cosell_partner"] = pid
        mates = self.deals.loc[pick, "partner"].unique()
        self.rel = pd.concat([self.rel, pd.DataFrame({
            "id": "", "source": pid, "target": mates, "type": "co_sells_with", "sku": None,
            "volume": np.nan, "start": pd.Timestamp("2024-01-01"), "weight": np.nan,
            "end": pd.NaT})], ignore_index=True)
