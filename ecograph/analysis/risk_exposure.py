"""Risk exposure: what a party's disruption costs, after rerouting, over the time it takes to recover.

The model of Simchi-Levi and co-authors (Interfaces 2015; Harvard Business
Review 2014), on the stock network of :mod:`.bottlenecks` (a stock is a
(party, SKU) pair; flows are ``supplies``, ``distributes_for`` and
``sells_to`` with a SKU). For a disrupted party a linear program (scipy's
HiGHS) over the network chooses the flows for the window of the disruption:

- each flow edge carries at most its capacity (``relationships.capacity``;
  empty: its ``volume``) × days / 365, a party at most its site capacity
  (``suppliers.capacity``) on all its outbound edges together;
- a stock ships and consumes no more than it receives, makes and holds
  (inventory on hand: the ledger balance as of a day);
- a producer (a party shipping a SKU it receives from nobody) consumes
  ``bom.quantity`` (default 1) of every input of the SKU's bill of materials
  that reaches it per unit made;
- customers want their ``sells_to`` volume × days / 365; what they do not
  get is *lost*;
- the disrupted party ships nothing (or, for a partial disruption, its
  capacities shrink by ``cut``); every other party keeps serving the
  demand that does not depend on it (its normal flows out of the affected
  part of the network are held), so only *spare* capacity and inventory
  reroute.

The LP minimises lost units weighted by ``asset_classes.unit_value`` (when
every demanded SKU has one; otherwise by the per-SKU normalisation
``1 / that SKU's yearly demand``, so each SKU's loss counts as a share of its
own demand and pumps never add to valves). **Time to survive** (TTS) is a
second LP: the most days every customer is served (as it is without the
disruption) while the party is down — infinite when the alternatives
absorb the whole loss; **time to recover** (TTR) is ``ttr_days`` of the
party (the ``default_ttr`` if empty). The **Risk Exposure Index** is
``100 × weighted loss / the largest weighted loss`` of all parties.

- :func:`risk_exposure` — every shipping party: TTR, TTS, lost units, value
  at risk, the index, ``tts_lt_ttr``;
- :func:`pair_exposure` — pairs of the riskiest parties down together: the loss
  neither causes alone (two suppliers backing each other up);
- :func:`disruption_impact` — one party (fully down or partially), with the
  lost units per SKU, which alternatives absorbed what and the inventory
  drawn.

>>> from ecograph import load_bundle
>>> risk = risk_exposure(load_bundle("fixtures/manufacturing"))
>>> float(risk["rei"].max())
100.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog

from ..ecosystem import Ecosystem, derived
from ..errors import ParameterError
from ..frames import isin
from ..ledger import balances
from . import bottlenecks as bn
from ._common import with_labels

__all__ = ["risk_exposure", "disruption_impact", "pair_exposure", "Impact", "DEFAULT_TTR"]

#: Days to recover when a party's ``ttr_days`` is empty.
DEFAULT_TTR = 28.0
_YEAR = 365.0
_HORIZON = 3650.0  # days: a TTS this long is reported as infinite
_TOL = 1e-7


@dataclass(frozen=True)
class _Model:
    """The LP's data on the stock network, built once per ecosystem and as-of day."""

    net: bn._Network
    volume: np.ndarray  # per flow edge: normal units per year
    cap: np.ndarray  # per flow edge: most units per year
    out_ptr: np.ndarray  # flow edges sorted by source stock: CSR pointers
    out_edges: np.ndarray
    fwd: sp.csr_matrix  # stock -> stock: flows and BOM input -> product
    back: sp.csr_matrix  # the reverse
    qty: np.ndarray  # per BOM need (net.bom_output / bom_input): units of input per unit
    made: np.ndarray  # per stock: normal units shipped (a producer's output)
    site_cap: np.ndarray  # per party: units per year over all outbound edges (inf: none)
    inventory: np.ndarray  # per stock: units on hand
    demand: np.ndarray  # per stock: customers' units per year
    lp_demand: np.ndarray  # the same with every leaf customer folded into its one seller
    leaf_ptr: np.ndarray  # the folded edges sorted by seller stock: CSR pointers
    leaf_edges: np.ndarray
    weight: np.ndarray  # per stock: weight of one lost unit (objective)
    unit_value: np.ndarray  # per stock: value of one unit of its SKU (NaN: unknown)
    mean_weight: float  # demand-weighted mean weight: a weighted unit back in "units"
    by_value: bool  # weights are unit values
    ttr: np.ndarray  # per party, days


def _model(eco: Ecosystem, default_ttr: float, as_of) -> _Model:
    return derived(eco, ("risk_model", float(default_ttr), str(as_of)),
                   lambda: _build(eco, default_ttr, as_of))


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """An optional numeric column (NaN throughout on a bundle from before it)."""
    return frame[name].astype(float) if name in frame else pd.Series(np.nan, index=frame.index)


