"""Physical accounts of an ecosystem: units held, deployed, and reconciled with audits.

The ledger replay itself is :mod:`ecograph.ledger` (pure functions on the
``movements`` and ``audits`` tables); this module reads it for an
:class:`~ecograph.Ecosystem`, with party names beside the ids, site regions
for the installed base, its bill of materials for production lots, and every
asset class in the conservation check. Units, never money. See
``docs/ledger.md``.

>>> from ecograph import load_bundle
>>> eco = load_bundle("fixtures/tiny")
>>> holdings(eco).columns.tolist()
['id', 'name', 'kind', 'sku', 'units']
"""

from __future__ import annotations

import pandas as pd

from .. import ledger
from ..dates import AsOf, on_or_before
from ..ecosystem import Ecosystem, derived
from ..errors import ParameterError
from ._common import with_labels

__all__ = ["holdings", "reconcile", "adjustments", "deployed", "custody", "bill_of_materials", "production",
           "conservation"]


def holdings(eco: Ecosystem, *, as_of: AsOf = None, include_zero: bool = False) -> pd.DataFrame:
    """Units each party holds per SKU at the end of day ``as_of``.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    as_of : str, date or None
        The day (inclusive); ``None``: every movement.
    include_zero : bool, default False
        Keep parties whose balance came back to zero.

    Returns
    -------
    pandas.DataFrame
        ``id, name, kind, sku, units`` (see :func:`ecograph.ledger.balances`).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> h = holdings(load_bundle("fixtures/tiny"), as_of="2025-01-10")
    >>> h[["id", "name", "sku", "units"]].values.tolist()[:2]
    [['NIMBUS', 'Nimbus Cloud', 'SRV', 4.0], ['P2', 'Delta Distribution', 'SRV', 6.0]]
    """
    held = ledger.balances(eco.movements, as_of=as_of, include_zero=include_zero)
    return with_labels(eco, held.rename(columns={"party": "id"}))


def reconcile(eco: Ecosystem, *, tolerance: float = 0) -> pd.DataFrame:
    """Every audit count against the ledger, largest absolute discrepancy first.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    tolerance : float, default 0
        Units of difference still called ``ok``.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`ecograph.ledger.reconcile` with ``party_name``
        beside ``party``.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> top = reconcile(load_bundle("fixtures/manufacturing")).head(1)
    >>> top[["audit", "party", "sku", "expected", "counted", "status"]].values.tolist()
    [['A000018', 'P00027', 'PUMP', 12.0, 10.0, 'short']]
    """
    out = ledger.reconcile(eco.movements, eco.audits, tolerance=tolerance)
    out.insert(3, "party_name", eco.names(out["party"]).to_numpy())
    return out


def adjustments(eco: Ecosystem) -> pd.DataFrame:
    """The adjustment entries that make the books agree with every audit count.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.

    Returns
    -------
    pandas.DataFrame
        Movement-shaped rows (see :func:`ecograph.ledger.adjustments`) with
        ``party_name`` beside ``party``.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> adjustments(load_bundle("fixtures/it_ecosystem"))[["id", "kind", "units"]].values.tolist()
    [['ADJ-A000006', 'dispose', 2.0]]
    """
    out = ledger.adjustments(eco.movements, eco.audits)
    out.insert(out.columns.get_loc("party") + 1, "party_name", eco.names(out["party"]).to_numpy())
    return out


def deployed(eco: Ecosystem, *, as_of: AsOf = None, by: str = "partner") -> pd.DataFrame:
    """Units deployed at sites (customers), net of returns, per partner or per region.

    A return counts against a deployment only when it goes back along the
    same pair (site → the party that deployed there); other returns, such as
    demo units handed back to the company, are not deployment returns.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    as_of : str, date or None
        The day (inclusive); ``None``: every movement.
    by : {"partner", "region"}, default "partner"
        Per deploying party, or per the site's region (a partner site's home region).

    Returns
    -------
    pandas.DataFrame
        ``id, name, kind`` (the deploying party) or ``region``, then ``sku,
        deployed, returned, net, sites`` (sites holding a net positive
        deployment); largest ``net`` first.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> eco = load_bundle("fixtures/tiny")
    >>> deployed(eco).to_dict("records")
    [{'id': 'P1', 'name': 'Apex Systems', 'kind': 'partner', 'sku': 'SRV', 'deployed': 3.0, \
'returned': 1.0, 'net': 2.0, 'sites': 1}]
    >>> deployed(eco, by="region")[["region", "net"]].values.tolist()
    [['EMEA', 2.0]]
    """
    if by not in ("partner", "region"):
        raise ParameterError(f"by must be 'partner' or 'region'; got {by!r}")
    m = eco.movements[on_or_before(eco.movements["date"], as_of)]
    pair = ["partner", "site", "sku"]
    dep = m[m["kind"] == "deploy"].rename(columns={"from_party": "partner", "to_party": "site"})
    ret = m[m["kind"] == "return"].rename(columns={"from_party": "site", "to_party": "partner"})
    net = dep.groupby(pair, as_index=False, sort=False).agg(deployed=("units", "sum"))
    back = ret.groupby(pair, as_index=False, sort=False).agg(returned=("units", "sum"))
    net = net.merge(back, on=pair, how="left").fillna({"returned": 0.0})
    net["net"] = net["deployed"] - net["returned"]
    if by == "region":  # a site served by two partners is one site of its region
        net["region"] = net["site"].map(eco.parties.set_index("id")["region"])
        net = net.groupby(["region", "site", "sku"], as_index=False, sort=False, dropna=False)[
            ["deployed", "returned", "net"]].sum()
    net["sites"] = (net["net"] > ledger.DUST).astype("int64")
    out = (net.groupby([by, "sku"], as_index=False, sort=False, dropna=False)
           [["deployed", "returned", "net", "sites"]].sum())
    out = out.astype({"deployed": "float64", "returned": "float64", "net": "float64",
                      "sites": "int64"})
    out = out.sort_values(["net", by, "sku"], ascending=[False, True, True],
                          kind="stable").reset_index(drop=True)
    if by == "partner":
        out = with_labels(eco, out.rename(columns={"partner": "id"}))
    return out


