"""Supply-chain risk: what breaks, in units of unmet demand, when a party drops out.

The supply network is read per SKU from the relationships that carry units:
``supplies`` (supplier → buyer), ``distributes_for`` (the principal ships to
its distributor) and ``sells_to`` with a SKU and a volume (a partner ships to
a customer, which is where demand sits). Each *stock* is a (party, SKU) pair.
A party that ships a SKU it receives from nobody *produces* it, and needs
every input of the SKU's bill of materials (``asset_classes.inputs``) that
reaches it.

**The flow model** (proportional sharing): a stock passes on the share of its
supply that still arrives — the volume-weighted share of its inbound
suppliers' availability, or for a producer the *least* available of its
inputs (a pump needs a gearbox *and* a motor); a removed party passes on
nothing, a party whose capacity is cut by ``f`` passes on ``1 − f``. A
customer receives its demand (its ``sells_to`` volumes) times the
availability that reaches it; the rest is **unmet demand**, in units of the
SKU. The propagation is a sparse matrix product per step, repeated until
nothing changes (as many steps as the chain is deep).

- :func:`supply_flows` — the per-SKU flow edges and customer demand;
- :func:`simulate` — what-if: remove parties or cut capacity, unmet demand per
  customer and SKU, with totals by region and SKU (a :class:`Disruption`);
- :func:`cascade` — parties that fail once they lose more than a threshold of
  their inbound supply, round by round;
- :func:`dominators` — for each customer and SKU, the parties every supply
  path passes through (removing one cuts the customer off entirely);
- :func:`vital_edges` — supply relationships ranked by the demand riding on them;
- :func:`single_sourced` — inputs a buyer gets from exactly one supplier;
- :func:`max_flow` — max-flow / min-cut of a SKU from its producers to its
  customers' demand;
- :func:`concentration` — Herfindahl–Hirschman index of supply shares;
- :func:`bottlenecks` — the ranked table joining all of the above.

>>> from ecograph import load_bundle
>>> eco = load_bundle("fixtures/manufacturing")
>>> bottlenecks(eco)["id"].iloc[0]
'S0001'
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..ecosystem import Ecosystem, derived
from ..errors import ParameterError
from ..frames import isin
from ..graphs import view
from ..ties import supply_edges
from ..twins import igraph_from_edges
from ..wording import plural
from . import structure
from ._common import with_labels

__all__ = ["supply_flows", "simulate", "Disruption", "cascade", "Cascade", "dominators",
           "vital_edges", "single_sourced", "max_flow", "MaxFlow", "concentration", "bottlenecks",
           "RISK_WEIGHTS", "rerouted_losses"]

#: Points added to a party's risk score per structural signal (see :func:`bottlenecks`).
RISK_WEIGHTS = {"single_source": 10.0, "articulation_point": 5.0, "in_min_cut": 5.0,
                "dominator": 10.0}


def supply_flows(eco: Ecosystem) -> pd.DataFrame:
    """Unit flows per SKU: the :func:`~ecograph.ties.supply_edges` that name a SKU.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.

    Returns
    -------
    pandas.DataFrame
        ``source, target, sku, capacity`` (summed yearly volume: the normal
        flow; a relationship without a volume counts 1) and ``capacity_max``
        (summed ``relationships.capacity``, the most the edge can carry; empty:
        its volume), one row per (source, target, sku), sorted.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> flows = supply_flows(load_bundle("fixtures/manufacturing"))
    >>> sorted(flows["sku"].unique())
    ['GEARBOX', 'MOTOR', 'PUMP', 'STEEL', 'VALVE']
    """
    return derived(eco, "supply_flows", lambda: _supply_flows(eco)).copy(deep=False)


def _supply_flows(eco: Ecosystem) -> pd.DataFrame:
    edges = supply_edges(eco)
    volume = edges["volume"].fillna(1.0).astype(float)
    flows = edges.loc[edges["sku"].notna(), ["source", "target", "sku"]].assign(
        capacity=volume, capacity_max=edges["capacity"].astype(float).fillna(volume))
    return flows.groupby(["source", "target", "sku"], as_index=False,
                         sort=True)[["capacity", "capacity_max"]].sum()


@dataclass(frozen=True)
class _Network:
    """Stocks (party, SKU) with flow edges between them and bill-of-materials needs."""

    stocks: pd.DataFrame  # party, sku, demand (customers), producer (bool)
    flow: sp.csr_matrix  # W[v, u] = share of stock v's inbound coming from stock u
    inflow: np.ndarray  # units per year into each stock
    ships: np.ndarray  # bool per stock: it has outgoing flows
    flows: pd.DataFrame  # supply_flows plus ``src`` and ``dst`` stock positions
    bom_output: np.ndarray  # producer stock per BOM need, sorted
    bom_input: np.ndarray  # input stock it needs
    party_codes: np.ndarray  # party code of each stock
    parties: pd.Index

    @property
    def has_inflow(self) -> np.ndarray:
        return self.inflow > 0

    @property
    def depth(self) -> int:
        return len(self.stocks) + 1

    @property
    def demand_rows(self) -> np.ndarray:
        return np.flatnonzero(self.stocks["demand"].to_numpy() > 0)


def _network(eco: Ecosystem) -> _Network:
    """The stock network of ``eco``, built once per ecosystem, so what-if loops pay
    for it once."""
    return derived(eco, "supply_network", lambda: _build_network(eco))


def _build_network(eco: Ecosystem) -> _Network:
    flows = supply_flows(eco)
    stocks = pd.concat([flows[["source", "sku"]].set_axis(["party", "sku"], axis=1),
                        flows[["target", "sku"]].set_axis(["party", "sku"], axis=1)])
    stocks = stocks.drop_duplicates().sort_values(["party", "sku"], ignore_index=True)
    key = pd.MultiIndex.from_frame(stocks)
    src = key.get_indexer(pd.MultiIndex.from_arrays([flows["source"], flows["sku"]]))
    dst = key.get_indexer(pd.MultiIndex.from_arrays([flows["target"], flows["sku"]]))
    n = len(stocks)
    inflow = np.bincount(dst, weights=flows["capacity"].to_numpy(), minlength=n)
    has_inflow = inflow > 0
    W = sp.csr_matrix((flows["capacity"].to_numpy() / np.where(has_inflow[dst], inflow[dst], 1.0),
                       (dst, src)), shape=(n, n))  # an edge of volume 0 into a stock with none: share 0
    into_customer = isin(flows["target"], eco.customers["id"])
    demand = np.bincount(dst[into_customer], weights=flows["capacity"].to_numpy()[into_customer],
                         minlength=n)
    ships = np.zeros(n, bool)
    ships[src] = True
    producer = ships & ~has_inflow
    # bill of materials: a producer needs each input that reaches it
    bom = eco.asset_classes[["sku", "inputs"]].explode("inputs").dropna()
    prod = stocks[producer].reset_index().merge(bom, on="sku")
    need = key.get_indexer(pd.MultiIndex.from_arrays([prod["party"], prod["inputs"]]))
    keep = need >= 0
    order = np.argsort(prod["index"].to_numpy()[keep], kind="stable")
    stocks = stocks.assign(demand=demand, producer=producer)
    parties = pd.Index(stocks["party"].unique())
    return _Network(stocks, W, inflow, ships, flows.assign(src=src, dst=dst),
                    prod["index"].to_numpy()[keep][order], need[keep][order],
                    parties.get_indexer(stocks["party"]), parties)


def _availability(net: _Network, down: np.ndarray, headroom: float = 0.0) -> np.ndarray:
    """Availability of every stock (rows) in each scenario (columns of ``down``,
    the share of each party's capacity that is lost: 1 = removed). With
    ``headroom``, a buyer reroutes to its other sources that are whole, each
    able to ship that share more than it does (up to what the buyer needs)."""
    # a cut shrinks what a party ships, once: inputs it consumes are not cut again
    lost = down[net.party_codes]  # stocks × scenarios
    keep = 1.0 - np.where(net.ships[:, None], lost, np.floor(lost))
    a = keep.copy()
    starts = np.flatnonzero(np.r_[True, net.bom_output[1:] != net.bom_output[:-1]]) \
        if len(net.bom_output) else np.array([], dtype=np.int64)
    for _ in range(net.depth):
        nxt = np.where(net.has_inflow[:, None], _rerouted(net, a, headroom), 1.0)
        if len(starts):
            least = np.minimum.reduceat(a[net.bom_input], starts, axis=0)
            nxt[net.bom_output[starts]] = np.minimum(nxt[net.bom_output[starts]], least)
        nxt = nxt * keep
        if np.abs(nxt - a).max(initial=0.0) < 1e-12:
            return nxt
        a = nxt
    return a


def _inbound(net: _Network, a: np.ndarray, headroom: float = 0.0) -> np.ndarray:
    """What reaches each stock (before its own removal): the customer's view."""
    return np.where(net.has_inflow[:, None], _rerouted(net, a, headroom), 1.0)


def _rerouted(net: _Network, a: np.ndarray, headroom: float) -> np.ndarray:
    """What reaches each stock when every source that is itself whole (availability 1) ships
    ``headroom`` of its share more, up to what the stock needs. A source that is short
    cannot make up for another, so a shortage upstream of a single source is not rerouted away."""
    inbound = net.flow @ a
    if not headroom:
        return inbound
    whole = (a >= 1.0 - 1e-12).astype(float)
    return np.minimum(inbound + headroom * (net.flow @ whole), 1.0)


def _scenario(net: _Network, remove, capacity_cut) -> np.ndarray:
    down = np.zeros((len(net.parties), 1))
    unknown = [p for p in [*remove, *(capacity_cut or {})] if p not in net.parties]
    if unknown:
        raise ParameterError(f"not in the supply network: {', '.join(map(str, unknown[:5]))}")
    for p, f in (capacity_cut or {}).items():
        if not 0 <= f <= 1:
            raise ParameterError(f"capacity cut for {p} must be a fraction in [0, 1]; got {f}")
        down[net.parties.get_loc(p), 0] = f
    down[net.parties.get_indexer(list(remove)), 0] = 1.0
    return down


@dataclass(frozen=True)
class Disruption:
    """What a scenario leaves unmet (see :func:`simulate`).

    ``customers``: ``customer, customer_name, sku, region, demand, delivered,
    unmet`` (units) for every customer with demand, most unmet first;
    ``by_region`` and ``by_sku``: ``demand`` and ``unmet`` summed; the totals.

    Attributes
    ----------
    customers : pandas.DataFrame
        ``customer, customer_name, sku, region, demand, delivered, unmet``
        (units per year), one row per customer and SKU with demand, most unmet
        first.
    by_region : pandas.DataFrame
        ``region, demand, unmet``.
    by_sku : pandas.DataFrame
        ``sku, demand, unmet``.
    unmet_total : float
        Units of demand left unmet, all customers and SKUs.
    demand_total : float
        Units of demand, all customers and SKUs.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> hit = simulate(load_bundle("fixtures/manufacturing"), remove=["S0001"])
    >>> hit.unmet_total <= hit.demand_total
    True
    """

    customers: pd.DataFrame
    by_region: pd.DataFrame
    by_sku: pd.DataFrame
    unmet_total: float
    demand_total: float

    def tables(self) -> dict[str, pd.DataFrame]:
        """The three frames by name (``what_if``, ``what_if_by_region``, ``what_if_by_sku``).

        Returns
        -------
        dict of str to pandas.DataFrame
            ``customers``, ``by_region`` and ``by_sku`` under those names.

        Examples
        --------
        >>> from ecograph import load_bundle
        >>> list(simulate(load_bundle("fixtures/manufacturing"), remove=["S0001"]).tables())
        ['what_if', 'what_if_by_region', 'what_if_by_sku']
        """
        return {"what_if": self.customers, "what_if_by_region": self.by_region,
                "what_if_by_sku": self.by_sku}


def simulate(eco: Ecosystem, *, remove=(), capacity_cut: dict | None = None) -> Disruption:
    """Unmet demand per customer and SKU after removing parties or cutting capacity.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    remove : iterable of str, optional
        Parties taken out of the supply network.
    capacity_cut : dict of str to float, optional
        Parties whose capacity shrinks by a fraction in ``[0, 1]``.

    Returns
    -------
    Disruption
        Demand, deliveries and unmet demand per customer and SKU, with totals
        by region and SKU.

    Raises
    ------
    ParameterError
        When a party is not in the supply network, or a cut is outside ``[0, 1]``.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> eco = load_bundle("fixtures/manufacturing")
    >>> hit = simulate(eco, remove=["S0001"])
    >>> pumps = hit.customers.loc[hit.customers["sku"] == "PUMP", "demand"].sum()
    >>> hit.unmet_total == float(pumps)
    True
    """
    net = _network(eco)
    a = _availability(net, _scenario(net, remove, capacity_cut))
    return _disruption(eco, net, _inbound(net, a)[:, 0])


def _disruption(eco: Ecosystem, net: _Network, reach: np.ndarray) -> Disruption:
    rows = np.flatnonzero(net.stocks["demand"].to_numpy() > 0)
    s = net.stocks.iloc[rows]
    region = eco.customers.set_index("id")["region"]
    demand = s["demand"].to_numpy()
    out = pd.DataFrame({"customer": s["party"].to_numpy(),
                        "customer_name": eco.names(s["party"]).to_numpy(),
                        "sku": s["sku"].to_numpy(),
                        "region": region.reindex(s["party"]).to_numpy(), "demand": demand,
                        "delivered": demand * reach[rows]})
    unmet = out["demand"].to_numpy() - out["delivered"].to_numpy()
    out["unmet"] = np.where(unmet > 1e-9 * np.maximum(demand, 1.0), unmet, 0.0)  # float noise
    out = out.sort_values(["unmet", "customer"], ascending=[False, True], ignore_index=True)
    return Disruption(out, out.groupby("region")[["demand", "unmet"]].sum().reset_index(),
                      out.groupby("sku")[["demand", "unmet"]].sum().reset_index(),
                      float(out["unmet"].sum()), float(demand.sum()))


@dataclass(frozen=True)
class Cascade:
    """The knock-on failures of a scenario (see :func:`cascade`).

    ``failures``: ``round`` (0 = the parties removed), ``id, name, kind``,
    ``lost`` (share of its inbound units lost), ``cause`` (the SKU it lost most
    of); ``disruption``: what customers are left without once the cascade stops.

    Attributes
    ----------
    failures : pandas.DataFrame
        ``round, id, name, kind, lost, cause``, one row per failed party, by
        round (the removed parties: round 0, ``lost`` 1, ``cause``
        ``"removed"``).
    disruption : Disruption
        Unmet demand once the cascade stops.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> c = cascade(load_bundle("fixtures/manufacturing"), ["S0002"])
    >>> int(c.failures["round"].max()) >= 1
    True
    """

    failures: pd.DataFrame
    disruption: Disruption


def cascade(eco: Ecosystem, remove, *, threshold: float = 0.5, max_rounds: int = 20) -> Cascade:
    """Knock-on failures: after ``remove``, any party that has lost more than
    ``threshold`` of its inbound supply (in units, all SKUs together) fails
    too, then its customers' and buyers' losses are recomputed, round by round.
    Customers do not fail; they are left with unmet demand.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    remove : iterable of str
        The parties that fail first.
    threshold : float, default 0.5
        Share of inbound units whose loss makes a party fail, in ``(0, 1]``.
    max_rounds : int, default 20
        Rounds simulated at most.

    Returns
    -------
    Cascade
        The failures round by round and the resulting :class:`Disruption`.

    Raises
    ------
    ParameterError
        When ``threshold`` is outside ``(0, 1]`` or a party is not in the
        supply network.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> chain = cascade(load_bundle("fixtures/manufacturing"), ["S0002"], threshold=0.5).failures
    >>> chain.loc[chain["id"] == "S0001", ["round", "cause"]].values.tolist()
    [[1, 'STEEL']]
    """
    if not 0 < threshold <= 1:
        raise ParameterError(f"threshold must be in (0, 1]; got {threshold}")
    net = _network(eco)
    down = _scenario(net, remove, None)
    kinds = eco.parties.set_index("id")["kind"]
    customer = kinds.reindex(net.parties).eq("customer").to_numpy()
    rows = [{"round": 0, "id": p, "lost": 1.0, "cause": "removed"} for p in remove]
    total = np.bincount(net.party_codes, weights=net.inflow, minlength=len(net.parties))
    for r in range(1, max_rounds + 1):
        reach = _inbound(net, _availability(net, down))[:, 0]
        missing = net.inflow * (1.0 - reach)
        lost = np.bincount(net.party_codes, weights=missing, minlength=len(net.parties))
        lost = np.divide(lost, total, out=np.zeros_like(lost), where=total > 0)
        worst = pd.DataFrame({"party": net.party_codes, "missing": missing,
                              "sku": net.stocks["sku"]})
        cause = worst.sort_values("missing", ascending=False).drop_duplicates("party")
        cause = cause.set_index("party")["sku"]
        fails = np.flatnonzero((lost > threshold + 1e-12) & (down[:, 0] < 1) & ~customer)
        if not len(fails):
            break
        down[fails, 0] = 1.0
        rows += [{"round": r, "id": net.parties[p], "lost": float(lost[p]), "cause": cause[p]}
                 for p in fails]
    out = pd.DataFrame(rows, columns=["round", "id", "lost", "cause"])
    out.insert(2, "name", eco.names(out["id"]).to_numpy())
    out.insert(3, "kind", kinds.reindex(out["id"]).to_numpy())
    reach = _inbound(net, _availability(net, down))[:, 0]
    return Cascade(out, _disruption(eco, net, reach))


def _losses(net: _Network, candidates: np.ndarray, batch: int = 64, headroom: float = 0.0):
    """For each batch of candidates, the availability reaching every demand stock
    when each is removed (demand stocks × batch): one sparse product per step
    serves a whole batch of scenarios."""
    rows = net.demand_rows
    for start in range(0, len(candidates), batch):
        chunk = candidates[start:start + batch]
        down = np.zeros((len(net.parties), len(chunk)))
        down[chunk, np.arange(len(chunk))] = 1.0
        yield chunk, _inbound(net, _availability(net, down, headroom), headroom)[rows]


def rerouted_losses(eco: Ecosystem, *, headroom: float = 1.0, exact: int | None = 256) -> pd.DataFrame:
    """The demand each party's loss leaves unmet once its buyers reroute to their other sources.

    Every buyer of the lost party turns to its other sources of the same SKU
    that are themselves whole, each able to ship ``headroom`` (a share of what
    it ships now) more, up to what the buyer needs; a source short of its own
    supply makes up for nothing. Spare capacity is assumed per buyer (a
    source's headroom is not shared out among its buyers). What stays unmet cannot be absorbed: it is demand
    whose every source runs through the party (it dominates it, or is a single
    source), or more than the alternatives can make up. ``headroom=0`` gives
    :func:`bottlenecks`' ``units_at_risk``.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    headroom : float, default 1.0
        Spare capacity of every surviving source, as a share of its current
        volume (1.0: it can double); at least 0.
    exact : int or None, default 256
        How many parties to simulate, those with the most dependent demand
        first; the rest get the first-order bound (``exact`` False).

    Returns
    -------
    pandas.DataFrame
        ``id, name, units_unmet`` (summed over SKUs), ``share_unmet`` (each SKU's
        unmet share of its own demand, averaged over the SKUs demanded: units of
        different SKUs never add), ``exact``, largest share first (the focal company
        left out).

    Raises
    ------
    ParameterError
        When ``headroom`` is negative or not finite.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> eco = load_bundle("fixtures/manufacturing")
    >>> lost = rerouted_losses(eco).set_index("id")["share_unmet"]
    >>> round(float(lost["S0001"]), 6), bool(lost["S0003"] < 0.01)  # every pump, no valve; one of two
    (0.5, True)
    """
    if not np.isfinite(headroom) or headroom < 0:
        raise ParameterError(f"headroom must be a finite number of at least 0; got {headroom}")
    net = _network(eco)
    cand, thr = _exact_set(eco, net, None)
    keep = ~net.parties[cand].isin(eco.company["id"])
    cand, thr = cand[keep], thr[keep]
    n_exact = len(cand) if exact is None else min(exact, len(cand))
    demand = net.stocks["demand"].to_numpy()[net.demand_rows]
    unmet = thr.astype(float).copy()
    by_row = np.zeros((len(demand), n_exact))
    for start, (chunk, reach) in zip(range(0, n_exact, 64), _losses(net, cand[:n_exact], headroom=headroom),
                                     strict=False):
        by_row[:, start:start + len(chunk)] = (demand[:, None] * (1.0 - reach)).clip(min=0)
    unmet[:n_exact] = by_row.sum(axis=0)
    out = pd.DataFrame({"id": net.parties[cand], "units_unmet": unmet,
                        "share_unmet": _shares(net, cand, by_row, n_exact),
                        "exact": np.arange(len(cand)) < n_exact})
    out = with_labels(eco, out)[["id", "name", "units_unmet", "share_unmet", "exact"]]
    return out.sort_values(["share_unmet", "units_unmet", "id"], ascending=[False, False, True],
                           ignore_index=True)


def _sku_shares(net: _Network) -> np.ndarray:
    """Per stock, the weight that turns its unmet units into a share of all demand without
    adding units of different SKUs: ``1 / (its SKU's demand × SKUs demanded)``, so each
    SKU's demand weighs the same and all of it sums to 1."""
    sku = net.stocks["sku"].to_numpy()
    demand = net.stocks["demand"].to_numpy(dtype=float)
    per_sku = pd.Series(demand).groupby(sku).transform("sum").to_numpy()
    n_sku = max(len(np.unique(sku[demand > 0])), 1)
    return np.divide(1.0, per_sku * n_sku, out=np.zeros(len(sku)), where=per_sku > 0)


def _shares(net: _Network, cand: np.ndarray, unmet: np.ndarray, n_exact: int) -> np.ndarray:
    """Each candidate's share of demand (:func:`_sku_shares`): from the simulated unmet units
    per demand row (columns, the first ``n_exact`` candidates), else the first-order bound."""
    w = _sku_shares(net)
    share = _throughput(net, net.stocks["demand"].to_numpy() * w)[cand]
    share[:n_exact] = w[net.demand_rows] @ unmet
    return share


def _throughput(net: _Network, demand: np.ndarray | None = None) -> np.ndarray:
    """Demand units that depend on each party, to first order: the maximum over
    the party's stocks of :func:`_stock_throughput`."""
    out = np.zeros(len(net.parties))
    np.maximum.at(out, net.party_codes, _stock_throughput(net, demand))
    return out


def _stock_throughput(net: _Network, demand: np.ndarray | None = None) -> np.ndarray:
    """Demand units that depend on each stock, to first order: a backward pass
    that splits each stock's dependent demand over its suppliers by volume and
    gives every bill-of-materials input the producer's whole demand. Exact for
    a stock whose influence reaches each product through one input; an upper
    bound otherwise. ``demand``: per stock, in place of the customers' units
    (a weighted demand, say)."""
    demand = net.stocks["demand"].to_numpy() if demand is None else demand
    thr = demand.copy()
    back = net.flow.T.tocsr()
    for _ in range(net.depth):
        nxt = demand + back @ thr
        np.add.at(nxt, net.bom_input, thr[net.bom_output])
        if np.abs(nxt - thr).max(initial=0.0) < 1e-9:
            break
        thr = nxt
    return thr


def _candidates(eco: Ecosystem, net: _Network) -> np.ndarray:
    """Parties whose removal can cut anyone's supply: everyone who ships units."""
    shipping = np.unique(net.party_codes[np.asarray(net.flow.sum(axis=0)).ravel() > 0])
    return shipping[~isin(net.parties[shipping], eco.customers["id"])]


def _exact_set(eco: Ecosystem, net: _Network, exact: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Candidates and their first-order throughput; the ``exact`` largest by
    throughput come first (all when ``exact`` is None)."""
    cand = _candidates(eco, net)
    thr = _throughput(net)[cand]
    order = np.argsort(-thr, kind="stable")
    cand, thr = cand[order], thr[order]
    return (cand, thr) if exact is None else (cand[:exact], thr[:exact])


def dominators(eco: Ecosystem, *, exact: int | None = 256) -> pd.DataFrame:
    """For each customer and SKU it buys, the parties every supply path passes
    through — including through a bill of materials (a pump's only gearbox
    supplier dominates every pump buyer). Removing any of them leaves the
    customer's demand for that SKU entirely unmet. Parties are tested by
    simulation, the ``exact`` largest by dependent demand (every party when
    None); a dominator of a customer carries all its demand, so it ranks high.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    exact : int or None, default 256
        How many parties to test, those with the most dependent demand (to
        first order) first; ``None``: every party that ships units.

    Returns
    -------
    pandas.DataFrame
        Columns: ``customer, customer_name, sku, dominator, dominator_name``;
        sorted by dominator, customer (then SKU).

    Notes
    -----
    Dominance is tested by removing each party and simulating the flow model,
    not with a dominator-tree algorithm on the graph: a producer needs *all*
    of its inputs, which graph dominance does not model.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> d = dominators(load_bundle("fixtures/manufacturing"))
    >>> "S0001" in set(d["dominator"])
    True
    """
    net = _network(eco)
    cand, _ = _exact_set(eco, net, exact)
    rows = net.demand_rows
    parts = []
    for chunk, reach in _losses(net, cand):
        r, c = np.nonzero(reach < 1e-12)
        parts.append(pd.DataFrame({"row": rows[r], "dominator": net.parties[chunk[c]]}))
    hits = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        {"row": np.array([], dtype=np.int64), "dominator": []})
    s = net.stocks.iloc[hits["row"]]
    out = pd.DataFrame({"customer": s["party"].to_numpy(), "sku": s["sku"].to_numpy(),
                        "dominator": hits["dominator"].to_numpy()})
    out = out.sort_values(["dominator", "customer", "sku"], ignore_index=True)
    return _with_names(eco, out, ("customer", "dominator"))


def _with_names(eco: Ecosystem, frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``frame`` with ``<column>_name`` beside each party id column."""
    for col in columns:
        frame.insert(frame.columns.get_loc(col) + 1, f"{col}_name",
                     eco.names(frame[col]).to_numpy())
    return frame


def vital_edges(eco: Ecosystem, *, top: int | None = None) -> pd.DataFrame:
    """Flow edges ranked by the demand that depends on them: the units lost if
    this one supply relationship stops and nobody picks up the slack.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    top : int, optional
        Keep the first ``top`` rows; ``None``: every flow edge.

    Returns
    -------
    pandas.DataFrame
        Columns: ``source, source_name, target, target_name, sku, capacity,
        share`` (of the target's inbound units of the SKU), ``units_at_risk`` =
        ``share`` × the demand depending on the target (first order: exact
        unless the loss meets a bill of materials through two inputs at once).
        Largest first.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> top = vital_edges(load_bundle("fixtures/manufacturing"), top=1)
    >>> top[["source", "target", "sku"]].values.tolist()
    [['S0001', 'AQUILA', 'GEARBOX']]
    """
    net = _network(eco)
    thr = _stock_throughput(net)
    f = net.flows
    share = f["capacity"].to_numpy() / net.inflow[f["dst"].to_numpy()]
    out = pd.DataFrame({"source": f["source"].to_numpy(), "target": f["target"].to_numpy(),
                        "sku": f["sku"].to_numpy(), "capacity": f["capacity"].to_numpy(),
                        "share": share, "units_at_risk": share * thr[f["dst"].to_numpy()]})
    out = out.sort_values(["units_at_risk", "source", "target"], ascending=[False, True, True],
                          ignore_index=True)
    out = out.head(top) if top is not None else out
    return _with_names(eco, out, ("source", "target"))


def single_sourced(eco: Ecosystem) -> pd.DataFrame:
    """Inputs a buyer receives from exactly one supplier (customers excluded).

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.

    Returns
    -------
    pandas.DataFrame
        Columns: ``buyer, buyer_name, sku, supplier, supplier_name, units``
        (the yearly volume of that supply), largest volume first.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> s = single_sourced(load_bundle("fixtures/manufacturing"))
    >>> bool(((s["supplier"] == "S0001") & (s["sku"] == "GEARBOX")).any())
    True
    """
    flows = supply_flows(eco)
    flows = flows[~isin(flows["target"], eco.customers["id"])]
    count = flows.groupby(["target", "sku"])["source"].transform("nunique")
    one = flows[count == 1]
    out = pd.DataFrame({"buyer": one["target"], "sku": one["sku"], "supplier": one["source"],
                        "units": one["capacity"]})
    out = out.sort_values(["units", "buyer"], ascending=[False, True], ignore_index=True)
    return _with_names(eco, out, ("buyer", "supplier"))


@dataclass(frozen=True)
class MaxFlow:
    """Max-flow / min-cut of one SKU (see :func:`max_flow`): the ``cut`` edges
    (``source, target, capacity``), the ``flow`` deliverable, the ``cut_capacity``
    (equal to it, by the max-flow min-cut theorem) and the customers' ``demand``.

    Attributes
    ----------
    cut : pandas.DataFrame
        ``source, target, capacity``: the min-cut edges, largest first.
    flow : float
        Units per year that can reach the customers.
    cut_capacity : float
        Total capacity of ``cut`` (equal to ``flow``).
    demand : float
        The customers' demand for the SKU.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> result = max_flow(load_bundle("fixtures/manufacturing"), "PUMP")
    >>> result.flow <= result.demand
    True
    """

    cut: pd.DataFrame
    flow: float
    cut_capacity: float
    demand: float


def max_flow(eco: Ecosystem, sku: str) -> MaxFlow:
    """Max-flow / min-cut of one SKU, from the parties that produce it (unlimited)
    through the capacity-limited flow edges to customers (each limited by its
    demand).

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    sku : str
        A SKU with flows.

    Returns
    -------
    MaxFlow
        Its ``cut`` lists the min-cut edges, largest first (``source``
        ``<producers>`` or ``target`` ``<demand>`` for the artificial ends).

    Raises
    ------
    ParameterError
        When no flow carries ``sku``.

    References
    ----------
    .. [1] L. R. Ford and D. R. Fulkerson, "Maximal flow through a network",
       Canadian Journal of Mathematics 8, 1956.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> result = max_flow(load_bundle("fixtures/manufacturing"), "PUMP")
    >>> result.flow == result.cut_capacity == float(result.cut["capacity"].sum())
    True
    """
    flows = _network(eco).flows  # supply_flows, read once per ecosystem
    f = flows[flows["sku"] == sku]
    if f.empty:
        raise ParameterError(f"no flows of SKU {sku!r}")
    nodes = pd.Index(pd.unique(pd.concat([f["source"], f["target"]])))
    n = len(nodes)
    producers = np.setdiff1d(np.arange(n), nodes.get_indexer(f["target"]))
    customers = np.flatnonzero(isin(nodes, eco.customers["id"]))
    demand = f[isin(f["target"], eco.customers["id"])].groupby("target")["capacity"].sum()
    source, sink = n, n + 1
    big = float(f["capacity"].sum()) + 1.0
    edges = np.concatenate([
        np.column_stack([nodes.get_indexer(f["source"]), nodes.get_indexer(f["target"])]),
        np.column_stack([np.full(len(producers), source), producers]),
        np.column_stack([customers, np.full(len(customers), sink)])])
    cap = np.concatenate([f["capacity"].to_numpy(), np.full(len(producers), big),
                          demand.reindex(nodes[customers]).to_numpy()])
    g = igraph_from_edges(n + 2, edges, directed=True)
    flow = g.maxflow(source, sink, capacity=cap.tolist())
    names = np.array([*nodes, "<producers>", "<demand>"], dtype=object)
    cut = np.asarray(flow.cut, dtype=np.int64)
    out = pd.DataFrame({"source": names[edges[cut, 0]], "target": names[edges[cut, 1]],
                        "capacity": cap[cut]})
    out = out.sort_values("capacity", ascending=False, ignore_index=True)
    return MaxFlow(out, float(flow.value), float(cap[cut].sum()), float(demand.sum()))


def concentration(eco: Ecosystem) -> pd.DataFrame:
    """Herfindahl–Hirschman index of supply shares (0–10,000; above 2,500 is
    highly concentrated), per input SKU, per supplier region and per supply
    tier.

    ``hhi = Σ (100 · share)²`` over the suppliers (parties of the
    ``suppliers`` table) shipping in that scope, a share being a supplier's
    part of the units per year.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.

    Returns
    -------
    pandas.DataFrame
        Columns: ``scope`` (``sku``/``region``/``tier``), ``key``,
        ``suppliers``, ``units``, ``hhi``, ``top_supplier``, ``top_supplier_name``,
        ``top_share``; by scope, most concentrated first.

    References
    ----------
    .. [1] A. O. Hirschman, *National Power and the Structure of Foreign
       Trade*, University of California Press, 1945.
    .. [2] O. C. Herfindahl, *Concentration in the Steel Industry*, PhD thesis,
       Columbia University, 1950.
    .. [3] U.S. Department of Justice and Federal Trade Commission, *Horizontal
       Merger Guidelines*, 2010, section 5.3 (above 2,500: highly concentrated).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> c = concentration(load_bundle("fixtures/manufacturing")).set_index(["scope", "key"])
    >>> float(c.loc[("sku", "GEARBOX"), "hhi"])
    10000.0
    """
    s = eco.suppliers[["id", "region", "supply_tier"]].rename(columns={"id": "source"})
    flows = supply_flows(eco).merge(s, on="source")
    frames = []
    for scope, col in (("sku", "sku"), ("region", "region"), ("tier", "supply_tier")):
        by = flows.groupby([col, "source"])["capacity"].sum().rename("units").reset_index()
        total = by.groupby(col)["units"].transform("sum")
        by["share"] = by["units"] / total
        top = by.sort_values("share", ascending=False).drop_duplicates(col).set_index(col)
        agg = by.groupby(col).agg(suppliers=("source", "nunique"), units=("units", "sum"),
                                  hhi=("share", lambda x: float((100 * x) ** 2 @ np.ones(len(x)))))
        agg["top_supplier"] = top["source"]
        agg["top_share"] = top["share"]
        frames.append(agg.reset_index().rename(columns={col: "key"}).assign(scope=scope))
    out = pd.concat(frames, ignore_index=True)
    out["key"] = out["key"].astype(str)
    cols = ["scope", "key", "suppliers", "units", "hhi", "top_supplier", "top_share"]
    out = out[cols].sort_values(["scope", "hhi"], ascending=[True, False], ignore_index=True)
    return _with_names(eco, out, ("top_supplier",))


def bottlenecks(eco: Ecosystem, *, top: int | None = None, exact: int | None = 256,
                include_company: bool = False) -> pd.DataFrame:
    """Every party that ships units, ranked by supply risk, with the why.

    Columns: ``id, name, kind, risk_score, units_at_risk`` (demand units unmet if
    it drops out, summed over SKUs), ``share_at_risk`` (of all demand: each SKU's
    unmet share of its own demand, averaged over the SKUs demanded, so pumps and
    valves never add), ``exact`` (whether
    ``units_at_risk`` was simulated — for the ``exact`` parties with the most
    dependent demand — or is the first-order bound), ``customers_affected``,
    ``customers_cut_off`` (it dominates their supply), ``regions`` affected,
    the signals ``single_source`` (sole supplier of some buyer's input),
    ``articulation_point`` (its removal splits the supply network),
    ``in_min_cut`` (it ships over a min-cut edge of some SKU), ``dominator``,
    and ``why``. The focal company, through which everything flows by
    construction, is left out unless ``include_company``.

    ``risk_score = 100 · share_at_risk + Σ RISK_WEIGHTS[signal]`` over the
    signals present: the demand it carries, plus points for structural
    fragility that volumes alone do not show.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    top : int, optional
        Keep the ``top`` riskiest rows; ``None``: every party that ships units.
    exact : int or None, default 256
        How many parties to simulate, those with the most dependent demand (to
        first order) first; ``None``: all of them.
    include_company : bool, default False
        Keep the focal company.

    Returns
    -------
    pandas.DataFrame
        The columns above, in that order, riskiest first (then by ``id``).
        ``customers_affected``, ``customers_cut_off``, ``regions`` and
        ``dominator`` come from the simulation, so they are 0, ``""`` and
        ``False`` on rows that were not simulated (``exact`` False).

    References
    ----------
    .. [1] L. R. Ford and D. R. Fulkerson, "Maximal flow through a network",
       Canadian Journal of Mathematics 8, 1956 (the min cut behind ``in_min_cut``).
    .. [2] J. Hopcroft and R. Tarjan, "Algorithm 447: efficient algorithms for
       graph manipulation", Communications of the ACM 16(6):372--378, 1973
       (articulation points).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> top = bottlenecks(load_bundle("fixtures/it_ecosystem"), top=3)
    >>> top.loc[0, "id"], bool(top.loc[0, "single_source"]), bool(top.loc[0, "dominator"])
    ('S0001', True, True)
    """
    net = _network(eco)
    cand, thr = _exact_set(eco, net, None)
    if not include_company:
        keep = ~net.parties[cand].isin(eco.company["id"])
        cand, thr = cand[keep], thr[keep]
    n_exact = len(cand) if exact is None else min(exact, len(cand))
    rows = net.demand_rows
    demand = net.stocks["demand"].to_numpy()[rows]
    customer = pd.factorize(net.party_codes[rows])[0]
    region_codes, regions = pd.factorize(eco.customers.set_index("id")["region"].reindex(
        net.stocks["party"].to_numpy()[rows]))
    at_risk = thr.copy()
    by_row = np.zeros((len(demand), n_exact))
    affected = np.zeros(len(cand), dtype=np.int64)
    cut_off = np.zeros(len(cand), dtype=np.int64)
    touched = [""] * len(cand)
    n_cust = customer.max() + 1 if len(customer) else 0
    for start, (chunk, reach) in zip(range(0, n_exact, 64), _losses(net, cand[:n_exact]),
                                     strict=False):
        cols = slice(start, start + len(chunk))
        unmet = (demand[:, None] * (1.0 - reach)).clip(min=0)
        at_risk[cols] = unmet.sum(axis=0)
        by_row[:, cols] = unmet
        affected[cols] = _distinct(customer, n_cust, unmet > 1e-9)
        cut_off[cols] = _distinct(customer, n_cust, reach < 1e-12)
        hit = _distinct_sets(region_codes, len(regions), unmet > 1e-9)
        for j, codes in enumerate(hit):
            touched[start + j] = ", ".join(sorted(regions[codes]))
    out = pd.DataFrame({"id": net.parties[cand], "units_at_risk": at_risk,
                        "exact": np.arange(len(cand)) < n_exact,
                        "customers_affected": affected, "customers_cut_off": cut_off,
                        "regions": touched})
    out["share_at_risk"] = _shares(net, cand, by_row, n_exact)
    single = set(single_sourced(eco)["supplier"])
    points = set(structure.articulation_points(view(eco, "supply"))["id"])
    in_cut = {p for sku in net.stocks.loc[net.stocks["demand"] > 0, "sku"].unique()
              for p in max_flow(eco, sku).cut["source"]}
    out["single_source"] = out["id"].isin(single)
    out["articulation_point"] = out["id"].isin(points)
    out["in_min_cut"] = out["id"].isin(in_cut)
    out["dominator"] = out["customers_cut_off"] > 0
    signals = list(RISK_WEIGHTS)
    out["risk_score"] = 100 * out["share_at_risk"] + sum(
        out[s].astype(float) * w for s, w in RISK_WEIGHTS.items())
    out = with_labels(eco, out).sort_values(["risk_score", "id"], ascending=[False, True],
                                            ignore_index=True)
    out = out.head(top) if top is not None else out
    out["why"] = [_why(r, signals) for r in out.itertuples(index=False)]  # rows shown
    cols = ["id", "name", "kind", "risk_score", "units_at_risk", "share_at_risk", "exact",
            "customers_affected", "customers_cut_off", "regions", *signals, "why"]
    return out[cols].reset_index(drop=True)


def _distinct(codes: np.ndarray, n: int, mask: np.ndarray) -> np.ndarray:
    """Per column of ``mask``, how many distinct ``codes`` its true rows hold."""
    onehot = sp.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                           shape=(n, len(codes)))
    return np.asarray(((onehot @ sp.csr_matrix(mask)) > 0).sum(axis=0)).ravel()


def _distinct_sets(codes: np.ndarray, n: int, mask: np.ndarray) -> list[np.ndarray]:
    onehot = sp.csr_matrix((np.ones(len(codes)), (codes, np.arange(len(codes)))),
                           shape=(n, len(codes)))
    present = ((onehot @ sp.csr_matrix(mask)) > 0).T.tocsr()
    return [present.indices[present.indptr[j]:present.indptr[j + 1]]
            for j in range(present.shape[0])]


def _why(r, signals: list[str]) -> str:
    bound = "" if r.exact else " (first-order bound)"
    bits = [f"{r.share_at_risk:.0%} of demand unmet without it ({r.units_at_risk:,.0f} units)"
            f"{bound}"]
    if r.customers_cut_off:
        bits.append(f"sole path to {plural(r.customers_cut_off, 'customer')}")
    labels = {"single_source": "single source of an input",
              "articulation_point": "articulation point of the supply network",
              "in_min_cut": "on a min-cut edge", "dominator": None}
    bits += [labels[s] for s in signals if getattr(r, s) and labels[s]]
    return "; ".join(bits)