def _build(eco: Ecosystem, default_ttr: float, as_of) -> _Model:
    net = bn._network(eco)
    stocks, flows = net.stocks, net.flows
    n = len(stocks)
    src, dst = flows["src"].to_numpy(), flows["dst"].to_numpy()
    volume = flows["capacity"].to_numpy(dtype=float)
    cap = flows["capacity_max"].to_numpy(dtype=float) if "capacity_max" in flows else volume
    cap = np.maximum(cap, 0.0)
    demand = stocks["demand"].to_numpy(dtype=float)
    # A leaf customer (one seller, ships nothing) can only lose what its seller does not ship it
    # (its edge carries at least its volume, its whole demand): fold it into the seller, which
    # keeps the LP to the parties (exact when the seller has no demand of its own).
    indeg, outdeg = np.bincount(dst, minlength=n), np.bincount(src, minlength=n)
    leaf_edge = (demand[dst] > 0) & (indeg[dst] == 1) & (outdeg[dst] == 0) & (demand[src] == 0)
    lp_demand = demand.copy()
    lp_demand[dst[leaf_edge]] = 0.0
    lp_demand += np.bincount(src[leaf_edge], weights=demand[dst[leaf_edge]], minlength=n)
    kept = np.flatnonzero(~leaf_edge)
    folded = np.flatnonzero(leaf_edge)
    leaf_edges = folded[np.argsort(src[folded], kind="stable")]
    leaf_ptr = np.r_[0, np.cumsum(np.bincount(src[folded], minlength=n))]
    order = kept[np.argsort(src[kept], kind="stable")]
    out_ptr = np.r_[0, np.cumsum(np.bincount(src[kept], minlength=n))]
    bom_out, bom_in = net.bom_output, net.bom_input
    fwd = sp.csr_matrix((np.ones(len(kept) + len(bom_in)),
                         (np.r_[src[kept], bom_in], np.r_[dst[kept], bom_out])), shape=(n, n))
    sku = stocks["sku"].to_numpy()
    q = eco.bom.set_index(["sku", "input"])["quantity"].astype(float) if len(eco.bom) else None
    qty = np.ones(len(bom_out))
    if q is not None and len(bom_out):
        qty = q.reindex(pd.MultiIndex.from_arrays([sku[bom_out], sku[bom_in]])).fillna(1.0).to_numpy()
    made = np.bincount(src, weights=volume, minlength=n)
    parties = net.parties
    site = _column(eco.suppliers, "capacity").set_axis(eco.suppliers["id"])
    site_cap = site.reindex(parties).fillna(np.inf).to_numpy()
    ttr = pd.concat([_column(eco.suppliers, "ttr_days").set_axis(eco.suppliers["id"]),
                     _column(eco.partners, "ttr_days").set_axis(eco.partners["id"])])
    ttr = ttr[~ttr.index.duplicated()].reindex(parties).fillna(default_ttr).to_numpy()
    held = balances(eco.movements, as_of=as_of if as_of is not None else eco.reference_date)
    held = held[(held["units"] > 0) & ~isin(held["party"], eco.customers["id"])]
    key = pd.MultiIndex.from_frame(stocks[["party", "sku"]])
    at = key.get_indexer(pd.MultiIndex.from_arrays([held["party"], held["sku"]]))
    inventory = np.bincount(at[at >= 0], weights=held["units"].to_numpy(float)[at >= 0], minlength=n)
    values = _column(eco.asset_classes, "unit_value").set_axis(eco.asset_classes["sku"])
    unit_value = values.reindex(sku).to_numpy()
    wanted = demand > 0
    by_value = bool(wanted.any()) and bool(np.isfinite(unit_value[wanted]).all())
    # else the per-SKU normalisation: a lost unit is its share of its SKU's demand (every use of a
    # weight is a ratio, so the shares' scale drops out)
    shares = bn._sku_shares(net)
    weight = np.where(shares > 0, np.nan_to_num(unit_value), 0.0) if by_value else shares
    mean_weight = float(weight @ demand / demand.sum()) if demand.sum() > 0 else 1.0
    return _Model(net, volume, cap, out_ptr, order, fwd, fwd.T.tocsr(), qty, made, site_cap,
                  inventory, demand, lp_demand, leaf_ptr, leaf_edges, weight, unit_value,
                  mean_weight or 1.0, by_value, ttr)