def custody(eco: Ecosystem, sku: str, *, party: str | None = None) -> pd.DataFrame:
    """Every movement of one SKU in date order, with the holders' balances and names.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    sku : str
        An asset class of the ecosystem.
    party : str, optional
        Keep only the movements naming this party (``step`` counts the whole chain).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`ecograph.ledger.custody_chain` with
        ``from_party_name`` and ``to_party_name`` beside the parties.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> chain = custody(load_bundle("fixtures/tiny"), "SRV", party="C1")
    >>> chain[["step", "kind", "to_party_name"]].values.tolist()
    [[4, 'deploy', 'Harbor Bank'], [5, 'return', 'Apex Systems']]
    """
    if sku not in set(eco.asset_classes["sku"]):
        raise ParameterError(f"sku must be an asset class of the ecosystem; got {sku!r}")
    if party is not None and party not in set(eco.parties["id"]):
        raise ParameterError(f"party must be a known party id; got {party!r}")
    if not (eco.movements["sku"] == sku).any():
        return pd.DataFrame(columns=["step", "id", "date", "kind", "from_party", "from_party_name",
                                     "to_party", "to_party_name", "units", "lot", "from_balance",
                                     "to_balance"])
    out = ledger.custody_chain(eco.movements, sku, party=party)
    for col in ("from_party", "to_party"):
        out.insert(out.columns.get_loc(col) + 1, f"{col}_name",
                   eco.names(out[col]).to_numpy())
    return out


def bill_of_materials(eco: Ecosystem) -> pd.DataFrame:
    """The ecosystem's bill of materials: every input of every SKU with its quantity.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem (``asset_classes.inputs`` and the optional ``bom`` table).

    Returns
    -------
    pandas.DataFrame
        ``sku, input, quantity`` (see :func:`ecograph.ledger.bill_of_materials`).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> bill_of_materials(load_bundle("fixtures/tiny")).values.tolist()  # 12.5 kg of steel per server
    [['SRV', 'STEEL', 12.5]]
    """
    return derived(eco, "bill_of_materials", lambda: ledger.bill_of_materials(eco.asset_classes, eco.bom))


def production(eco: Ecosystem, *, as_of: AsOf = None) -> pd.DataFrame:
    """Each production lot with the components it consumed against its bill of materials.

    Where the components of a finished lot went: a ``produce`` row and the
    ``consume`` rows of its ``lot`` at the factory (see :func:`custody` for
    the units' way to and from it).

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    as_of : str, date or None
        The day (inclusive); ``None``: every lot.

    Returns
    -------
    pandas.DataFrame
        ``lot, date, id, name, kind`` (the factory), then ``sku, units, input,
        quantity, required, consumed, balanced`` (see
        :func:`ecograph.ledger.lots`); in a validated ecosystem every row is
        balanced.

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> production(load_bundle("fixtures/tiny")).columns.tolist()[:5]
    ['lot', 'date', 'id', 'name', 'kind']
    """
    m = eco.movements[on_or_before(eco.movements["date"], as_of)]
    out = ledger.lots(m, bill_of_materials(eco)).rename(columns={"party": "id"})
    labels = eco.labels(out["id"])
    out.insert(3, "name", labels["name"].to_numpy())
    out.insert(4, "kind", labels["kind"].to_numpy())
    return out


def conservation(eco: Ecosystem, *, as_of: AsOf = None) -> pd.DataFrame:
    """Units into, out of and held on the books per asset class, checked against the bill of materials.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    as_of : str, date or None
        The day (inclusive).

    Returns
    -------
    pandas.DataFrame
        ``sku, supplied, produced, consumed, disposed, held, required,
        balanced`` for every asset class (see
        :func:`ecograph.ledger.conservation`, given the ecosystem's
        :func:`bill_of_materials`).

    Examples
    --------
    >>> from ecograph import load_bundle
    >>> bool(conservation(load_bundle("fixtures/manufacturing"))["balanced"].all())
    True
    """
    return ledger.conservation(eco.movements, skus=eco.asset_classes["sku"], as_of=as_of,
                               bill=bill_of_materials(eco))
