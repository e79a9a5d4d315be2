"""Partner statements: each partner's own view of the ecosystem, and nothing of anyone else's.

A :class:`Statement` holds what one partner may see: its physical account
(balances, movements, audit results), its deals, the co-selling suggestions
that involve it (the other partner named, shared accounts as counts only) and
its scorecard against the partners of its tier (medians only, and only when
the tier has enough other partners that a median reveals none of them).
:func:`write_statements` writes one folder per partner: a self-contained
``statement.html`` and a CSV per table.

Counterparties a partner has no right to know are described, not named: a
transfer from a distributor reads "a distributor", a supply from a supplier
"a supplier". Its own customers (those it sells to, registered deals at or
moved units with) and the company are named.

>>> import ecograph
>>> s = partner_statement(ecograph.load_bundle("fixtures/tiny"), "P1")
>>> s.label, list(s.tables())
('Apex Systems (P1)', ['balances', 'movements', 'audits', 'deals', 'cosell', 'scorecard'])
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from .analysis import coselling
from .analysis.assessment import MIN_DEALS_FOR_RATE, partner_health, partner_kpis
from .analysis.physical_accounts import holdings, reconcile
from .analysis.tier_fit import tier_fit
from .dates import AsOf, timestamp
from .ecosystem import Ecosystem
from .errors import ParameterError
from .files import atomic_write, replacing
from .outputs import write_tables
from .ties import partner_accounts
from .wording import party_label, party_labels, plural

__all__ = ["Statement", "partner_statement", "write_statements", "MIN_TIER_PEERS"]

#: A tier median is shown only when the tier has at least this many other partners.
MIN_TIER_PEERS = 3
_SCORECARD = ("deals", "won_deals", "won_amount", "customers", "units_deployed", "cosell_partners")


@dataclass
class Statement:
    """What one partner may see. Made by :func:`partner_statement`.

    Attributes
    ----------
    partner, label : str
        Its id, and ``Name (ID)``.
    as_of : pandas.Timestamp
        The day the statement is as of.
    balances : pandas.DataFrame
        ``sku, units`` it holds.
    movements : pandas.DataFrame
        ``id, date, sku, kind, direction, counterparty, units`` of its movements.
    audits : pandas.DataFrame
        ``audit, date, sku, expected, counted, discrepancy, status, adjustment_kind``.
    deals : pandas.DataFrame
        ``id, customer, customer_name, product, registered, closed, status, amount,
        cosell_partner`` of the deals it registered.
    cosell : pandas.DataFrame
        ``rank, partner, partner_name, score, shared_customers, ...`` : the
        suggestions that involve it, shared accounts as counts only.
    scorecard : pandas.DataFrame
        ``measure, value, tier_median, tier_partners, note``; its tier fit in ``tier``.
    tier : dict
        ``tier``, ``recommended_tier``, ``evidence``.

    Examples
    --------
    >>> import ecograph
    >>> partner_statement(ecograph.load_bundle("fixtures/tiny"), "P2").balances.columns.tolist()
    ['sku', 'units']
    """

    partner: str
    label: str
    as_of: pd.Timestamp
    balances: pd.DataFrame
    movements: pd.DataFrame
    audits: pd.DataFrame
    deals: pd.DataFrame
    cosell: pd.DataFrame
    scorecard: pd.DataFrame
    tier: dict

    def tables(self) -> dict[str, pd.DataFrame]:
        """The statement's tables by name, in the order the page shows them.

        Returns
        -------
        dict of str to pandas.DataFrame

        Examples
        --------
        >>> import ecograph
        >>> len(partner_statement(ecograph.load_bundle("fixtures/tiny"), "P1").tables())
        6
        """
        return {name: getattr(self, name) for name in ("balances", "movements", "audits", "deals",
                                                       "cosell", "scorecard")}


class _Shared:
    """What every statement of one ecosystem reads, computed once."""

    def __init__(self, eco: Ecosystem, as_of: AsOf):
        self.day = timestamp(as_of) if as_of is not None else eco.reference_date
        self.kpis = partner_kpis(eco, as_of=self.day)
        self.health = partner_health(self.kpis).set_index("id")["health"]
        self.tiers = tier_fit(eco, kpis=self.kpis).set_index("id")
        self.pairs = coselling.suggest_pairings(eco, top=None, as_of=self.day, counts_only=True)
        self.ties = partner_accounts(eco, as_of=self.day)
        self.recon = reconcile(eco)
        self.held = holdings(eco, as_of=self.day)
        m = eco.movements
        self.moves = m[m["date"] <= self.day]


def partner_statement(eco: Ecosystem, partner: str, *, as_of: AsOf = None) -> Statement:
    """The statement of one partner: only what that partner may see.

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    partner : str
        A partner id.
    as_of : str, date or None
        The day (default: the bundle's latest record).

    Returns
    -------
    Statement

    Raises
    ------
    ParameterError
        ``partner`` is not a partner of ``eco``.

    Examples
    --------
    >>> import ecograph
    >>> s = partner_statement(ecograph.load_bundle("fixtures/tiny"), "P1")
    >>> s.deals[["customer_name", "status"]].values.tolist()
    [['Harbor Bank', 'won'], ['Maple Retail', 'registered']]
    """
    return _statement(eco, partner, _Shared(eco, as_of))


def _statement(eco: Ecosystem, partner: str, sh: _Shared) -> Statement:
    if not isinstance(partner, str) or partner not in set(eco.partners["id"]):
        raise ParameterError(f"partner must be a partner id of {eco.source or 'the ecosystem'}; "
                             f"got {partner!r}")
    me = eco.partners.set_index("id").loc[partner]
    parties = eco.parties.set_index("id")
    moves = sh.moves[(sh.moves["from_party"] == partner) | (sh.moves["to_party"] == partner)]
    deals = eco.deals[(eco.deals["partner"] == partner) & (eco.deals["registered"] <= sh.day)]
    own = (set(sh.ties.loc[sh.ties["partner"] == partner, "customer"]) | set(deals["customer"])
           | (set(moves["from_party"]) | set(moves["to_party"])) & set(eco.customers["id"]))
    company = set(eco.company["id"])

    def counterparty(party) -> str:
        if party is None or pd.isna(party):
            return "outside the books"
        if party in own or party in company:
            return party_label(parties.at[party, "name"], party)
        kind, kind_type = parties.at[party, "kind"], parties.at[party, "type"]
        return f"a {kind_type if kind == 'partner' and isinstance(kind_type, str) else kind}"

    out = moves["to_party"] != partner
    movements = pd.DataFrame({
        "id": moves["id"], "date": moves["date"], "sku": moves["sku"], "kind": moves["kind"],
        "direction": np.where(out, "out", "in"),
        "counterparty": [counterparty(p) for p in np.where(out, moves["to_party"], moves["from_party"])],
        "units": moves["units"]}).sort_values(["date", "id"], ignore_index=True)
    held = sh.held[sh.held["id"] == partner][["sku", "units"]].reset_index(drop=True)
    audits = sh.recon[(sh.recon["party"] == partner) & (sh.recon["date"] <= sh.day)][
        ["audit", "date", "sku", "expected", "counted", "discrepancy", "status", "adjustment_kind"]
    ].reset_index(drop=True)
    names = parties["name"]
    deal_table = pd.DataFrame({
        "id": deals["id"], "customer": deals["customer"],
        "customer_name": names.reindex(deals["customer"]).to_numpy(),
        "product": deals["product"], "registered": deals["registered"], "closed": deals["closed"],
        "status": deals["status"], "amount": deals["amount"],
        "cosell_partner": [None if pd.isna(p) else party_label(names.get(p), p)
                           for p in deals["cosell_partner"]],
    }).reset_index(drop=True)
    return Statement(partner, party_label(me["name"], partner), sh.day, held, movements, audits, deal_table,
                     _cosell(sh.pairs, partner), _scorecard(sh, partner, me["tier"]),
                     {"tier": me["tier"], "recommended_tier": sh.tiers.at[partner, "expected_tier"],
                      "evidence": sh.tiers.at[partner, "evidence"]})


def _cosell(pairs: pd.DataFrame, partner: str) -> pd.DataFrame:
    """The suggestions involving ``partner``, from its side: the other partner named, counts only."""
    mine = pairs[(pairs["a"] == partner) | (pairs["b"] == partner)]
    first = mine["a"] == partner
    other = np.where(first, mine["b"], mine["a"])
    return pd.DataFrame({
        "rank": np.arange(1, len(mine) + 1), "partner": other,
        "partner_name": np.where(first, mine["b_name"], mine["a_name"]), "score": mine["score"].round(2),
        "shared_customers": mine["shared_customers"], "shared_prospects": mine["shared_prospects"],
        "your_open_deals_at_their_customers": np.where(first, mine["a_open_at_b_customers"],
                                                       mine["b_open_at_a_customers"]),
        "their_open_deals_at_your_customers": np.where(first, mine["b_open_at_a_customers"],
                                                       mine["a_open_at_b_customers"]),
        "regions_in_common": mine["regions_in_common"], "why": mine["why"]}).reset_index(drop=True)


def _scorecard(sh: _Shared, partner: str, tier: str) -> pd.DataFrame:
    k = sh.kpis.set_index("id")
    k = k.assign(health=sh.health.reindex(k.index))
    peers = k[(k["tier"] == tier) & (k.index != partner)]
    rows = []
    for measure in (*[c for c in _SCORECARD if c in k.columns], "health"):
        value = k.at[partner, measure]
        enough = len(peers) >= MIN_TIER_PEERS
        rows.append({"measure": measure, "value": round(float(value), 2),
                     "tier_median": round(float(peers[measure].median()), 2) if enough else None,
                     "tier_partners": len(peers) + 1,
                     "note": "" if enough else f"fewer than {MIN_TIER_PEERS} other {tier} partners: "
                                               "no median, so none of them is revealed"})
    deals, won = int(k.at[partner, "deals"]), int(k.at[partner, "won_deals"])
    rate = f"{k.at[partner, 'win_rate']:.0%} (smoothed)" if deals >= MIN_DEALS_FOR_RATE else \
        f"{won} won of {plural(deals, 'deal')}: too few for a rate"
    rows.append({"measure": "win_rate", "value": None, "tier_median": None, "tier_partners": len(peers) + 1,
                 "note": rate})
    return pd.DataFrame(rows)


_STYLE = ("body{font-family:sans-serif;max-width:960px;margin:auto;padding:1em;color:#222}"
          "table{border-collapse:collapse;font-size:0.85em}td,th{padding:2px 6px;border-bottom:1px solid "
          "#ddd;text-align:left}.meta{color:#555;font-size:0.9em}")
_TITLES = {"balances": "Units you hold", "movements": "Your movements", "audits": "Your audits",
           "deals": "Your deal registrations", "cosell": "Partners to co-sell with",
           "scorecard": "Your scorecard against your tier"}


def _page(eco: Ecosystem, s: Statement, generated: datetime) -> str:
    e = html.escape
    company = e(str(eco.company["name"].iat[0]))
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{e(s.label)}: statement from "
             f"{company}</title><style>{_STYLE}</style></head><body><h1>{e(s.label)}</h1>"
             f"<p class='meta'>Partner statement from {company} · data as of {s.as_of:%Y-%m-%d} · generated "
             f"{generated:%Y-%m-%d %H:%M UTC}</p><p>Tier {e(str(s.tier['tier']))}; your performance "
             f"supports {e(str(s.tier['recommended_tier']))} ({e(str(s.tier['evidence']))}).</p>"]
    for name, frame in s.tables().items():
        body = frame.to_html(index=False, border=0, na_rep="", float_format=lambda x: f"{x:,.2f}") \
            if len(frame) else "<p>None.</p>"
        parts.append(f"<section id='{name}'><h2>{_TITLES[name]} ({len(frame)})</h2>{body}</section>")
    parts.append("<p class='meta'>Shared accounts are given as counts only; parties outside your "
                 "business are described, not named.</p></body></html>")
    return "".join(parts)


def write_statements(eco: Ecosystem, out: str | os.PathLike, *, as_of: AsOf = None,
                     partners: Iterable[str] | None = None, generated: datetime | None = None,
                     protect: Iterable[str | os.PathLike | None] = ()) -> Path:
    """Write one folder per partner (``statement.html`` and a CSV per table) into ``out``.

    Also ``index.csv`` (``id, name, folder``) for whoever sends them; the
    folder ``out`` is replaced as a whole (:func:`ecograph.files.replacing`).

    Parameters
    ----------
    eco : Ecosystem
        The ecosystem.
    out : str or os.PathLike
        The folder; it may not be, be inside or hold the bundle.
    as_of : str, date or None
        The day (default: the bundle's latest record).
    partners : iterable of str, optional
        Only these partners (default: all).
    generated : datetime, optional
        The generation time printed (default: now, UTC).
    protect : iterable of str or os.PathLike, default ()
        Other inputs ``out`` must stay apart from.

    Returns
    -------
    pathlib.Path
        ``out``.

    Examples
    --------
    >>> import tempfile, ecograph
    >>> folder = write_statements(ecograph.load_bundle("fixtures/tiny"), tempfile.mkdtemp())
    >>> sorted(p.name for p in folder.iterdir() if p.is_dir()), (folder / "P1" / "statement.html").exists()
    (['P1', 'P2', 'P3'], True)
    """
    ids = list(eco.partners["id"]) if partners is None else list(partners)
    sh = _Shared(eco, as_of)
    when = generated or datetime.now(UTC)
    source = [eco.source] if eco.source and Path(eco.source).exists() else []
    with replacing(out, protect=[*protect, *source]) as folder:
        for partner in ids:
            s = _statement(eco, partner, sh)
            write_tables(folder / partner, s.tables())
            atomic_write(folder / partner / "statement.html",
                         lambda p, s=s: p.write_text(_page(eco, s, when), encoding="utf-8"))
        index = pd.DataFrame({"id": ids, "name": eco.names(ids).to_numpy(), "folder": ids})
        index.insert(1, "label", party_labels(index["name"], index["id"]))
        write_tables(folder, {"index": index})
    return Path(out)