def _gather(ptr: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Positions ``ptr[v]:ptr[v+1]`` for every ``v`` in ``nodes``, concatenated."""
    lens = ptr[nodes + 1] - ptr[nodes]
    total = int(lens.sum())
    if not total:
        return np.array([], dtype=np.int64)
    return np.repeat(ptr[nodes] - np.cumsum(lens) + lens, lens) + np.arange(total)


def _closure(graph: sp.csr_matrix, seeds: np.ndarray, seen: np.ndarray | None = None) -> np.ndarray:
    """Boolean mask of the stocks reachable from ``seeds`` (included) along ``graph``."""
    seen = np.zeros(graph.shape[0], bool) if seen is None else seen.copy()
    seen[seeds] = True
    frontier = np.asarray(seeds)
    while len(frontier):
        nxt = graph.indices[_gather(graph.indptr, frontier)]
        frontier = np.unique(nxt[~seen[nxt]])
        seen[frontier] = True
    return seen


@dataclass(frozen=True)
class _Region:
    """The part of the network one disruption can touch: the stocks downstream of the
    party and everything upstream of those (where spare capacity can come from)."""

    stocks: np.ndarray  # global stock ids
    affected: np.ndarray  # bool per region stock: downstream of the party
    edges: np.ndarray  # flow edges with both ends inside
    drain: np.ndarray  # per region stock: normal units per year leaving the region (held)
    ship_drain: np.ndarray  # the part of ``drain`` shipped on flow edges (counts on site capacity)
    needs: np.ndarray  # BOM needs whose product is inside
    demand: np.ndarray  # per region stock: demand per year (folded leaf customers included)
    shipped: np.ndarray  # bool per region stock: its demand is leaf customers' (counts on site capacity)


def _region(m: _Model, party: np.ndarray) -> _Region:
    net = m.net
    own = np.flatnonzero(np.isin(net.party_codes, party))
    down = _closure(m.fwd, own)
    inside = _closure(m.back, np.flatnonzero(down), down)
    stocks = np.flatnonzero(inside)
    out = m.out_edges[_gather(m.out_ptr, stocks)]
    dst = net.flows["dst"].to_numpy()
    leaving = out[~inside[dst[out]]]
    src = net.flows["src"].to_numpy()
    ship = np.bincount(src[leaving], weights=m.volume[leaving], minlength=len(inside))
    needs = np.flatnonzero(inside[net.bom_output])
    held = np.flatnonzero(inside[net.bom_input] & ~inside[net.bom_output])
    eaten = np.bincount(net.bom_input[held], weights=m.qty[held] * m.made[net.bom_output[held]],
                        minlength=len(inside))
    demand = m.lp_demand[stocks]
    folded = (demand > 0) & (m.demand[stocks] == 0)
    held_out = np.where(down[stocks], 0.0, demand)  # leaf customers of unaffected sellers: held
    return _Region(stocks, down[stocks], out[inside[dst[out]]], (ship + eaten)[stocks] + held_out,
                   ship[stocks] + held_out, needs, np.where(down[stocks], demand, 0.0),
                   folded & down[stocks])


@dataclass(frozen=True)
class _Solution:
    x: np.ndarray  # every variable: flows, production, lost, held-flow shortfall, spare flows, days
    n: tuple[int, int, int]  # edges, producers, demand stocks
    slack: np.ndarray  # edges with spare capacity (their flow beyond normal is a variable of its own)

    @property
    def flows(self) -> np.ndarray:
        flows = self.x[:self.n[0]].copy()
        flows[self.slack] += self.x[-1 - len(self.slack):-1]
        return flows

    @property
    def lost(self) -> np.ndarray:
        start = self.n[0] + self.n[1]
        return self.x[start:start + self.n[2]]

    @property
    def short(self) -> np.ndarray:
        return self.x[sum(self.n):-1 - len(self.slack)]

    @property
    def days(self) -> float:
        return float(self.x[-1])


class _LP:
    """The disruption LP of one region. Variables: ``x`` per flow edge, ``p`` per producer,
    ``l`` per demand stock (units lost), ``g`` per stock with held outflow (the part of its
    normal flow out of the region it fails to ship: heavily penalised, so unaffected buyers
    keep their supply unless the data's own volumes do not add up), ``z`` per edge with spare
    capacity (its flow beyond the normal volume, a little dearer, so the normal flows are
    kept where they serve) and ``t`` (days)."""

    def __init__(self, m: _Model, r: _Region, party: np.ndarray, cut: float, *,
                 base: _Solution | None = None):
        net = m.net
        self.m, self.r, self.party, self.cut = m, r, party, cut
        loc = np.full(len(net.stocks), -1, dtype=np.int64)
        loc[r.stocks] = np.arange(len(r.stocks))
        self.e_src = loc[net.flows["src"].to_numpy()[r.edges]]
        self.e_dst = loc[net.flows["dst"].to_numpy()[r.edges]]
        self.prod = np.flatnonzero(net.stocks["producer"].to_numpy()[r.stocks])
        self.dem = np.flatnonzero(r.demand > 0)
        self.held = np.flatnonzero(r.drain > 0)
        demand, drain = r.demand.copy(), r.drain.copy()
        if base is not None:  # measure against what the undisrupted network achieves (a year)
            demand[self.dem] = np.maximum(demand[self.dem] - base.lost, 0.0)
            drain[self.held] = np.maximum(drain[self.held] - base.short, 0.0)
        self.want, self.drain = demand, drain
        ploc = np.full(len(r.stocks), -1, dtype=np.int64)
        ploc[self.prod] = np.arange(len(self.prod))
        need_out = ploc[loc[net.bom_output[r.needs]]]
        keep = need_out >= 0
        need_out, need_in, need_q = need_out[keep], loc[net.bom_input[r.needs]][keep], m.qty[r.needs][keep]
        self.codes = net.party_codes[r.stocks]
        self.down = np.isin(self.codes, party)
        self.inv = np.where(self.down & (cut >= 1.0), 0.0, m.inventory[r.stocks])
        # a disrupted seller's folded leaf customers get at most its cut capacity on their edges
        own = self.dem[r.shipped[self.dem] & self.down[self.dem]]
        self.l_min = np.zeros(len(self.dem))
        if len(own) and cut > 0:
            edges = m.leaf_edges[_gather(m.leaf_ptr, r.stocks[own])]
            src = net.flows["src"].to_numpy()[edges]
            d = m.demand[net.flows["dst"].to_numpy()[edges]]
            can = np.minimum(m.cap[edges] * (1.0 - cut), d)
            per = np.bincount(np.searchsorted(r.stocks[own], src), weights=d - can, minlength=len(own))
            self.l_min[np.searchsorted(self.dem, own)] = np.minimum(per, demand[own])
        w = m.weight[r.stocks][self.dem]
        self.w = w / (float(w.max()) if len(w) and w.max() > 0 else 1.0)
        ne, npr, nd, ng = len(r.edges), len(self.prod), len(self.dem), len(self.held)
        self.n = (ne, npr, nd)
        self.slack = np.flatnonzero(m.cap[r.edges] > m.volume[r.edges] * (1 + 1e-12))
        nz_ = len(self.slack)
        self.n_var = ne + npr + nd + ng + nz_ + 1
        self.t = self.n_var - 1
        g0 = ne + npr + nd
        per_day = (drain + demand) / _YEAR  # held outflow and demand grow with t
        nz = np.flatnonzero(per_day)
        z0 = g0 + ng
        rows = np.r_[self.e_src, self.e_dst, self.prod, need_in, self.dem, self.held, nz,
                     self.e_src[self.slack], self.e_dst[self.slack]]
        cols = np.r_[np.arange(ne), np.arange(ne), ne + np.arange(npr), ne + need_out,
                     ne + npr + np.arange(nd), g0 + np.arange(ng), np.full(len(nz), self.t),
                     z0 + np.arange(nz_), z0 + np.arange(nz_)]
        vals = np.r_[np.ones(ne), -np.ones(ne), -np.ones(npr), need_q, -np.ones(nd), -np.ones(ng),
                     per_day[nz], np.ones(nz_), -np.ones(nz_)]
        self.balance = sp.csr_matrix((vals, (rows, cols)), shape=(len(r.stocks), self.n_var))

    def _site(self, cut: float) -> sp.csr_matrix:
        """Site capacity: a party's outbound flow (held flow and what its folded leaf customers
        get included) within its capacity."""
        m, r, (ne, npr, nd) = self.m, self.r, self.n
        edge_party = self.codes[self.e_src]
        limited = np.isfinite(m.site_cap[edge_party])
        sells = self.dem[r.shipped[self.dem] & np.isfinite(m.site_cap[self.codes[self.dem]])]
        groups = np.unique(np.r_[edge_party[limited], self.codes[sells]])
        if not len(groups):
            return sp.csr_matrix((0, self.n_var))
        k = np.where(np.isin(groups, self.party), 1.0 - cut, 1.0)
        mine = np.isin(self.codes, groups)
        drained = np.bincount(np.searchsorted(groups, self.codes[mine]), weights=r.ship_drain[mine],
                              minlength=len(groups))
        drained += np.bincount(np.searchsorted(groups, self.codes[sells]), weights=self.want[sells],
                               minlength=len(groups))
        l_at = np.searchsorted(self.dem, sells)
        g_mine = np.flatnonzero(np.isin(self.codes[self.held], groups))
        edges = np.flatnonzero(limited)
        z_mine = np.flatnonzero(limited[self.slack])
        rows = np.r_[np.searchsorted(groups, edge_party[edges]), np.arange(len(groups)),
                     np.searchsorted(groups, self.codes[self.held[g_mine]]),
                     np.searchsorted(groups, edge_party[self.slack[z_mine]]),
                     np.searchsorted(groups, self.codes[sells])]
        cols = np.r_[edges, np.full(len(groups), self.t), ne + npr + nd + g_mine,
                     ne + npr + nd + len(self.held) + z_mine, ne + npr + l_at]
        vals = np.r_[np.ones(len(edges)), (drained - m.site_cap[groups] * k) / _YEAR, -np.ones(len(g_mine)),
                     np.ones(len(z_mine)), -np.ones(len(sells))]
        return sp.csr_matrix((vals, (rows, cols)), shape=(len(groups), self.n_var))

    def _costs(self) -> np.ndarray:
        """Lost units at their weight; held flow not shipped far above any weight; a
        tiny cost per unit shipped so no flow moves without a reason."""
        ne, npr, nd = self.n
        eps = 1e-6 * float(self.w[self.w > 0].min(initial=1.0))  # above the solver's tolerance
        return np.r_[np.full(ne, eps), np.zeros(npr), self.w, np.full(len(self.held), 1e3),
                     np.full(len(self.slack), 2 * eps), 0.0]

    def _edge_bounds(self, bounds: np.ndarray, cut: float, per: float) -> None:
        """Edge ``e`` carries up to ``min(volume, capacity)`` in ``x`` and the rest of its
        capacity in its ``z``, both × ``per`` (days / 365, or 1 / 365 for rates)."""
        ne, npr, nd = self.n
        k = np.where(self.down[self.e_src], 1.0 - cut, 1.0)
        cap = self.m.cap[self.r.edges] * k
        normal = np.minimum(self.m.volume[self.r.edges], cap)
        bounds[:ne, 1] = normal * per
        z0 = ne + npr + nd + len(self.held)
        bounds[z0:z0 + len(self.slack), 1] = (cap - normal)[self.slack] * per

    def _bounds(self, cut: float) -> np.ndarray:
        ne, npr, nd = self.n
        bounds = np.column_stack([np.zeros(self.n_var), np.full(self.n_var, np.inf)])
        if cut >= 1.0:
            bounds[ne + np.flatnonzero(self.down[self.prod]), 1] = 0.0
        return bounds

    def solve(self, days: float, *, inventory: bool, disrupted: bool = True) -> _Solution:
        """Least weighted loss over ``days``."""
        ne, npr, nd = self.n
        ng = len(self.held)
        cut = self.cut if disrupted else 0.0
        bounds = self._bounds(cut)
        self._edge_bounds(bounds, cut, days / _YEAR)
        bounds[ne + npr:ne + npr + nd, 1] = self.want[self.dem] * days / _YEAR
        if disrupted:
            bounds[ne + npr:ne + npr + nd, 0] = self.l_min * days / _YEAR
        bounds[ne + npr + nd:ne + npr + nd + ng, 1] = self.drain[self.held] * days / _YEAR
        bounds[-1] = days
        site = self._site(cut)
        inv = np.where(self.down & (cut >= 1.0), 0.0, self.m.inventory[self.r.stocks])
        b = np.r_[inv if inventory else np.zeros(len(inv)), np.zeros(site.shape[0])]
        res = _linprog(self._costs(), sp.vstack([self.balance, site]).tocsr(), b, bounds)
        return _Solution(res.x, self.n, self.slack)

    def survive(self) -> float:
        """The most days every customer keeps getting what it gets undisrupted (an LP built
        with ``base``), with the held flow shipped in full.

        Solved in rates: with ``y = x / t`` and ``s = 1 / t`` every capacity becomes a bound
        and the inventory a column (``out − in + demand ≤ inventory · s``), so the LP is as
        easy as a fixed window; the least ``s`` gives the most days."""
        ne, npr, nd = self.n
        per_day = self.balance[:, self.t].toarray().ravel()
        site = self._site(self.cut)
        site_t = site[:, self.t].toarray().ravel()
        budget = sp.csr_matrix((self.w, (np.zeros(nd, dtype=np.int64), ne + npr + np.arange(nd))),
                               shape=(1, self.n_var))
        a = sp.vstack([sp.hstack([self.balance[:, :self.t], sp.csr_matrix(-self.inv[:, None])]),
                       sp.hstack([site[:, :self.t], sp.csr_matrix((site.shape[0], 1))]),
                       sp.hstack([budget[:, :self.t], sp.csr_matrix((1, 1))])]).tocsr()
        b = np.r_[-per_day, -site_t, _TOL]
        bounds = self._bounds(self.cut)
        self._edge_bounds(bounds, self.cut, 1.0 / _YEAR)
        bounds[ne + npr:ne + npr + nd, 1] = self.want[self.dem] / _YEAR
        bounds[ne + npr:ne + npr + nd, 0] = self.l_min / _YEAR
        bounds[ne + npr + nd:ne + npr + nd + len(self.held), 1] = 0.0
        bounds[-1] = (1.0 / _HORIZON, np.inf)
        c = np.zeros(self.n_var)
        c[-1] = 1.0
        # interior point (with crossover) on large regions: the simplex crawls on this one at scale
        method = "highs-ipm" if self.n_var > 50_000 else "highs"
        res = linprog(c, A_ub=a, b_ub=b, bounds=bounds, method=method)
        if res.status == 2:  # no inventory can carry the shortfall even for a moment
            return 0.0
        if res.status != 0:
            raise RuntimeError(f"risk-exposure LP failed: {res.message}")
        days = 1.0 / float(res.x[-1])
        return np.inf if days >= _HORIZON * (1 - 1e-9) else days


def _linprog(c, a, b, bounds):
    res = linprog(c, A_ub=a, b_ub=b, bounds=bounds, method="highs")
    if res.status != 0:  # the LP is always feasible (nothing shipped, everything lost)
        raise RuntimeError(f"risk-exposure LP failed: {res.message}")
    return res


@dataclass(frozen=True)
class _Outcome:
    """One party's disruption, solved."""

    window: float
    tts: float
    lost: pd.Series  # units lost over the window, per SKU (beyond the undisrupted shortfall)
    lp: _LP | None
    solution: _Solution | None


def _solve(m: _Model, party: int | np.ndarray, cut: float, window: float) -> _Outcome:
    """The exact LP outcome of ``party`` (a party code, or several disrupted together) losing
    ``cut`` of its capacity for ``window`` days.

    Losses count against the undisrupted network (where the data's own volumes leave some
    demand unmet, that shortfall is not the party's). Solves, most skipped: the loss rate
    without inventory; the undisrupted year and the rate again against it; with
    inventory, the window's loss and the TTS."""
    party = np.atleast_1d(party)
    r = _region(m, party)
    lp = _LP(m, r, party, cut)
    sku = m.net.stocks["sku"].to_numpy()[r.stocks][lp.dem]
    empty = pd.Series(dtype=float)
    if not len(lp.dem):
        return _Outcome(window, np.inf, empty, lp, None)
    rate = lp.solve(_YEAR, inventory=False)
    if (lp.w @ rate.lost) > _TOL or rate.short.sum() > _TOL:
        base = lp.solve(_YEAR, inventory=False, disrupted=False)
        if base.lost.sum() > _TOL or base.short.sum() > _TOL:
            lp = _LP(m, r, party, cut, base=base)
            rate = lp.solve(_YEAR, inventory=False)
    if (lp.w @ rate.lost) <= _TOL:
        return _Outcome(window, np.inf, empty, lp, _scaled(rate, window))
    if not lp.inv.any():
        sol, tts = _scaled(rate, window), 0.0
    else:
        sol, tts = lp.solve(window, inventory=True), lp.survive()
    lost = pd.Series(sol.lost, index=sku).groupby(level=0).sum()
    return _Outcome(window, tts, lost[lost > 1e-6], lp, sol)


def _scaled(s: _Solution, days: float) -> _Solution:
    return _Solution(s.x * (days / s.days), s.n, s.slack)


def _weighted(m: _Model, lost: pd.Series) -> tuple[float, float]:
    """(weighted loss, value at risk) of units lost per SKU."""
    if lost.empty:
        return 0.0, 0.0
    sku = m.net.stocks["sku"].to_numpy()
    w = pd.Series(m.weight, index=sku)
    w = w[m.demand > 0].groupby(level=0).first().reindex(lost.index).fillna(0.0)
    v = pd.Series(m.unit_value, index=sku).groupby(level=0).first().reindex(lost.index)
    value = float((lost * v).sum()) if v.notna().all() else np.nan
    return float(lost @ w), value


def _check(cut: float, days: float | None, default_ttr: float) -> None:
    if not 0 < cut <= 1:
        raise ParameterError(f"cut must be a share of capacity lost in (0, 1]; got {cut}")
    if days is not None and not (np.isfinite(days) and days > 0):
        raise ParameterError(f"days must be a positive number of days; got {days}")
    if not (np.isfinite(default_ttr) and default_ttr > 0):
        raise ParameterError(f"default_ttr must be a positive number of days; got {default_ttr}")


def risk_exposure(eco: Ecosystem, *, default_ttr: float = DEFAULT_TTR, cut: float = 1.0,
                  days: float | None = None, exact: int | None = 64, as_of=None,
                  include_company: bool = False) -> pd.DataFrame:
    """Every party that ships units: its time to recover, time to survive, lost units, value
    at risk and Risk Exposure Index, after rerouting through alternatives and inventory.

    Each party is disrupted in turn (it loses ``cut`` of its capacity — all of it by default —
    for its TTR, or ``days``) and the LP of this module gives the loss. The ``exact`` parties
    with the most weighted first-order throughput are solved exactly; the rest get the
    first-order bound, ``cut × throughput × window / 365`` (an upper bound of the LP's loss
    when the normal flows balance: rerouting and inventory only lower it), ``exact`` False.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    default_ttr : float, default 28
        Days to recover for a party whose ``ttr_days`` is empty.
    cut : float, default 1.0
        The share of each party's capacity lost (1: it ships nothing).
    days : float, optional
        How long the disruption lasts; ``None``: each party's TTR.
    exact : int or None, default 64
        How many parties to solve exactly, by weighted first-order throughput; ``None``: all.
    as_of : str, date or None
        The day of the inventory on hand (ledger balances); ``None``: the reference date.
    include_company : bool, default False
        Keep the focal company (everything flows through it by construction).

    Returns
    -------
    pandas.DataFrame
        One row per shipping party: ``id, name, kind, ttr_days, window_days`` (the
        disruption's length), ``tts_days`` (``inf``: it can be absorbed for good; NaN where
        not solved), ``lost_units`` (finished units lost over the window, each SKU counted
        at its weight relative to the average demanded unit: plain units with one SKU),
        ``lost_share`` (of the window's weighted demand), ``value_at_risk`` (lost units ×
        ``unit_value``; NaN where a lost SKU has none), ``rei`` (0–100), ``tts_lt_ttr``
        (TTS shorter than the window), ``lost_by_sku`` (``"SKU units; ..."``),
        ``absorbed_by`` (alternatives that shipped more, by name), ``exact``. Highest
        index first (then ``id``).

    Raises
    ------
    ParameterError
        When ``cut``, ``days`` or ``default_ttr`` is out of range.

    References
    ----------
    .. [1] D. Simchi-Levi, W. Schmidt, Y. Wei, P. Y. Zhang, K. Combs, Y. Ge, O. Gusikhin,
       M. Sanders and D. Zhang, "Identifying risks and mitigating disruptions in the
       automotive supply chain", Interfaces 45(5):375--390, 2015.
    .. [2] D. Simchi-Levi, W. Schmidt and Y. Wei, "From superstorms to factory fires:
       managing unpredictable supply-chain disruptions", Harvard Business Review
       92(1-2):96--101, 2014.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> risk = risk_exposure(load_bundle("fixtures/manufacturing")).set_index("id")
    >>> bool(risk.loc["S0001", "tts_lt_ttr"]), bool(risk.loc["S0003", "tts_lt_ttr"])
    (True, False)
    """
    _check(cut, days, default_ttr)
    m = _model(eco, default_ttr, as_of)
    net = m.net
    cand = bn._candidates(eco, net)
    if not include_company:
        cand = cand[~net.parties[cand].isin(eco.company["id"])]
    window = np.full(len(cand), float(days)) if days is not None else m.ttr[cand]
    thr = bn._throughput(net, m.demand * m.weight)[cand] * cut * window / _YEAR
    order = np.lexsort((net.parties[cand], -thr))
    cand, window, thr = cand[order], window[order], thr[order]
    n_exact = len(cand) if exact is None else min(exact, len(cand))
    rows = []
    for i, (party, win) in enumerate(zip(cand, window, strict=True)):
        if i < n_exact or thr[i] <= 0:
            rows.append(_row(m, _solve(m, party, cut, win) if thr[i] > 0 else
                             _Outcome(win, np.inf, pd.Series(dtype=float), None, None), True))
        else:
            rows.append({"weighted": thr[i], "tts_days": np.nan,
                         "value_at_risk": thr[i] if m.by_value else np.nan,
                         "lost_by_sku": "", "absorbed_by": "", "exact": False})
    out = pd.DataFrame(rows)
    out.insert(0, "id", net.parties[cand])
    out.insert(1, "ttr_days", m.ttr[cand])
    out.insert(2, "window_days", window)
    demand_w = float(m.demand @ m.weight)
    out["lost_units"] = out["weighted"] / m.mean_weight
    out["lost_share"] = out["weighted"] / (demand_w * out["window_days"] / _YEAR) if demand_w else 0.0
    top = float(out["weighted"].max()) if len(out) else 0.0
    out["rei"] = 100.0 * out["weighted"] / top if top > 0 else 0.0
    out["tts_lt_ttr"] = (out["tts_days"] < out["window_days"]).to_numpy()
    out = with_labels(eco, out)
    cols = ["id", "name", "kind", "ttr_days", "window_days", "tts_days", "lost_units", "lost_share",
            "value_at_risk", "rei", "tts_lt_ttr", "lost_by_sku", "absorbed_by", "exact"]
    return out[cols].sort_values(["rei", "id"], ascending=[False, True], ignore_index=True)


def pair_exposure(eco: Ecosystem, *, top: int = 8, days: float | None = None,
                  default_ttr: float = DEFAULT_TTR, as_of=None) -> pd.DataFrame:
    """Pairs of parties disrupted together: what the two lose at once beyond what each loses alone.

    Two suppliers that back each other up are each absorbed alone and can fail together (a
    shared region, a shared raw material). The ``top`` parties with the most weighted
    first-order throughput are taken in every pair; each pair is down for the longer of
    the two TTRs (or ``days``), in the LP of :func:`risk_exposure`.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    top : int, default 8
        How many parties to pair (``top × (top − 1) / 2`` pairs, three LPs each).
    days : float, optional
        How long each pair is down; ``None``: the longer of the two TTRs.
    default_ttr : float, default 28
        Days to recover for a party whose ``ttr_days`` is empty.
    as_of : str, date or None
        The day of the inventory on hand; ``None``: the reference date.

    Returns
    -------
    pandas.DataFrame
        ``a, a_name, b, b_name, window_days, lost_units`` (together), ``alone_units`` (``a``
        alone plus ``b`` alone over the same window), ``excess_units`` (together minus
        alone: the loss only the pair causes), ``value_at_risk`` (together), ``tts_days``
        (together); units weighted as in :func:`risk_exposure`. Largest excess first
        (then ``a``, ``b``).

    Raises
    ------
    ParameterError
        When ``top`` is below 2 or a number is out of range.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> pairs = pair_exposure(load_bundle("fixtures/manufacturing"), top=6, days=120)
    >>> both = pairs.iloc[0]  # the two motor suppliers: each absorbed alone, not together
    >>> both["a"], both["b"], float(both["alone_units"]), bool(both["excess_units"] > 100)
    ('S0003', 'S0004', 0.0, True)
    """
    _check(1.0, days, default_ttr)
    if top < 2:
        raise ParameterError(f"top must be at least 2 parties to pair; got {top}")
    m = _model(eco, default_ttr, as_of)
    net = m.net
    cand = bn._candidates(eco, net)
    cand = cand[~net.parties[cand].isin(eco.company["id"])]
    thr = bn._throughput(net, m.demand * m.weight)[cand]
    cand = cand[np.lexsort((net.parties[cand], -thr))][:top]
    cand = cand[np.argsort(net.parties[cand])]  # pairs read a < b
    alone: dict[tuple[int, float], float] = {}

    def loss(codes, window: float) -> tuple[float, _Outcome]:
        o = _solve(m, np.asarray(codes), 1.0, window)
        return _weighted(m, o.lost)[0] / m.mean_weight, o

    rows = []
    for i, a in enumerate(cand):
        for b in cand[i + 1:]:
            window = float(days) if days is not None else float(max(m.ttr[a], m.ttr[b]))
            for p in (a, b):
                if (p, window) not in alone:
                    alone[p, window] = loss([p], window)[0]
            units, o = loss([a, b], window)
            rows.append({"a": net.parties[a], "b": net.parties[b], "window_days": window,
                         "lost_units": units, "alone_units": alone[a, window] + alone[b, window],
                         "value_at_risk": _weighted(m, o.lost)[1], "tts_days": o.tts})
    cols = ["a", "b", "window_days", "lost_units", "alone_units", "value_at_risk", "tts_days"]
    out = pd.DataFrame(rows, columns=cols)
    out["excess_units"] = (out["lost_units"] - out["alone_units"]).clip(lower=0.0)
    out = bn._with_names(eco, out, ("a", "b"))
    out = out[["a", "a_name", "b", "b_name", "window_days", "lost_units", "alone_units",
               "excess_units", "value_at_risk", "tts_days"]]
    return out.sort_values(["excess_units", "a", "b"], ascending=[False, True, True], ignore_index=True)


def _row(m: _Model, o: _Outcome, exact: bool) -> dict:
    weighted, value = _weighted(m, o.lost)
    absorbed = _absorbed(m, o)
    top = absorbed.groupby(["alternative", "sku"], sort=False)["extra_units"].sum()
    top = top.sort_values(ascending=False).head(3)
    return {"weighted": weighted, "tts_days": o.tts, "value_at_risk": value,
            "lost_by_sku": "; ".join(f"{s} {u:,.1f}" for s, u in o.lost.sort_values(ascending=False).items()),
            "absorbed_by": "; ".join(f"{a} ({s} +{u:,.0f})" for (a, s), u in top.items()),
            "exact": exact}


def _absorbed(m: _Model, o: _Outcome) -> pd.DataFrame:
    """Alternatives that shipped more than usual to the affected stocks, and how much."""
    cols = ["alternative", "sku", "buyer", "normal_units", "units", "extra_units"]
    if o.lp is None or o.solution is None or not len(o.lp.r.edges):
        return pd.DataFrame(columns=cols)
    lp, sol = o.lp, o.solution
    edges = lp.r.edges
    normal = m.volume[edges] * sol.days / _YEAR
    extra = sol.flows - normal
    f = m.net.flows
    hit = (extra > 1e-6 * np.maximum(normal, 1.0)) & ~lp.down[lp.e_src] & lp.r.affected[lp.e_dst]
    e = edges[hit]
    out = pd.DataFrame({"alternative": f["source"].to_numpy()[e], "sku": f["sku"].to_numpy()[e],
                        "buyer": f["target"].to_numpy()[e], "normal_units": normal[hit],
                        "units": sol.flows[hit], "extra_units": extra[hit]})
    return out.sort_values(["extra_units", "alternative"], ascending=[False, True], ignore_index=True)


@dataclass(frozen=True)
class Impact:
    """One party's disruption (see :func:`disruption_impact`).

    Attributes
    ----------
    party : str
        The disrupted party.
    cut : float
        The share of its capacity lost.
    window_days : float
        How long it lasts.
    ttr_days : float
        The party's time to recover.
    tts_days : float
        Days every customer stays served (``inf``: the loss is absorbed for good).
    lost_units : float
        Finished units lost over the window, weighted (plain units with one SKU).
    value_at_risk : float
        Lost units × ``unit_value`` (NaN where a lost SKU has none).
    by_sku : pandas.DataFrame
        ``sku, demand`` (over the window), ``lost_units, unit_value, value_at_risk``.
    absorbed : pandas.DataFrame
        ``alternative, alternative_name, sku, buyer, buyer_name, normal_units, units,
        extra_units``: the alternatives that shipped more to the affected buyers.
    inventory : pandas.DataFrame
        ``party, party_name, sku, on_hand, used``: inventory drawn during the window.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> hit = disruption_impact(load_bundle("fixtures/manufacturing"), "S0003")
    >>> hit.lost_units
    0.0
    """

    party: str
    cut: float
    window_days: float
    ttr_days: float
    tts_days: float
    lost_units: float
    value_at_risk: float
    by_sku: pd.DataFrame
    absorbed: pd.DataFrame
    inventory: pd.DataFrame


def disruption_impact(eco: Ecosystem, party: str, *, cut: float = 1.0, days: float | None = None,
                      default_ttr: float = DEFAULT_TTR, as_of=None) -> Impact:
    """What one party's disruption costs after rerouting: lost units per SKU, value at risk,
    time to survive, which alternatives absorbed what and the inventory drawn.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    party : str
        A party in the supply network.
    cut : float, default 1.0
        The share of its capacity lost (0.3: down 30%).
    days : float, optional
        How long; ``None``: its TTR.
    default_ttr : float, default 28
        Days to recover where ``ttr_days`` is empty.
    as_of : str, date or None
        The day of the inventory on hand; ``None``: the reference date.

    Returns
    -------
    Impact
        The outcome (see :class:`Impact`).

    Raises
    ------
    ParameterError
        When ``party`` is not in the supply network or a number is out of range.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> hit = disruption_impact(load_bundle("fixtures/manufacturing"), "S0001", days=90)
    >>> hit.by_sku["sku"].tolist(), bool(hit.tts_days < 90)
    (['PUMP'], True)
    """
    _check(cut, days, default_ttr)
    m = _model(eco, default_ttr, as_of)
    if party not in m.net.parties:
        raise ParameterError(f"not in the supply network: {party}")
    code = m.net.parties.get_loc(party)
    window = float(days) if days is not None else float(m.ttr[code])
    o = _solve(m, code, cut, window)
    weighted, value = _weighted(m, o.lost)
    sku = m.net.stocks["sku"].to_numpy()
    dem = pd.Series(m.demand * window / _YEAR, index=sku).groupby(level=0).sum()
    dem = dem[dem.index.isin(o.lost.index)]
    by_sku = pd.DataFrame({"sku": o.lost.index, "demand": dem.reindex(o.lost.index).to_numpy(),
                           "lost_units": o.lost.to_numpy()})
    vals = pd.Series(m.unit_value, index=sku).groupby(level=0).first()
    by_sku["unit_value"] = vals.reindex(by_sku["sku"]).to_numpy()
    by_sku["value_at_risk"] = by_sku["lost_units"] * by_sku["unit_value"]
    by_sku = by_sku.sort_values(["lost_units", "sku"], ascending=[False, True], ignore_index=True)
    absorbed = bn._with_names(eco, _absorbed(m, o), ("alternative", "buyer"))
    return Impact(party, cut, window, float(m.ttr[code]), float(o.tts), weighted / m.mean_weight,
                  value, by_sku, absorbed, _drawn(eco, m, o))


def _drawn(eco: Ecosystem, m: _Model, o: _Outcome) -> pd.DataFrame:
    """Inventory used during the window: what each stock shipped and consumed beyond what it
    received and made."""
    cols = ["party", "sku", "on_hand", "used"]
    if o.lp is None or o.solution is None or not o.lp.inv.any():
        return bn._with_names(eco, pd.DataFrame(columns=cols), ("party",))
    lp, sol = o.lp, o.solution
    used = np.clip(lp.balance @ sol.x, 0.0, lp.inv)  # out + consumed + demand - in - made - lost
    keep = (lp.inv > 0) & (used > 1e-9)
    s = m.net.stocks.iloc[lp.r.stocks[keep]]
    out = pd.DataFrame({"party": s["party"].to_numpy(), "sku": s["sku"].to_numpy(),
                        "on_hand": lp.inv[keep], "used": used[keep]})
    return bn._with_names(eco, out, ("party",))
